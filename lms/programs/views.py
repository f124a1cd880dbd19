"""Staff edit programs; one is current."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from wtforms.fields import SelectChoice

from lms.assessment.models import Exam
from lms.catalog.models import Course
from lms.core import audit
from lms.core.auth import STAFF, guard_blueprint
from lms.extensions import db
from lms.programs.forms import (
    ProgramForm,
    format_requirements,
    parse_requirements,
    requirement_problems,
)
from lms.programs.models import Program

bp = guard_blueprint(Blueprint("programs", __name__, url_prefix="/staff/programs",
                               template_folder="templates"), STAFF)
FIELDS = ("name", "description", "hours_required", "starts_on", "deadline", "target_percent",
          "certificate_months")
# What the log names of an edit (audit.changes): the form's own labels.
CHANGE_LABELS = {"name": _l("名称"), "hours_required": _l("应获学时"), "starts_on": _l("开始日期"),
                 "deadline": _l("截止日期"), "target_percent": _l("培训覆盖率目标（%）"),
                 "certificate_months": _l("证书有效期（月）"), "is_current": _l("设为当前培训计划"),
                 "description": _l("说明")}
audit.describe_changes("program.saved", CHANGE_LABELS)


def _shown(value):
    return f"{value:g}" if isinstance(value, float) else value if isinstance(value, bool | int) else str(value)


@bp.get("/")
def index():
    programs = db.session.scalars(select(Program).order_by(Program.starts_on.desc())).all()
    return render_template("programs/index.html", programs=programs)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:program_id>", methods=["GET", "POST"])
def edit(program_id: int | None = None):
    program = db.get_or_404(Program, program_id) if program_id else None
    form = ProgramForm(obj=program)
    form.exam_id.choices = [SelectChoice(0, _("（不要求考试）"))] + [
        SelectChoice(e.id, e.title) for e in db.session.scalars(select(Exam).order_by(Exam.id))]
    courses = {c.slug: c.shown_title for c in db.session.scalars(select(Course).where(Course.is_active))}
    if request.method == "GET" and program:
        form.requirements.data = format_requirements(program.requirements)
        form.exam_id.data = program.exam_id or 0
    if form.validate_on_submit():
        rules = parse_requirements(form.requirements.data)
        unknown = [r["course"] for r in rules if r["course"] not in courses]
        problems = requirement_problems(rules)
        if unknown:
            form.requirements.errors.append(_("未知课程：%(c)s", c=_("、").join(unknown)))
        if problems:
            form.requirements.errors.extend(str(p) for p in problems)
        if not (unknown or problems):
            program = program or Program()
            for name in FIELDS:
                setattr(program, name, getattr(form, name).data)
            program.requirements, program.exam_id = rules, form.exam_id.data or None
            if form.is_current.data and not program.is_current:
                db.session.execute(update(Program).values(is_current=False))
            program.is_current = form.is_current.data
            changed = audit.changes(program, CHANGE_LABELS, _shown) if program.id else {}
            db.session.add(program)
            db.session.flush()
            audit.record("program.saved", f"program:{program.id}", program.name,
                         {"changes": changed} if changed else None)
            db.session.commit()
            flash(_("培训计划已保存。"), "success")
            return redirect(url_for("programs.index"))
    return render_template("programs/form.html", form=form, program=program, courses=courses)
