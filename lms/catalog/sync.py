"""Loading courses/ into the database: idempotent, versioned, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from lms.catalog.content import CourseSource, read_all
from lms.catalog.models import Course, Lesson, LessonVersion
from lms.core.models import utcnow
from lms.extensions import db


@dataclass
class SyncReport:
    courses_added: list[str] = field(default_factory=list)
    courses_changed: list[str] = field(default_factory=list)
    courses_retired: list[str] = field(default_factory=list)
    lessons_added: list[str] = field(default_factory=list)
    lessons_changed: list[str] = field(default_factory=list)
    lessons_retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    extra: object = None  # the report of a step run in the same transaction (question bank)

    @property
    def changed(self) -> bool:
        return any((self.courses_added, self.courses_changed, self.courses_retired,
                    self.lessons_added, self.lessons_changed, self.lessons_retired))


def sync_courses(root: Path, dry_run: bool = False,
                 then: Callable[[list[CourseSource]], Callable[[], object]] | None = None) -> SyncReport:
    """Bring the database in line with root/courses; raises ContentError and changes nothing.

    then(sources), if given, checks more content (the question bank) before anything is
    written and returns a step that runs in the same transaction.
    """
    sources = read_all(root)  # every file is checked before anything is written
    step = then(sources) if then else None
    report = SyncReport()
    stored = {c.slug: c for c in db.session.scalars(select(Course))}
    try:
        for source in sources:
            course = stored.pop(source.slug, None)
            _sync_course(course, source, report)
        for course in stored.values():
            if course.is_active:
                course.is_active = False
                report.courses_retired.append(course.slug)
        if step:
            report.extra = step()
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _sync_course(course: Course | None, source: CourseSource, report: SyncReport) -> None:
    m = source.manifest
    if course is None:
        course = Course(slug=source.slug)
        db.session.add(course)
        report.courses_added.append(source.slug)
    elif course.manifest_hash != source.manifest_hash or not course.is_active:
        report.courses_changed.append(source.slug)
    if course.manifest_hash != source.manifest_hash or not course.is_active:
        course.folder, course.title, course.title_en = source.folder.name, m["title"], m.get("title_en", "")
        course.summary, course.position, course.hours = m["summary"], m["order"], float(m["hours"])
        course.objectives, course.required_for = list(m["objectives"]), m.get("required_for", [])
        course.manifest_hash, course.is_active = source.manifest_hash, True
    db.session.flush()
    lessons = {l.slug: l for l in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))}
    for lesson_source in source.lessons:
        _sync_lesson(course, lessons.pop(lesson_source.slug, None), lesson_source, report)
    for lesson in lessons.values():
        if not lesson.is_retired:
            lesson.is_retired = True  # kept: progress and attempts may refer to it
            lesson.updated_at = utcnow()  # the course's outline changed: pages showing it must see that
            report.lessons_retired.append(f"{course.slug}/{lesson.slug}")


def _sync_lesson(course: Course, lesson: Lesson | None, source, report: SyncReport) -> None:
    key = f"{course.slug}/{source.slug}"
    digest = source.source_hash
    if lesson is not None and lesson.source_hash == digest and not lesson.is_retired \
            and lesson.position == source.position:
        rendered = source.rendered  # the same source, but the renderer or its sanitiser may be new
        if (lesson.body_html, lesson.plain_text, lesson.toc) == (rendered.html, rendered.plain,
                                                                  [list(item) for item in rendered.toc]):
            report.unchanged += 1
            return
        report.lessons_changed.append(key)
    if lesson is None:
        lesson = Lesson(course_id=course.id, slug=source.slug, version=0)
        db.session.add(lesson)
        report.lessons_added.append(key)
    elif lesson.source_hash != digest or lesson.is_retired:
        report.lessons_changed.append(key)
    # else re-rendered only: the page changes, the version (and officers' progress on it) does not
    new_version = lesson.source_hash != digest
    rendered = source.rendered
    lesson.title, lesson.hours, lesson.position = source.title, source.hours, source.position
    lesson.is_retired, lesson.updated_at = False, utcnow()
    lesson.body_html, lesson.plain_text = rendered.html, rendered.plain
    lesson.toc = [list(item) for item in rendered.toc]
    lesson.char_count = sum(1 for ch in rendered.plain if "\u4e00" <= ch <= "\u9fff")
    if new_version:
        lesson.version += 1
        lesson.source_hash = digest
        db.session.flush()
        db.session.add(LessonVersion(lesson_id=lesson.id, version=lesson.version,
                                     source_hash=digest, source=source.source))
