// Behaviour the pages share, as a static file: the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  // A select marked data-submit-on-change submits its form (the dashboard's ledger chooser).
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.submit();
});
