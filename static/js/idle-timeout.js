// Idle sign-out warning. The server ends a session after the idle limit
// (hr_clinic.lib.session_timeout); this only warns a minute before, offers
// "Stay signed in", and when time is up saves any draft and signs out.
// The limit comes from <body data-idle-timeout="seconds">.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout"), 10);
  var dialog = document.getElementById("idle-warning");
  if (!seconds || !dialog) { return; }
  var keepAlive = dialog.querySelector("form[data-idle-keep-alive]");
  var signOut = dialog.querySelector("form[data-idle-sign-out]");
  var WARN_BEFORE_MS = 60 * 1000;
  // Sign out a little before the server would, so the last draft save still
  // counts as this session's (the server would refuse it a moment later).
  var END_EARLY_MS = 5 * 1000;
  var SAVE_WAIT_MS = 2000;
  var warnTimer = null;
  var endTimer = null;
  var lastFocus = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var limit = seconds * 1000;
    warnTimer = window.setTimeout(warn, Math.max(limit - WARN_BEFORE_MS, 0));
    endTimer = window.setTimeout(end, Math.max(limit - END_EARLY_MS, 0));
  }

  function warn() {
    lastFocus = document.activeElement;
    dialog.hidden = false;
    var button = keepAlive.querySelector("button");
    (button || dialog).focus();
  }

  function hide() {
    dialog.hidden = true;
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
    lastFocus = null;
  }

  function end() {
    // Ask the note form (session-form.js) to save now, give it a moment, go.
    document.dispatchEvent(new Event("hr:save-draft"));
    window.setTimeout(function () {
      signOut.querySelector("input[name=reason]").value = "idle";
      signOut.submit();
    }, SAVE_WAIT_MS);
  }

  keepAlive.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(keepAlive.getAttribute("action"), {
      method: "POST",
      body: new FormData(keepAlive),
      credentials: "same-origin",
      redirect: "error"
    }).then(function (response) {
      if (response.ok) { hide(); schedule(); } else { end(); }
    }).catch(function () { end(); });
  });

  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      keepAlive.requestSubmit();
    }
  });

  // Any request the page makes counts as activity on the server (an autosave,
  // a language check): they announce it with this event.
  document.addEventListener("hr:activity", function () {
    if (dialog.hidden) { schedule(); }
  });

  schedule();
})();
