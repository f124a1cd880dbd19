"""Every page of the URL map opens for every role of the demo, in both languages, without a
server error, and every HTML page has a title and the navigation: a page that only breaks
when it is rendered (a template slip) shows up here."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.assessment.bank import sync_content
from lms.catalog.models import Course, Lesson
from lms.demo import load_demo
from lms.extensions import db

ROOT = Path(__file__).resolve().parent.parent
BARE = ("/staff/workshops/1/screen",)  # the check-in screen for a projector: a title, no navigation
SKIPPED = ("/lang/", "/logout", "/static/", "/bootstrap/static/", "/courses/<slug>/media/")


def page_urls(app) -> list[str]:
    """Each GET rule with its arguments filled from the demo data (ids 1, the first lesson)."""
    course = db.session.scalars(select(Course).order_by(Course.id)).first()
    lesson = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.id)).first()
    values = {"slug": course.slug, "lesson_slug": lesson.slug, "fmt": "xlsx"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIPPED):
            continue
        urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), rule.rule))
    return sorted(set(urls))


@pytest.fixture
def demo(app):
    sync_content(ROOT)
    return {role: (login, password) for role, login, password, _note in reversed(load_demo())}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_no_page_fails_for_any_role(app, demo, language):
    urls = page_urls(app)
    assert len(urls) > 60 and "/admin/users" in urls
    for role in ("admin", "staff", "officer"):
        client = app.test_client()
        client.get(f"/lang/{language}")
        login, password = demo[role]
        assert client.post("/login", data={"login": login, "password": password}).status_code == 302
        failures, untitled = [], []
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
            elif response.mimetype == "text/html" and response.status_code != 302:
                html = response.get_data(as_text=True)
                title = re.search(r"<title>\s*([^<]*?)\s*</title>", html)
                if not (title and title.group(1)) or ("<nav" not in html and url not in BARE):
                    untitled.append(url)
        assert not failures, (role, language, failures)
        assert not untitled, (role, language, untitled)
