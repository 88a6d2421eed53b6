// Inside a partner's frame (standwith/outreach/embeds): tell the page around it how tall the form is, on load
// and whenever it changes (errors shown, a narrower window), so embed.js there shows all of it without a scroll
// bar of its own. Only the height and the frame's title leave the frame, never anything a signer typed.
(function () {
  "use strict";
  if (window.parent === window) return;
  var content = document.querySelector("main");
  var last = 0;

  function report() {
    var height = Math.ceil(content.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // Any page may receive these two public facts; only the partner's sites can frame this one at all.
    window.parent.postMessage({ type: "standwith:height", height: height, title: document.title }, "*");
  }

  if (window.ResizeObserver) new ResizeObserver(report).observe(content);
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();
