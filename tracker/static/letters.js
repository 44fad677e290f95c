// Letter register: show the fields that belong to the chosen channel, kind and decision, and offer
// known citizens as the first sender (same ID number, or same name and birth year) so a repeat
// writer is linked rather than registered twice. No inline script: the CSP allows this file only.
(function () {
  "use strict";

  // Blocks marked data-show-for-<name>="a b" are shown only while the select <name> is a or b.
  function toggles(form, name) {
    var select = form.querySelector("select[name=" + name + "]");
    var blocks = form.querySelectorAll("[data-show-for-" + name + "]");
    if (!select || !blocks.length) { return; }
    function apply() {
      blocks.forEach(function (block) {
        var values = block.getAttribute("data-show-for-" + name).split(" ");
        block.hidden = values.indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  var handling = document.getElementById("handling-form");
  if (handling) { toggles(handling, "decision"); }

  var form = document.getElementById("letter-form");
  if (!form) { return; }
  toggles(form, "channel");
  toggles(form, "kind");

  var anonymous = form.querySelector("input[name=anonymous]");
  var senders = document.getElementById("letter-senders");
  function applyAnonymous() { senders.hidden = anonymous.checked; }
  anonymous.addEventListener("change", applyAnonymous);
  applyAnonymous();

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
    return parts.join(" ");
  }

  function pick(c) {
    hidden.value = String(c.id);
    names.forEach(function (n) { var el = input(n); if (el) { el.value = c[n] == null ? "" : c[n]; } });
    chosenBox.querySelector("[data-chosen-text]").textContent = describe(c);
    box.hidden = true;
    setLocked(true);
  }

  function lookup() {
    if (hidden.value) { return; }
    var params = new URLSearchParams();
    names.slice(0, 3).forEach(function (n) { var el = input(n); if (el && el.value.trim()) { params.set(n, el.value.trim()); } });
    if (!params.has("full_name") && !params.has("id_number")) { box.hidden = true; return; }
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
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
})();
