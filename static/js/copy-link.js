// "Copy the link" next to a one-time password link: copies the text of the
// element named by data-copy-target and says so in data-copy-status. Without
// JavaScript the button stays hidden and the link is still selectable.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source) { return; }
    function say(text) { if (status) { status.textContent = text; } }
    // The older way, where the Clipboard API is not available (plain http).
    function copyBySelecting() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      return done;
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          say("Copied.");
        }, function () {
          say(copyBySelecting() ? "Copied." : "Could not copy: select the link and copy it.");
        });
      } else {
        say(copyBySelecting() ? "Copied." : "Could not copy: select the link and copy it.");
      }
    });
    button.hidden = false;
  });
})();
