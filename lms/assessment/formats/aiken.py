"""Aiken: single-answer multiple choice, one question text line, options A) or A., ANSWER: X
(question/format/aiken/format.php)."""

from __future__ import annotations

import html
import re

from lms.assessment.formats import Choice, Issue, ParsedQuestion, ParseResult

_OPTION = re.compile(r"^([A-Z])[).][ \t]?(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(\S)", re.I)


def parse_aiken(text: str) -> ParseResult:
    result = ParseResult()
    question: ParsedQuestion | None = None
    letters: list[str] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if len(line) < 2:
            continue
        option, answer = _OPTION.match(line), _ANSWER.match(line)
        if answer:
            if question is None:
                result.errors.append(Issue(number, "ANSWER line outside a question"))
                continue
            letter = answer.group(1).upper()
            if len(question.choices) < 2:
                result.errors.append(Issue(question.line, "a question needs at least 2 options"))
            elif letter not in letters:
                result.errors.append(Issue(number, f"ANSWER {letter} names no option of the question"))
            else:
                question.choices[letters.index(letter)].fraction = 1.0
                result.questions.append(question)
            question, letters = None, []
        elif option and question is not None:
            letters.append(option.group(1))
            question.choices.append(Choice(html.escape(option.group(2).strip(), quote=False), 0.0))
        elif option:
            result.errors.append(Issue(number, "option line outside a question"))
        else:
            if question is not None:
                result.errors.append(Issue(question.line, "question without an ANSWER line"))
            text_line = html.escape(line, quote=False)
            question, letters = ParsedQuestion(kind="single", name=text_line[:40], text=text_line,
                                               line=number), []
    if question is not None:
        result.errors.append(Issue(question.line, "question without an ANSWER line"))
    return result


def export_aiken(questions: list[ParsedQuestion]) -> str:
    """Single-answer questions only (the format has nothing else), at most 26 options."""
    out = []
    for q in questions:
        if q.kind != "single" or len(q.choices) > 26:
            continue
        right = max(range(len(q.choices)), key=lambda i: q.choices[i].fraction)
        out.append(q.text.replace("\n", " "))
        out += [f"{chr(65 + i)}) {c.text}" for i, c in enumerate(q.choices)]
        out += [f"ANSWER: {chr(65 + right)}", ""]
    return "\n".join(out)
