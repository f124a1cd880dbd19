"""Question exchange formats (GIFT, Aiken, Moodle XML, our bank YAML) read into one neutral model.

No database and no request: a parser takes text and returns the questions, the questions
it skipped (types we cannot grade) and the errors, each with the line it starts on. One bad
question never loses the others. Exporters take the same model back to text.

Messages are Flask-Babel gettext calls made while parsing, so they come out in the language
of the request (or Chinese in the CLI's app context); with no app context at all, as in a
unit test, gettext returns the Chinese source text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask_babel import gettext as _

KINDS = ("single", "multiple", "truefalse", "shortanswer", "numerical", "matching")
FORMATS = ("gift", "aiken", "moodle_xml", "yaml")
TEXT_FORMATS = ("moodle", "html", "plain", "markdown")


@dataclass
class Choice:
    """One answer of a choice or short-answer question."""

    text: str
    fraction: float  # -1..1; 1.0 is fully right
    feedback: str = ""


@dataclass
class NumericAnswer:
    """One accepted value of a numerical question: right within value ± tolerance."""

    value: float
    tolerance: float = 0.0
    fraction: float = 1.0
    feedback: str = ""


@dataclass
class ParsedQuestion:
    """A question as an exchange format describes it, before it becomes one of ours."""

    kind: str
    name: str = ""
    text: str = ""
    category: str = ""
    # The line that set the category ($CATEGORY, a topic), 0 for none: where, not what, so
    # two questions that differ only in it are the same question.
    category_line: int = field(default=0, compare=False)
    general_feedback: str = ""
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = 0
    text_format: str = "moodle"
    choices: list[Choice] = field(default_factory=list)
    correct: bool | None = None
    feedback_true: str = ""  # shown when the answer TRUE is given
    feedback_false: str = ""  # shown when the answer FALSE is given
    numerical: list[NumericAnswer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    lesson: str = ""  # the lesson that answers it; only our own YAML says


@dataclass
class Issue:
    """An error, or a question we skipped, at the line where it starts."""

    line: int
    message: str
    kind: str = ""


@dataclass
class ParseResult:
    """What a parser read: the gradable questions, the ones it skipped, and the errors."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def by_type(self) -> dict[str, int]:
        """How many questions of each kind were read."""
        return dict(Counter(q.kind for q in self.questions))


class FormatError(ValueError):
    """A malformed question; parsers turn it into an Issue and go on with the next one."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


# --- helpers the three formats share -----------------------------------------------------

def skip_reason(kind: str) -> str:
    """Why a question type is skipped, in the words the import preview shows."""
    if kind == "description":
        return _("说明文字（description）没有可评分的答案，已跳过")
    if kind == "essay":
        return _("问答题（essay）无法自动评分，已跳过")
    if not kind:
        return _("未注明题型（type 属性为空）的试题无法自动评分，已跳过")
    return _("%(kind)s 类型的试题无法自动评分，已跳过", kind=kind)


def strip_category(path: str) -> str:
    """'$course$/top/计量' and '$course$/计量' become '计量'; any other path stays as given."""
    path = path.strip()
    if path in ("$course$", "$course$/top"):
        return ""
    for prefix in ("$course$/top/", "$course$/"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def marked_choices(kind: str, options: list[str], right: set[int]) -> list[Choice]:
    """Our choice question (options, the indices of the right ones) as weighted choices: a
    single answer is 100%; a multiple one shares 100% among the right options and takes as
    much off for each wrong one, as Moodle's all-or-nothing multiple choice does."""
    share = 1.0 / len(right) if kind == "multiple" and right else 1.0
    wrong = -share if kind == "multiple" else 0.0
    return [Choice(text, share if i in right else wrong) for i, text in enumerate(options)]


def default_name(text: str) -> str:
    """A name from the text, as Moodle makes one: tags dropped, shortened to 80 characters."""
    plain = " ".join(html_to_text(text).split())
    return plain if len(plain) <= 80 else plain[:77] + "..."


_TAG = re.compile(r"<[a-zA-Z/!]")


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment; block ends and <br> become newlines."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(value: str) -> str:
    """Plain text of a fragment that holds tags; text without tags is returned untouched,
    so a plain '5 < 6' or '&' in a non-HTML text is never damaged."""
    if not _TAG.search(value):
        return value
    reader = _TextOnly()
    reader.feed(value)
    reader.close()
    text = "".join(reader.parts)
    return re.sub(r"[ \t]*\n[ \t\n]*", "\n", text).strip()


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def to_number(text: str) -> float:
    """A decimal number as the formats write them ('1822', '-3.14', '.5', '1e-3'); FormatError
    otherwise. Stricter than float(), which would take 'nan', 'inf' and '1_000'."""
    if not _NUMBER.match(text.strip()):
        raise FormatError(_("“%(value)s”不是数字：请用阿拉伯数字书写，如 1986、-3.14、0.5",
                            value=text.strip()))
    return float(text)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}"


