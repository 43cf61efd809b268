// The resend cooldown on the portal's 发送验证码 forms. The page already says, without
// JavaScript, the time a new code may be sent; this counts the seconds down and enables the
// contact and the button when the time comes. The server decides either way.
//
//   data-cooldown="<seconds>"            a radio or button: disabled until then
//   data-countdown="<seconds>"           a note whose text becomes data-countdown-text with
//   data-countdown-text="… %s …"         %s the seconds left; hidden when they are up

(() => {
  const started = Date.now();
  const left = (el, name) => Math.ceil(Number(el.dataset[name]) - (Date.now() - started) / 1000);

  function tick() {
    let waiting = false;
    for (const el of document.querySelectorAll("[data-cooldown]")) {
      if (left(el, "cooldown") > 0) waiting = true;
      else {
        el.disabled = false;
        el.removeAttribute("data-cooldown");
      }
    }
    for (const el of document.querySelectorAll("[data-countdown]")) {
      const seconds = left(el, "countdown");
      if (seconds > 0) {
        waiting = true;
        el.textContent = el.dataset.countdownText.replace("%s", seconds);
      } else {
        el.hidden = true;
        el.removeAttribute("data-countdown");
      }
    }
    const form = document.querySelector("form[data-code-send]");
    if (form && !form.querySelector("input[name=contact]:checked")) {
      const free = form.querySelector("input[name=contact]:not([disabled])");
      if (free) free.checked = true;
    }
    if (waiting) window.setTimeout(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", tick);
  else tick();
})();
