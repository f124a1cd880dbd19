"""Moodle XML (<quiz>), the lossless exchange format (question/format/xml/format.php).

Files come from outside, so they are read with defusedxml: entity declarations and external
references are refused (billion laughs, XXE). Each <question> is read on its own, so one bad
question is an error at its line and the others still come through.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element, SubElement, TreeBuilder, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from flask_babel import gettext as _

from lms.assessment.formats import (
    Choice,
    FormatError,
    Issue,
    NumericAnswer,
    ParsedQuestion,
    ParseResult,
    check_question,
    default_name,
    html_to_text,
    reject_duplicate_ids,
    skip_reason,
    strip_category,
    to_number,
)

# Moodle's names for text formats (qformat_xml::get_format / trans_format) and ours.
_FORMAT_IN = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain",
              "markdown": "markdown", "moodle": "moodle", "plain": "plain"}
_FORMAT_OUT = {"html": "html", "moodle": "moodle_auto_format", "plain": "plain_text",
               "markdown": "markdown"}


class _LineTarget:
    """A TreeBuilder that notes the line of each start tag (ElementTree keeps none)."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = self.builder.start(tag, attrs)
        if self.parser is not None:  # the pure-Python parser defusedxml uses exposes expat
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def _read_tree(text: str) -> tuple[Element, dict[int, int]]:
    target = _LineTarget()
    parser = DefusedXMLParser(target=target)
    target.parser = parser
    parser.feed(text.removeprefix("\ufeff"))
    return parser.close(), target.lines


def parse_moodle_xml(text: str) -> ParseResult:
    """Every question of a Moodle XML file; skipped types and errors carry their line."""
    result = ParseResult()
    try:
        root, lines = _read_tree(text)
    except ParseError as error:
        # The parser's own detail ("mismatched tag: line 4, column 21") has no translation.
        result.errors.append(Issue(error.position[0], _(
            "XML 格式不正确（%(error)s）：请检查这一行附近的标签是否成对、是否正确闭合", error=error)))
        return result
    except DefusedXmlException as error:
        reason = type(error).__name__  # EntitiesForbidden, ExternalReferenceForbidden, ...
        result.errors.append(Issue(1, _(
            "拒绝读取此 XML 文件（%(reason)s）：文件中不允许有实体声明（<!ENTITY>）或外部引用，"
            "请上传从 Moodle 直接导出的题目文件", reason=reason)))
        return result
    if root.tag != "quiz":
        result.errors.append(Issue(1, _(
            "XML 的根元素应为 <quiz>，而不是 <%(tag)s>：请上传 Moodle XML 格式的题目文件",
            tag=root.tag)))
        return result
    category, category_line = "", 0
    for node in root.iterfind("question"):
        line, qtype = lines.get(id(node), 0), node.get("type", "")
        if qtype == "category":
            category, category_line = strip_category(node.findtext("category/text") or ""), line
            continue
        if qtype not in _READERS:
            result.skipped.append(Issue(line, skip_reason(qtype), qtype))
            continue
        try:
            question = _read_question(node, qtype)
        except FormatError as error:
            result.errors.append(Issue(line, str(error)))
            continue
        question.line, question.category, question.category_line = line, category, category_line
        problem = check_question(question)
        if problem:
            result.errors.append(Issue(line, problem))
        else:
            result.questions.append(question)
    reject_duplicate_ids(result)
    return result


def _formatted(node: Element | None, default: str = "html") -> tuple[str, str]:
    """(format, text) of an element holding <text>; HTML is stripped unless the format is html."""
    if node is None:
        return _FORMAT_IN[default], ""
    fmt = _FORMAT_IN.get(node.get("format", default).strip(), "html")  # Moodle: unknown = html
    text = (node.findtext("text") or "").strip()
    return fmt, text if fmt == "html" else html_to_text(text)


def _fraction(answer: Element) -> float:
    raw = answer.get("fraction", "0")
    try:
        # Moodle keeps fractions to 7 decimals (question_answers.fraction is decimal(12,7)).
        return round(to_number(raw) / 100, 7)
    except FormatError as error:
        raise FormatError(_("答案的得分比例 fraction=\"%(raw)s\" 不是数字：应为 -100 至 100 之间的数，"
                            "如 100、50、0", raw=raw)) from error


def _feedback(answer: Element) -> str:
    return _formatted(answer.find("feedback"))[1]


def _read_question(node: Element, qtype: str) -> ParsedQuestion:
    fmt, text = _formatted(node.find("questiontext"))
    q = ParsedQuestion(kind="", text=text, text_format=fmt,
                       name=" ".join((node.findtext("name/text") or "").split()),
                       general_feedback=_formatted(node.find("generalfeedback"))[1],
                       idnumber=(node.findtext("idnumber") or "").strip(),
                       tags=[t.text.strip() for t in node.iterfind("tags/tag/text")
                             if t.text and t.text.strip()])
    q.name = q.name or default_name(text)
    _READERS[qtype](q, node)
    return q


def _read_multichoice(q: ParsedQuestion, node: Element) -> None:
    # Moodle's trans_single: "false", "0" or empty mean multiple-answer; default is single.
    single = (node.findtext("single") or "true").strip()
    q.kind = "multiple" if single in ("false", "0", "") else "single"
    for answer in node.iterfind("answer"):
        text = _formatted(answer)[1]
        if text:  # Moodle drops answers with no text when it saves the question
            q.choices.append(Choice(text, _fraction(answer), _feedback(answer)))


