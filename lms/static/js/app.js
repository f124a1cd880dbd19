// CQO Academy: behaviour shared by every page (no inline scripts: the CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  // A form that came back with errors: focus goes to its first invalid field (macros.html marks
  // it aria-invalid and describes it by its error), so the keyboard and the screen reader start
  // where the problem is. A page whose address names a place (#...) keeps it.
  const invalid = document.querySelector("main [aria-invalid='true']");
  if (invalid && !window.location.hash) invalid.focus();
  // Buttons that ask before a destructive action: <button data-confirm="...">. A form's button
  // asks once the browser has checked the form (a missing date is marked first, not after
  // "are you sure?"); anything else asks on click.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    if (el.form) return;
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Sent while offline, a form would leave for the browser's own error page and take what was
  // typed with it: it stays, and says why (the first listener, before any other acts on it).
  const offlineNote = document.getElementById("offline-note");
  document.addEventListener("submit", (event) => {
    if (navigator.onLine || !offlineNote) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    offlineNote.hidden = false;
    offlineNote.scrollIntoView({ block: "nearest" });
  }, true);
  window.addEventListener("online", () => { if (offlineNote) offlineNote.hidden = true; });
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // A form whose answer is a download leaves the page as it was: once the download has come
  // (the server sets the cookie lms_downloaded with it), reload the page so that its numbers
  // and the server's message show. data-confirm-if names a checkbox that, when ticked, makes
  // the form ask first (data-confirm-text).
  const downloaded = () => document.cookie.split("; ").includes("lms_downloaded=1");
  const forget = `lms_downloaded=; max-age=0; path=${window.location.pathname}`;
  document.querySelectorAll("form[data-reload-after]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const box = form.dataset.confirmIf && form.elements[form.dataset.confirmIf];
      if (box && box.checked && !window.confirm(form.dataset.confirmText)) {
        event.preventDefault();
        return;
      }
      document.cookie = forget;
      const started = Date.now();
      const poll = setInterval(() => {
        if (downloaded()) {
          clearInterval(poll);
          document.cookie = forget;
          window.location.reload();
        } else if (Date.now() - started > 600000) {
          clearInterval(poll);
        }
      }, 300);
    });
  });
  // A reading clock: <span id=... data-countdown> holding <span data-countdown-seconds>N</span>
  // counts down once a second and goes at 0, when the buttons whose data-countdown-enables
  // names it are enabled (without JavaScript the button works and the server refuses an early
  // click politely). Counted from the clock, not the ticks: a phone slows a hidden tab's timers.
  document.querySelectorAll("[data-countdown]").forEach((hint) => {
    const number = hint.querySelector("[data-countdown-seconds]");
    const end = Date.now() + Number(number.textContent) * 1000;
    const buttons = document.querySelectorAll(`[data-countdown-enables="${hint.id}"]`);
    buttons.forEach((b) => { b.disabled = true; });
    const timer = setInterval(() => {
      const left = Math.ceil((end - Date.now()) / 1000);
      if (left > 0) {
        number.textContent = left;
        return;
      }
      clearInterval(timer);
      hint.remove();
      buttons.forEach((b) => { b.disabled = false; });
    }, 1000);
  });
  // A copy button, <button data-copy="id" data-copied="..." data-selected="...">: copies the
  // text of the element with that id and says so in "id-status". Where the clipboard is not
  // available (plain http, an old phone) it selects the text, for the phone's own "copy".
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(`${button.dataset.copy}-status`);
    const say = (text) => { if (status) status.textContent = text; };
    const select = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say(button.dataset.selected);
    };
    button.addEventListener("click", () => {
      const text = source.textContent.trim();
      if (!navigator.clipboard || !window.isSecureContext) {
        select();
        return;
      }
      navigator.clipboard.writeText(text).then(() => say(button.dataset.copied), select);
    });
  });
  // Forms that must not be sent twice (slow imports): disable their submit buttons.
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
    });
  });
});
