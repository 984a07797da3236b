// Session note form: drafts save themselves while the clinician types.
// Progressive enhancement only: without JavaScript, "Save draft" does the same.
// Nothing is kept in the browser (no localStorage): the draft lives on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var statusEl = document.getElementById(form.getAttribute("data-autosave-status"));
  var DELAY_MS = 1500;
  var timer = null;
  var inFlight = false;
  var pending = false;
  var stopped = false;
  var dirty = false;
  var submitting = false;

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function field(name) { return form.querySelector("[name='" + name + "']"); }

  function save(keepalive) {
    if (stopped || submitting) { return Promise.resolve(); }
    if (inFlight) { pending = true; return Promise.resolve(); }
    inFlight = true;
    dirty = false;
    say("Saving…");
    var body = new FormData(form);
    body.set("action", "autosave");
    // getAttribute: the submit buttons are named "action", which shadows form.action.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-Autosave": "1", "X-CSRFToken": field("csrfmiddlewaretoken").value },
      redirect: "error"
    }).then(function (response) {
      // An autosave is activity on the server: reset the idle warning.
      document.dispatchEvent(new Event("hr:activity"));
      return response.json().then(function (data) { return [response.status, data]; });
    }).then(function (result) {
      var status = result[0], data = result[1];
      if (status === 200 && data.status === "saved") {
        field("version").value = data.version;
        // A page of several records (a group meeting and each member's note)
        // gets each one's new version by the name of its hidden field.
        Object.keys(data.versions || {}).forEach(function (name) {
          var input = field(name);
          if (input) { input.value = data.versions[name]; }
        });
        if (form.getAttribute("action") !== data.url) {
          form.setAttribute("action", data.url);
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", data.url);
          }
        }
        var problems = Object.keys(data.errors || {}).length;
        say("Draft saved at " + data.saved_at + "." +
            (problems ? " Some fields need a look; they were not saved." : ""));
      } else if (status === 409) {
        stopped = true;
        say(data.message);
      } else if (data.message) {
        // Too long to save (413), or another refusal the server explains: say
        // so plainly. The text stays in the boxes; the next change tries again.
        dirty = true;
        say(data.message);
      } else {
        say("Not saved yet: " + ((data.errors || []).join(" ") || "try Save draft."));
      }
    }).catch(function () {
      dirty = true;
      say("Not saved: the connection dropped or your sign-in ended. Your text is still " +
          "here; press Save draft, or copy it somewhere safe.");
    }).then(function () {
      inFlight = false;
      if (pending) { pending = false; schedule(); }
    });
  }

  function schedule() {
    dirty = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { save(false); }, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // Leaving the page or switching tabs: save what is there now.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { save(true); }
  });
  // Other scripts (the idle sign-out warning) can ask for a save.
  document.addEventListener("hr:save-draft", function () { if (dirty) { save(true); } });

  // One submit only: a double click must not send the form twice.
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
    if (timer) { window.clearTimeout(timer); }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
