// Every page: after a failed submit, an error summary at the top of the form lists the fields in error
// with links to them, and takes the focus so a keyboard or screen-reader user hears what went wrong.
// No inline script: the CSP allows files only. The heading's text comes from <main data-error-summary>.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    if (!main) { return; }
    var summary = main.querySelector(".error-summary");
    var bad = main.querySelectorAll(".field.has-error");
    if (!summary && bad.length) {
      var form = bad[0].closest("form");
      summary = document.createElement("div");
      summary.className = "flash flash-error error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      var h = document.createElement("h2");
      h.textContent = main.getAttribute("data-error-summary") || "";
      summary.appendChild(h);
      var ul = document.createElement("ul");
      Array.prototype.forEach.call(bad, function (f) {
        var input = f.querySelector("input, select, textarea");
        var label = f.querySelector("label");
        var err = f.querySelector(".error");
        var li = document.createElement("li");
        var a = document.createElement("a");
        if (input && input.id) { a.href = "#" + input.id; }
        a.textContent = (label ? label.textContent.trim() + ": " : "") + (err ? err.textContent.trim() : "");
        a.addEventListener("click", function (ev) { if (input) { ev.preventDefault(); input.focus(); } });
        li.appendChild(a);
        ul.appendChild(li);
      });
      summary.appendChild(ul);
      (form || main).insertBefore(summary, (form || main).firstChild);
    }
    if (summary) { summary.focus(); }
  });
})();
