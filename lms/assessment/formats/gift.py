"""Moodle GIFT, read the way qformat_gift::readquestion reads it (question/format/gift/format.php).

A file is split into questions at blank lines; lines starting with // are comments, and the
comments of a question may carry [id:..] and [tag:..]. The answer block {..} decides the type,
tried in Moodle's order: no braces = description, {} = essay (both skipped: nothing we can
grade), {#..} numerical, a ~ multiple choice, = with -> matching, T/TRUE/F/FALSE true/false,
anything else short answer. Where Moodle would import something mangled (an unclosed '::'
name, '=%50%' in multiple choice, two answer blocks) we report an error instead.
export_gift writes the same model back the way Moodle's qformat_gift::writequestion does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from lms.assessment.formats import (
    TEXT_FORMATS,
    Choice,
    FormatError,
    Issue,
    NumericAnswer,
    ParsedQuestion,
    ParseResult,
    check_question,
    default_name,
    reject_duplicate_ids,
    skip_reason,
    split_lines,
    strip_category,
    to_number,
)

# Each escape becomes one private-use character while the block is taken apart, so that
# offsets and newlines (hence line numbers) are unchanged; \\ is a plain backslash at once,
# as in Moodle's escapedchar_pre.
_ESCAPED = ":#={}~n"
_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate(_ESCAPED)}
_RESTORE = str.maketrans({chr(0xE000 + i): ("\n" if ch == "n" else ch)
                          for i, ch in enumerate(_ESCAPED)})
_ESCAPE = re.compile(r"\\(\\|[:#={}~n])")
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")  # Moodle's $giftanswerweightregex
_ID = re.compile(r"\[id:((?:\\\]|[^\]\[\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")


def _pre(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else _PLACEHOLDER[m.group(1)], text)


def _post(text: str) -> str:
    return text.translate(_RESTORE)


def _with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    """(format, text) of a field that may start with [html], [moodle], [plain] or [markdown]."""
    fmt = default
    if text.startswith("["):
        name = text[1:text.find("]")] if "]" in text else ""
        if name in TEXT_FORMATS:
            fmt, text = name, text[len(name) + 2:]
    return fmt, _post(text).strip()


def _comment_split(part: str, fmt: str) -> tuple[str, str]:
    """'answer#feedback' as (answer, feedback); Moodle's commentparser."""
    text, _sep, feedback = part.partition("#")
    return _with_format(text.strip(), fmt)[1], _with_format(feedback.strip(), fmt)[1]


def _weight(part: str) -> tuple[float | None, str]:
    """(fraction, rest) when part starts with a %weight%, else (None, part)."""
    if not _WEIGHT.match(part):
        return None, part
    end = part.index("%", 1)
    number = part[1:end]
    sign = -1 if number.startswith("-") else 1
    # Moodle keeps fractions to 7 decimals (question_answers.fraction is decimal(12,7)).
    return round(sign * float(number.lstrip("-")) / 100, 7), part[end + 1:]


def _answer_parts(answer_text: str, sep: str) -> list[str]:
    """Moodle's explode-then-drop-an-empty-first-part, each part trimmed."""
    parts = answer_text.split(sep)
    if not parts[0].strip():
        parts.pop(0)
    return [p.strip() for p in parts]


# --- reading -----------------------------------------------------------------------------

@dataclass
class _Block:
    first_line: int
    lines: list[str]  # trimmed; comment lines replaced by " " as Moodle does
    comments: str

    def line_at(self, offset: int, text: str) -> int:
        return self.first_line + text.count("\n", 0, offset)


def _blocks(text: str) -> Iterator[_Block]:
    """The blank-line separated blocks of a file, with the line each starts on."""
    block: _Block | None = None
    for number, raw in enumerate(split_lines(text) + [""], start=1):
        line = raw.strip()
        if not line:
            if block is not None:
                yield block
            block = None
            continue
        if block is None:
            block = _Block(number, [], "")
        if line.startswith("//"):
            block.comments += line + "\n"
            line = " "
        block.lines.append(line)


