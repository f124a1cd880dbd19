"""Questions from other systems (GIFT, Aiken, Moodle XML) into our bank, and back out."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessment.formats import (
    Choice,
    Issue,
    NumericAnswer,
    ParsedQuestion,
    ParseResult,
    default_name,
    detect_format,
    html_to_text,
    marked_choices,
    parse,
)
from lms.assessment.formats.bank_yaml import LETTERS
from lms.assessment.formats.gift import export_gift
from lms.assessment.models import Question
from lms.assessment.paper import kind_labels
from lms.catalog.models import Course
from lms.core import audit
from lms.extensions import db


class UnknownTopic(ValueError):
    """Questions are filed under a course; the message names the courses there are."""


def check_topic(topic: str) -> None:
    """Raise UnknownTopic unless topic is the slug of a course in use: a made-up topic would
    become a course of its own in the bank's filters that no lesson backs."""
    slugs = list(db.session.scalars(select(Course.slug).where(Course.is_active).order_by(Course.position,
                                                                                         Course.slug)))
    if topic in slugs:
        return
    if not slugs:
        raise UnknownTopic(_("没有代码为“%(topic)s”的课程：还没有任何课程，请先同步课程内容。", topic=topic))
    raise UnknownTopic(_("没有代码为“%(topic)s”的课程。已有的课程代码：%(slugs)s",
                         topic=topic, slugs=", ".join(slugs)))


@dataclass
class ImportPreview:
    result: ParseResult
    fmt: str = "gift"  # the format the file was read as, chosen or detected
    fields: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    unkept_tags: int = 0  # questions with tags the bank has no place for
    by_category: bool = False  # the file's categories say each question's course
    chosen: int = 0  # new questions filed under the course chosen (no category of their own says)

    @property
    def is_empty(self) -> bool:
        """Nothing at all was read: no question, none skipped, no error (an empty file, one of
        comments only, or one in another format than it was read as)."""
        r = self.result
        return not (r.questions or r.skipped or r.errors)

    @property
    def new_by_type(self) -> dict[str, int]:
        """How many new questions of each kind: what importing adds, duplicates left out."""
        return dict(Counter(f["kind"] for f in self.fields))

    @property
    def by_topic(self) -> dict[str, int]:
        """How many new questions go to each course."""
        return dict(Counter(f["topic"] for f in self.fields))

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {"questions": len(self.fields), "by_type": r.by_type, "by_topic": self.by_topic,
                "duplicates": self.duplicates, "unkept_tags": self.unkept_tags,
                "skipped": [{"line": s.line, "message": s.message, "kind": s.kind} for s in r.skipped],
                "errors": [{"line": e.line, "message": e.message} for e in r.errors]}


def _as_key(value: str) -> str | None:
    """value as a question key, or None: letters (Chinese as well as Latin) and digits with
    '.', '_' and '-', spaces becoming '-', at most 80 characters (Question.key)."""
    key = "-".join(value.split())
    if not key or len(key) > 80 or not key[0].isalnum():
        return None
    return key if all(ch.isalnum() or ch in "._-" for ch in key) else None


def name_key(q: ParsedQuestion) -> str | None:
    """The key a question's own identity makes, or None: its idnumber (GIFT // [id:..],
    Moodle's <idnumber>), else its name (GIFT ::QA-1::, Moodle's <name>).

    Keys are what staff quote, search the bank for and what exports carry, so a file's own
    handle is worth keeping. The name a format makes up from the text of an unnamed
    question is none."""
    if q.idnumber and _as_key(q.idnumber):
        return _as_key(q.idnumber)
    if not q.name or q.name == default_name(q.text):
        return None
    return _as_key(q.name)


_DIFFICULTY_TAG = re.compile(r"difficulty[-_ ]?([123])", re.I)


def difficulty_of(q: ParsedQuestion) -> int | None:
    """1-3 from a tag 'difficulty-1' (the domain notes' mapping of Moodle tags), else None."""
    for tag in q.tags:
        found = _DIFFICULTY_TAG.fullmatch(tag.strip())
        if found:
            return int(found.group(1))
    return None


