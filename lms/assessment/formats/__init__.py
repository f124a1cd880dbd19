"""Question exchange formats (GIFT, Aiken, Moodle XML) read into one neutral model.

No Flask, no database: parsers take text and return questions, the questions they skip
(types we cannot grade) and errors, each with the line it starts on; one bad question
never loses the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("single", "multiple", "truefalse", "shortanswer", "numerical", "matching")


@dataclass
class Choice:
    text: str
    fraction: float  # -1..1; 1.0 is fully right
    feedback: str = ""


@dataclass
class NumericAnswer:
    value: float
    tolerance: float = 0.0
    fraction: float = 1.0
    feedback: str = ""


@dataclass
class ParsedQuestion:
    kind: str
    name: str = ""
    text: str = ""
    category: str = ""
    general_feedback: str = ""
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = 0
    text_format: str = "moodle"
    choices: list[Choice] = field(default_factory=list)
    correct: bool | None = None
    feedback_true: str = ""  # shown when the answer TRUE is given
    feedback_false: str = ""
    numerical: list[NumericAnswer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Issue:
    line: int
    message: str
    kind: str = ""


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.kind] = counts.get(question.kind, 0) + 1
        return counts


def strip_category(path: str) -> str:
    """'$course$/top/Safety' and '$course$/Safety' become 'Safety', as the category path."""
    path = path.strip()
    for prefix in ("$course$/top/", "$course$/", "$system$/top/", "$system$/", "top/"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return "" if path in ("$course$/top", "$course$", "top") else path


def detect_format(filename: str, text: str) -> str:
    """moodle_xml for XML, aiken when the file looks like Aiken, else gift."""
    head = text.lstrip()[:200]
    if filename.lower().endswith(".xml") or head.startswith("<?xml") or head.startswith("<quiz"):
        return "moodle_xml"
    if filename.lower().endswith(".gift") or "{" in text:
        return "gift"
    return "aiken"


def parse(text: str, fmt: str) -> ParseResult:
    """Parse text in the given format ("gift", "aiken" or "moodle_xml")."""
    from lms.assessment.formats import aiken, gift, moodle_xml

    parsers = {"gift": gift.parse_gift, "aiken": aiken.parse_aiken, "moodle_xml": moodle_xml.parse_moodle_xml}
    if fmt not in parsers:
        raise ValueError(f"unknown format {fmt}")
    return parsers[fmt](text)
