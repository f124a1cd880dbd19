"""Officers study here; staff see course numbers and preview content before a sync."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select

from lms.accounts.service import current_filing_of
from lms.assessment.bank import sync_content
from lms.catalog import service
from lms.catalog.content import ContentError, read_all
from lms.catalog.models import Course
from lms.core.auth import STAFF, guard_blueprint
from lms.core.page_cache import render_with_holes
from lms.core.transactions import reads_in_autocommit
from lms.extensions import db, login_manager

bp = Blueprint("catalog", __name__, url_prefix="/courses", template_folder="templates")
staff_bp = guard_blueprint(
    Blueprint("catalog_staff", __name__, url_prefix="/staff/courses", template_folder="templates"), STAFF
)


def _industry() -> str:
    filing = current_filing_of(current_user) if current_user.is_authenticated else None
    return filing.enterprise.industry_code if filing else ""


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug, Course.is_active))
    if course is None:
        abort(404)
    return course


@bp.get("/")
@login_required
@reads_in_autocommit
def index():
    entries = service.catalog_for(current_user.id, _industry())
    return render_template("catalog/index.html", entries=entries,
                           hours=service.hours_earned(current_user.id))


@bp.get("/search")
@login_required
@reads_in_autocommit
def search():
    q = request.args.get("q", "").strip()[:100]
    return render_template("catalog/search.html", q=q, results=service.search_lessons(q) if q else [])


@bp.get("/<slug>")
@login_required
@reads_in_autocommit
def course(slug: str):
    course = _course_or_404(slug)
    lessons = course.lessons
    progress = service.progress_of(current_user.id, [l.id for l in lessons])
    return render_template("catalog/course.html", course=course, lessons=lessons, progress=progress,
                           required=service.is_required(course.slug, _industry()))


@bp.get("/<slug>/<lesson_slug>")
def lesson(slug: str, lesson_slug: str):
    # The page officers load most reads its officer in the same query as its lesson: what
    # login_required does, in one round trip instead of two (bench/lesson_page.py). Its
    # reads need no Session (lms/core/driver_read.py), so none is opened in autocommit for
    # it; the rare write (the first opening, a re-read after some minutes) commits at once.
    row, found = service.read_lesson_signed_in(slug, lesson_slug)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if row is None:
        found = service.lesson_for_reading(current_user.id, slug, lesson_slug)
    lesson, progress = found or abort(404)
    progress = service.open_lesson(current_user.id, lesson, progress, known=True)
    siblings = service.outline(lesson.course)
    index = next(i for i, item in enumerate(siblings) if item[0] == lesson.id)
    seconds_left = service.seconds_left(progress, lesson, getattr(progress, "last_done_at", None))
    must_wait = seconds_left > 0
    # The same HTML for every officer on this version of the lesson, in the same state; the
    # template decides by must_wait and only prints seconds_left (a hole).
    key = (lesson.id, lesson.updated_at, lesson.course.stamp, bool(progress.completed_at), must_wait)
    return render_with_holes(
        "catalog/lesson.html", key, {"seconds_left": seconds_left}, must_wait=must_wait,
        lesson=lesson, course=lesson.course, progress=progress,
        prev=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
        position=index + 1, total=len(siblings))


@bp.post("/<slug>/<lesson_slug>/done")
@login_required
def mark_done(slug: str, lesson_slug: str):
    lesson = service.lesson_by_slugs(slug, lesson_slug) or abort(404)
    try:
        service.mark_done(current_user.id, lesson)
    except service.ProgressError as error:
        flash(str(error), "warning")
        return redirect(url_for("catalog.lesson", slug=slug, lesson_slug=lesson_slug))
    siblings = lesson.course.lessons
    following = next((l for l in siblings if l.position > lesson.position), None)
    if following:
        flash(_("已完成《%(t)s》，获得 %(h)s 学时。", t=lesson.title, h=f"{lesson.hours:g}"), "success")
        return redirect(url_for("catalog.lesson", slug=slug, lesson_slug=following.slug))
    flash(_course_news(lesson), "success")
    return redirect(url_for("catalog.course", slug=slug))


def _course_news(lesson) -> Markup:
    """After the course's last lesson: the hours, and, when the course is thereby complete,
    that it is and a link to the next step (the next required course, the exam...)."""
    from lms.programs.next_step import next_step_for
    from lms.programs.service import course_completion

    news = escape(_("已完成《%(t)s》，获得 %(h)s 学时。", t=lesson.title, h=f"{lesson.hours:g}"))
    done, total, _hours = course_completion(current_user.id, [lesson.course.slug]).get(lesson.course.slug, (0, 0, 0))
    if not total or done < total:  # an earlier lesson is still to do: the course page shows which
        return news
    news += " " + escape(_("课程《%(c)s》已全部学完。", c=lesson.course.shown_title))
    step = next_step_for(current_user)
    if step is not None:
        news += Markup(' <a class="alert-link" href="%s">%s</a>') % (
            url_for(step.link[0], **step.link[1]), _("下一步：%(a)s", a=step.action))
    return news


@bp.get("/<slug>/media/<path:path>")
@login_required
def media(slug: str, path: str):
    course = _course_or_404(slug)
    folder = Path(current_app.config["CONTENT_ROOT"]) / "courses" / course.folder
    if Path(path).suffix.lower() not in {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}:
        abort(404)
    response = send_from_directory(folder, path, max_age=3600)
    response.cache_control.public = False  # behind a sign-in: a shared proxy must not hand it on
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# --- staff -----------------------------------------------------------------------------


@staff_bp.get("/")
def numbers():
    return render_template("catalog/numbers.html", rows=service.course_numbers())


@staff_bp.get("/preview")
def preview():
    """What a sync would do, and the lessons as they are on disk, before they go live."""
    root = Path(current_app.config["CONTENT_ROOT"])
    try:
        report = sync_content(root, dry_run=True)
        sources = read_all(root)
    except ContentError as error:
        return render_template("catalog/preview.html", problems=error.problems, report=None, sources=[])
    return render_template("catalog/preview.html", problems=[], report=report, sources=sources)


@staff_bp.get("/preview/<slug>/<lesson_slug>")
def preview_lesson(slug: str, lesson_slug: str):
    try:
        sources = read_all(Path(current_app.config["CONTENT_ROOT"]))
    except ContentError as error:
        return render_template("catalog/preview.html", problems=error.problems, report=None, sources=[])
    for course in sources:
        for lesson in course.lessons:
            if course.slug == slug and lesson.slug == lesson_slug:
                return render_template("catalog/preview_lesson.html", course=course, lesson=lesson)
    abort(404)


@staff_bp.post("/sync")
def sync():
    from lms.core import audit

    try:
        report = sync_content(Path(current_app.config["CONTENT_ROOT"]))
    except ContentError as error:
        flash(_("内容有错误，未做任何更改：%(p)s", p="; ".join(error.problems[:5])), "error")
        return redirect(url_for("catalog_staff.preview"))
    bank = report.extra
    counts = {"courses": [len(report.courses_added), len(report.courses_changed), len(report.courses_retired)],
              "lessons": [len(report.lessons_added), len(report.lessons_changed), len(report.lessons_retired)],
              "questions": [len(bank.added), len(bank.changed), len(bank.retired)]}
    audit.record("content.synced", "courses", audit.content_sync_text(counts), details=counts)
    db.session.commit()
    flash(_("课程已同步。"), "success")
    return redirect(url_for("catalog_staff.numbers"))
