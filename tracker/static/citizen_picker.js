// Citizen picker of the visit and letter forms: offer earlier visitors or writers (same ID
// number, or same name and birth year) so a repeat visitor is linked rather than registered twice.
// Works without diacritics: the server folds them. No inline script: the CSP allows files only.
(function () {
  "use strict";
  window.CitizenPicker = function (form) {
    if (!form) { return; }
    var url = form.getAttribute("data-suggest-url");
    var box = document.getElementById("suggestions");
    var list = box.querySelector("[data-suggestion-list]");
    var tpl = document.getElementById("suggestion-item");
    var chosenBox = document.getElementById("chosen-citizen");
    var fields = document.getElementById("citizen-fields");
    var hidden = form.querySelector("input[name=citizen_id]");
    var names = ["full_name", "id_number", "birth_year", "gender", "phone", "address", "neighbourhood"];
    var timer = null;

    function input(name) { return form.querySelector("[name=" + name + "]"); }

    function setLocked(locked) {
      names.forEach(function (n) { var el = input(n); if (el) { el.disabled = locked; } });
      fields.hidden = locked;
      chosenBox.hidden = !locked;
    }

    function describe(c) {
      var parts = [c.full_name];
      if (c.birth_year) { parts.push("(" + c.birth_year + ")"); }
      if (c.id_number) { parts.push("· " + c.id_number); }
      if (c.neighbourhood) { parts.push("· " + c.neighbourhood); }
      if (c.visits) { parts.push("· " + c.visits + " ↺"); }
      return parts.join(" ");
    }

    function pick(c) {
      hidden.value = String(c.id);
      names.forEach(function (n) { var el = input(n); if (el) { el.value = c[n] == null ? "" : c[n]; } });
      chosenBox.querySelector("[data-chosen-text]").textContent = describe(c);
      clearTimeout(timer);
      box.hidden = true;
      list.innerHTML = "";
      setLocked(true);
      // The focused "Choose" button is gone: keep the keyboard user at the chosen citizen, not the page body.
      var change = chosenBox.querySelector("[data-clear-citizen]");
      if (change) { change.focus(); }
    }

    function lookup() {
      if (hidden.value) { return; }
      var params = new URLSearchParams();
      names.slice(0, 3).forEach(function (n) { var el = input(n); if (el && el.value.trim()) { params.set(n, el.value.trim()); } });
      if (!params.has("full_name") && !params.has("id_number")) { box.hidden = true; return; }
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          if (hidden.value) { return; }  // chosen meanwhile: an answer in flight must not reopen the list
          list.innerHTML = "";
          rows.forEach(function (c) {
            var item = tpl.content.cloneNode(true);
            item.querySelector("[data-text]").textContent = describe(c);
            item.querySelector("[data-pick]").addEventListener("click", function () { pick(c); });
            list.appendChild(item);
          });
          box.hidden = rows.length === 0;
        });
    }

    ["full_name", "id_number", "birth_year"].forEach(function (n) {
      var el = input(n);
      if (el) {
        el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 350); });
        el.addEventListener("change", lookup);
      }
    });
    chosenBox.querySelector("[data-clear-citizen]").addEventListener("click", function () {
      hidden.value = "";
      names.forEach(function (n) { var el = input(n); if (el) { el.value = ""; } });
      setLocked(false);
    });
    if (hidden.value) { setLocked(true); }
  };
})();
