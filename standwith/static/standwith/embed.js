// A petition's sign form on a partner's own site. The partner pastes
//   <script src="https://<site>/static/standwith/embed.js" data-petition-embed="<key>" data-lang="fr" async></script>
// where the form should appear; this puts it there in a frame, in the language asked for (or else the
// reader's own, among the site's), and keeps the frame as tall as the form. It loads nothing but the frame,
// from the site the script came from, and sets no cookie. Without JavaScript, the plain <iframe> snippet from
// the site's admin shows the same form.
(function () {
  "use strict";
  // The site's languages, first the default (settings.LANGUAGES; a test keeps the two alike).
  var LANGUAGES = ["en", "ru", "es", "fr", "de", "ar"];
  var MAX_HEIGHT = 10000;

  function language(asked) {
    var wanted = [asked].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || "").toLowerCase().split("-")[0];
      if (LANGUAGES.indexOf(code) !== -1) return code;
    }
    return LANGUAGES[0];
  }

  function embed(script) {
    var key = script.getAttribute("data-petition-embed");
    if (script.hasAttribute("data-embedded") || !key || !/^[A-Za-z0-9_-]+$/.test(key)) return;
    script.setAttribute("data-embedded", "");
    var site = new URL(script.src, location.href).origin;
    var frame = document.createElement("iframe");
    frame.src = site + "/" + language(script.getAttribute("data-lang")) + "/embed/" + key + "/";
    // Replaced by the frame's own title, in the reader's language, once it loads.
    frame.title = script.getAttribute("data-title") || "Sign the petition";
    frame.style.cssText = "display:block;width:100%;max-width:32rem;height:40rem;border:0;";
    script.parentNode.insertBefore(frame, script);

    window.addEventListener("message", function (event) {
      // Only the frame itself, served by the site, may size it; any other page's messages are ignored.
      if (event.origin !== site || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.type !== "standwith:height") return;
      var height = Number(data.height);
      if (isFinite(height) && height > 0) frame.style.height = Math.min(Math.ceil(height), MAX_HEIGHT) + "px";
      if (typeof data.title === "string" && data.title) frame.title = data.title.slice(0, 300);
    });
  }

  var scripts = document.currentScript
    ? [document.currentScript]
    : document.querySelectorAll("script[data-petition-embed]");
  for (var i = 0; i < scripts.length; i++) embed(scripts[i]);
})();
