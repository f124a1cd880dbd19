// The exam form's composition rows (staff_exam_form.html): "add a row" copies the last row
// blank, and the line under the rows counts the paper's questions and full score as typed.
// Without JavaScript the page still ends with a blank row, and the server counts on saving.
document.addEventListener("DOMContentLoaded", () => {
  const rows = document.querySelector("[data-rule-rows]");
  if (!rows) return;
  const add = document.querySelector("[data-add-rule]");
  const total = document.querySelector("[data-rule-total]");
  const number = (input) => Number(String(input.value).trim().replace(/[０-９．]/g,
    (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  const count = () => {
    let questions = 0;
    let points = 0;
    rows.querySelectorAll("[data-rule-row]").forEach((row) => {
      const n = number(row.querySelector("[name$='-count']"));
      const p = number(row.querySelector("[name$='-points']"));
      if (Number.isInteger(n) && n > 0 && p > 0) {
        questions += n;
        points += n * p;
      }
    });
    total.textContent = questions ? total.dataset.template.replace("{n}", questions)
      .replace("{p}", String(Math.round(points * 100) / 100)) : "";
  };
  add.hidden = false;
  add.addEventListener("click", () => {
    const all = rows.querySelectorAll("[data-rule-row]");
    const last = all[all.length - 1];
    const row = last.cloneNode(true);
    const index = all.length;
    if (index + 1 >= Number(add.dataset.max)) add.hidden = true;
    row.querySelectorAll("[name]").forEach((control) => {
      control.name = control.name.replace(/^rules-\d+-/, `rules-${index}-`);
      control.id = control.name;
      control.classList.remove("is-invalid");
      control.removeAttribute("aria-invalid");
      const label = control.getAttribute("aria-label");
      if (label) control.setAttribute("aria-label", label.replace(/\d+/, String(index + 1)));
      if (control.tagName === "SELECT") control.selectedIndex = 0;
      else control.value = "";
    });
    row.querySelectorAll(".invalid-feedback").forEach((e) => e.remove());
    rows.appendChild(row);
    row.querySelector("select").focus();
  });
  rows.addEventListener("input", count);
  rows.addEventListener("change", count);
});
