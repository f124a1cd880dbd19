// The exam page: every answer is saved as it is given; the clock is the server's.
(() => {
  const root = document.getElementById("exam");
  if (!root) return;
  const answerUrl = root.dataset.answerUrl;
  const resultUrl = root.dataset.resultUrl;
  const csrf = root.dataset.csrf;
  const state = document.getElementById("save-state");
  const text = root.dataset; // the page's words, in its language: textSaving, textSaved...
  const pendingKey = "exam-pending:" + answerUrl;
  let pending = JSON.parse(localStorage.getItem(pendingKey) || "{}");
  let deadline = Date.now() + Number(root.dataset.secondsLeft) * 1000;

  function responseOf(fieldset) {
    const kind = fieldset.dataset.kind;
    const name = "q" + fieldset.dataset.position;
    if (kind === "multiple") {
      const chosen = [...fieldset.querySelectorAll(`input[name="${name}"]:checked`)].map((el) => Number(el.value));
      return chosen.length ? chosen : null; // every box cleared: no answer, as the server keeps it
    }
    if (kind === "single") {
      const el = fieldset.querySelector(`input[name="${name}"]:checked`);
      return el ? Number(el.value) : null;
    }
    if (kind === "truefalse") {
      const el = fieldset.querySelector(`input[name="${name}"]:checked`);
      return el ? el.value === "true" : null;
    }
    if (kind === "matching") {
      const values = [...fieldset.querySelectorAll("select")].map((el) => el.value || null);
      return values.some((v) => v !== null) ? values : null;
    }
    const el = fieldset.querySelector(`input[name="${name}"]`);
    return el.value.trim() === "" ? null : el.value;
  }

  function mark(position, answered, flagged) {
    const link = document.querySelector(`[data-nav="${position}"]`);
    if (!link) return;
    link.classList.toggle("btn-primary", answered);
    link.classList.toggle("btn-outline-secondary", !answered);
    link.textContent = position + (flagged ? " ⚑" : "");
  }

  function remember(position, body) {
    pending[position] = body;
    localStorage.setItem(pendingKey, JSON.stringify(pending));
  }

  async function send(position) {
    const body = pending[position];
    if (!body) return;
    state.textContent = text.textSaving;
    try {
      const response = await fetch(answerUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      if (response.status === 409) {
        localStorage.removeItem(pendingKey);
        window.location = resultUrl;
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (pending[position] === body) delete pending[position];
      localStorage.setItem(pendingKey, JSON.stringify(pending));
      deadline = Date.now() + data.seconds_left * 1000;
      state.textContent = text.textSaved + " " + new Date().toLocaleTimeString();
      root.dataset.saved = String(Number(root.dataset.saved || 0) + 1);
    } catch (error) {
      state.textContent = text.textOffline;
    }
  }

  function onChange(event) {
    const fieldset = event.target.closest("fieldset.question");
    if (!fieldset) return;
    const position = Number(fieldset.dataset.position);
    const flag = fieldset.querySelector("input.flag");
    const body = { position, flagged: flag.checked };
    if (!event.target.classList.contains("flag")) body.response = responseOf(fieldset);
    mark(position, responseOf(fieldset) !== null, flag.checked);
    remember(position, body);
    send(position);
  }

  const form = document.getElementById("paper-form");
  form.addEventListener("change", onChange);
  form.addEventListener("input", (event) => {
    if (event.target.matches("input.form-control")) {
      clearTimeout(event.target._timer);
      event.target._timer = setTimeout(() => onChange(event), 600);
    }
  });

  // Answers kept while offline are sent again as soon as the page can reach the server.
  const retry = () => Object.keys(pending).forEach((position) => send(Number(position)));
  window.addEventListener("online", retry);
  setInterval(retry, 15000);
  retry();

  // Before handing in: how many questions are still unanswered or flagged for another look.
  const submit = document.getElementById("submit-paper");
  submit.addEventListener("click", (event) => {
    const questions = [...form.querySelectorAll("fieldset.question")];
    const unanswered = questions.filter((fieldset) => responseOf(fieldset) === null).length;
    const flagged = form.querySelectorAll("input.flag:checked").length;
    let message = "";
    if (unanswered) message += text.textUnanswered.replace("{n}", unanswered) + "\n";
    if (flagged) message += text.textFlagged.replace("{n}", flagged) + "\n";
    if (!window.confirm(message + text.textSubmit)) event.preventDefault();
  });

  const clock = document.getElementById("countdown");
  // The clock itself is not read out every second; a screen reader hears these moments instead.
  const warning = document.getElementById("time-warning");
  const warnAt = [10, 5, 1].filter((minutes) => minutes * 60 < Number(root.dataset.secondsLeft));
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    clock.classList.toggle("text-bg-danger", left < 300);
    if (warnAt.length && left <= warnAt[0] * 60) {
      warning.textContent = text.textMinutesLeft.replace("{n}", warnAt.shift());
    }
    if (left === 0) {
      clearInterval(timer);
      window.location = resultUrl;
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
})();
