// Slutenvård: the print button, and arrow keys between the worklist's rows
// (no inline scripts: the CSP allows only our own files).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-sv-print]") : null;
    if (el) { e.preventDefault(); window.print(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var row = e.target.closest ? e.target.closest("tr[data-row]") : null;
    if (!row || e.target.matches("input, textarea, select")) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
    var next = rows[rows.indexOf(row) + (e.key === "ArrowDown" ? 1 : -1)];
    if (next) { e.preventDefault(); var a = next.querySelector("a"); if (a) a.focus(); }
  });
})();
