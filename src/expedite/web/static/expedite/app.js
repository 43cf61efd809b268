// Copy a textarea's text: the clipboard API where the browser allows it (HTTPS, localhost),
// otherwise select the text and use the older copy command.
function copyText(id, button, done) {
  const box = document.getElementById(id);
  const finish = () => { button.textContent = done; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(box.value).then(finish);
  } else {
    box.select();
    document.execCommand("copy");
    finish();
  }
}
