"""The questions of an exam paper as HTML.

Built with f-strings and markupsafe.escape instead of a Jinja loop: the paper page is the
heaviest page of an exam morning (dozens of questions, each with options), and this is
several times faster (bench/exam_load.py). Everything that comes from data is escaped.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape

from lms.core.i18n import select_locale

LETTERS = "ABCDEFGH"


def kind_labels() -> dict[str, str]:
    """Question kinds as the interface names them, in the current language."""
    return {"single": _("单选"), "multiple": _("多选"), "truefalse": _("判断"),
            "shortanswer": _("填空"), "numerical": _("数值"), "matching": _("匹配")}


def render_questions(items) -> Markup:
    """One fieldset per AttemptQuestion, with the saved response checked."""
    labels = kind_labels()
    # "%(p)s 分" is looked up once and filled per question; English says "1 point" and "1.5
    # points", so exactly one has a message of its own.
    texts = {"points": _("%(p)s 分"), "one point": pgettext("exactly one", "%(p)s 分"), "flag": _("标记此题，稍后再看"), "answer": _("答案"),
             "true": _("正确"), "false": _("错误"),
             # Stems and options are written in Chinese: an English page says so, for the
             # screen reader's voice and the browser's fonts and line breaks (WCAG 3.1.2).
             "zh": "" if select_locale() == "zh_CN" else ' lang="zh-CN"'}
    return Markup("".join(_question(item, labels, texts) for item in items))


def render_navigator(items) -> Markup:
    """The question numbers above the paper: filled when answered, ⚑ when flagged, and the same
    in words for a screen reader (exam.js keeps them so). Built here with the questions: in the
    template this loop was a fifth of the paper page's time."""
    labels = {(True, False): _("第 {n} 题，已作答"), (False, False): _("第 {n} 题，未作答"),
              (True, True): _("第 {n} 题，已作答，已标记"), (False, True): _("第 {n} 题，未作答，已标记")}
    return Markup("".join(
        f'<a class="btn btn-sm {"btn-primary" if item.response is not None else "btn-outline-secondary"}'
        f'{" flagged" if item.flagged else ""}" aria-label="'
        f'{escape(labels[(item.response is not None, bool(item.flagged))].replace("{n}", str(item.position)))}" '
        f'href="#q{item.position}" data-nav="{item.position}">{item.position}{" ⚑" if item.flagged else ""}</a>'
        for item in items))


def _question(item, labels: dict[str, str], texts: dict[str, str]) -> str:
    f, r, n = item.frozen, item.response, item.position
    name = f"q{n}"
    kind = f["kind"]
    # The legend holds the number, the kind and the stem, so that a screen reader names the
    # group of options by its question; it is the fieldset's first child (the card is a
    # wrapper), which is what makes it the group's name.
    head = (f'<div class="card mb-3"><fieldset class="card-body question" id="q{n}" data-position="{n}" '
            f'data-kind="{kind}"><legend class="question-legend"><span class="h6 d-block">{n}. '
            f'<span class="badge text-bg-light">{escape(labels[kind])} · '
            f'{escape(texts["one point" if f["points"] == 1 else "points"] % {"p": format(f["points"], "g")})}</span></span>'
            f'<span class="question-text"{texts["zh"]}>{escape(f["text"])}</span></legend>')
    body = _inputs(kind, name, f, r, texts)
    checked = " checked" if item.flagged else ""
    # What this page showed, sent back with the form: the plain form saves only what was
    # changed here, so that a stale page or a second tab does not blank answers saved since.
    seen = escape(json.dumps({"r": r, "f": bool(item.flagged)}, ensure_ascii=False))
    flag = (f'<input type="hidden" name="{name}_seen" value="{seen}">'
            f'<div class="form-check mt-2"><input class="form-check-input flag" type="checkbox" '
            f'name="{name}_flag" value="1" id="{name}_flag"{checked}><label class="form-check-label '
            f'small text-muted" for="{name}_flag">{escape(texts["flag"])}</label></div></fieldset></div>')
    return head + body + flag


def _inputs(kind: str, name: str, f: dict, r, texts: dict[str, str]) -> str:
    zh = texts["zh"]
    if kind in ("single", "multiple"):
        kind_attr = "radio" if kind == "single" else "checkbox"
        chosen = {r} if kind == "single" and r is not None else set(r or [])
        return "".join(
            f'<div class="form-check"><input class="form-check-input" type="{kind_attr}" name="{name}" '
            f'id="{name}_{i}" value="{i}"{" checked" if i in chosen else ""}>'
            f'<label class="form-check-label" for="{name}_{i}"{zh}>{LETTERS[i]}. {escape(option)}</label></div>'
            for i, option in enumerate(f["options"]))
    if kind == "truefalse":
        return "".join(
            f'<div class="form-check form-check-inline"><input class="form-check-input" type="radio" '
            f'name="{name}" id="{name}_{value}" value="{value}"{" checked" if r is state else ""}>'
            f'<label class="form-check-label" for="{name}_{value}">{escape(texts[value])}</label></div>'
            for value, state in (("true", True), ("false", False)))
    if kind == "matching":
        rows = []
        for i, left in enumerate(f["options"]["left"]):
            options = "".join(f'<option{" selected" if r and r[i] == right else ""}>{escape(right)}</option>'
                              for right in f["options"]["right"])
            rows.append(f'<div class="row g-2 align-items-center mb-1"{zh}><div class="col-sm-6">{escape(left)}</div>'
                        f'<div class="col-sm-6"><select class="form-select form-select-sm" name="{name}_{i}" '
                        f'aria-label="{escape(left)}"><option value="">—</option>{options}</select></div></div>')
        return "".join(rows)
    return (f'<input class="form-control" name="{name}" value="{escape(r or "")}" autocomplete="off" '
            f'aria-label="{escape(texts["answer"])}">')
