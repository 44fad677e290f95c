// Visit form: link a repeat visitor (see citizen_picker.js).
(function () {
  "use strict";
  window.CitizenPicker(document.getElementById("visit-form"));
})();