def parse_gift(text: str) -> ParseResult:
    """Every question of a GIFT file; skipped types and errors are reported with their line."""
    result = ParseResult()
    category, category_line = "", 0
    for block in _blocks(text):
        joined = _pre("\n".join(block.lines))
        start = len(joined) - len(joined.lstrip())
        if start == len(joined):
            continue  # only comments
        line = block.line_at(start, joined)
        try:
            if joined.startswith("$CATEGORY:", start):
                category, category_line = _category(joined, start, block), line
                continue
            question = _read_question(joined.rstrip(), start, block)
        except FormatError as error:
            # The error's own line (a brace several lines down) is where to look; its
            # message leaves the number to the "第 N 行：" the preview puts before it.
            result.errors.append(Issue(error.line or line, str(error)))
            continue
        if isinstance(question, str):
            result.skipped.append(Issue(line, skip_reason(question), question))
            continue
        question.line, question.category, question.category_line = line, category, category_line
        question.idnumber, question.tags = _id_and_tags(block.comments)
        problem = check_question(question)
        if problem:
            result.errors.append(Issue(line, problem))
        else:
            result.questions.append(question)
    reject_duplicate_ids(result)
    return result


def _category(joined: str, start: int, block: _Block) -> str:
    first, _newline, rest = joined[start + len("$CATEGORY:"):].partition("\n")
    if rest.strip():
        # Moodle would swallow the following lines into the category name, losing them.
        offset = len(joined) - len(rest.lstrip())
        raise FormatError(_("$CATEGORY 行后面必须空一行：第 %(line)s 行因此没有读入，"
                            "请在它前面插入一个空行", line=block.line_at(offset, joined)))
    return strip_category(_post(first))


def _id_and_tags(comments: str) -> tuple[str, list[str]]:
    found = _ID.search(comments)
    idnumber = found.group(1).strip().replace("\\]", "]") if found else ""
    return idnumber, [t.strip().replace("\\]", "]") for t in _TAG.findall(comments)]


def _read_name(text: str, start: int) -> tuple[str, int]:
    """(name, offset where the question text starts) for an optional ::name:: prefix."""
    if not text.startswith("::", start):
        return "", start
    end = text.find("::", start + 2)
    if end < 0:
        raise FormatError(_("题目名称以“::”开头，但没有用“::”结束：请写成 ::名称::题目文字"))
    name = " ".join(_post(text[start + 2:end]).split())
    after = end + 2
    return name, after + len(text[after:]) - len(text[after:].lstrip())


def _answer_block(text: str, start: int, block: _Block) -> tuple[int, int] | None:
    """Offsets of the '{' and '}' of the answer block, None when there is none."""
    open_at, close_at = text.find("{", start), text.find("}", start)

    def where(offset: int) -> int:
        return block.line_at(offset, text)

    if open_at < 0 and close_at < 0:
        return None
    if close_at < 0:
        raise FormatError(_("“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”"), where(open_at))
    if open_at < 0 or close_at < open_at:
        raise FormatError(_stray_close(), where(close_at))
    second = text.find("{", open_at + 1)
    if 0 <= second < close_at:
        if where(second) == where(open_at):
            message = _("“{”开始了答案块，但没有用“}”结束（同一行又出现了一个“{”）：请在第二个“{”之前补上“}”")
        else:
            message = _("“{”开始了答案块，但没有用“}”结束（第 %(second)s 行又出现了一个“{”）："
                        "请在第二个“{”之前补上“}”", second=where(second))
        raise FormatError(message, where(open_at))
    if second > close_at:
        raise FormatError(_("一道题只能有一个答案块，这里又出现了一个“{”：两道题之间要空一行；"
                            "题目文字中的“{”要写成“\\{”"), where(second))
    if "}" in text[close_at + 1:]:
        raise FormatError(_stray_close(), where(text.find("}", close_at + 1)))
    return open_at, close_at


def _stray_close() -> str:
    return _("“}”前面没有对应的“{”：多余的“}”请删除，题目文字中的“}”要写成“\\}”")


