"""Catalog rules: which courses an officer takes, progress, reading time, search, numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context, request
from markupsafe import escape
from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from lms.accounts.loading import read_signed_in, user_columns
from lms.accounts.models import User
from lms.catalog.models import Course, Lesson, LessonProgress
from lms.core.driver_read import DriverRead
from lms.core.i18n import shown_title
from lms.core.models import aware, utcnow
from lms.core.signals import progress_made
from lms.extensions import db


class ProgressError(Exception):
    """A progress rule was broken; the message is for the user."""


@dataclass
class CourseProgress:
    course: Course
    required: bool | None  # None: no programme is current, so none says which courses it requires
    lessons_total: int
    lessons_done: int
    hours_earned: float
    next_lesson: Lesson | None

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0

    @property
    def is_complete(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def active_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.is_active).order_by(Course.position)))


def required_slugs(industry_code: str) -> set[str] | None:
    """The courses the current programme requires of an officer of this industry: what counts
    towards being trained, rather than what a course file suggests. None when no programme is
    current."""
    from lms.programs.service import current_program  # programmes build on the catalog

    program = current_program()
    return None if program is None else set(program.required_courses(industry_code))


def is_required(slug: str, industry_code: str) -> bool | None:
    """Whether the current programme requires the course of this industry (None: no programme)."""
    required = required_slugs(industry_code)
    return None if required is None else slug in required


def catalog_for(user_id: int, industry_code: str) -> list[CourseProgress]:
    """Every active course with the officer's progress; those the programme requires first."""
    done = _done_lesson_ids(user_id)
    required = required_slugs(industry_code)
    result = []
    for course in active_courses():
        lessons = course.lessons
        finished = [l for l in lessons if l.id in done]
        upcoming = next((l for l in lessons if l.id not in done), None)
        result.append(CourseProgress(course, None if required is None else course.slug in required,
                                     len(lessons), len(finished), sum(l.hours for l in finished), upcoming))
    result.sort(key=lambda p: (not p.required, p.course.position))
    return result


def _done_lesson_ids(user_id: int) -> set[int]:
    query = select(LessonProgress.lesson_id).where(
        LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))
    return set(db.session.scalars(query))


def required_seconds(lesson: Lesson) -> int:
    """Time a lesson must be open before it can be marked done: reading speed, bounded."""
    cfg = current_app.config
    seconds = lesson.char_count * 60 // cfg["READING_CHARS_PER_MINUTE"]
    return max(cfg["MIN_READ_SECONDS"], min(cfg["MAX_READ_SECONDS"], seconds))


TOUCH_INTERVAL = timedelta(minutes=5)


def open_lesson(user_id: int, lesson, progress=None, known: bool = False):
    """Record that the officer opened the lesson (the reading clock starts at the first opening).

    Re-reading refreshes last_opened_at at most every few minutes: a page view should not
    cost a database write.
    """
    if not known:
        progress = db.session.scalar(select(LessonProgress).where(
            LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id))
    now = utcnow()
    if progress is None:
        try:
            db.session.execute(insert(LessonProgress).values(
                user_id=user_id, lesson_id=lesson.id, first_opened_at=now, last_opened_at=now))
            db.session.commit()
        except IntegrityError:  # the same officer opened it in another tab at the same moment
            db.session.rollback()
        return ReadingProgress(None, now, now, None)
    if now - aware(progress.last_opened_at) > TOUCH_INTERVAL:
        db.session.execute(update(LessonProgress).where(
            LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id)
            .values(last_opened_at=now))
        db.session.commit()
    return progress


def seconds_left(progress: LessonProgress | ReadingProgress | None, lesson: Lesson,
                 last_done: datetime | None = None) -> int:
    """Reading time still owed before the lesson can be marked done.

    One reading clock runs at a time: a lesson's time counts from its first opening or from
    the officer's last lesson completed (last_done), whichever is later. Opening every lesson
    at once and marking them all done a few minutes later would otherwise earn a course's
    hours in the time of its longest lesson.
    """
    if progress is None:
        return required_seconds(lesson)
    started = aware(progress.first_opened_at)  # SQLite returns naive datetimes; we store UTC
    if last_done is not None:
        started = max(started, aware(last_done))
    elapsed = (datetime.now(UTC) - started).total_seconds()
    return max(0, int(required_seconds(lesson) - elapsed + 0.999))


def last_completion(user_id: int, other_than: int):
    """When the officer last completed a lesson other than this one (None: never)."""
    return db.session.scalar(select(func.max(LessonProgress.completed_at)).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id != other_than))