def _answers_problem(q: ParsedQuestion) -> str | None:
    if q.kind in ("single", "multiple"):
        if len(q.choices) < 2:
            return _("选择题至少需要 2 个有内容的选项")
        if q.kind == "single" and max(c.fraction for c in q.choices) < 1 - 1e-9:
            return _("单选题需要一个得满分（100%）的正确答案")
        right = sum(1 for c in q.choices if c.fraction > 1 - 1e-9)
        if q.kind == "single" and right > 1:  # the bank's single choice has one key: the others would be lost
            return _("单选题只能有一个正确答案，本题有 %(n)s 个（GIFT 中的“=”）：几个选项都对时，请写成多选题，"
                     "每个正确选项标权重，如 ~%%50%%答案甲 ~%%50%%答案乙", n=right)
        if q.kind == "multiple":
            # Moodle's multichoice form: the positive grades must add up to 100%.
            total = sum(c.fraction for c in q.choices if c.fraction > 0)
            if abs(round(total, 2) - 1) > 1e-9:
                return _("多选题各正确选项的权重合计为 %(total)s%%，应正好为 100%%："
                         "请检查是否标出了全部正确答案及其权重", total=_percent(total))
    elif q.kind == "shortanswer":
        if not q.choices:
            return _("填空题至少需要 1 个答案")
        if max(c.fraction for c in q.choices) < 1 - 1e-9:
            return _("没有能得满分（100%）的答案：至少要有一个答案的权重是 100%")
    elif q.kind == "numerical":
        if not q.numerical:
            return _("数值题至少需要 1 个答案")
        if any(n.tolerance < 0 for n in q.numerical):
            return _("数值题的允许误差不能是负数")
        if max(n.fraction for n in q.numerical) < 1 - 1e-9:
            return _("没有能得满分（100%）的答案：至少要有一个答案的权重是 100%")
    elif q.kind == "truefalse" and q.correct is None:
        return _("判断题没有标明正确答案")
    elif q.kind == "matching" and sum(1 for left, _right in q.pairs if left) < 2:
        return _("匹配题至少需要 2 组配对")
    return None


MAX_TEXT = 5000  # characters of a stem, an option or an explanation


def check_question(q: ParsedQuestion) -> str | None:
    """Why a parsed question cannot be graded as written, or None when it can."""
    if q.kind not in KINDS:  # only a parser's bug sets another kind; no file can
        return f"unknown question kind {q.kind!r}"
    if not q.text.strip():
        return _("试题没有题干：请写出题目文字")
    longest = max([len(q.text), len(q.general_feedback or "")] + [len(c.text) for c in q.choices]
                  + [len(a) + len(b) for a, b in q.pairs])
    if longest > MAX_TEXT:  # a paper carries every word of it to every candidate
        return _("试题的文字过长（%(n)s 字，最多 %(max)s 字）", n=longest, max=MAX_TEXT)
    weights = [c.fraction for c in q.choices] + [n.fraction for n in q.numerical]
    for weight in weights:
        if not -1 <= weight <= 1:
            return _("答案权重 %(weight)s%% 超出了 -100%% 至 100%% 的范围", weight=_percent(weight))
    return _answers_problem(q)


def reject_duplicate_ids(result: ParseResult) -> None:
    """Turn each question whose idnumber an earlier question of the file already has into an
    error naming both lines: Moodle keeps idnumbers unique within a category, and ours become
    question keys, so the second one would otherwise be filed under a made-up key."""
    first_line: dict[str, int] = {}
    kept = []
    for q in result.questions:
        if q.idnumber and q.idnumber in first_line:
            result.errors.append(Issue(q.line, _(
                "[id:%(id)s] 与第 %(first)s 行的试题重复：同一文件中每道题的 id 必须不同",
                id=q.idnumber, first=first_line[q.idnumber])))
            continue
        if q.idnumber:
            first_line[q.idnumber] = q.line
        kept.append(q)
    result.questions = kept
    result.errors.sort(key=lambda issue: issue.line)


# --- the public API ----------------------------------------------------------------------

def detect_format(filename: str, text: str) -> str:
    """'moodle_xml' for XML, 'yaml' for our bank's YAML (a .yaml file, or one whose first
    line after its comments is 'topic:'), 'aiken' for ANSWER: lines without a GIFT answer
    block, else 'gift'."""
    head = text.lstrip("\ufeff \t\r\n")[:100]
    name = filename.lower()
    if name.endswith(".xml") or head.startswith(("<?xml", "<quiz")):
        return "moodle_xml"
    if name.endswith((".yaml", ".yml")) or re.match(r"(#[^\n]*\n\s*)*topic:", head):
        return "yaml"
    if name.endswith(".gift"):
        return "gift"
    if name.endswith(".aiken"):
        return "aiken"
    has_answer_lines = re.search(r"^[ \t]*ANSWER:", text, re.M) is not None
    has_gift_block = re.search(r"(?<!\\)\{", text) is not None
    return "aiken" if has_answer_lines and not has_gift_block else "gift"


def parse(text: str, fmt: str) -> ParseResult:
    """Read text in the given format: 'gift', 'aiken', 'moodle_xml' or 'yaml'."""
    # Imported here: the format modules import the model from this package.
    from lms.assessment.formats import aiken, bank_yaml, gift, moodle_xml

    readers = {"gift": gift.parse_gift, "aiken": aiken.parse_aiken,
               "moodle_xml": moodle_xml.parse_moodle_xml, "yaml": bank_yaml.parse_bank_yaml}
    if fmt not in readers:
        raise ValueError(f"unknown question format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return readers[fmt](text)


def export(questions: list[ParsedQuestion], fmt: str) -> str:
    """Write questions in the given format; see each exporter for what it can hold."""
    from lms.assessment.formats import aiken, gift, moodle_xml

    writers = {"gift": gift.export_gift, "aiken": aiken.export_aiken,
               "moodle_xml": moodle_xml.export_moodle_xml}
    if fmt not in writers:
        raise ValueError(f"unknown question format {fmt!r}; expected one of {', '.join(writers)}")
    return writers[fmt](questions)


def split_lines(text: str) -> list[str]:
    """Lines of a file the way editors number them (\\r\\n, \\r or \\n), BOM removed."""
    return re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
