// The client's screen (screens/): just after the idle limit, ask for the
// screen again, so the server's time-out closes it on its neutral page
// instead of leaving the person's goals on view. Any page load restarts it.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-screen-close-after") || "", 10);
  var url = body.getAttribute("data-screen-url");
  if (!seconds || !url) {
    return;
  }
  window.setTimeout(function () {
    window.location.assign(url);
  }, seconds * 1000);
})();
