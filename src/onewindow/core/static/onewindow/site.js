// The few behaviours pages need beyond htmx. Loaded from our own origin: the CSP forbids inline scripts.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
