// Marks that scripts run, so narrow screens may fold the navigation behind its button.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".nav-toggle");
  if (!button) return;
  button.addEventListener("click", function () {
    var open = document.body.classList.toggle("nav-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      document.body.classList.remove("nav-open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
});
