// Keyboard shortcuts: any element with data-shortcut="alt+x" is focused (inputs)
// or clicked (links, buttons) on that key combination. Shown on the page in <kbd>.
// A page's own shortcut wins over the shell's (the server leaves a shortcut that the
// page uses off the patient header; should both still be there, the one in <main> wins).
(function () {
  "use strict";
  function combo(e) {
    var parts = [];
    if (e.ctrlKey) parts.push("ctrl");
    if (e.altKey) parts.push("alt");
    if (e.shiftKey && e.key.length > 1) parts.push("shift");
    var key = (e.code && e.code.indexOf("Key") === 0) ? e.code.slice(3).toLowerCase()
            : (e.code && e.code.indexOf("Digit") === 0) ? e.code.slice(5) : e.key.toLowerCase();
    parts.push(key);
    return parts.join("+");
  }

  // A form with changes that are not sent is never left without asking.
  var dirty = null, leaving = false;
  function guarded(form) {
    // Search forms lose nothing; the note editor saves itself (editor.js guards it).
    return form && (form.method || "").toLowerCase() === "post" && !form.hasAttribute("data-autosave-url")
      && !form.hasAttribute("data-no-leave-guard");
  }
  document.addEventListener("input", function (e) {
    var form = e.target && e.target.form;
    if (guarded(form)) dirty = form;
  });
  document.addEventListener("submit", function () { dirty = null; });
  function mayLeave() {
    if (!dirty || !document.body.contains(dirty)) return true;
    if (window.confirm(document.body.getAttribute("data-msg-leave"))) { leaving = true; return true; }
    return false;
  }
  window.addEventListener("beforeunload", function (e) {
    if (dirty && document.body.contains(dirty) && !leaving) { e.preventDefault(); e.returnValue = ""; }
  });

  document.addEventListener("keydown", function (e) {
    if (!e.altKey && !e.ctrlKey) return;
    var all = document.querySelectorAll('[data-shortcut="' + combo(e) + '"]');
    if (!all.length) return;
    var el = all[0];
    for (var i = 0; i < all.length; i++) { if (all[i].closest("main")) { el = all[i]; break; } }
    e.preventDefault();
    if (el.matches("input, textarea, select")) { el.focus(); if (el.select) el.select(); return; }
    if (el.matches("a[href]") && !mayLeave()) return;
    el.click();
  });

  // Focus the first field marked data-autofocus: on a full page load (unless the page
  // already focuses something with autofocus) and after htmx swaps.
  function autofocus(root) {
    var f = root.querySelector("[data-autofocus]");
    if (f) f.focus();
  }
  function onLoad() {
    if (document.querySelector("[autofocus]")) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    autofocus(document.getElementById("main") || document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();
  document.addEventListener("htmx:afterSwap", function (e) { autofocus(e.target); });
})();