def unkept_tags(q: ParsedQuestion) -> list[str]:
    """The tags of a question the bank has no place for (all but a difficulty tag)."""
    return [tag for tag in q.tags if not _DIFFICULTY_TAG.fullmatch(tag.strip())]


CourseNames = list[tuple[str, str, str | None]]  # slug, title, English title


def _course_names() -> CourseNames:
    return list(db.session.execute(select(Course.slug, Course.title, Course.title_en)
                                   .where(Course.is_active).order_by(Course.position, Course.slug)).all())


def course_for_category(category: str, courses: CourseNames) -> str | None:
    """The slug of the course a category names: its last part ('$course$/top/计量' -> '计量'),
    else the nearest part above it that names one ('计量/法定单位' -> '计量'), being a
    course's slug or title, or the beginning of only one course's title ('计量' for
    '计量基础与企业计量管理')."""
    for part in reversed(category.split("/")):
        name = part.strip().casefold()
        if not name or name == "top" or name.startswith("$"):  # Moodle's $course$/top
            continue
        exact = {slug for slug, title, title_en in courses
                 if name in (slug.casefold(), title.casefold(), (title_en or "").casefold())}
        starts = {slug for slug, title, title_en in courses
                  if title.casefold().startswith(name) or (title_en or "").casefold().startswith(name)}
        match = exact or (starts if len(starts) == 1 else set())
        if len(match) == 1:
            return match.pop()
    return None


def course_for_categories(result: ParseResult) -> str | None:
    """The slug of the course the file's categories name, if they name exactly one."""
    courses = _course_names()
    found = {course_for_category(q.category, courses) for q in result.questions if q.category.strip()}
    return found.pop() if len(found) == 1 else None


def topics_by_category(result: ParseResult) -> dict[str, str]:
    """The course of each category, when the file has several: each names its course
    (course_for_category), and one that names none is an error at its line, not a question
    filed under some other course. A file with one category or none gets {}: its questions
    go to the course chosen, which the preview preselects from that category."""
    categories = {(q.category, q.category_line) for q in result.questions if q.category.strip()}
    if len({category for category, _line in categories}) < 2:
        return {}
    courses, topics = _course_names(), {}
    for category, line in sorted(categories, key=lambda c: c[1]):
        slug = course_for_category(category, courses)
        if slug is None:
            result.errors.append(Issue(line, _(
                "分类“%(category)s”对应不到任何课程：文件中有几个分类时，每道题归入它的分类所指的课程，"
                "分类路径中应有一级是课程代码或课程名称（已有的课程代码：%(slugs)s）",
                category=category, slugs=", ".join(slug for slug, _t, _e in courses) or "—")))
        else:
            topics[category] = slug
    result.errors.sort(key=lambda issue: issue.line)
    return topics


def to_fields(q: ParsedQuestion, topic: str) -> dict[str, Any]:
    """A parsed question as Question columns, keyed by a digest of its content (preview_import
    may key it by its name instead); source_hash is that digest, so a re-import adds nothing.
    The bank holds plain text (papers escape it), so HTML (Moodle's usual format) becomes text."""
    if q.text_format == "html":
        q = replace(q, text=html_to_text(q.text), general_feedback=html_to_text(q.general_feedback or ""),
                    choices=[replace(c, text=html_to_text(c.text)) for c in q.choices],
                    pairs=[(html_to_text(a), html_to_text(b)) for a, b in q.pairs])
    kind = q.kind
    if kind in ("single", "multiple"):
        options = [c.text for c in q.choices]
        answer: Any = [i for i, c in enumerate(q.choices) if c.fraction > 0]
        if kind == "single":
            answer = [max(range(len(q.choices)), key=lambda i: q.choices[i].fraction)]
    elif kind == "truefalse":
        options, answer = [], bool(q.correct)
    elif kind == "shortanswer":
        options = []
        answer = [{"text": c.text, "fraction": c.fraction} for c in q.choices if c.fraction > 0]
    elif kind == "numerical":
        options = []
        answer = [{"value": n.value, "tolerance": n.tolerance, "fraction": n.fraction} for n in q.numerical]
    else:  # matching
        options = {"left": [a for a, _b in q.pairs], "right": sorted({b for _a, b in q.pairs})}
        answer = [b for _a, b in q.pairs]
    digest = content_digest(kind, q.text, options, answer)
    return {"key": f"import-{digest[:16]}", "topic": topic, "kind": kind, "difficulty": difficulty_of(q) or 2,
            "text": q.text, "options": options, "answer": answer,
            "explanation": q.general_feedback or "", "lesson_slug": q.lesson, "source": "import",
            "source_hash": digest}


