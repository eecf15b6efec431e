// Keyboard shortcuts: any element with data-shortcut="alt+x" is focused (inputs)
// or clicked (links, buttons) on that key combination. Shown on the page in <kbd>.
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
  document.addEventListener("keydown", function (e) {
    if (!e.altKey && !e.ctrlKey) return;
    var el = document.querySelector('[data-shortcut="' + combo(e) + '"]');
    if (!el) return;
    e.preventDefault();
    if (el.matches("input, textarea, select")) { el.focus(); if (el.select) el.select(); }
    else { el.click(); }
  });
  // Focus the first field marked data-autofocus after htmx swaps too.
  document.addEventListener("htmx:afterSwap", function (e) {
    var f = e.target.querySelector("[data-autofocus]");
    if (f) f.focus();
  });
})();