def _read_question(text: str, start: int, block: _Block) -> ParsedQuestion | str:
    """One question, or the kind of a question we skip ('description', 'essay')."""
    name, start = _read_name(text, start)
    braces = _answer_block(text, start, block)
    if braces is None:
        return "description"
    open_at, close_at = braces
    answer_text = text[open_at + 1:close_at].strip()
    # Text after the block makes a missing-word question: the block becomes a blank.
    blank = "_____" if text[close_at + 1:].strip() else ""
    fmt, question_text = _with_format(text[start:open_at] + blank + text[close_at + 1:])
    general = ""
    if "####" in answer_text:
        answer_text, general = answer_text.rsplit("####", 1)
        answer_text = answer_text.strip()
    q = ParsedQuestion(kind="", name=name or default_name(question_text), text=question_text,
                       text_format=fmt, general_feedback=_with_format(general, fmt)[1])
    kind = _kind(answer_text)
    if kind == "essay":
        return kind
    _READERS[kind](q, answer_text)
    return q


def _kind(answer_text: str) -> str:
    """The question type, tested in Moodle's order."""
    if not answer_text:
        return "essay"
    if answer_text[0] == "#":
        return "numerical"
    if "~" in answer_text:
        return "multichoice"
    if "=" in answer_text and "->" in answer_text:
        return "matching"
    check = answer_text.split("#", 1)[0].strip()
    # Case matters, as in Moodle: {true} is a short answer whose answer is "true".
    return "truefalse" if check in ("T", "TRUE", "F", "FALSE") else "shortanswer"


def _read_multichoice(q: ParsedQuestion, answer_text: str) -> None:
    # Moodle: one "=" anywhere makes it single-answer; none makes it multiple-answer.
    q.kind = "single" if "=" in answer_text else "multiple"
    for part in _answer_parts(answer_text.replace("=", "~="), "~"):
        if part.startswith("="):
            if _WEIGHT.match(part[1:].strip()):
                raise FormatError(_("选择题中“=”标记的是得满分（100%）的答案，后面不能再写权重："
                                    "部分得分的选项请写成“~%50%”"))
            fraction, body = 1.0, part[1:]
        else:
            weight, body = _weight(part)
            fraction = 0.0 if weight is None else weight
        text, feedback = _comment_split(body, q.text_format)
        if text:  # Moodle drops answers with no text when it saves the question
            q.choices.append(Choice(text, fraction, feedback))


def _read_truefalse(q: ParsedQuestion, answer_text: str) -> None:
    bits = answer_text.split("#", 2) + ["", ""]
    answer = _with_format(bits[0].strip(), q.text_format)[1]
    # Moodle: {TRUE#a#b} -- a is shown for a wrong answer, b for a right one.
    wrong = _with_format(bits[1].strip(), q.text_format)[1]
    right = _with_format(bits[2].strip(), q.text_format)[1]
    q.kind, q.correct = "truefalse", answer in ("T", "TRUE")
    q.feedback_true, q.feedback_false = (right, wrong) if q.correct else (wrong, right)


def _read_shortanswer(q: ParsedQuestion, answer_text: str) -> None:
    q.kind = "shortanswer"
    for part in _answer_parts(answer_text, "="):
        weight, body = _weight(part)
        text, feedback = _comment_split(body, q.text_format)
        if text:
            q.choices.append(Choice(text, 1.0 if weight is None else weight, feedback))


def _read_numerical(q: ParsedQuestion, answer_text: str) -> None:
    q.kind = "numerical"
    # "~#feedback" is feedback for any other answer; it has no place in our model.
    body = answer_text[1:].split("~", 1)[0]
    for part in _answer_parts(body, "="):
        weight, rest = _weight(part)
        text, feedback = _comment_split(rest, q.text_format)
        if text.find("..") > 0:
            low, high = (to_number(x) for x in text.split("..", 1))
            if high < low:
                raise FormatError(_("数值范围 %(range)s 的起点大于终点：请先写小的数，如 1..5",
                                    range=text))
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif text.find(":") > 0:
            value, tolerance = (to_number(x) for x in text.split(":", 1))
        else:
            value, tolerance = to_number(text), 0.0
        q.numerical.append(NumericAnswer(value, tolerance, 1.0 if weight is None else weight,
                                         feedback))


def _read_matching(q: ParsedQuestion, answer_text: str) -> None:
    q.kind = "matching"
    for part in _answer_parts(answer_text, "="):
        if "->" not in part:
            raise FormatError(_("匹配项“%(pair)s”缺少“->”：每组配对请写成 =左边 -> 右边",
                                pair=_post(part)))
        left, right = part.split("->", 1)
        q.pairs.append((_with_format(left.strip(), q.text_format)[1], _post(right).strip()))


