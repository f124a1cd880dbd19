"""Behind a reverse proxy and over HTTPS: limits per visitor, links from LMS_BASE_URL, secure cookies."""

from __future__ import annotations

import io
from datetime import date

from flask import template_rendered

from lms.config import Config
from lms.extensions import db, limiter
from lms.workshops.models import Workshop


def sign_in(client, login: str, password: str, visitor: str):
    return client.post("/login", data={"login": login, "password": password},
                       headers={"X-Forwarded-For": visitor}, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_behind_a_declared_proxy_sign_in_limits_count_per_visitor(make_app, factory):
    app = make_app(PROXY_COUNT=1)
    with app.app_context():
        limiter.reset()
        user = factory.user("officer")
        client = app.test_client()
        for n in range(30):  # someone guessing at made-up accounts, from one address
            assert sign_in(client, f"139000000{n:02d}", "wrong-password", "203.0.113.7").status_code == 401
        assert sign_in(client, "13900000099", "wrong-password", "203.0.113.7").status_code == 429
        # every visitor reaches the app from the proxy's 127.0.0.1, yet another one is not locked out
        assert sign_in(client, user.login, "correct-horse-1", "198.51.100.20").status_code == 302


def test_without_a_declared_proxy_a_forwarded_address_is_not_believed(client, factory):
    for n in range(30):  # a client rotating X-Forwarded-For does not escape the limit
        assert sign_in(client, f"139000000{n:02d}", "wrong-password", f"203.0.113.{n}").status_code == 401
    assert sign_in(client, "13900000099", "wrong-password", "203.0.113.99").status_code == 429


def test_an_https_base_url_secures_the_cookies_and_asks_browsers_to_keep_to_https(monkeypatch, make_app):
    monkeypatch.setenv("LMS_BASE_URL", "https://cqo.example.gov.cn")
    monkeypatch.delenv("LMS_SECURE_COOKIES", raising=False)
    assert Config().SESSION_COOKIE_SECURE is True and Config().REMEMBER_COOKIE_SECURE is True
    monkeypatch.setenv("LMS_BASE_URL", "http://127.0.0.1:5000")
    assert Config().SESSION_COOKIE_SECURE is False
    secure = make_app(HTTPS=True)
    assert secure.test_client().get("/").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in make_app().test_client().get("/").headers


def test_links_handed_out_use_the_base_url_whatever_address_the_request_came_by(make_app, factory):
    from datetime import UTC, datetime, timedelta

    from tests.conftest import login

    app = make_app(BASE_URL="https://cqo.example.gov.cn")
    with app.app_context():
        limiter.reset()
        start = datetime.now(UTC) + timedelta(minutes=30)
        workshop = Workshop(title="计量实务", venue="会议室", starts_at=start, ends_at=start + timedelta(hours=3),
                            capacity=10, hours=3)
        db.session.add(workshop)
        db.session.commit()
        staff = app.test_client()
        login(staff, factory.user("staff"))
        shown = []
        with template_rendered.connected_to(lambda _app, template, context, **_: shown.append(context)):
            staff.get(f"/staff/workshops/{workshop.id}/screen")
        assert shown[0]["url"].startswith(f"https://cqo.example.gov.cn/workshops/{workshop.id}/checkin")  # its QR
        officer = app.test_client()
        login(officer, factory.user("officer"))
        page = officer.get("/workshops/").get_data(as_text=True)
        assert "https://cqo.example.gov.cn/workshops/feed/" in page and "http://localhost/workshops/feed" not in page


def test_folders_with_personal_data_are_the_owner_s_alone(make_app, tmp_path, monkeypatch):
    import os
    import stat

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)  # as an older release or a loose umask left it
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(instance))
    key = Config().SECRET_KEY
    assert key and stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    app = make_app(UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        from lms.core.uploads import upload_dir

        folder = upload_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700


def test_under_a_proxy_prefix_links_handed_out_name_the_prefix_once(make_app, factory):
    from tests.conftest import login

    app = make_app(PROXY_COUNT=1, BASE_URL="https://www.example.gov.cn/cqo")
    with app.app_context():
        limiter.reset()
        filing = factory.filing()
        staff = app.test_client()
        login(staff, factory.user("staff"))
        shown = []
        with template_rendered.connected_to(lambda _app, template, context, **_: shown.append(context)):
            prefix = {"X-Forwarded-Prefix": "/cqo"}
            shown_at = staff.post(f"/staff/registry/filings/{filing.id}/invite", headers=prefix).location
            assert shown_at.startswith("/cqo/")
            staff.get(shown_at.removeprefix("/cqo"), headers=prefix)
        assert shown[-1]["register_url"] == "https://www.example.gov.cn/cqo/register"


def test_reminders_link_to_the_base_url_even_from_the_command_line(make_app, factory):
    from lms.coverage.reminders import reminder_text

    app = make_app(BASE_URL="https://cqo.example.gov.cn")
    with app.app_context():  # no request: a scheduled job
        unclaimed = reminder_text("王伟", "2026年培训", date(2026, 12, 31), started=False, claimed=False)
        claimed = reminder_text("王伟", "2026年培训", date(2026, 12, 31), started=True)
    assert "https://cqo.example.gov.cn/register " in unclaimed
    assert "平台地址：https://cqo.example.gov.cn/。" in claimed


def test_a_database_error_in_a_request_gets_the_error_page_not_a_second_failure(make_app, factory):
    from lms.registry.models import Town
    from tests.conftest import login

    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers

    def clash():
        db.session.add_all([Town(name="同名街道"), Town(name="同名街道")])
        db.session.flush()  # UNIQUE fails: the session now refuses everything until rolled back

    app.add_url_rule("/clash", view_func=clash)
    with app.app_context():
        limiter.reset()
        client = app.test_client()
        login(client, factory.user("staff"))
        r = client.get("/clash")
    assert r.status_code == 500 and "系统出现了问题" in r.get_data(as_text=True)


def test_postgresql_urls_as_people_write_them_reach_the_installed_driver(monkeypatch):
    """postgresql:// (psql's form) and postgres:// ended in "No module named 'psycopg2'" or "Can't
    load plugin": both are taken for psycopg 3, which is what the postgres extra installs."""
    for written in ("postgresql://lms:secret@db/lms", "postgres://lms:secret@db/lms",
                    "postgresql+psycopg://lms:secret@db/lms"):
        monkeypatch.setenv("LMS_DATABASE_URL", written)
        assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://lms:secret@db/lms"
    monkeypatch.setenv("LMS_DATABASE_URL", "sqlite:////srv/lms.sqlite3")
    assert Config().SQLALCHEMY_DATABASE_URI == "sqlite:////srv/lms.sqlite3"


def test_under_a_proxy_prefix_a_lessons_own_links_and_images_name_the_prefix(make_app, factory):
    """Lessons are rendered at sync time with links from the site's root: behind a proxy serving
    the app under /cqo they pointed out of the app (404 at the proxy, images missing)."""
    from sqlalchemy import select

    from lms.catalog.models import Course, Lesson
    from tests.conftest import login

    app = make_app(PROXY_COUNT=1)
    with app.app_context():
        limiter.reset()
        assert app.test_cli_runner().invoke(args=["lms", "sync-content"]).exit_code == 0
        lesson, course = db.session.execute(select(Lesson, Course).join(Course).where(
            Lesson.body_html.contains('src="/courses/'), Lesson.body_html.contains('href="/courses/'))).first()
        officer = app.test_client()
        login(officer, factory.user("officer"))
        prefixed = {"X-Forwarded-Prefix": "/cqo"}
        page = officer.get(f"/courses/{course.slug}/{lesson.slug}", headers=prefixed).get_data(as_text=True)
        body = page.split('class="lesson-body"', 1)[1]
        assert 'src="/cqo/courses/' in body and 'href="/cqo/courses/' in body
        assert 'src="/courses/' not in page and 'href="/courses/' not in page  # nothing on it escapes /cqo
        plain = officer.get(f"/courses/{course.slug}/{lesson.slug}").get_data(as_text=True)
        assert 'src="/courses/' in plain  # without a prefix, as rendered
        spec = officer.get("/api/v1/openapi.json", headers=prefixed).get_json()
        assert spec["servers"] == [{"url": "/cqo/"}]


def test_course_images_behind_the_sign_in_are_cached_by_the_browser_only(make_app, factory):
    """A shared proxy on the bureau's network must not hand a signed-in page's image to anyone."""
    from sqlalchemy import select

    from lms.catalog.models import Course, Lesson
    from tests.conftest import login

    app = make_app()
    with app.app_context():
        limiter.reset()
        assert app.test_cli_runner().invoke(args=["lms", "sync-content"]).exit_code == 0
        lesson, course = db.session.execute(select(Lesson, Course).join(Course).where(
            Lesson.body_html.contains('src="/courses/'))).first()
        src = lesson.body_html.split('src="', 1)[1].split('"', 1)[0]
        officer = app.test_client()
        assert officer.get(src).status_code == 302  # signed out: to the sign-in page
        login(officer, factory.user("officer"))
        image = officer.get(src)
        assert image.status_code == 200 and course.slug in src
        assert "private" in image.headers["Cache-Control"] and "public" not in image.headers["Cache-Control"]


def test_an_upload_over_the_limit_names_the_limit(make_app, factory):
    from tests.conftest import login

    app = make_app(MAX_CONTENT_LENGTH=2 * 2**20)
    with app.app_context():
        limiter.reset()
        staff = app.test_client()
        login(staff, factory.user("staff"))


        response = staff.post("/staff/registry/import", data={"file": (io.BytesIO(b"x" * (3 * 2**20)), "roster.csv")},
                              content_type="multipart/form-data")
        assert response.status_code == 413 and "超过了允许的 2 MB" in response.get_data(as_text=True)


def test_a_proxy_the_configuration_does_not_name_is_reported_once_in_the_log(make_app):
    import logging

    def warnings_about_the_proxy(app) -> list[str]:
        seen: list[str] = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = lambda record: seen.append(record.getMessage())  # whatever logging other tests set up
        app.logger.addHandler(handler)
        app.logger.setLevel(logging.WARNING)  # as in production, whatever another test left
        app.logger.disabled = False  # the migrations' fileConfig (alembic env.py) disables loggers made before it
        return seen

    app = make_app()
    said = warnings_about_the_proxy(app)
    client = app.test_client()
    client.get("/healthz")
    assert not said  # no proxy, nothing to say
    for _ in range(3):
        client.get("/healthz", headers={"X-Forwarded-For": "10.0.0.7"})
    assert len([m for m in said if "LMS_PROXY_COUNT is 0" in m]) == 1
    named = make_app(PROXY_COUNT=1)
    said_named = warnings_about_the_proxy(named)
    named.test_client().get("/healthz", headers={"X-Forwarded-For": "10.0.0.7"})
    assert not said_named
