"""The question bank in question_bank/*.yaml: reading, checking, and syncing to the database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.assessment.formats.bank_yaml import LETTERS
from lms.assessment.models import Question
from lms.catalog.content import ContentError
from lms.extensions import db


@dataclass
class BankReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0


def _lines(node: yaml.Node) -> dict[str, int]:
    """Line of each question id in a composed YAML document, for error messages."""
    lines: dict[str, int] = {}

    def walk(n):
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    lines[value.value] = key.start_mark.line + 1
                walk(value)
        elif isinstance(n, yaml.SequenceNode):
            for item in n.value:
                walk(item)

    walk(node)
    return lines


def question_fields(item: dict[str, Any]) -> dict[str, Any]:
    """Our YAML item as Question columns (answer letters become option indices)."""
    kind = item["type"]
    options = list(item.get("options") or [])
    if kind == "truefalse":
        answer: Any = bool(item["answer"])
    elif kind == "single":
        answer = [LETTERS.index(str(item["answer"]).strip().upper())]
    else:
        answer = sorted(LETTERS.index(str(a).strip().upper()) for a in item["answer"])
    return {"key": item["id"], "kind": kind, "difficulty": int(item["difficulty"]), "text": item["text"],
            "options": options, "answer": answer, "explanation": item.get("explanation", ""),
            "lesson_slug": item.get("lesson", "")}


def _problem(item: Any, known_lessons: set[str] | None) -> str | None:
    if not isinstance(item, dict):
        return "每道题应为键值对"
    for key in ("id", "type", "difficulty", "text", "answer", "explanation", "lesson"):
        if item.get(key) in (None, ""):
            return f"缺少 {key}"
    kind, options, answer = item["type"], item.get("options") or [], item["answer"]
    if kind not in ("single", "multiple", "truefalse"):
        return f"type 应为 single、multiple 或 truefalse，而不是 {kind}"
    if item["difficulty"] not in (1, 2, 3):
        return "difficulty 应为 1、2 或 3"
    if kind == "truefalse":
        if not isinstance(answer, bool):
            return "判断题的 answer 应为 true 或 false"
    else:
        if not 2 <= len(options) <= len(LETTERS):
            return "选择题需要 2 至 8 个选项"
        letters = [answer] if kind == "single" else answer
        if not isinstance(letters, list) or not letters or (kind == "multiple" and len(letters) < 2):
            return "多选题的 answer 应为至少两个字母的列表" if kind == "multiple" else "answer 无效"
        valid = LETTERS[: len(options)]
        if any(str(a).strip().upper() not in valid for a in letters):
            return f"answer 中的字母应在 {valid[0]}-{valid[-1]} 之间"
    if known_lessons is not None and item["lesson"] not in known_lessons:
        return f"lesson {item['lesson']} 不存在于该课程"
    return None


def read_bank(root: Path, lessons_by_topic: dict[str, set[str]] | None = None) -> list[dict[str, Any]]:
    """Every question of question_bank/, checked; raises ContentError naming file and line."""
    problems: list[str] = []
    items: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    folder = root / "question_bank"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text)
            lines = _lines(yaml.compose(text))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problems.append(f"{path}:{mark.line + 1 if mark else 1}: YAML 格式错误：{getattr(error, 'problem', error)}")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data.get("topic"):
            problems.append(f"{path}:1: 需要 topic 和 questions 列表")
            continue
        topic = data["topic"]
        known = lessons_by_topic.get(topic) if lessons_by_topic is not None else None
        if lessons_by_topic is not None and known is None:
            problems.append(f"{path}:1: topic {topic} 不是已知课程")
            continue
        for item in data["questions"]:
            qid = str(item.get("id", "")) if isinstance(item, dict) else ""
            where = f"{path}:{lines.get(qid, 1)}"
            problem = _problem(item, known)
            if problem:
                problems.append(f"{where}: 题目 {qid or '?'}：{problem}")
            elif qid in seen:
                problems.append(f"{where}: 题目 id {qid} 与 {seen[qid]} 重复")
            else:
                seen[qid] = where
                items.append({**question_fields(item), "topic": topic})
    if problems:
        raise ContentError(problems)
    return items


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def sync_bank(items: list[dict[str, Any]]) -> BankReport:
    """Bring bank questions in line with the files; the caller commits. Attempts keep their
    frozen copies, so an edited question changes no sitting already taken.

    A question's source_hash is the digest of the file item it mirrors, and empty once no
    file holds it (the sync retired it). So an inactive question whose item is unchanged was
    retired by staff, and stays retired: the sync does not undo their decision. It comes back
    when its item changes (its author has reworked it) or after it was dropped from the files
    and is restored. Staff can always reinstate it on its page."""
    report = BankReport()
    stored = {q.key: q for q in db.session.scalars(select(Question).where(Question.source == "bank"))}
    for fields in items:
        digest = _digest(fields)
        question = stored.pop(fields["key"], None)
        if question is None:
            db.session.add(Question(source="bank", source_hash=digest, **fields))
            report.added.append(fields["key"])
        elif question.source_hash != digest:
            edited = _digest({name: getattr(question, name) for name in fields}) != digest
            for name, value in fields.items():
                setattr(question, name, value)
            question.version += 1 if edited else 0
            question.source_hash, question.is_active = digest, True
            report.changed.append(fields["key"])
        else:
            report.unchanged += 1
    for question in stored.values():
        if question.is_active or question.source_hash:
            if question.is_active:
                report.retired.append(question.key)
            question.is_active, question.source_hash = False, ""
    return report


def sync_content(root: Path, dry_run: bool = False):
    """Courses and question bank together: both checked first, written in one transaction."""
    from lms.catalog.sync import sync_courses

    def bank_step(sources):
        lessons = {c.slug: {lesson.slug for lesson in c.lessons} for c in sources}
        items = read_bank(root, lessons)
        return lambda: sync_bank(items)

    return sync_courses(root, dry_run=dry_run, then=bank_step)