def content_digest(kind: str, text: str, options: Any, answer: Any) -> str:
    """What makes two questions the same question: kind, text, options and answer."""
    body = {"kind": kind, "text": text, "options": options, "answer": answer}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _questions_held() -> set[str]:
    """The content digests of every question the bank holds: imported ones keep theirs; the
    bank's own (from question_bank/) are digested here, so that a GIFT export read back in,
    or a question typed again, is a duplicate and not a second copy."""
    held = set(db.session.scalars(select(Question.source_hash).where(Question.source == "import")))
    own = select(Question.kind, Question.text, Question.options, Question.answer).where(
        Question.source != "import", Question.is_active)
    held.update(content_digest(*row) for row in db.session.execute(own))
    return held


def empty_file_message(fmt: str) -> str:
    """Why a file read as fmt gave nothing, with what a question looks like in fmt: the
    format may have been detected wrongly, or the file be a template not yet filled in."""
    if fmt == "aiken":
        return _("按 Aiken 格式读取，文件中没有题目。Aiken 的一道题是一行题干，其下每行一个选项"
                 "（如 A. 选项），最后一行 ANSWER: 正确选项的字母。")
    if fmt == "moodle_xml":
        return _("按 Moodle XML 格式读取，文件中没有题目。Moodle XML 的每道题是 <quiz> 中的一个 "
                 "<question type=\"multichoice\"> 等元素。")
    if fmt == "yaml":
        return _("按题库 YAML 格式读取，文件中没有题目。题库 YAML 在 topic: 课程代码 之下用 questions: "
                 "列出试题（见 question_bank/README.md）。")
    return _("按 GIFT 格式读取，文件中没有题目。GIFT 的一道题形如 ::名称:: 题干 {=正确答案 ~错误答案}，"
             "题与题之间空一行；以 // 开头的行是注释。")


def preview_import(text: str, filename: str, topic: str, fmt: str = "auto") -> ImportPreview:
    """What importing the file would add; raises UnknownTopic for a topic that is no course.

    A question the bank already holds with the same content (whatever its name) is a duplicate. A
    new one is keyed by its idnumber or name (name_key) unless that key is taken, by the bank or by an
    earlier question of the file; then, and without a usable name, by its content's digest. A
    file of several categories files each question under its category's course (topics_by_category);
    topic takes the others."""
    check_topic(topic)
    fmt = detect_format(filename, text) if fmt == "auto" else fmt
    result = parse(text, fmt)
    topics = topics_by_category(result)
    preview = ImportPreview(result=result, fmt=fmt, by_category=bool(topics))
    imported = _questions_held()
    keys = set(db.session.scalars(select(Question.key)))
    for question in result.questions:
        preview.unkept_tags += bool(unkept_tags(question))
        fields = to_fields(question, topics.get(question.category, topic))
        if fields["source_hash"] in imported:
            preview.duplicates += 1
            continue
        preview.chosen += question.category not in topics
        named = name_key(question)
        if named is not None and named not in keys:
            fields["key"] = named
        imported.add(fields["source_hash"])
        keys.add(fields["key"])
        preview.fields.append(fields)
    return preview