def mark_done(user_id: int, lesson: Lesson) -> LessonProgress:
    """Complete a lesson, but only after it has been open long enough to be read."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    progress = db.session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id))
    if progress is None:
        raise ProgressError(_("请先打开并阅读本课。"))
    if progress.completed_at is None:
        left = seconds_left(progress, lesson, last_completion(user_id, lesson.id))
        if left > 0:
            raise ProgressError(ngettext("请再阅读 %(num)s 秒后再标记为已学完。", "请再阅读 %(num)s 秒后再标记为已学完。", left))
        progress.completed_at = utcnow()
        progress.completed_version = lesson.version
        db.session.commit()
        progress_made.send("catalog", user_id=user_id)
    return progress


def hours_earned(user_id: int) -> float:
    """Study hours from completed lessons that are still part of an active course."""
    query = (select(func.coalesce(func.sum(Lesson.hours), 0.0))
             .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
             .join(Course, Course.id == Lesson.course_id)
             .where(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None),
                    Lesson.is_retired.is_(False), Course.is_active))
    return float(db.session.scalar(query) or 0)


def search_lessons(q: str, limit: int = 30) -> list[tuple[Lesson, str]]:
    """Lessons whose title or text contains every word of q, with a snippet around the first."""
    words = [w for w in q.split() if w][:5]
    if not words:
        return []
    query = (select(Lesson).join(Course, Course.id == Lesson.course_id)
             .where(Lesson.is_retired.is_(False), Course.is_active)
             .order_by(Course.position, Lesson.position).limit(limit))
    for word in words:
        like = f"%{word}%"
        query = query.where(or_(Lesson.title.like(like), Lesson.plain_text.like(like)))
    results = []
    for lesson in db.session.scalars(query):
        at = max(lesson.plain_text.find(words[0]), 0)
        snippet = lesson.plain_text[max(0, at - 40): at + 80].replace("\n", " ")
        results.append((lesson, snippet))
    return results


def course_numbers() -> list[dict]:
    """Per course: officers enrolled (opened a lesson), completed (all active lessons done);
    staff and admins previewing lessons are not learners and are not counted."""
    lessons_per_course = (select(Lesson.course_id, func.count(Lesson.id).label("n"))
                          .where(Lesson.is_retired.is_(False)).group_by(Lesson.course_id).subquery())
    per_user = (select(Lesson.course_id, LessonProgress.user_id,
                       func.count(LessonProgress.completed_at).label("done"))
                .join(Lesson, Lesson.id == LessonProgress.lesson_id)
                .join(User, User.id == LessonProgress.user_id)
                .where(Lesson.is_retired.is_(False), User.role == "officer")
                .group_by(Lesson.course_id, LessonProgress.user_id).subquery())
    query = (select(Course, func.count(per_user.c.user_id),
                    func.coalesce(func.sum(case((per_user.c.done == lessons_per_course.c.n, 1), else_=0)), 0),
                    func.coalesce(lessons_per_course.c.n, 0))
             .outerjoin(lessons_per_course, lessons_per_course.c.course_id == Course.id)
             .outerjoin(per_user, per_user.c.course_id == Course.id)
             .where(Course.is_active)
             .group_by(Course.id, lessons_per_course.c.n).order_by(Course.position))
    return [{"course": c, "enrolled": e, "completed": int(done), "lessons": n}
            for c, e, done, n in db.session.execute(query)]


def lesson_for_reading(user_id: int, course_slug: str, lesson_slug: str):
    """(lesson with its course, the officer's progress or None) in one query, or None; the
    lesson's text comes from a cache kept fresh by its updated_at (see _content).

    One read through the driver, returning a plain row: the lesson page is what officers load
    most, and SQLAlchemy's handling of even a column query cost more than the query itself
    (bench/lesson_page.py).
    """
    return reading_from(_READING.first({"user": user_id, "course": course_slug, "lesson": lesson_slug}))


def read_lesson_signed_in(course_slug: str, lesson_slug: str):
    """(row, reading) where row is that of the lesson query joined with the signed-in user's,
    who becomes current_user (see read_signed_in), and reading as lesson_for_reading's; row
    is None when the request must load its user the usual way."""
    row = read_signed_in(_READING_SIGNED_IN, {"course": course_slug, "lesson": lesson_slug})
    return row, reading_from(row)


def reading_from(row):
    """(ReadingLesson, ReadingProgress or None) from a row of the lesson query, or None."""
    if row is None or row.id is None:
        return None
    body_html, toc = _content(row.id, row.updated_at)
    lesson = ReadingLesson(row.id, row.slug, row.title, row.hours, row.version, _under_script_root(body_html), toc,
                           row.char_count, row.updated_at,
                           ReadingCourse(row.course_id, row.course_slug, shown_title(row.course_title, row.course_title_en),
                                         (row.manifest_hash, row.lessons_changed_at)))
    progress = None
    if row.progress_id is not None:
        progress = ReadingProgress(row.progress_id, row.first_opened_at, row.last_opened_at,
                                   row.completed_at, row.last_done_at)
    return lesson, progress


def _under_script_root(html: str) -> str:
    """A lesson's links and images name /courses/… from the site's root (rendered at sync time,
    outside any request); served under a proxy's path prefix (/cqo), they need it too."""
    root = request.script_root if has_request_context() else ""
    if not root:
        return html
    prefix = str(escape(root))
    return html.replace('href="/courses/', f'href="{prefix}/courses/').replace('src="/courses/', f'src="{prefix}/courses/')


_contents: dict[int, tuple[datetime, str, list]] = {}


def _content(lesson_id: int, updated_at: datetime) -> tuple[str, list]:
    """A lesson's body and table of contents. Only a sync rewrites them, and it moves
    updated_at when it does, so (id, updated_at) keys a per-process cache and the page's
    query does not carry the whole text on every view."""
    cached = _contents.get(lesson_id)
    if cached is None or cached[0] != updated_at:
        body_html, toc = db.session.execute(
            select(Lesson.body_html, Lesson.toc).where(Lesson.id == lesson_id)).one()
        cached = _contents[lesson_id] = (updated_at, body_html, _json(toc))
    return cached[1], cached[2]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class ReadingCourse:
    id: int
    slug: str
    title: str
    stamp: tuple  # changes whenever a sync changes the course or any of its lessons


@dataclass(frozen=True, slots=True)
class ReadingLesson:
    id: int
    slug: str
    title: str
    hours: float
    version: int
    body_html: str
    toc: list
    char_count: int
    updated_at: datetime
    course: ReadingCourse


@dataclass(slots=True)
class ReadingProgress:
    id: int | None
    first_opened_at: datetime
    last_opened_at: datetime
    completed_at: datetime | None
    last_done_at: datetime | None = None  # the officer's last other lesson completed (seconds_left)


_Sibling = aliased(Lesson)
_Done = aliased(LessonProgress)
_READING_COLUMNS = (
    Lesson.id, Lesson.slug, Lesson.title, Lesson.hours, Lesson.version, Lesson.updated_at,
    Lesson.char_count, Course.id.label("course_id"), Course.slug.label("course_slug"),
    Course.title.label("course_title"), Course.title_en.label("course_title_en"), Course.manifest_hash, LessonProgress.id.label("progress_id"),
    LessonProgress.first_opened_at, LessonProgress.last_opened_at, LessonProgress.completed_at,
    select(func.max(_Done.completed_at)).where(_Done.user_id == bindparam("user"), _Done.lesson_id != Lesson.id)
    .scalar_subquery().label("last_done_at"),  # see seconds_left
    select(func.max(_Sibling.updated_at)).where(_Sibling.course_id == Course.id)
    .scalar_subquery().label("lessons_changed_at"),
)
_READING = DriverRead(
    select(*_READING_COLUMNS)
    .join(Course, Course.id == Lesson.course_id)
    .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id,
                                    LessonProgress.user_id == bindparam("user")))
    .where(Course.slug == bindparam("course"), Lesson.slug == bindparam("lesson"),
           Course.is_active, Lesson.is_retired.is_(False)))
