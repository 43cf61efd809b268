// Buttons declare what they do in data attributes (the Content-Security-Policy allows no
// inline handlers): data-copy="<textarea id>" copies its text, data-print prints the page.

// The clipboard API where the browser allows it (HTTPS, localhost), otherwise select the
// text and use the older copy command.
function copyText(id, button, done) {
  const box = document.getElementById(id);
  const finish = () => { if (done) button.textContent = done; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(box.value).then(finish);
  } else {
    box.select();
    document.execCommand("copy");
    finish();
  }
}

document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    copyText(copy.dataset.copy, copy, copy.dataset.copied);
    return;
  }
  if (event.target.closest("[data-print]")) window.print();
});
