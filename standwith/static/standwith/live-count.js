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

  var ref = document.querySelector("input[name=ref]");
  if (ref && document.referrer && document.referrer.indexOf(location.origin) !== 0) ref.value = document.referrer;
})();
