// The few behaviours pages need beyond htmx. Loaded from our own origin: the CSP forbids inline scripts.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// A form that asks before an irreversible step names its question in data-confirm.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
