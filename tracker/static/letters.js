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

  window.CitizenPicker(form);
})();
