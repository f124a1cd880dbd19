"""Our own bank YAML (question_bank/README.md), as the bank's YAML export writes it, read back.

A document is one course: 'topic: <course slug>' and its questions. An export of several
courses has a document for each, separated by '---'. The topic is the questions' category,
so the import files them under that course as it files a GIFT $CATEGORY's. The difficulty
becomes a 'difficulty-N' tag, the form every other format gives it.

Unlike question_bank/ (which content authors check with sync-content), an upload may leave
out the lesson and the explanation: questions imported from GIFT have neither.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask_babel import gettext as _

from lms.assessment.formats import (
    FormatError,
    Issue,
    ParsedQuestion,
    ParseResult,
    check_question,
    default_name,
    marked_choices,
    reject_duplicate_ids,
)

LETTERS = "ABCDEFGH"  # the option letters of a choice question, as papers show them
KINDS = ("single", "multiple", "truefalse")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_bank_yaml(text: str) -> ParseResult:
    """Every question of a bank YAML file; errors carry the line of the question."""
    result = ParseResult()
    try:
        # An alias repeated in nested lists makes a few lines into billions of values (YAML's
        # billion laughs); an export never writes one.
        alias = next((e for e in yaml.parse(text, Loader=_LOADER) if isinstance(e, yaml.AliasEvent)), None)
        if alias is not None:
            result.errors.append(Issue(alias.start_mark.line + 1, _(
                "YAML 文件中不能使用别名（*）：请把内容直接写出来")))
            return result
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        result.errors.append(Issue(mark.line + 1 if mark else 1, _(
            "YAML 格式不正确（%(error)s）：请检查这一行附近的缩进和冒号",
            error=getattr(error, "problem", None) or error)))
        return result
    for document in documents:
        _read_document(document, result)
    reject_duplicate_ids(result)
    return result


def _value(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)


def _read_document(node: yaml.Node, result: ParseResult) -> None:
    topic, questions = (_value(node, "topic"), _value(node, "questions")) if isinstance(
        node, yaml.MappingNode) else (None, None)
    if (topic is None or not isinstance(topic[1], yaml.ScalarNode) or not topic[1].value.strip()
            or questions is None or not isinstance(questions[1], yaml.SequenceNode)):
        result.errors.append(Issue(node.start_mark.line + 1, _(
            "YAML 文件应写明 topic（课程代码）和 questions（试题列表），如题库导出的 YAML 文件")))
        return
    loader = _LOADER("")
    for item in questions[1].value:
        line = item.start_mark.line + 1
        try:
            question = _read_item(loader.construct_document(item))
        except FormatError as error:
            result.errors.append(Issue(line, str(error)))
            continue
        question.line, question.category = line, topic[1].value.strip()
        question.category_line = topic[0].start_mark.line + 1
        problem = check_question(question)
        if problem:
            result.errors.append(Issue(line, problem))
        else:
            result.questions.append(question)


def _text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise FormatError(_("%(name)s 应为一段文字", name=name))
    return str(value).strip()


def _read_item(item: Any) -> ParsedQuestion:
    if not isinstance(item, dict):
        raise FormatError(_("每道题应写成 id、type、text、answer 等键值对"))
    kind, difficulty = item.get("type"), item.get("difficulty", 2)
    if kind not in KINDS:
        raise FormatError(_("type 应为 single、multiple 或 truefalse，而不是“%(type)s”", type=kind))
    if isinstance(difficulty, bool) or difficulty not in (1, 2, 3):
        raise FormatError(_("difficulty 应为 1、2 或 3"))
    key, text = _text(item, "id"), _text(item, "text")
    q = ParsedQuestion(kind=kind, name=key or default_name(text), idnumber=key, text=text,
                       general_feedback=_text(item, "explanation"), lesson=_text(item, "lesson"),
                       tags=[f"difficulty-{difficulty}"])
    answer = item.get("answer")
    if kind == "truefalse":
        if not isinstance(answer, bool):
            raise FormatError(_("判断题的 answer 应为 true 或 false"))
        q.correct = answer
        return q
    options = item.get("options") or []
    if not isinstance(options, list) or any(isinstance(o, (dict, list)) for o in options):
        raise FormatError(_("options 应为选项文字的列表"))
    if len(options) > len(LETTERS):
        raise FormatError(_("选择题最多 %(n)s 个选项", n=len(LETTERS)))
    letters = [answer] if kind == "single" else answer
    valid = LETTERS[:len(options)]
    if (not isinstance(letters, list) or not letters or not valid
            or any(str(a).strip().upper() not in tuple(valid) for a in letters)):
        raise FormatError(_("answer 应为选项的字母（A 至 %(last)s）：单选题写一个字母，多选题写字母列表，如 [A, C]",
                            last=(valid or "A")[-1]))
    right = {LETTERS.index(str(a).strip().upper()) for a in letters}
    q.choices = marked_choices(kind, [str(o).strip() for o in options], right)
    return q
