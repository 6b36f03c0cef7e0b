// Behaviour the pages share, as a static file: the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  // A select marked data-submit-on-change submits its form (the dashboard's ledger chooser).
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.submit();
});

// A button marked data-confirm asks before it submits (销号, 核验, 重新打开, 退回: steps another person
// cannot simply undo).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});

// A text marked data-counter shows how many characters are left.
function attachCounter(field) {
  var limit = parseInt(field.getAttribute("data-counter"), 10);
  var note = document.createElement("div");
  note.className = "form-text text-end";
  note.setAttribute("data-counter-for", field.id || field.name);
  field.insertAdjacentElement("afterend", note);
  function update() {
    var left = limit - field.value.length;
    note.textContent = (document.documentElement.lang.indexOf("zh") === 0 ? "还可输入 " + left + " 字" : left + " characters left");
    note.classList.toggle("text-danger", left < 0);
  }
  field.addEventListener("input", update);
  update();
}

// A file input marked data-max-mb refuses a file over the limit before anything is sent.
function checkFiles(input) {
  var limit = parseFloat(input.getAttribute("data-max-mb")) * 1024 * 1024;
  var big = Array.prototype.filter.call(input.files || [], function (f) { return f.size > limit; });
  var note = input.parentNode.querySelector("[data-file-error]");
  if (!note) {
    note = document.createElement("div");
    note.className = "invalid-feedback d-block";
    note.setAttribute("data-file-error", "");
    input.insertAdjacentElement("afterend", note);
  }
  if (big.length) {
    var zh = document.documentElement.lang.indexOf("zh") === 0;
    var names = big.map(function (f) { return f.name + "（" + (f.size / 1048576).toFixed(1) + " MB）"; }).join("、");
    note.textContent = zh ? "文件过大：" + names + "；每个文件不超过 " + input.getAttribute("data-max-mb") + " MB。"
      : "Too large: " + names + "; at most " + input.getAttribute("data-max-mb") + " MB a file.";
    input.value = "";
  } else {
    note.textContent = "";
  }
}

document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("input[type=file][data-max-mb]")) checkFiles(event.target);
});

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-counter]").forEach(attachCounter);
});
