// Keeps a mailing's progress current on its staff page while it is chosen and sent.
// The page works without it (a refresh link, and a meta refresh when scripts are off).
(function () {
  "use strict";
  var panel = document.querySelector("[data-progress-url]");
  if (!panel || !window.fetch) return;
  var state = panel.getAttribute("data-state");
  if (state !== "preparing" && state !== "sending") return;
  var bar = panel.querySelector("progress");

  function refresh() {
    if (document.hidden) return;
    fetch(panel.getAttribute("data-progress-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.shown) return;
        // A new state brings other controls: the page itself shows them.
        if (data.state !== state) {
          window.location.reload();
          return;
        }
        Object.keys(data.shown).forEach(function (name) {
          var field = panel.querySelector('[data-field="' + name + '"]');
          if (field) field.textContent = data.shown[name];
        });
        if (bar && data.recipients) {
          bar.max = data.recipients;
          bar.value = data.done;
        }
      })
      .catch(function () { /* a moment offline: the next tick tries again */ });
  }
  setInterval(refresh, 2000);
})();
