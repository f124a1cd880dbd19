// The exam's page: a retake inside the waiting time opens by itself when the time comes.
(() => {
  const button = document.getElementById("retake");
  if (!button) return;
  // Seconds from the server rather than a time of day: a phone's clock may be off. Checked
  // every second, since a phone may suspend a long timeout in a background tab.
  const opensAt = Date.now() + Number(button.dataset.opensIn) * 1000;
  const check = () => {
    if (Date.now() < opensAt) return;
    clearInterval(timer);
    button.disabled = false;
    const note = document.getElementById("retake-opens");
    if (note) note.textContent = button.dataset.textOpen;
  };
  const timer = setInterval(check, 1000);
  check();
})();

// The paper: every answer is saved as it is given; the clock is the server's.
(() => {
  const root = document.getElementById("exam");
  if (!root) return;
  const answerUrl = root.dataset.answerUrl;
  const resultUrl = root.dataset.resultUrl;
  const csrf = root.dataset.csrf;
  const state = document.getElementById("save-state");
  const saveAlert = document.getElementById("save-alert"); // read out: a failure, and the recovery
  let failing = false;
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

  // The number's colour and ⚑ for the eye, its label for a screen reader ("第 3 题，已作答，已标记").
  const navLabels = {
    "true,false": text.textNavAnswered, "false,false": text.textNavUnanswered,
    "true,true": text.textNavAnsweredFlagged, "false,true": text.textNavUnansweredFlagged,
  };
  function mark(position, answered, flagged) {
    const link = document.querySelector(`[data-nav="${position}"]`);
    if (!link) return;
    link.classList.toggle("btn-primary", answered);
    link.classList.toggle("btn-outline-secondary", !answered);
    link.classList.toggle("flagged", flagged);
    link.textContent = position + (flagged ? " ⚑" : "");
    link.setAttribute("aria-label", navLabels[`${answered},${flagged}`].replace("{n}", position));
    countAnswered();
  }
  // "（已答 12/30）" beside the bar's way to the hand-in, counted from the numbers' colours.
  const answeredCount = document.getElementById("answered-count");
  function countAnswered() {
    const numbers = document.querySelectorAll("[data-nav]");
    if (!answeredCount || !numbers.length) return;
    const done = document.querySelectorAll("[data-nav].btn-primary").length;
    answeredCount.textContent = answeredCount.dataset.template.replace("{n}", done).replace("{t}", numbers.length);
  }
  countAnswered();

  // The time of a save as 14:05:09, the same on every computer (no locale's AM/PM).
  const clockTime = (date) => [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, "0")).join(":");

  // Merged into what is still waiting for this question: ticking the flag after an answer
  // given offline must not drop that answer (a flag change carries no response).
  function remember(position, body) {
    pending[position] = Object.assign({}, pending[position], body);
    localStorage.setItem(pendingKey, JSON.stringify(pending));
  }

  // Answers given offline that never reached the server before the attempt closed are not
  // graded (the deadline is the server's): the result page says how many. Left once: back
  // online, a waiting answer's refusal (409) and the hand-in both lead here, and a second
  // navigation would cancel the first.
  let leaving = false;
  function goToResult() {
    if (leaving) return;
    leaving = true;
    const unsaved = Object.keys(pending).length;
    localStorage.removeItem(pendingKey);
    window.location = resultUrl + (unsaved ? "?unsaved=" + unsaved : "");
  }

  // For each question, the answers the server may hold as far as this page knows: the one
  // the page was shown and any sent since whose reply never came. Sent with every answer, so
  // that an answer given offline here cannot overwrite a newer one saved on another device
  // (the server refuses it with 412). Kept with the waiting answers across visits: a page
  // opened later shows the newer answer, which the waiting one must not take for its own.
  const known = {};
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const sending = {}; // one save per question at a time, so that replies cannot cross

  async function send(position) {
    const body = pending[position];
    if (!body || sending[position]) return;
    sending[position] = true;
    if ("response" in body) {
      const base = known[position] || [];
      known[position] = base.some((r) => same(r, body.response)) ? base : [...base, body.response];
      body.seen = known[position];
      localStorage.setItem(pendingKey, JSON.stringify(pending));
    }
    state.textContent = text.textSaving;
    try {
      await post(position, body);
    } finally {
      delete sending[position];
    }
    // Changed again while that save was on its way: send the newer answer now.
    if (pending[position] && pending[position] !== body && !failing) send(position);
  }

  // The server holds a newer answer from another device: show it, and drop this one.
  function overtaken(position, data) {
    delete pending[position];
    localStorage.setItem(pendingKey, JSON.stringify(pending));
    known[position] = [data.response];
    const fieldset = form.querySelector(`fieldset.question[data-position="${position}"]`);
    show(fieldset, data.response);
    const flag = fieldset.querySelector("input.flag");
    flag.checked = Boolean(data.flagged);
    mark(position, responseOf(fieldset) !== null, flag.checked);
    state.textContent = text.textOvertaken.replace("{n}", position);
    saveAlert.textContent = state.textContent;
  }

  async function post(position, body) {
    try {
      const response = await fetch(answerUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      if (response.status === 409) { // closed: time ran out, or handed in from another page
        goToResult();
        return;
      }
      if (response.status === 412) {
        overtaken(position, await response.json());
        return;
      }
      // Signed out meanwhile (a password changed on another phone): the save was refused, not
      // lost in the network, and waiting will not help; the answer stays on this device.
      if (response.status === 401 || response.status === 403 || response.redirected) {
        state.textContent = text.textSignedOut;
        if (!failing || saveAlert.textContent !== text.textSignedOut) saveAlert.textContent = text.textSignedOut;
        failing = true;
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if ("response" in body) known[position] = [body.response];
      if (pending[position] === body) delete pending[position];
      else if (pending[position]) pending[position].seen = known[position];
      localStorage.setItem(pendingKey, JSON.stringify(pending));
      deadline = Date.now() + data.seconds_left * 1000;
      state.textContent = text.textSaved + " " + clockTime(new Date());
      if (failing) saveAlert.textContent = text.textSavedAgain;
      failing = false;
      root.dataset.saved = String(Number(root.dataset.saved || 0) + 1);
    } catch (error) {
      state.textContent = text.textOffline;
      // Said once when saving starts to fail, not again at every retry.
      if (!failing) saveAlert.textContent = text.textOffline;
      failing = true;
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
  form.querySelectorAll("fieldset.question").forEach((fieldset) => {
    const position = fieldset.dataset.position;
    const waiting = pending[position];
    const shown = form.querySelector(`input[name="q${position}_seen"]`);
    known[position] = waiting && Array.isArray(waiting.seen) ? waiting.seen
      : [shown ? JSON.parse(shown.value).r : null];
  });
  document.getElementById("save-paper").hidden = true; // answers save themselves (see send)
  // The sticky bar's height, for the CSS that keeps questions and focus clear of it.
  const bar = root.querySelector(".sticky-top");
  new ResizeObserver(() => root.style.setProperty("--exam-bar", bar.offsetHeight + "px")).observe(bar);
  form.addEventListener("change", onChange);
  form.addEventListener("input", (event) => {
    if (event.target.matches("input.form-control")) {
      clearTimeout(event.target._timer);
      event.target._timer = setTimeout(() => onChange(event), 600);
    }
  });

  // Put an answer on the page as the inputs show it (the inverse of responseOf).
  function show(fieldset, response) {
    const name = "q" + fieldset.dataset.position;
    const kind = fieldset.dataset.kind;
    if (kind === "matching") {
      fieldset.querySelectorAll("select").forEach((el, i) => { el.value = (response && response[i]) || ""; });
    } else if (kind === "single" || kind === "multiple" || kind === "truefalse") {
      const chosen = kind === "multiple" ? (response || []).map(String) : [String(response)];
      fieldset.querySelectorAll(`input[name="${name}"]`).forEach((el) => { el.checked = chosen.includes(el.value); });
    } else {
      fieldset.querySelector(`input[name="${name}"]`).value = response === null ? "" : response;
    }
  }

  // Answers kept while offline, from an earlier visit of this page, are shown as given (the
  // page came from the server without them) and are sent again below; a hand-in from this
  // page then sends what the officer sees.
  Object.entries(pending).forEach(([position, body]) => {
    const fieldset = form.querySelector(`fieldset.question[data-position="${position}"]`);
    if (!fieldset) return;
    if ("response" in body) show(fieldset, body.response);
    const flag = fieldset.querySelector("input.flag");
    if ("flagged" in body) flag.checked = Boolean(body.flagged);
    mark(Number(position), responseOf(fieldset) !== null, flag.checked);
  });

  // Answers kept while offline are sent again as soon as the page can reach the server.
  const retry = () => Object.keys(pending).forEach((position) => send(Number(position)));
  window.addEventListener("online", retry);
  setInterval(retry, 15000);
  retry();

  // Before handing in: how many questions are still unanswered or flagged for another look.
  // Offline, the paper is not sent at all, and says so beside the button: the page-wide note
  // (app.js) sits at the top of the page and would take the officer thirty questions away.
  const submit = document.getElementById("submit-paper");
  const submitOffline = document.getElementById("submit-offline");
  window.addEventListener("online", () => { submitOffline.hidden = true; });
  let sent = false; // a second tap while the page leaves is not asked about again, nor sent
  submit.addEventListener("click", (event) => {
    if (sent) {
      event.preventDefault();
      return;
    }
    if (!navigator.onLine) {
      event.preventDefault();
      submitOffline.hidden = false;
      submit.parentElement.scrollIntoView({ block: "nearest" }); // the note and the button, as little moved as may be
      return;
    }
    submitOffline.hidden = true;
    const questions = [...form.querySelectorAll("fieldset.question")];
    const unanswered = questions.filter((fieldset) => responseOf(fieldset) === null).length;
    const flagged = form.querySelectorAll("input.flag:checked").length;
    let message = "";
    if (unanswered) message += text.textUnanswered.replace("{n}", unanswered) + "\n";
    if (flagged) message += text.textFlagged.replace("{n}", flagged) + "\n";
    if (!window.confirm(message + text.textSubmit)) event.preventDefault();
    else sent = true;
  });

  // Time is up: the server grades what it has saved, whatever happens here. Ask for the
  // result before leaving the page, so that a phone offline at that moment stays on the
  // paper with a word of comfort, not the browser's error page, and goes on once back online.
  const timeUp = document.getElementById("time-up");
  let handingIn = false;
  async function handIn() {
    if (handingIn) return;
    handingIn = true;
    timeUp.hidden = false;
    if (navigator.onLine) {
      timeUp.textContent = text.textTimeUp;
      try {
        const response = await fetch(resultUrl, { credentials: "same-origin" });
        // Sent back to the paper: the server's deadline is a moment away; ask again then.
        if (response.ok && new URL(response.url).pathname === window.location.pathname) {
          handingIn = false;
          setTimeout(handIn, 1000);
          return;
        }
        if (response.ok) {
          goToResult();
          return;
        }
      } catch (error) {
        // unreachable: say so below and try again
      }
    }
    timeUp.textContent = text.textTimeUpOffline;
    handingIn = false;
  }
  function timeIsUp() {
    form.querySelectorAll("input, select, button").forEach((el) => { el.disabled = true; });
    window.addEventListener("online", handIn);
    setInterval(handIn, 10000);
    handIn();
  }

  const clock = document.getElementById("countdown");
  // The clock itself is not read out every second; a screen reader hears these moments
  // instead, and the eye reads them in the bar beside the clock.
  const warning = document.getElementById("time-warning");
  const alertBox = document.getElementById("time-alert");
  const warnAt = [10, 5, 1].filter((minutes) => minutes * 60 < Number(root.dataset.secondsLeft));
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    // Red in the last five minutes: the dark badge's class goes, or it would win over the red.
    clock.classList.toggle("text-bg-danger", left < 300);
    clock.classList.toggle("text-bg-dark", left >= 300);
    if (warnAt.length && left <= warnAt[0] * 60) {
      warning.textContent = text.textMinutesLeft.replace("{n}", warnAt.shift());
      alertBox.textContent = warning.textContent;
      alertBox.hidden = false;
    }
    if (left === 0) {
      clearInterval(timer);
      alertBox.hidden = true;
      timeIsUp();
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
})();
