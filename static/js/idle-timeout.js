// Idle sign-out warning. The server ends a session after the idle limit
// (hr_clinic.lib.session_timeout); this warns a minute before, offers
// "Stay signed in", and when time is up saves any draft and signs out.
// The limit comes from <body data-idle-timeout="seconds">.
//
// Typing is activity: input in any form sends a throttled keep-alive, so a
// long addendum is never cut off mid-sentence. A warning due while someone is
// typing does not take their focus (it is announced instead). Text in a form
// marked data-keep-on-timeout (an addendum, review comments: they have no
// server-side draft) is kept in this tab's sessionStorage when the idle
// sign-out happens, and put back when the same person opens the same page.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-timeout"), 10);
  var user = body.getAttribute("data-idle-user") || "";
  var dialog = document.getElementById("idle-warning");
  var KEPT_PREFIX = "hr:kept:";
  // Kept text older than a sign-in can last is not put back.
  var KEPT_MAX_AGE_MS = 12 * 60 * 60 * 1000;

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keptKey(form) {
    return KEPT_PREFIX + window.location.pathname + "#" + (form.id || "");
  }

  function keptFields(form) {
    return form.querySelectorAll("textarea[name], input[type=text][name]");
  }

  // Put back what was kept at the last idle sign-out on this page, and forget
  // anything kept for someone else (a shared workstation's next person).
  function restoreKept() {
    var store = storage();
    if (!store || !user) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(KEPT_PREFIX) === 0) {
        var entry = null;
        try { entry = JSON.parse(store.getItem(key)); } catch (e) { entry = null; }
        if (!entry || entry.user !== user || Date.now() - entry.at > KEPT_MAX_AGE_MS) {
          store.removeItem(key);
        }
      }
    }
    document.querySelectorAll("form[data-keep-on-timeout]").forEach(function (form) {
      var raw = store.getItem(keptKey(form));
      if (!raw) { return; }
      var fields = JSON.parse(raw).fields || {};
      var restored = false;
      keptFields(form).forEach(function (el) {
        // What the server rendered (a form with errors) is newer: keep it.
        if (fields[el.name] && !el.value) { el.value = fields[el.name]; restored = true; }
      });
      var notice = form.querySelector("[data-kept-notice]");
      if (restored && notice) { notice.hidden = false; }
    });
  }

  function keepText() {
    var store = storage();
    if (!store) { return; }
    document.querySelectorAll("form[data-keep-on-timeout]").forEach(function (form) {
      var fields = {};
      var any = false;
      keptFields(form).forEach(function (el) {
        if (el.value.trim()) { fields[el.name] = el.value; any = true; }
      });
      if (any) {
        store.setItem(keptKey(form), JSON.stringify({ user: user, at: Date.now(), fields: fields }));
      }
    });
  }

  // Submitting hands the text to the server (saved, or shown again with the
  // form's errors): nothing more to keep.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var store = storage();
    if (store && form.hasAttribute && form.hasAttribute("data-keep-on-timeout")) {
      store.removeItem(keptKey(form));
    }
  });

  restoreKept();
  if (!seconds || !dialog) { return; }

  var keepAlive = dialog.querySelector("form[data-idle-keep-alive]");
  var signOut = dialog.querySelector("form[data-idle-sign-out]");
  var live = document.getElementById("idle-warning-live");
  var WARN_BEFORE_MS = 60 * 1000;
  // Sign out a little before the server would, so the last draft save still
  // counts as this session's (the server would refuse it a moment later).
  var END_EARLY_MS = 5 * 1000;
  var SAVE_WAIT_MS = 2000;
  // Typing sends at most one keep-alive this often: the server counts activity
  // in minutes, and a request per keystroke would be wasted work.
  var HEARTBEAT_MS = Math.min(60 * 1000, seconds * 1000 / 4);
  // Someone who typed this recently is in the middle of something: the warning
  // must not move their focus (their next keystrokes would land on a button).
  var TYPING_MS = 5 * 1000;
  var warnTimer = null;
  var endTimer = null;
  var heartbeatTimer = null;
  var lastHeartbeat = 0;
  var lastInput = 0;
  var lastFocus = null;
  var ending = false;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var limit = seconds * 1000;
    warnTimer = window.setTimeout(warn, Math.max(limit - WARN_BEFORE_MS, 0));
    endTimer = window.setTimeout(end, Math.max(limit - END_EARLY_MS, 0));
  }

  function warn() {
    dialog.hidden = false;
    if (Date.now() - lastInput < TYPING_MS) {
      lastFocus = null;
      if (live) { live.textContent = dialog.querySelector("#idle-warning-text").textContent; }
      return;
    }
    lastFocus = document.activeElement;
    var button = keepAlive.querySelector("button");
    (button || dialog).focus();
  }

  function hide() {
    dialog.hidden = true;
    if (live) { live.textContent = ""; }
    // Only give back a focus the warning took.
    if (lastFocus && lastFocus.focus && dialog.contains(document.activeElement)) {
      lastFocus.focus();
    }
    lastFocus = null;
  }

  function end() {
    if (ending) { return; }
    ending = true;
    keepText();
    // Ask the note form (session-form.js) to save now, give it a moment, go.
    document.dispatchEvent(new Event("hr:save-draft"));
    window.setTimeout(function () {
      signOut.querySelector("input[name=reason]").value = "idle";
      signOut.querySelector("input[name=next]").value =
        window.location.pathname + window.location.search;
      signOut.submit();
    }, SAVE_WAIT_MS);
  }

  function ping() {
    return fetch(keepAlive.getAttribute("action"), {
      method: "POST",
      body: new FormData(keepAlive),
      credentials: "same-origin",
      redirect: "error"
    });
  }

  function heartbeat() {
    window.clearTimeout(heartbeatTimer);
    heartbeatTimer = null;
    lastHeartbeat = Date.now();
    ping().then(function (response) {
      if (response.ok && !ending) { hide(); schedule(); }
    }).catch(function () {
      // Offline, or the sign-in already ended: the timers carry on, and the
      // time-out keeps the text as it would have anyway.
    });
  }

  // Input in any form on the page (not the warning's own), throttled: now if
  // the last keep-alive is old enough, otherwise once that much time is up, so
  // the server never lags the last keystroke by more than HEARTBEAT_MS.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (ending || !target || !target.form || dialog.contains(target)) { return; }
    lastInput = Date.now();
    if (heartbeatTimer) { return; }
    var wait = lastHeartbeat + HEARTBEAT_MS - lastInput;
    if (wait <= 0) { heartbeat(); } else { heartbeatTimer = window.setTimeout(heartbeat, wait); }
  }, true);

  keepAlive.addEventListener("submit", function (event) {
    event.preventDefault();
    ping().then(function (response) {
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
