"""Aiken: single-answer multiple choice, read as question/format/aiken/format.php reads it.

A question is one line of text, then option lines ("A) ..." or "A. ..."), then "ANSWER: X".
There are no names, categories or feedback. Moodle HTML-escapes the text because it stores it
as HTML; we keep the text as written and mark it "plain", which says the same thing without
an escaping step the platform would then have to undo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lms.assessment.formats import (
    Choice,
    Issue,
    ParsedQuestion,
    ParseResult,
    default_name,
    html_to_text,
    split_lines,
)

_OPTION = re.compile(r"^[A-Z][).][ \t]?")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class _Reader:
    result: ParseResult = field(default_factory=ParseResult)
    question: ParsedQuestion | None = None
    broken: bool = False  # the current question has been reported; ignore the rest of it

    def text_line(self, number: int, line: str) -> None:
        self.finish_unanswered(f"before line {number}")
        self.broken = False
        self.question = ParsedQuestion(kind="single", name=default_name(line), text=line,
                                       text_format="plain", line=number)

    def option_line(self, number: int, line: str, label: str) -> None:
        q = self.question
        if q is None:
            if not self.broken:
                self.error(number, f"option {label.strip()} is outside a question")
            self.broken = True  # one report for the whole stray group, not one per line
            return
        expected = _LETTERS[len(q.choices)] if len(q.choices) < 26 else "?"
        if line[0] != expected:
            # Moodle counts options by position; a skipped or repeated letter would silently
            # move the right answer, so the question is refused instead.
            self.drop(f"option {line[0]} on line {number} is out of order: expected {expected}")
            return
        q.choices.append(Choice(line[len(label):].strip(), 0.0))

    def answer_line(self, number: int, line: str) -> None:
        q = self.question
        if q is None:
            if not self.broken:
                self.error(number, "ANSWER line is outside a question")
            self.broken = False
            return
        if len(q.choices) < 2:
            self.drop("multiple choice needs at least 2 options")
            self.broken = False
            return
        self.question = None
        letter = line[line.index(":") + 1:].strip()[:1]  # only the first letter counts
        index = _LETTERS.find(letter) if letter else -1
        if not 0 <= index < len(q.choices):
            last = _LETTERS[len(q.choices) - 1]
            self.error(q.line, f"ANSWER {letter or '(empty)'} on line {number} names no option;"
                               f" options are A to {last}")
            return
        q.choices[index].fraction = 1.0
        self.result.questions.append(q)

    def finish_unanswered(self, where: str) -> None:
        if self.question is not None:
            self.drop(f"question has no ANSWER line {where} "
                      "(Aiken question text must fit on one line)")
        self.broken = False

    def drop(self, message: str) -> None:
        """Report the current question at its first line and ignore the rest of it."""
        if self.question is not None:
            self.error(self.question.line, message)
        self.question, self.broken = None, True

    def error(self, line: int, message: str) -> None:
        self.result.errors.append(Issue(line, message))


def parse_aiken(text: str) -> ParseResult:
    """Every question of an Aiken file; stray lines and unfinished questions are errors."""
    reader = _Reader()
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.strip()
        if len(line.encode("utf-8")) < 2:
            continue  # Moodle skips lines shorter than 2 bytes (a one-character CJK line stays)
        option = _OPTION.match(line)
        if option:
            reader.option_line(number, line, option.group(0))
        elif line.startswith("ANSWER:"):
            reader.answer_line(number, line)
        else:
            reader.text_line(number, line)
    reader.finish_unanswered("at the end of the file")
    return reader.result


def _one_line(text: str, text_format: str) -> str:
    plain = html_to_text(text) if text_format == "html" else text
    return " ".join(plain.split())


def export_aiken(questions: list[ParsedQuestion]) -> str:
    """Aiken for single-answer questions with 2 to 26 options and one 100% answer; the
    format cannot hold anything else, so other questions are left out, as Moodle does."""
    blocks = []
    for q in questions:
        right = [i for i, c in enumerate(q.choices) if c.fraction > 0.99]
        if q.kind != "single" or not 2 <= len(q.choices) <= 26 or not right:
            continue
        lines = [_one_line(q.text, q.text_format)]
        lines += [f"{_LETTERS[i]}) {_one_line(c.text, q.text_format)}"
                  for i, c in enumerate(q.choices)]
        lines.append(f"ANSWER: {_LETTERS[right[0]]}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""
