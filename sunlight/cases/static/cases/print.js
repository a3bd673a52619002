// Print buttons (data-print): shown only where a script can print; without scripts the page
// says to use the browser's print command instead.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
