"""What an officer should do next towards the current program's certificate: one step, the
first of claim, study, exam, hours, certificate that is not yet done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from lms.catalog.service import CourseProgress
from lms.programs.models import Program
from lms.programs.service import Requirement, Standing


@dataclass
class NextStep:
    kind: str  # claim | course | exam | hours | certificate
    action: str  # the button's words
    link: tuple[str, dict]  # endpoint and arguments of the button
    facts: dict[str, Any] = field(default_factory=dict)  # what the page says of the step


def next_step(user_id: int, filing, program: Program | None, state: Standing | None,
              courses: list[CourseProgress], enrollments: list = (), revoked: bool = False) -> NextStep | None:
    """The officer's next step, or None when there is none to take here (no program set up,
    or everything done but the certificate revoked: the dashboard says why)."""
    if filing is None:
        return NextStep("claim", _("认领备案"), ("accounts.claim", {}))
    if program is None or state is None or not state.requirements:
        return None
    left = [r for r in state.requirements if not r.done]
    step = _course_step(left, courses)
    if step is None and (exam := next((r for r in left if r.kind == "exam"), None)) and program.exam:
        step = _exam_step(user_id, program.exam, exam)
    if step is None and (hours := next((r for r in left if r.kind == "hours"), None)):
        step = _hours_step(program, state, hours, courses, enrollments)
    if step is None and state.is_complete and not revoked:
        step = NextStep("certificate", _("查看证书"), ("certificates.mine", {}))
    return step


def _course_step(left: list[Requirement], courses: list[CourseProgress]) -> NextStep | None:
    """The next lesson of the first required course not finished, in the program's order."""
    by_slug = {entry.course.slug: entry for entry in courses}
    for requirement in left:
        entry = by_slug.get(requirement.link[1]["slug"]) if requirement.kind == "course" else None
        if entry is not None and entry.next_lesson is not None:
            title = entry.course.shown_title
            action = _("继续学习《%(t)s》", t=title) if entry.lessons_done else _("开始学习《%(t)s》", t=title)
            return NextStep("course", action, ("catalog.lesson", {"slug": entry.course.slug,
                                                                  "lesson_slug": entry.next_lesson.slug}),
                            {"course": entry, "lesson": entry.next_lesson})
    return None


def _exam_step(user_id: int, exam, requirement: Requirement) -> NextStep:
    """Sit the exam, or go back to the attempt under way; after a fail, the attempts left and
    when the next opens (as the result page says them)."""
    from lms.assessment.retakes import next_attempt
    from lms.assessment.service import attempts_of, seconds_left

    attempts = attempts_of(exam, user_id)
    current = next((a for a in attempts if a.is_open and seconds_left(a) > 0), None)
    facts = {"exam": exam, "title": requirement.label, "attempts": len(attempts)}
    if current is not None:
        return NextStep("exam", _("继续考试"), ("exams.paper", {"attempt_id": current.id}), {**facts, "open": True})
    retake = next_attempt(exam, user_id, attempts) if attempts else None
    action = _("查看考试") if retake and not retake["left"] else _("参加考试")
    return NextStep("exam", action, ("exams.exam", {"exam_id": exam.id}), {**facts, "retake": retake})


def _hours_step(program: Program, state: Standing, requirement: Requirement,
                courses: list[CourseProgress], enrollments: list) -> NextStep:
    """Hours short: a workshop the officer has a seat in, else the workshops to register for;
    and whether other courses, not required, would give online hours too."""
    facts = {"missing": f"{program.hours_required - state.hours:g}", "detail": requirement.detail,
             "more_courses": any(entry.next_lesson is not None for entry in courses)}
    seat = next((e for e in enrollments if e.status == "enrolled"
                 and e.workshop.program_id in (None, program.id)), None)
    if seat is not None:
        return NextStep("hours", _("查看培训"), ("workshops.detail", {"workshop_id": seat.workshop_id}),
                        {**facts, "seat": seat})
    return NextStep("hours", _("报名线下培训"), ("workshops.index", {}), facts)


def next_step_for(user) -> NextStep | None:
    """next_step for the signed-in officer, reading what it needs (the dashboard has it at hand)."""
    from lms.accounts.service import current_filing_of
    from lms.catalog.service import catalog_for
    from lms.programs.service import current_program, standing
    from lms.workshops.service import upcoming_enrollments

    filing, program = current_filing_of(user), current_program()
    industry = filing.enterprise.industry_code if filing else ""
    state = standing(user.id, industry, program) if program and filing else None
    return next_step(user.id, filing, program, state, catalog_for(user.id, industry),
                     upcoming_enrollments(user.id))
