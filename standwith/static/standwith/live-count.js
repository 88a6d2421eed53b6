// Keeps the count on a petition page current. The page works without it;
// the JSON it polls is cached for everyone, so polling costs the server little.
(function () {
  "use strict";
  var tally = document.querySelector("[data-count-url]");
  if (!tally || !window.fetch) return;
  var number = tally.querySelector("[data-count]");
  var bar = tally.querySelector("[data-bar]");
  var goal = parseInt(tally.getAttribute("data-goal"), 10) || 1;
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function refresh() {
    if (document.hidden) return;
    fetch(tally.getAttribute("data-count-url"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data.signature_count !== "number") return;
        number.textContent = format.format(data.signature_count);
        if (bar) bar.value = Math.min(goal, data.signature_count);
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }
  setInterval(refresh, 15000);

  var cameFrom = document.querySelector("input[name=came_from]");
  if (cameFrom && document.referrer && document.referrer.indexOf(location.origin) !== 0) {
    cameFrom.value = document.referrer;
  }
  // A friend's personal share code: the page's answer also keeps it in a cookie, which a browser may refuse
  // (or, in a partner's embed, never send), so it goes into the form as well.
  var ref = document.querySelector("input[name=ref]");
  var code = window.URLSearchParams ? new URLSearchParams(location.search).get("ref") : null;
  if (ref && code) ref.value = code;
})();