def _read_truefalse(q: ParsedQuestion, node: Element) -> None:
    q.kind = "truefalse"
    for position, answer in enumerate(node.iterfind("answer")):
        value = (answer.findtext("text") or "").strip().lower()
        if value not in ("true", "false"):
            value = "true" if position == 0 else "false"  # Moodle: old files list true first
        is_right = _fraction(answer) == 1
        if value == "true":
            q.feedback_true = _feedback(answer)
        else:
            q.feedback_false = _feedback(answer)
        if is_right:
            q.correct = value == "true"


def _read_shortanswer(q: ParsedQuestion, node: Element) -> None:
    q.kind = "shortanswer"
    for answer in node.iterfind("answer"):
        text = (answer.findtext("text") or "").strip()
        if text:
            q.choices.append(Choice(text, _fraction(answer), _feedback(answer)))


def _read_numerical(q: ParsedQuestion, node: Element) -> None:
    q.kind = "numerical"
    for answer in node.iterfind("answer"):
        text = (answer.findtext("text") or "").strip()
        if text == "*":
            continue  # feedback for any other answer: our model has no place for it
        tolerance = (answer.findtext("tolerance") or "0").strip() or "0"
        q.numerical.append(NumericAnswer(to_number(text), to_number(tolerance),
                                         _fraction(answer), _feedback(answer)))


def _read_matching(q: ParsedQuestion, node: Element) -> None:
    q.kind = "matching"
    for sub in node.iterfind("subquestion"):
        left = _formatted(sub, q.text_format)[1]
        right = (sub.findtext("answer/text") or "").strip()
        if left or right:  # an empty left side is a distractor answer, as in Moodle
            q.pairs.append((left, right))


_READERS: dict[str, Callable[[ParsedQuestion, Element], None]] = {
    "multichoice": _read_multichoice, "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer, "numerical": _read_numerical, "matching": _read_matching,
}


# --- writing -----------------------------------------------------------------------------

def _text_el(parent: Element, tag: str, text: str, fmt: str | None = None) -> Element:
    element = SubElement(parent, tag, {"format": _FORMAT_OUT[fmt]} if fmt else {})
    SubElement(element, "text").text = text
    return element


def _answer_el(parent: Element, q: ParsedQuestion, text: str, fraction: float,
               feedback: str, fmt: str) -> Element:
    """<answer> whose text is in fmt; its feedback is in the question's format."""
    attrs = {"fraction": f"{round(fraction * 100, 5):g}", "format": _FORMAT_OUT[fmt]}
    answer = SubElement(parent, "answer", attrs)
    SubElement(answer, "text").text = text
    if feedback:
        _text_el(answer, "feedback", feedback, q.text_format)
    return answer


def _write_answers(q: ParsedQuestion, node: Element) -> None:
    fmt = q.text_format
    if q.kind in ("single", "multiple"):
        SubElement(node, "single").text = "true" if q.kind == "single" else "false"
        for c in q.choices:
            _answer_el(node, q, c.text, c.fraction, c.feedback, fmt)
    elif q.kind == "truefalse":
        _answer_el(node, q, "true", 1.0 if q.correct else 0.0, q.feedback_true, "moodle")
        _answer_el(node, q, "false", 0.0 if q.correct else 1.0, q.feedback_false, "moodle")
    elif q.kind == "shortanswer":
        for c in q.choices:
            _answer_el(node, q, c.text, c.fraction, c.feedback, "moodle")
    elif q.kind == "numerical":
        for n in q.numerical:
            answer = _answer_el(node, q, repr(n.value), n.fraction, n.feedback, "moodle")
            SubElement(answer, "tolerance").text = repr(n.tolerance)
    elif q.kind == "matching":
        for left, right in q.pairs:
            sub = _text_el(node, "subquestion", left, fmt)
            SubElement(SubElement(sub, "answer"), "text").text = right
    else:
        raise ValueError(f"cannot write a {q.kind} question as Moodle XML")


def _question_el(q: ParsedQuestion) -> Element:
    qtype = "multichoice" if q.kind in ("single", "multiple") else q.kind
    node = Element("question", {"type": qtype})
    _text_el(node, "name", q.name)
    _text_el(node, "questiontext", q.text, q.text_format)
    if q.general_feedback:
        _text_el(node, "generalfeedback", q.general_feedback, q.text_format)
    if q.idnumber:
        SubElement(node, "idnumber").text = q.idnumber
    _write_answers(q, node)
    if q.tags:
        tags = SubElement(node, "tags")
        for tag in q.tags:
            SubElement(SubElement(tags, "tag"), "text").text = tag
    return node


def export_moodle_xml(questions: list[ParsedQuestion]) -> str:
    """Moodle XML for the kinds we grade; parse_moodle_xml() reads it back to the same questions."""
    quiz, category = Element("quiz"), ""
    for q in questions:
        if q.category != category:
            path = q.category if q.category.startswith("$") else f"$course$/top/{q.category}"
            switch = SubElement(quiz, "question", {"type": "category"})
            _text_el(switch, "category", path.rstrip("/"))
            category = q.category
        quiz.append(_question_el(q))
    indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode") + "\n"
