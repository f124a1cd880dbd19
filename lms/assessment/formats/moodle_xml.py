"""Moodle XML (<quiz>), the lossless exchange format; read with defusedxml, never trusting it."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from lms.assessment.formats import (
    Choice,
    Issue,
    NumericAnswer,
    ParsedQuestion,
    ParseResult,
    strip_category,
)

GRADABLE = {"multichoice", "truefalse", "shortanswer", "numerical", "matching"}


def _text(node, path: str = "text") -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _plain(value: str, fmt: str) -> str:
    return value if fmt == "html" else re.sub(r"<[^>]+>", "", value)


def _lines(text: str) -> list[int]:
    """Line numbers of each <question ...> start tag, in document order."""
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question[\s>]", text)]


def parse_moodle_xml(text: str) -> ParseResult:
    result = ParseResult()
    try:
        root = SafeET.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except Exception as error:  # defusedxml raises for entities and DTDs too
        line = getattr(getattr(error, "position", None), "__getitem__", lambda _i: 1)(0)
        result.errors.append(Issue(line, f"not well-formed XML: {error}"))
        return result
    if root.tag != "quiz":
        result.errors.append(Issue(1, "the root element must be <quiz>"))
        return result
    lines = _lines(text)
    category = ""
    for index, node in enumerate(root.findall("question")):
        line = lines[index] if index < len(lines) else 0
        qtype = node.get("type", "")
        if qtype == "category":
            category = strip_category(_text(node, "category/text"))
            continue
        if qtype not in GRADABLE:
            result.skipped.append(Issue(line, f"{qtype or 'untyped'} questions cannot be graded automatically; skipped", qtype))
            continue
        try:
            result.questions.append(_question(node, qtype, line, category))
        except ValueError as error:
            result.errors.append(Issue(line, str(error)))
    return result


def _question(node, qtype: str, line: int, category: str) -> ParsedQuestion:
    body = node.find("questiontext")
    fmt = body.get("format", "html") if body is not None else "html"
    q = ParsedQuestion(kind="single", name=_text(node, "name/text"), text=_plain(_text(body), fmt),
                       category=category, line=line, text_format=fmt,
                       general_feedback=_plain(_text(node, "generalfeedback/text"), fmt),
                       idnumber=_text(node, "idnumber") if node.find("idnumber") is not None else "",
                       tags=[t.text.strip() for t in node.findall("tags/tag/text") if t.text])
    if not q.text:
        raise ValueError("question without text")
    answers = node.findall("answer")
    if qtype == "multichoice":
        q.choices = [Choice(_plain(_text(a), a.get("format", fmt)), float(a.get("fraction", 0)) / 100,
                            _plain(_text(a, "feedback/text"), fmt)) for a in answers]
        if len(q.choices) < 2:
            raise ValueError("multiple choice needs at least 2 answers")
        single = _text(node, "single") if node.find("single") is not None else "true"
        q.kind = "single" if single.lower() in ("true", "1") else "multiple"
    elif qtype == "truefalse":
        q.kind = "truefalse"
        for a in answers:
            right = float(a.get("fraction", 0)) > 0
            is_true = _text(a).lower() == "true"
            if right:
                q.correct = is_true
            feedback = _plain(_text(a, "feedback/text"), fmt)
            if is_true:
                q.feedback_true = feedback
            else:
                q.feedback_false = feedback
        if q.correct is None:
            raise ValueError("true/false question without a right answer")
    elif qtype == "shortanswer":
        q.kind = "shortanswer"
        q.choices = [Choice(_text(a), float(a.get("fraction", 0)) / 100, _plain(_text(a, "feedback/text"), fmt))
                     for a in answers if _text(a)]
        if not q.choices:
            raise ValueError("short answer without answers")
    elif qtype == "numerical":
        q.kind = "numerical"
        for a in answers:
            if _text(a) == "*":
                continue
            try:
                value, tolerance = float(_text(a)), float(_text(a, "tolerance") or 0)
            except ValueError as error:
                raise ValueError(f"not a number: {_text(a)!r}") from error
            q.numerical.append(NumericAnswer(value, tolerance, float(a.get("fraction", 0)) / 100,
                                             _plain(_text(a, "feedback/text"), fmt)))
        if not q.numerical:
            raise ValueError("numerical question without an answer")
    else:
        q.kind = "matching"
        q.pairs = [(_plain(_text(s), fmt), _text(s, "answer/text")) for s in node.findall("subquestion")]
        q.pairs = [(a, b) for a, b in q.pairs if a and b]
        if len(q.pairs) < 2:
            raise ValueError("matching needs at least 2 pairs")
    return q


def export_moodle_xml(questions: list[ParsedQuestion]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category = None
    for q in questions:
        if q.category != category:
            out.append(f'<question type="category"><category><text>$course$/top/{escape(q.category)}</text>'
                       "</category></question>")
            category = q.category
        qtype = {"single": "multichoice", "multiple": "multichoice"}.get(q.kind, q.kind)
        out.append(f'<question type="{qtype}"><name><text>{escape(q.name)}</text></name>'
                   f'<questiontext format="{q.text_format}"><text>{escape(q.text)}</text></questiontext>'
                   f"<generalfeedback><text>{escape(q.general_feedback)}</text></generalfeedback>")
        out.append(_answers_xml(q))
        out.append("</question>")
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _answers_xml(q: ParsedQuestion) -> str:
    def answer(text, fraction, feedback=""):
        return (f'<answer fraction="{fraction * 100:g}"><text>{escape(text)}</text>'
                f"<feedback><text>{escape(feedback)}</text></feedback></answer>")

    if q.kind in ("single", "multiple"):
        return (f"<single>{'true' if q.kind == 'single' else 'false'}</single>"
                + "".join(answer(c.text, c.fraction, c.feedback) for c in q.choices))
    if q.kind == "truefalse":
        return (answer("true", 1.0 if q.correct else 0.0, q.feedback_true)
                + answer("false", 0.0 if q.correct else 1.0, q.feedback_false))
    if q.kind == "shortanswer":
        return "".join(answer(c.text, c.fraction, c.feedback) for c in q.choices)
    if q.kind == "numerical":
        return "".join(f'<answer fraction="{n.fraction * 100:g}"><text>{n.value:g}</text>'
                       f"<tolerance>{n.tolerance:g}</tolerance><feedback><text>{escape(n.feedback)}</text>"
                       "</feedback></answer>" for n in q.numerical)
    return "".join(f"<subquestion><text>{escape(a)}</text><answer><text>{escape(b)}</text></answer></subquestion>"
                   for a, b in q.pairs)


