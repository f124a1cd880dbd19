"""Staff edit programs; one is current."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from wtforms.fields import SelectChoice

from lms.assessment.models import Exam
from lms.catalog.models import Course
from lms.core.auth import STAFF, guard_blueprint
from lms.extensions import db
from lms.programs.editing import FIELDS, save_program
from lms.programs.forms import (
    ProgramForm,
    format_requirements,
    parse_requirements,
    requirement_problems,
)
from lms.programs.models import Program

bp = guard_blueprint(Blueprint("programs", __name__, url_prefix="/staff/programs",
                               template_folder="templates"), STAFF)


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
        SelectChoice(e.id, e.shown_title) for e in db.session.scalars(select(Exam).order_by(Exam.id))]
    courses = {c.slug: c.shown_title for c in db.session.scalars(select(Course).where(Course.is_active))}
    if request.method == "GET" and program:
        form.requirements.data = format_requirements(program.requirements)
        form.exam_id.data = program.exam_id or 0
    if form.is_submitted():
        valid = form.validate()  # and the course list's own checks, in the same round
        rules = parse_requirements(form.requirements.data or "")
        if form.requirements.data and not _check_courses(form, rules, courses) and valid:
            saved = save_program(program, {name: getattr(form, name).data for name in FIELDS}, rules,
                                 form.exam_id.data or None, form.is_current.data)
            flash(_("培训计划已保存。"), "success")
            _issue_now_complete(saved)
            return redirect(url_for("programs.index"))
    return render_template("programs/form.html", form=form, program=program, courses=courses)


def _check_courses(form: ProgramForm, rules: list[dict], courses: dict) -> bool:
    """Put the course list's problems on its field; True when there were any."""
    unknown = [r["course"] for r in rules if r["course"] not in courses]
    problems = requirement_problems(rules)
    if unknown:
        form.requirements.errors.append(_("未知课程：%(c)s", c=_("、").join(unknown)))
    form.requirements.errors.extend(str(p) for p in problems)
    return bool(unknown or problems)


def _issue_now_complete(program: Program) -> None:
    """A programme made current, or made easier, may count officers complete who will do
    nothing more to be issued their certificate: issue it now, and say so."""
    if not program.is_current:
        return
    from lms.certificates.service import issue_to_everyone_complete

    if issued := issue_to_everyone_complete(program):
        flash(ngettext("%(num)s 名首席质量官已完成这个计划的全部要求，已为其发放证书。",
                       "%(num)s 名首席质量官已完成这个计划的全部要求，已为他们发放证书。", issued), "info")
