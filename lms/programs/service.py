"""Who has completed what: the requirements of a program checked for one officer."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.catalog.models import Course, Lesson, LessonProgress
from lms.core.i18n import shown_text, shown_title
from lms.extensions import db
from lms.programs.models import Program


@dataclass
class Requirement:
    kind: str  # course | exam | hours
    label: str
    done: bool
    detail: str = ""
    link: tuple[str, dict] | None = None


@dataclass
class Standing:
    program: Program
    requirements: list[Requirement] = field(default_factory=list)
    hours: float = 0.0

    @property
    def is_complete(self) -> bool:
        """A program without requirements is not complete: it is not set up yet."""
        return bool(self.requirements) and all(r.done for r in self.requirements)

    @property
    def done_count(self) -> int:
        return sum(1 for r in self.requirements if r.done)


def current_program() -> Program | None:
    return db.session.scalar(select(Program).where(Program.is_current))


def course_completion(user_id: int, slugs: list[str]) -> dict[str, tuple[int, int, float]]:
    """Per course slug: (lessons done, lessons in the course, hours earned), one query."""
    if not slugs:
        return {}
    done = func.count(LessonProgress.completed_at)
    rows = db.session.execute(
        select(Course.slug, done, func.count(Lesson.id),
               func.coalesce(func.sum(Lesson.hours).filter(LessonProgress.completed_at.is_not(None)), 0.0))
        .join(Lesson, (Lesson.course_id == Course.id) & Lesson.is_retired.is_(False))
        .outerjoin(LessonProgress, (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.user_id == user_id))
        .where(Course.slug.in_(slugs), Course.is_active).group_by(Course.slug))
    return {slug: (int(d), int(n), float(h)) for slug, d, n, h in rows}


def online_hours(user_id: int) -> float:
    from lms.catalog.service import hours_earned

    return hours_earned(user_id)


def hours_toward(user_id: int, program: Program) -> float:
    """Study hours that count for the program: online lessons and the workshops attended."""
    from lms.workshops.checkin import attended_hours

    return online_hours(user_id) + attended_hours(user_id, program.id)


def hours_by_user(program: Program) -> dict[int, float]:
    """hours_toward for every officer at once, in two grouped queries (exports)."""
    from lms.workshops.checkin import attended_hours_by_user

    rows = db.session.execute(
        select(LessonProgress.user_id, func.sum(Lesson.hours))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Course, Course.id == Lesson.course_id)
        .where(LessonProgress.completed_at.is_not(None), Lesson.is_retired.is_(False), Course.is_active)
        .group_by(LessonProgress.user_id))
    hours = {uid: float(h or 0) for uid, h in rows}
    for uid, h in attended_hours_by_user(program.id).items():
        hours[uid] = hours.get(uid, 0.0) + h
    return hours


def standing(user_id: int, industry_code: str, program: Program) -> Standing:
    """What is done and what is left of the program for this officer."""
    from lms.assessment.reports import score_text
    from lms.assessment.service import best_attempt
    from lms.workshops.checkin import attended_hours

    online, offline = online_hours(user_id), attended_hours(user_id, program.id)
    result = Standing(program=program, hours=online + offline)
    slugs = program.required_courses(industry_code)
    titles = {slug: shown_title(title, title_en) for slug, title, title_en in db.session.execute(
        select(Course.slug, Course.title, Course.title_en).where(Course.slug.in_(slugs)))}
    completion = course_completion(user_id, slugs)
    for slug in slugs:
        done, total, _hours = completion.get(slug, (0, 0, 0.0))
        result.requirements.append(Requirement(
            "course", titles.get(slug, slug), total > 0 and done == total, f"{done}/{total}",
            ("catalog.course", {"slug": slug})))
    if program.exam_id:
        best = best_attempt(program.exam_id, user_id)
        result.requirements.append(Requirement(
            # Marked: the label is shown as it is on the officer's pages (macros.requirements).
            "exam", shown_text(program.exam.title, program.exam.title_en) if program.exam else "",
            bool(best and best.passed),
            score_text(best.score, best.max_score) if best and best.score is not None else "",
            ("exams.exam", {"exam_id": program.exam_id})))
    if program.hours_required:
        result.requirements.append(Requirement(
            "hours", _("至少 %(n)s 学时", n=f"{program.hours_required:g}"),
            result.hours + 1e-9 >= program.hours_required,
            # Where the hours come from: an officer short of them knows whether a workshop counts.
            _("已获 %(n)s（在线 %(online)s · 线下培训 %(offline)s）", n=f"{result.hours:g}",
              online=f"{online:g}", offline=f"{offline:g}")))
    return result
