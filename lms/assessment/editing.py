"""Staff edit an exam: what is saved, and what the audit log keeps of the edit."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lms.assessment.forms import format_rules
from lms.assessment.models import Exam
from lms.core import audit
from lms.extensions import db

# What the log names of an edit (audit.changes): the form's own labels.
CHANGE_LABELS = {"title": _l("考试名称"), "title_en": _l("英文考试名称（可选，英文界面显示）"),
                 "description": _l("说明"), "description_en": _l("英文说明（可选，英文界面显示）"),
                 "rules": _l("组卷规则"),
                 "time_limit_minutes": _l("时间（分钟）"), "pass_percent": _l("及格线（%）"),
                 "attempts_allowed": _l("允许次数"), "wait_minutes": _l("两次之间至少间隔（分钟）"),
                 "shuffle_questions": _l("打乱题目顺序"), "shuffle_options": _l("打乱选项顺序"),
                 "partial_credit": _l("多选题部分得分"), "review_allowed": _l("交卷后允许查看答案和解析"),
                 "is_active": _l("开放")}
EXAM_FIELDS = tuple(name for name in CHANGE_LABELS if name != "rules")  # the form's fields, set as typed
audit.describe_changes("exam.saved", CHANGE_LABELS)


def _shown(value: Any) -> Any:
    # Rules as staff typed them, a line each, so that the log names the one rule that changed.
    return format_rules(value).splitlines() if isinstance(value, list) else value


def save_exam(exam: Exam | None, values: dict[str, Any], rules: list[dict]) -> Exam:
    """Add or update an exam from the form's values and its parsed rules, logging what an edit
    changed (before → after); commits."""
    is_new = exam is None
    exam = exam or Exam()
    for name in EXAM_FIELDS:
        setattr(exam, name, values[name])
    exam.rules = rules
    changed = {} if is_new else audit.changes(exam, CHANGE_LABELS, _shown)
    db.session.add(exam)
    db.session.flush()
    audit.record("exam.saved", f"exam:{exam.id}", exam.title, {"changes": changed} if changed else None)
    db.session.commit()
    return exam
