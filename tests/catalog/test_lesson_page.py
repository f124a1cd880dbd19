"""The lesson page as officers load it: one shared rendering with each officer's own name,
token and progress filled in (lms/core/page_cache.py), the officer read with the lesson in
one query (lms/accounts/loading.py), and every sign-in rule login_required keeps."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.accounts.models import User
from lms.catalog.models import LessonProgress
from lms.catalog.sync import sync_courses
from lms.core.models import utcnow
from lms.extensions import db
from tests.catalog.content_tree import write_course
from tests.conftest import login

URL = "/courses/demo/01-first"


@pytest.fixture
def content(app, tmp_path):
    write_course(tmp_path)
    app.config["CONTENT_ROOT"] = str(tmp_path)
    sync_courses(tmp_path)
    return tmp_path


def signed_in(app, factory, **kw):
    client = app.test_client()
    user = factory.user("officer", **kw)
    login(client, user)
    db.session.expunge_all()  # each request loads its own user, as in production
    client.user_id = user.id
    return client


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_each_officer_sees_their_own_name_and_token_on_the_shared_page(content, app, factory):
    first, second = signed_in(app, factory, name="王一"), signed_in(app, factory, name="李二")
    a, b = first.get(URL).get_data(as_text=True), second.get(URL).get_data(as_text=True)
    assert "王一" in a and "李二" not in a
    assert "李二" in b and "王一" not in b
    assert token_of(a) != token_of(b)
    assert "\x00" not in a + b  # no marker of the shared rendering is left
    assert first.get(URL).get_data(as_text=True) == a  # the same officer: the same page


def test_a_name_is_escaped_in_the_page(content, app, factory):
    page = signed_in(app, factory, name="<b>王</b>").get(URL).get_data(as_text=True)
    assert "&lt;b&gt;王&lt;/b&gt;" in page and "<b>王</b>" not in page


def signed_in_with_csrf(app, factory):
    client = app.test_client()
    user = factory.user("officer")
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/login", data={"login": user.login, "password": "correct-horse-1",
                                       "csrf_token": token}).status_code == 302
    db.session.expunge_all()
    return client


def test_the_token_on_the_shared_page_is_the_officers_own(content, make_app, factory):
    app = make_app(WTF_CSRF_ENABLED=True, CONTENT_ROOT=str(content))
    with app.app_context():
        first, second = signed_in_with_csrf(app, factory), signed_in_with_csrf(app, factory)
        page_token = token_of(first.get(URL).get_data(as_text=True))
        second.get(URL)
        db.session.execute(update(LessonProgress).values(first_opened_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        # Another officer's token (from the same shared page) is refused; one's own works.
        assert second.post(URL + "/done", data={"csrf_token": page_token}).status_code == 400
        done = first.post(URL + "/done", data={"csrf_token": page_token})
        assert done.status_code == 302
        assert "本课已学完" in first.get(URL).get_data(as_text=True)
        assert "标记为已学完" in second.get(URL).get_data(as_text=True)


def test_reading_time_left_is_each_officers_own(content, app, factory):
    early, late = signed_in(app, factory), signed_in(app, factory)
    late.get(URL)
    db.session.execute(update(LessonProgress).where(LessonProgress.user_id == late.user_id)
                       .values(first_opened_at=utcnow() - timedelta(seconds=50)))
    db.session.commit()
    seconds = re.compile(r"还需约 <span data-countdown-seconds>(\d+)</span> 秒")
    left_late = int(seconds.search(late.get(URL).get_data(as_text=True)).group(1))
    left_early = int(seconds.search(early.get(URL).get_data(as_text=True)).group(1))
    assert left_early - left_late >= 45


def test_no_reading_hint_once_the_time_is_up(content, app, factory):
    waiting, done_reading = signed_in(app, factory), signed_in(app, factory)
    assert "还需约" in waiting.get(URL).get_data(as_text=True)  # the shared page for "still reading"
    done_reading.get(URL)
    db.session.execute(update(LessonProgress).where(LessonProgress.user_id == done_reading.user_id)
                       .values(first_opened_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    for _ in range(2):  # the first rendering of the page for "time is up", then the cached one
        page = done_reading.get(URL).get_data(as_text=True)
        assert "标记为已学完" in page
        assert "还需约" not in page and "data-countdown" not in page


def test_a_flashed_message_shows_once_on_the_lesson_page(content, app, factory):
    client = signed_in(app, factory)
    client.get(URL)
    page = client.post(URL + "/done", follow_redirects=True).get_data(as_text=True)
    assert "秒后再标记为已学完" in page  # too early: the warning is on the lesson page
    assert "秒后再标记为已学完" not in client.get(URL).get_data(as_text=True)


def test_a_synced_change_shows_at_once(content, app, factory):
    client = signed_in(app, factory)
    assert "第一课" in client.get(URL).get_data(as_text=True)
    lesson_file = content / "courses" / "01-demo" / "01-first.md"
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + "\n新增的一段：计量器具要按期检定。\n",
                           encoding="utf-8")
    write_course(content, lessons=[("01-first", "第一课", 1.0), ("02-second", "第二课（修订）", 0.5)])
    sync_courses(content)
    page = client.get(URL).get_data(as_text=True)
    assert "计量器具要按期检定" in page  # the lesson's new text
    assert "第二课（修订）" in page  # the next lesson's new title


def test_the_page_follows_the_language(content, app, factory):
    client = signed_in(app, factory)
    assert "标记为已学完" in client.get(URL).get_data(as_text=True)
    client.get("/lang/en")
    assert "Mark as done" in client.get(URL).get_data(as_text=True)


def test_an_english_page_names_the_course_by_its_english_title_everywhere(content, app, factory):
    from lms.catalog.models import Course

    db.session.execute(update(Course).values(title_en="Demo course"))
    db.session.commit()
    client = signed_in(app, factory)
    client.get("/lang/en")
    for url in (URL, "/courses/", "/courses/demo"):
        page = client.get(url).get_data(as_text=True)
        assert "Demo course" in page and "演示课程" not in page, url
    client.get("/lang/zh_CN")
    assert "演示课程" in client.get("/courses/demo").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(content, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_disabled_account_or_new_password_ends_the_session_on_the_lesson_page(content, app, factory):
    disabled, changed = signed_in(app, factory), signed_in(app, factory)
    assert disabled.get(URL).status_code == changed.get(URL).status_code == 200
    db.session.execute(update(User).where(User.id == disabled.user_id).values(is_active_account=False))
    db.session.execute(update(User).where(User.id == changed.user_id)
                       .values(password_changed_at=utcnow()))
    db.session.commit()
    for client in (disabled, changed):
        response = client.get(URL)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remembered_device_opens_the_lesson_without_a_session(content, app, factory):
    user = factory.user("officer")
    client = app.test_client()
    client.post("/login", data={"login": user.login, "password": "correct-horse-1", "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    db.session.expunge_all()
    assert "标记为已学完" in client.get(URL).get_data(as_text=True)


def test_an_unknown_lesson_is_not_found(content, app, factory):
    assert signed_in(app, factory).get("/courses/demo/99-none").status_code == 404
