// The draft must survive a closed tab: on leaving the page, send what was typed
// since the last autosave with sendBeacon (same origin, CSRF token in the form).
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form) return;
  var dirty = false, signing = false;
  form.addEventListener("input", function () { dirty = true; });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail && e.detail.elt === form && e.detail.successful) dirty = false;
  });
  form.addEventListener("submit", function () { signing = true; });
  function flush() {
    if (!dirty || signing || !navigator.sendBeacon) return;
    navigator.sendBeacon(form.getAttribute("data-autosave-url"), new FormData(form));
    dirty = false;
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
})();
