"""Staff edit a programme: what is saved, and what the audit log keeps of the edit."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from lms.assessment.models import Exam
from lms.core import audit
from lms.extensions import db
from lms.programs.forms import format_requirements
from lms.programs.models import Program

FIELDS = ("name", "name_en", "description", "hours_required", "starts_on", "deadline",
          "target_percent", "certificate_months")
# What the log names of an edit (audit.changes): the form's own labels.
CHANGE_LABELS = {"name": _l("名称"), "name_en": _l("英文名称（可选，英文界面显示）"),
                 "hours_required": _l("应获学时"), "starts_on": _l("开始日期"),
                 "deadline": _l("截止日期"), "target_percent": _l("培训覆盖率目标（%）"),
                 "certificate_months": _l("证书有效期（月）"), "is_current": _l("设为当前培训计划"),
                 "description": _l("说明"), "requirements": _l("必修课程"), "exam_id": _l("结业考试")}
audit.describe_changes("program.saved", CHANGE_LABELS)


def _shown(value: Any) -> Any:
    if isinstance(value, list):  # the requirements, a line per course as staff typed them
        return format_requirements(value).splitlines()
    return f"{value:g}" if isinstance(value, float) else value if isinstance(value, bool | int) else str(value)


def _no_longer_current(successor: Program) -> None:
    """The log says which programme stopped being current, not only which one became it:
    coverage and every officer's requirements change with it."""
    from sqlalchemy import select

    for old in db.session.scalars(select(Program).where(Program.is_current, Program.id != successor.id)):
        audit.record("program.saved", f"program:{old.id}", old.name, {"changes": {"is_current": [True, False]}})


def _exam_title(exam_id: int) -> str:
    """The exam as staff pick it on the form: by its title (its number once it is gone)."""
    exam = db.session.get(Exam, exam_id)
    return exam.title if exam else f"#{exam_id}"


def save_program(program: Program | None, values: dict[str, Any], requirements: list[dict],
                 exam_id: int | None, is_current: bool) -> Program:
    """Add or update a programme from the form's values, making it the current one if asked,
    and log what an edit changed (before → after); commits."""
    is_new = program is None
    program = program or Program()
    for name in FIELDS:
        setattr(program, name, values[name])
    program.requirements, program.exam_id = requirements, exam_id
    becomes_current = is_current and not program.is_current
    program.is_current = is_current
    # Read before the update below: it would flush the edit, and the history with it.
    changed = {} if is_new else audit.changes(program, CHANGE_LABELS, _shown, {"exam_id": _exam_title})
    if becomes_current:  # one current programme (uq_program_current): the other one first
        with db.session.no_autoflush:
            _no_longer_current(program)
            db.session.execute(update(Program).where(Program.is_current).values(is_current=False)
                               .execution_options(synchronize_session=False))
    db.session.add(program)
    db.session.flush()
    audit.record("program.saved", f"program:{program.id}", program.name,
                 {"changes": changed} if changed else None)
    db.session.commit()
    return program
