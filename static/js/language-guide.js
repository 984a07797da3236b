/* Language guide: gentle, live suggestions under textareas (product rule 4).
 *
 * Progressive enhancement, no library, no inline script. Markup (see
 * templates/sessions/_language_hint.html):
 *   <textarea data-language-check data-language-target="ID">  in a form with
 *   {% csrf_token %}; the element #ID is an aria-live="polite" region.
 * The check URL comes from data-language-check-url on the textarea, its form,
 * or the live region, in that order. Suggestions never block typing or saving;
 * any error simply leaves the last suggestions in place.
 */
(function () {
  "use strict";

  if (window.hrClinicLanguageGuide) {
    return; // the hint partial may be included more than once on a page
  }
  window.hrClinicLanguageGuide = true;

  var DELAY_MS = 600;

  function checkUrl(textarea, target) {
    var form = textarea.form;
    return (
      textarea.dataset.languageCheckUrl ||
      (form && form.dataset.languageCheckUrl) ||
      target.dataset.languageCheckUrl ||
      ""
    );
  }

  function csrfToken(textarea) {
    var scope = textarea.form || document;
    var input = scope.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function bind(textarea) {
    if (textarea.dataset.languageCheckBound) {
      return;
    }
    var target = document.getElementById(textarea.dataset.languageTarget || "");
    if (!target) {
      return;
    }
    var url = checkUrl(textarea, target);
    var token = csrfToken(textarea);
    if (!url || !token) {
      return;
    }
    textarea.dataset.languageCheckBound = "true";

    var timer = null;
    var controller = null;
    var lastText = null;
    var lastHtml = null;

    function show(html) {
      if (html === lastHtml) {
        return; // unchanged: do not make screen readers announce it again
      }
      lastHtml = html;
      var doc = new DOMParser().parseFromString(html, "text/html");
      target.replaceChildren.apply(target, Array.from(doc.body.childNodes));
      updateNone();
    }

    function check() {
      var text = textarea.value;
      if (text === lastText) {
        return;
      }
      lastText = text;
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      var body = new URLSearchParams();
      body.set("text", text);
      if (target.hasAttribute("data-language-quiet")) {
        body.set("quiet", "1"); // the page says "No language suggestions." once
      }
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
        signal: controller.signal,
      })
        .then(function (response) {
          // The server counted this as activity: reset the idle warning.
          document.dispatchEvent(new Event("hr:activity"));
          if (!response.ok) {
            lastText = null; // try again on the next pause
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (html !== null) {
            show(html);
          }
        })
        .catch(function () {
          // Aborted by newer typing, or offline: suggestions are optional.
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DELAY_MS);
    });
  }

  // Several quiet boxes on one page: one "No language suggestions." for all,
  // shown when something is written and no box has a suggestion.
  function updateNone() {
    var none = document.querySelector("[data-language-none]");
    if (!none) {
      return;
    }
    var written = false;
    var suggested = false;
    document.querySelectorAll("textarea[data-language-check]").forEach(function (textarea) {
      var target = document.getElementById(textarea.dataset.languageTarget || "");
      if (!target || !target.hasAttribute("data-language-quiet")) {
        return;
      }
      if (textarea.value.trim()) {
        written = true;
      }
      if (target.querySelector("[data-testid=language-suggestions]")) {
        suggested = true;
      }
    });
    none.hidden = !written || suggested;
  }

  function init() {
    document.querySelectorAll("textarea[data-language-check]").forEach(bind);
    updateNone();
    document
      .querySelectorAll("[data-language-enhanced][hidden]")
      .forEach(function (element) {
        element.hidden = false;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
