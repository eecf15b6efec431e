// The draft must survive a closed tab, a lost network and a database that is down:
// - every keystroke is kept in the browser (localStorage) until the server has it;
// - on leaving the page, what was typed since the last autosave goes with sendBeacon;
// - a failed save (htmx does not swap a 5xx, so the status would keep its last
//   "Utkastet sparat") is shown, and tried again until the server answers;
// - text kept from a visit when the server did not answer is put back and saved.
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var key = "vardmiljo.note." + form.getAttribute("data-note-id");
  var dirty = false, signing = false, failing = false, retryTimer = null;
  var RETRY_MS = 5000;

  function texts() {
    return Array.prototype.map.call(form.querySelectorAll("textarea[name='h-text']"), function (t) { return t.value; });
  }
  function titles() {
    return Array.prototype.map.call(form.querySelectorAll("input[name='h-title']"), function (t) { return t.value; });
  }
  function keep() {
    try { localStorage.setItem(key, JSON.stringify({ titles: titles(), texts: texts(), at: Date.now() })); } catch (e) { /* full or off */ }
  }
  function kept() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function forget(sent) {
    var k = kept();
    // Only what the server now has: text typed while the save was under way stays kept.
    if (k && JSON.stringify(k.texts) === JSON.stringify(sent)) localStorage.removeItem(key);
  }
  function show(text, isError) {
    status.textContent = "";
    var span = document.createElement("span");
    span.setAttribute("role", isError ? "alert" : "status");
    if (isError) span.className = "error";
    span.textContent = text;
    status.appendChild(span);
  }
  function save() { if (window.htmx) window.htmx.trigger(form, "vm-save"); }
  function failed() {
    failing = true;
    show(form.getAttribute("data-msg-failed"), true);
    if (!retryTimer) retryTimer = window.setInterval(save, RETRY_MS);
  }

  var sending = null;
  form.addEventListener("input", function () { dirty = true; keep(); });
  form.addEventListener("htmx:beforeRequest", function (e) { if (e.detail.elt === form) sending = texts(); });
  form.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt !== form) return;
    if (e.detail.successful) {
      dirty = false;
      forget(sending || []);
      if (retryTimer) { window.clearInterval(retryTimer); retryTimer = null; }
      failing = false;
    }
  });
  // 5xx (database down, a failed transaction) and no answer at all.
  form.addEventListener("htmx:responseError", function (e) { if (e.detail.elt === form) failed(); });
  form.addEventListener("htmx:sendError", function (e) { if (e.detail.elt === form) failed(); });
  form.addEventListener("submit", function () { signing = true; });

  // Put back text the server never got (same headings only), and save it now.
  var k = kept();
  if (k && JSON.stringify(k.titles) === JSON.stringify(titles()) && JSON.stringify(k.texts) !== JSON.stringify(texts())) {
    var areas = form.querySelectorAll("textarea[name='h-text']");
    k.texts.forEach(function (t, i) { if (areas[i]) areas[i].value = t; });
    dirty = true;
    show(form.getAttribute("data-msg-restored"), false);
    window.addEventListener("load", save);  // htmx has taken the form by then
  } else if (k) {
    localStorage.removeItem(key);
  }

  function flush() {
    if (!dirty || signing || failing || !navigator.sendBeacon) return;
    navigator.sendBeacon(form.getAttribute("data-autosave-url"), new FormData(form));
    dirty = false;
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
  // Unsaved text that the server has not got: ask before leaving (it stays in the browser anyway).
  window.addEventListener("beforeunload", function (e) {
    if (failing && !signing) { e.preventDefault(); e.returnValue = ""; }
  });
})();
