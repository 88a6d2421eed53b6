// Copy buttons for share links. Without JavaScript the address stays in a
// read-only box to copy by hand, so the buttons start hidden.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".copy-line").querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = button.getAttribute("data-copied");
      }, function () {
        input.select();
      });
    });
  });
})();
