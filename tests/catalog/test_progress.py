"""Progress rules and the officer's pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.catalog import service
from lms.catalog.models import Lesson, LessonProgress
from lms.catalog.sync import sync_courses
from lms.extensions import db
from tests.catalog.content_tree import write_course


@pytest.fixture
def content(app, tmp_path):
    write_course(tmp_path)
    write_course(tmp_path, "02-food", "food-only", required_for=["C13", "C14"], title="食品课")
    app.config["CONTENT_ROOT"] = str(tmp_path)
    sync_courses(tmp_path)
    return tmp_path


def lesson(slug="01-first", course="demo") -> Lesson:
    return service.lesson_by_slugs(course, slug)


def age_progress(user_id: int, seconds: int) -> None:
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user_id))
    progress.first_opened_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_lesson_cannot_be_marked_done_before_it_was_read_long_enough(content, as_officer, app):
    url = "/courses/demo/01-first"
    assert as_officer.get(url).status_code == 200
    r = as_officer.post(url + "/done", follow_redirects=True)
    assert "秒后再标记为已学完" in r.get_data(as_text=True)
    assert service.hours_earned(as_officer.user.id) == 0
    age_progress(as_officer.user.id, app.config["MIN_READ_SECONDS"] + 1)
    r = as_officer.post(url + "/done")
    assert r.status_code == 302 and r.location.endswith("/courses/demo/02-second")
    assert service.hours_earned(as_officer.user.id) == 1.0


def test_marking_done_without_opening_is_refused(content, as_officer):
    r = as_officer.post("/courses/demo/01-first/done", follow_redirects=True)
    assert "请先打开并阅读本课" in r.get_data(as_text=True)


def test_required_reading_time_is_bounded(content, app):
    short = lesson()
    short.char_count = 10
    assert service.required_seconds(short) == app.config["MIN_READ_SECONDS"]
    short.char_count = 1_000_000
    assert service.required_seconds(short) == app.config["MAX_READ_SECONDS"]


def test_catalog_marks_industry_courses_required_only_for_that_industry(content, factory):
    from tests.catalog.test_required_badge import current_program

    current_program([{"course": "demo", "industries": None}, {"course": "food-only", "industries": ["C13", "C14"]}])
    user = factory.user("officer")
    food = {p.course.slug: p.required for p in service.catalog_for(user.id, "C1441")}
    metal = {p.course.slug: p.required for p in service.catalog_for(user.id, "C3484")}
    assert food == {"demo": True, "food-only": True}
    assert metal == {"demo": True, "food-only": False}


def test_catalog_page_shows_progress_and_a_continue_button(content, as_officer, app):
    as_officer.get("/courses/demo/01-first")
    age_progress(as_officer.user.id, 3600)
    as_officer.post("/courses/demo/01-first/done")
    page = as_officer.get("/courses/").get_data(as_text=True)
    assert "已学 1 / 2 课" in page and "继续学习" in page
    assert 'href="/courses/demo/02-second"' in page


def test_lesson_page_has_toc_and_previous_next(content, as_officer):
    page = as_officer.get("/courses/demo/02-second").get_data(as_text=True)
    assert 'href="#第一节-为什么要学"' in page
    assert 'href="/courses/demo/01-first"' in page  # previous


def test_search_finds_lessons_by_their_text(content, as_officer):
    page = as_officer.get("/courses/search?q=不起眼").get_data(as_text=True)
    assert "第一课" in page and "第二课" in page
    assert "没有找到" in as_officer.get("/courses/search?q=量子纠缠").get_data(as_text=True)


def test_retired_lesson_page_is_gone_but_its_hours_stop_counting(content, as_officer):
    as_officer.get("/courses/demo/02-second")
    age_progress(as_officer.user.id, 3600)
    as_officer.post("/courses/demo/02-second/done")
    assert service.hours_earned(as_officer.user.id) == 0.5
    write_course(content, lessons=[("01-first", "第一课", 1.0)])
    sync_courses(content)
    assert as_officer.get("/courses/demo/02-second").status_code == 404
    assert service.hours_earned(as_officer.user.id) == 0


def test_staff_see_enrolment_and_completion(content, as_staff, factory):
    officer = factory.user("officer")
    for slug in ("01-first", "02-second"):
        db.session.add(LessonProgress(user_id=officer.id, lesson_id=lesson(slug).id,
                                      completed_at=db.func.now(), completed_version=1))
    other = factory.user("officer")
    db.session.add(LessonProgress(user_id=other.id, lesson_id=lesson().id))
    for role in ("staff", "admin"):  # previewing a lesson makes nobody a learner
        db.session.add(LessonProgress(user_id=factory.user(role).id, lesson_id=lesson().id))
    db.session.commit()
    numbers = {r["course"].slug: (r["enrolled"], r["completed"]) for r in service.course_numbers()}
    assert numbers == {"demo": (2, 1), "food-only": (0, 0)}
    assert "50%" in as_staff.get("/staff/courses/").get_data(as_text=True)


def test_staff_preview_shows_pending_changes_before_sync(content, as_staff):
    (content / "courses" / "01-demo" / "01-first.md").write_text("## 改\n\n新的一段。", encoding="utf-8")
    page = as_staff.get("/staff/courses/preview").get_data(as_text=True)
    assert "~ demo/01-first" in page
    assert "新的一段" in as_staff.get("/staff/courses/preview/demo/01-first").get_data(as_text=True)
    assert "新的一段" not in lesson().body_html  # preview changed nothing


def test_lesson_page_shows_the_text_of_the_latest_sync(content, as_officer):
    assert "不起眼" in as_officer.get("/courses/demo/01-first").get_data(as_text=True)
    (content / "courses" / "01-demo" / "01-first.md").write_text("## 新内容\n\n改写后的课文。", encoding="utf-8")
    sync_courses(content)
    page = as_officer.get("/courses/demo/01-first").get_data(as_text=True)
    assert "改写后的课文" in page and "不起眼" not in page and ">新内容</a>" in page  # body and contents



def test_lesson_page_reads_without_a_transaction_on_postgresql_and_still_records_the_opening(content, as_officer):
    from sqlalchemy import event

    from tests.conftest import IS_POSTGRES

    modes = []

    def note_mode(conn, _cursor, statement, *_args):
        modes.append(conn.connection.dbapi_connection.autocommit if IS_POSTGRES else None)

    db.session.commit()  # the page gets a session of its own, as in production
    user_id = as_officer.user.id
    db.session.expunge_all()  # and loads its own user
    event.listen(db.engine, "before_cursor_execute", note_mode)
    try:
        assert as_officer.get("/courses/demo/01-first").status_code == 200  # records the opening
        db.session.commit()
        modes[:] = []
        assert as_officer.get("/courses/demo/01-first").status_code == 200  # only reads
        page_modes, modes[:] = list(modes), []
        db.session.commit()
        assert as_officer.post("/courses/demo/01-first/done").status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", note_mode)
    # Re-reading: the officer and the lesson come through the driver in autocommit
    # (lms/core/driver_read.py); anything else the page runs would have to be autocommit too.
    assert set(page_modes) <= {True if IS_POSTGRES else None}
    assert modes and set(modes) == {False if IS_POSTGRES else None}  # a form keeps its transaction
    db.session.rollback()
    assert db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user_id))


def test_a_sync_from_the_staff_page_is_logged_with_what_it_changed_in_the_reader_s_language(content, client, factory):
    from tests.accounts.test_audit_log import log_rows
    from tests.conftest import login

    login(client, factory.user("admin"))
    (content / "courses" / "01-demo" / "01-first.md").write_text("## 改\n\n新的一段。", encoding="utf-8")
    write_course(content, "03-5s", "five-s", title="5S 现场管理")
    assert client.post("/staff/courses/sync").status_code == 302
    chinese = log_rows(client)[0]
    assert chinese.endswith("课程：新增 1，更新 0，停用 0；课时：新增 2，更新 1，停用 0；试题：新增 0，更新 0，停用 0"), chinese
    english = log_rows(client, english=True)[0]
    assert english.endswith("Courses: 1 added, 0 changed, 0 retired; lessons: 2 added, 1 changed, 0 retired; "
                            "questions: 0 added, 0 changed, 0 retired"), english


def _open_long_ago(user_id: int, slug: str, seconds: int) -> None:
    progress = db.session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson(slug).id))
    progress.first_opened_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_one_reading_clock_runs_at_a_time(content, as_officer, app):
    """Both lessons opened at once and left open: the second's time counts only from when the
    first was marked done, so a course's hours take the time of all its lessons together."""
    user_id, wait = as_officer.user.id, app.config["MIN_READ_SECONDS"]
    as_officer.get("/courses/demo/01-first")
    as_officer.get("/courses/demo/02-second")
    _open_long_ago(user_id, "01-first", 3600)
    _open_long_ago(user_id, "02-second", 3600)
    assert as_officer.post("/courses/demo/01-first/done").status_code == 302
    page = as_officer.get("/courses/demo/02-second").get_data(as_text=True)
    assert "需阅读满一定时间" in page  # its clock started again when the first was done
    refused = as_officer.post("/courses/demo/02-second/done", follow_redirects=True).get_data(as_text=True)
    assert "秒后再标记为已学完" in refused and service.hours_earned(user_id) == 1.0
    first = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson().id))
    first.completed_at -= timedelta(seconds=wait + 1)  # the second read for long enough since
    db.session.commit()
    assert "需阅读满一定时间" not in as_officer.get("/courses/demo/02-second").get_data(as_text=True)
    assert as_officer.post("/courses/demo/02-second/done").status_code == 302
    assert service.hours_earned(user_id) == 1.5
