// A "Print now" button on a print version. Serving the print version is what
// the audit trail records as the print (without JavaScript the person uses the
// browser's own Print command on that page); the button only saves finding it.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print-now]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