# The same with the user's row first: nulls for the lesson's columns when there is no such
# lesson. Outer joins all the way, so that the database needs no subquery of its own.
_READING_SIGNED_IN = DriverRead(
    select(*user_columns(), *_READING_COLUMNS).select_from(User)
    .outerjoin(Course, and_(Course.slug == bindparam("course"), Course.is_active))
    .outerjoin(Lesson, and_(Lesson.course_id == Course.id, Lesson.slug == bindparam("lesson"),
                            Lesson.is_retired.is_(False)))
    .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id,
                                    LessonProgress.user_id == User.id))
    .where(User.id == bindparam("user")))


_outlines: dict[tuple[int, str], list[tuple[int, str, str]]] = {}


def outline(course: ReadingCourse) -> list[tuple[int, str, str]]:
    """(id, slug, title) of a course's lessons in order, kept per process by the course's
    stamp: a sync that changes, adds or retires a lesson moves it."""
    key = (course.id, course.stamp)
    if key not in _outlines:
        _outlines[key] = list(db.session.execute(
            select(Lesson.id, Lesson.slug, Lesson.title)
            .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
            .order_by(Lesson.position)).tuples())
    return _outlines[key]


def lesson_by_slugs(course_slug: str, lesson_slug: str) -> Lesson | None:
    return db.session.scalar(
        select(Lesson).join(Course, Course.id == Lesson.course_id)
        .options(contains_eager(Lesson.course))
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug, Course.is_active,
               Lesson.is_retired.is_(False)))


def progress_of(user_id: int, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    if not lesson_ids:
        return {}
    query = select(LessonProgress).where(and_(LessonProgress.user_id == user_id,
                                              LessonProgress.lesson_id.in_(lesson_ids)))
    return {p.lesson_id: p for p in db.session.scalars(query)}