_READERS: dict[str, Callable[[ParsedQuestion, str], None]] = {
    "multichoice": _read_multichoice, "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer, "numerical": _read_numerical, "matching": _read_matching,
}


# --- writing -----------------------------------------------------------------------------

def _escape(text: str) -> str:
    """Moodle's repchar: the control characters escaped, newlines as \\n."""
    out = text.replace("\\", "\\\\").replace("\r", "")
    for char in "#=~{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


def _field(text: str, fmt: str, force: bool = False) -> str:
    """An escaped field; a [format] prefix keeps literal what a reader would otherwise take
    for syntax: a leading [html]-style format, %50%-style weight or //. Only then: Moodle
    writes no prefix before '%abc%', which is no weight, and neither do we."""
    needs = force or text.startswith("//") or _WEIGHT.match(text) is not None or any(
        text.startswith(f"[{name}]") for name in TEXT_FORMATS)
    return (f"[{fmt}]" if needs else "") + _escape(text)


def _pct(fraction: float) -> str:
    return f"%{f'{round(fraction * 100, 5):.5f}'.rstrip('0').rstrip('.')}%"


def _num(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write {value} as a GIFT number")
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _feedback(text: str, fmt: str) -> str:
    return "#" + _field(text, fmt) if text else ""


def _choices(q: ParsedQuestion) -> list[str]:
    out = []
    for c in q.choices:
        if q.kind == "single" and c.fraction == 1:
            mark = "="
        elif q.kind == "shortanswer":
            mark = "=" if c.fraction == 1 else "=" + _pct(c.fraction)
        else:
            mark = "~" if c.fraction == 0 else "~" + _pct(c.fraction)
        out.append(mark + _field(c.text, q.text_format) + _feedback(c.feedback, q.text_format))
    return out


def _answer_lines(q: ParsedQuestion) -> list[str]:
    fmt = q.text_format
    if q.kind in ("single", "multiple", "shortanswer"):
        return _choices(q)
    if q.kind == "truefalse":
        wrong, right = ((q.feedback_false, q.feedback_true) if q.correct
                        else (q.feedback_true, q.feedback_false))
        tail = ("#" + _field(wrong, fmt) if wrong or right else "") + _feedback(right, fmt)
        return [("TRUE" if q.correct else "FALSE") + tail]
    if q.kind == "numerical":
        return ["#"] + [f"={_pct(n.fraction)}{_num(n.value)}:{_num(n.tolerance)}"
                        + _feedback(n.feedback, fmt) for n in q.numerical]
    if q.kind == "matching":
        return [f"={_field(left, fmt)} -> {_escape(right)}" for left, right in q.pairs]
    raise ValueError(f"cannot write a {q.kind} question as GIFT")


def _bracket(text: str) -> str:
    return text.replace("]", "\\]")


def _write_question(q: ParsedQuestion) -> str:
    head = ""
    if q.idnumber or q.tags:
        marks = ([f"[id:{_bracket(q.idnumber)}]"] if q.idnumber else []) + [
            f"[tag:{_bracket(t)}]" for t in q.tags]
        head = "// " + " ".join(marks) + "\n"
    name = f"::{_escape(q.name)}::" if q.name else ""
    text = _field(q.text, q.text_format, force=q.text_format != "moodle")
    lines = _answer_lines(q)
    if q.general_feedback:
        lines.append("####" + _field(q.general_feedback, q.text_format))
    return f"{head}{name}{text}{{\n\t" + "\n\t".join(lines) + "\n}"


def export_gift(questions: list[ParsedQuestion]) -> str:
    """GIFT for the kinds we grade; parse_gift() reads it back to the same questions."""
    blocks, category = [], ""
    for q in questions:
        if q.category != category:
            path = q.category if q.category.startswith("$") else f"$course$/top/{q.category}"
            blocks.append(f"$CATEGORY: {path.rstrip('/')}")
            category = q.category
        blocks.append(_write_question(q))
    return "\n\n".join(blocks) + "\n"
