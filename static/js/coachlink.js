// Behaviour kept out of the HTML, so the Content Security Policy can forbid inline script.
document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
