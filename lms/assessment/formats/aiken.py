"""Aiken: single-answer multiple choice, read as question/format/aiken/format.php reads it.

A question is one line of text, then option lines ("A) ..." or "A. ..."), then "ANSWER: X".
There are no names, categories or feedback. Moodle HTML-escapes the text because it stores it
as HTML; we keep the text as written and mark it "plain", which says the same thing without
an escaping step the platform would then have to undo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

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
        self.finish_unanswered(before=number)
        self.broken = False
        self.question = ParsedQuestion(kind="single", name=default_name(line), text=line,
                                       text_format="plain", line=number)

    def option_line(self, number: int, line: str, label: str) -> None:
        q = self.question
        if q is None:
            if not self.broken:
                self.error(number, _("选项 %(label)s 不属于任何题目：选项前面应有一行题目文字",
                                     label=label.strip()))
            self.broken = True  # one report for the whole stray group, not one per line
            return
        expected = _LETTERS[len(q.choices)] if len(q.choices) < 26 else "?"
        if line[0] != expected:
            # Moodle counts options by position; a skipped or repeated letter would silently
            # move the right answer, so the question is refused instead.
            self.drop(_("第 %(line)s 行的选项 %(letter)s 顺序不对，这里应是选项 %(expected)s："
                        "选项要按 A、B、C…… 依次排列", line=number, letter=line[0],
                        expected=expected))
            return
        q.choices.append(Choice(line[len(label):].strip(), 0.0))

    def answer_line(self, number: int, line: str) -> None:
        q = self.question
        if q is None:
            if not self.broken:
                self.error(number, _("ANSWER 行不属于任何题目：ANSWER 行应紧跟在一道题的选项之后"))
            self.broken = False
            return
        if len(q.choices) < 2:
            self.drop(_("选择题至少需要 2 个选项"))
            self.broken = False
            return
        self.question = None
        letter = line[line.index(":") + 1:].strip()[:1]  # only the first letter counts
        index = _LETTERS.find(letter) if letter else -1
        if not 0 <= index < len(q.choices):
            last = _LETTERS[len(q.choices) - 1]
            if letter:
                message = _("第 %(line)s 行的 ANSWER %(letter)s 不是本题的选项：本题的选项是 A 至 %(last)s",
                            line=number, letter=letter, last=last)
            else:
                message = _("第 %(line)s 行的 ANSWER 后面没有写答案：请写上正确选项的字母（A 至 %(last)s）",
                            line=number, last=last)
            self.error(q.line, message)
            return
        q.choices[index].fraction = 1.0
        self.result.questions.append(q)

    def finish_unanswered(self, before: int | None = None) -> None:
        """Report an open question: the next one starts on line `before`, or the file ends."""
        if self.question is not None and before is None:
            self.drop(_("本题直到文件末尾都没有 ANSWER 行：每道题要以“ANSWER: 正确选项字母”结束，"
                        "Aiken 格式的题目文字只能写在一行内"))
        elif self.question is not None:
            self.drop(_("本题在第 %(line)s 行之前缺少 ANSWER 行：每道题要以“ANSWER: 正确选项字母”结束，"
                        "Aiken 格式的题目文字只能写在一行内", line=before))
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
    reader.finish_unanswered()
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
