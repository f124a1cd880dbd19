"""Moodle GIFT, read the way Moodle's qformat_gift::readquestion reads it, and written back.

Rules followed (question/format/gift/format.php): questions are separated by blank lines;
lines starting with // are comments (a comment inside a question may carry [id:..] and
[tag:..]); \\~ \\= \\# \\{ \\} \\: \\\\ escape, \\n is a newline; $CATEGORY: sets the category;
::name:: names a question; [html]/[moodle]/[plain]/[markdown] sets the text format; text
after the answer block makes a missing-word question. Types are tried in Moodle's order:
no braces = description, {} = essay (both skipped: we cannot grade them), #... numerical,
~ multiple choice, = with -> matching, T/F true/false, else short answer.
"""

from __future__ import annotations

import re

from lms.assessment.formats import (
    Choice,
    Issue,
    NumericAnswer,
    ParsedQuestion,
    ParseResult,
    strip_category,
)

_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
_RESTORE = {"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{", "\ue005": "}",
            "\ue006": ":", "\ue007": "\n"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
_ID = re.compile(r"\[id:([^\]]+)\]")
_TAG = re.compile(r"\[tag:([^\]]+)\]")


class GiftError(ValueError):
    pass


def _protect(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _restore(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _clean(text: str) -> str:
    """Restore escapes and fold the white space of a multi-line value, as Moodle does."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", _restore(text)).strip() if "\n" in text else _restore(text)


def _blocks(text: str):
    """(first line number, lines, comment lines) of each blank-line separated block."""
    lines, comments, start = [], [], 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if not stripped:
            if lines:
                yield start, lines, comments
            lines, comments = [], []
            continue
        if not lines:
            start = number
        lines.append(raw)
    if lines:
        yield start, lines, comments


def parse_gift(text: str) -> ParseResult:
    """Every question of a GIFT file; errors and skipped types are reported with their line."""
    result = ParseResult()
    category = ""
    for line, lines, comments in _blocks(text.lstrip("\ufeff")):
        block = _protect("\n".join(lines)).strip()
        if block.startswith("$CATEGORY:"):
            category = strip_category(_restore(block[len("$CATEGORY:"):]))
            continue
        try:
            question = _question(block, line)
        except GiftError as error:
            result.errors.append(Issue(line, str(error)))
            continue
        if isinstance(question, Issue):
            result.skipped.append(question)
            continue
        question.category = category
        for comment in comments:
            found = _ID.search(comment)
            question.idnumber = found.group(1).strip() if found else question.idnumber
            question.tags += [t.strip() for t in _TAG.findall(comment)]
        result.questions.append(question)
    return result


def _question(block: str, line: int) -> ParsedQuestion | Issue:
    name = ""
    if block.startswith("::"):
        end = block.find("::", 2)
        if end < 0:
            raise GiftError("the question name opened with '::' is not closed")
        name, block = _clean(block[2:end]), block[end + 2:].strip()
    text_format = "moodle"
    found = _FORMAT.match(block)
    if found:
        text_format, block = found.group(1).lower(), block[found.end():]
    open_at, close_at = block.find("{"), block.rfind("}")
    if open_at < 0:
        if "}" in block:
            raise GiftError("'}' without an opening '{'")
        return Issue(line, "description (no answers): nothing to grade; skipped", "description")
    if close_at < open_at:
        raise GiftError(f"unclosed answer block '{{' opened on line {line + block[:open_at].count(chr(10))}")
    before, answers, after = block[:open_at], block[open_at + 1:close_at].strip(), block[close_at + 1:].strip()
    text = _clean(before.strip() + (" _____ " + after if after else ""))
    if not name:
        name = text[:40]
    question = ParsedQuestion(kind="single", name=name, text=text, line=line, text_format=text_format)
    if "####" in answers:
        answers, general = answers.rsplit("####", 1)
        question.general_feedback = _clean(general)
        answers = answers.strip()
    if not answers:
        return Issue(line, "essay question: cannot be graded automatically; skipped", "essay")
    if answers.startswith("#"):
        _numerical(question, answers[1:])
    elif "~" in answers:
        _multichoice(question, answers)
    elif "=" in answers and "->" in answers:
        _matching(question, answers)
    elif answers.split("#", 1)[0].strip().upper() in ("T", "TRUE", "F", "FALSE"):
        _truefalse(question, answers)
    else:
        _shortanswer(question, answers)
    return question


def _split_feedback(part: str) -> tuple[str, str]:
    text, _sep, feedback = part.partition("#")
    return _clean(text), _clean(feedback)


def _weighted(part: str, default: float) -> tuple[float, str]:
    found = _WEIGHT.match(part)
    if found:
        return float(found.group(1)) / 100, part[found.end():]
    return default, part


def _multichoice(q: ParsedQuestion, answers: str) -> None:
    parts = [p.strip() for p in answers.replace("=", "~=").split("~")]
    if parts and not parts[0]:
        parts = parts[1:]
    for part in parts:
        if part.startswith("="):
            fraction, body = _weighted(part[1:].strip(), 1.0)
        else:
            fraction, body = _weighted(part, 0.0)
        text, feedback = _split_feedback(body)
        q.choices.append(Choice(text, fraction, feedback))
    if len(q.choices) < 2:
        raise GiftError("multiple choice needs at least 2 answers")
    q.kind = "single" if any(p.startswith("=") for p in parts) else "multiple"
    if q.kind == "multiple" and not any(c.fraction > 0 for c in q.choices):
        raise GiftError("multiple choice has no right answer (no '=' and no positive weight)")


def _truefalse(q: ParsedQuestion, answers: str) -> None:
    parts = answers.split("#")
    q.kind = "truefalse"
    q.correct = parts[0].strip().upper() in ("T", "TRUE")
    wrong = _clean(parts[1]) if len(parts) > 1 else ""  # Moodle: first feedback is for a wrong answer
    right = _clean(parts[2]) if len(parts) > 2 else ""
    q.feedback_true, q.feedback_false = (right, wrong) if q.correct else (wrong, right)


def _shortanswer(q: ParsedQuestion, answers: str) -> None:
    q.kind = "shortanswer"
    for part in (p.strip() for p in answers.split("=") if p.strip()):
        fraction, body = _weighted(part, 1.0)
        text, feedback = _split_feedback(body)
        q.choices.append(Choice(text, fraction, feedback))
    if not q.choices:
        raise GiftError("short answer needs at least one answer")


def _matching(q: ParsedQuestion, answers: str) -> None:
    q.kind = "matching"
    for part in (p.strip() for p in answers.split("=") if p.strip()):
        if "->" not in part:
            raise GiftError(f"matching pair without '->': {_clean(part)}")
        left, right = part.split("->", 1)
        q.pairs.append((_clean(left), _split_feedback(right)[0]))
    if len(q.pairs) < 2:
        raise GiftError("matching needs at least 2 pairs")


def _number(text: str) -> float:
    try:
        return float(_restore(text).strip())
    except ValueError as error:
        raise GiftError(f"not a number: {_restore(text).strip()!r}") from error


def _numerical(q: ParsedQuestion, answers: str) -> None:
    q.kind = "numerical"
    body = answers.strip()
    parts = [p.strip() for p in body.split("=")] if body.startswith("=") or "\n" in body and "=" in body else [body]
    for part in (p for p in parts if p):
        if part.startswith("~"):  # feedback for any other answer
            continue
        fraction, rest = _weighted(part, 1.0)
        value_text, _sep, feedback = rest.partition("#")
        value_text = value_text.split("~")[0].strip()
        if ".." in value_text:
            low, high = (_number(x) for x in value_text.split("..", 1))
            answer = NumericAnswer((low + high) / 2, (high - low) / 2, fraction)
        elif "\ue006" in value_text or ":" in value_text:
            value, tolerance = value_text.replace("\ue006", ":").split(":", 1)
            answer = NumericAnswer(_number(value), abs(_number(tolerance)), fraction)
        else:
            answer = NumericAnswer(_number(value_text), 0.0, fraction)
        answer.feedback = _clean(feedback)
        q.numerical.append(answer)
    if not q.numerical:
        raise GiftError("numerical question without an answer")


# --- writing ----------------------------------------------------------------------------

def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


def _weight(fraction: float) -> str:
    return f"%{fraction * 100:g}%"


def export_gift(questions: list[ParsedQuestion]) -> str:
    """GIFT text for the gradable kinds; parse_gift() reads it back to the same questions."""
    blocks, category = [], None
    for q in questions:
        if q.category != category:
            blocks.append(f"$CATEGORY: $course$/top/{q.category}" if q.category else "$CATEGORY: $course$/top")
            category = q.category
        head = f"::{_escape(q.name)}::" if q.name else ""
        if q.text_format != "moodle":
            head += f"[{q.text_format}]"
        blocks.append(f"{head}{_escape(q.text)} {{{_answers(q)}{_general(q)}}}")
    return "\n\n".join(blocks) + "\n"


def _general(q: ParsedQuestion) -> str:
    return f"####{_escape(q.general_feedback)}\n" if q.general_feedback else ""


def _fb(text: str) -> str:
    return f"#{_escape(text)}" if text else ""


def _answers(q: ParsedQuestion) -> str:
    if q.kind in ("single", "multiple"):
        lines = []
        for c in q.choices:
            if q.kind == "single" and c.fraction == 1.0:
                lines.append(f"={_escape(c.text)}{_fb(c.feedback)}")
            elif c.fraction == 0.0:
                lines.append(f"~{_escape(c.text)}{_fb(c.feedback)}")
            else:
                lines.append(f"~{_weight(c.fraction)}{_escape(c.text)}{_fb(c.feedback)}")
        return "\n" + "\n".join(lines) + "\n"
    if q.kind == "truefalse":
        wrong, right = (q.feedback_false, q.feedback_true) if q.correct else (q.feedback_true, q.feedback_false)
        tail = f"#{_escape(wrong)}#{_escape(right)}" if wrong or right else ""
        return ("TRUE" if q.correct else "FALSE") + tail
    if q.kind == "shortanswer":
        return " ".join(f"={'' if c.fraction == 1.0 else _weight(c.fraction)}{_escape(c.text)}{_fb(c.feedback)}"
                        for c in q.choices)
    if q.kind == "matching":
        return "\n" + "\n".join(f"={_escape(a)} -> {_escape(b)}" for a, b in q.pairs) + "\n"
    if q.kind == "numerical":
        return "#\n" + "\n".join(f"={'' if n.fraction == 1.0 else _weight(n.fraction)}{n.value:g}:{n.tolerance:g}"
                                 f"{_fb(n.feedback)}" for n in q.numerical) + "\n"
    raise ValueError(f"cannot write {q.kind} as GIFT")