def commit_import(preview: ImportPreview, filename: str) -> int:
    """Add the previewed questions in one transaction; refused while the file has errors, and
    when it adds nothing (the audit log would record an import of 0 questions)."""
    if preview.result.errors:
        raise ValueError("a file with errors cannot be imported")
    if not preview.fields:
        raise ValueError("a file with no new question imports nothing")
    db.session.add_all(Question(**fields) for fields in preview.fields)
    audit.record("questions.imported", filename, f"{len(preview.fields)}", details=preview.as_dict())
    db.session.commit()
    return len(preview.fields)


def as_parsed(question: Question) -> ParsedQuestion:
    """One of our questions in the exchange model (for GIFT export); to_fields' inverse."""
    q = ParsedQuestion(kind=question.kind, name=question.key, text=question.text,
                       category=question.topic, general_feedback=question.explanation,
                       tags=[f"difficulty-{question.difficulty}"], lesson=question.lesson_slug)
    if question.kind in ("single", "multiple"):
        q.choices = marked_choices(question.kind, question.options, set(question.answer))
    elif question.kind == "truefalse":
        q.correct = bool(question.answer)
    elif question.kind == "shortanswer":
        q.choices = [Choice(a["text"], float(a.get("fraction", 1.0))) for a in question.answer]
    elif question.kind == "numerical":
        q.numerical = [NumericAnswer(float(a["value"]), float(a.get("tolerance", 0.0)),
                                     float(a.get("fraction", 1.0))) for a in question.answer]
    elif question.kind == "matching":
        q.pairs = list(zip(question.options["left"], question.answer, strict=True))
    return q


def export_bank_gift(questions: list[Question]) -> str:
    """GIFT holds every kind the bank does, so nothing is left out; the course is the
    $CATEGORY, the difficulty a [tag:difficulty-N], as the import reads them. GIFT has no
    place for the lesson a question cites."""
    return export_gift([as_parsed(q) for q in questions])


YAML_KINDS = ("single", "multiple", "truefalse")


def left_out_note(questions: list[Question], kinds: tuple[str, ...]) -> str:
    """'' when every question is of one of kinds, else a sentence saying how many of which
    kinds were left out and why, for the top of an export that cannot hold them."""
    left = Counter(q.kind for q in questions if q.kind not in kinds)
    if not left:
        return ""
    labels = kind_labels()
    return _("未导出 %(n)s 道试题（%(kinds)s）：题库 YAML 格式只能写单选、多选和判断题，"
             "请用“导出 GIFT”导出全部试题", n=sum(left.values()),
             kinds=_("、").join(f"{labels.get(kind, kind)} {n}" for kind, n in sorted(left.items())))


def export_bank_yaml(topic: str, questions: list[Question]) -> str:
    """Our own format (question_bank/README.md), which holds choice and true/false questions
    only; a comment line at the top says how many others were left out. A document per
    course (topic, else every course the questions are in), so that the import files each
    question under its own course again."""
    documents: dict[str, list[dict[str, Any]]] = {topic: []} if topic else {}
    for q in sorted(questions, key=lambda q: q.topic):
        if q.kind not in YAML_KINDS:
            continue
        item = {"id": q.key, "type": q.kind, "difficulty": q.difficulty, "lesson": q.lesson_slug,
                "text": q.text}
        if q.kind == "truefalse":
            item["answer"] = bool(q.answer)
        else:
            item["options"] = list(q.options)
            letters = [LETTERS[i] for i in q.answer]
            item["answer"] = letters[0] if q.kind == "single" else letters
        item["explanation"] = q.explanation
        documents.setdefault(q.topic, []).append(item)
    note = left_out_note(questions, YAML_KINDS)
    head = f"# {note}\n" if note else ""
    return head + yaml.safe_dump_all([{"topic": name, "questions": items} for name, items in documents.items()],
                                     allow_unicode=True, sort_keys=False)
