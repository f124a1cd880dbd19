"""Courses on an English page: the Chinese lesson is marked as Chinese (a screen reader reads
it with a Chinese voice, not as English letters), and a finished course says so in words one
can read."""

import re
from datetime import timedelta

from sqlalchemy import select

from lms.catalog.models import LessonProgress
from lms.extensions import db
from tests.catalog.test_lesson_page import content  # noqa: F401 - the fixture


def test_an_english_lesson_page_marks_the_lesson_as_chinese(content, as_officer):  # noqa: F811
    chinese = as_officer.get("/courses/demo/02-second").get_data(as_text=True)
    assert '<div class="lesson-body">' in chinese and 'lang="zh-CN"' not in chinese.split("<body", 1)[1]
    as_officer.get("/lang/en")
    english = as_officer.get("/courses/demo/02-second").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert re.search(r'<div class="lesson-body" lang="zh-CN">\s*<h2', english)
    assert '<h1 class="h3" lang="zh-CN">第二课</h1>' in english
    assert '<span lang="zh-CN">第一课</span></a>' in english  # the previous lesson's title


def test_a_finished_course_says_so_in_readable_text_not_a_disabled_button(content, as_officer):  # noqa: F811
    for slug in ("01-first", "02-second"):
        as_officer.get(f"/courses/demo/{slug}")
    for progress in db.session.scalars(select(LessonProgress)):
        progress.first_opened_at -= timedelta(hours=2)
    db.session.commit()
    for slug in ("01-first", "02-second"):
        assert as_officer.post(f"/courses/demo/{slug}/done").status_code == 302
        for progress in db.session.scalars(select(LessonProgress).where(LessonProgress.completed_at.is_not(None))):
            progress.completed_at -= timedelta(hours=1)  # one reading clock at a time: read the next since
        db.session.commit()
    page = as_officer.get("/courses/").get_data(as_text=True)
    assert re.search(r'<p class="mb-0 fw-semibold text-success-emphasis">.*已学完</p>', page)
    assert "disabled" not in page.split("<main", 1)[1]


def test_english_course_pages_say_the_content_is_chinese_and_to_search_in_chinese(content, as_officer):  # noqa: F811
    for url in ("/courses/", "/courses/search?q=metrology"):
        assert 'id="content-language"' not in as_officer.get(url).get_data(as_text=True), url
    as_officer.get("/lang/en")
    assert "The lessons and the exam questions are in Chinese only." in as_officer.get("/courses/").get_data(as_text=True)
    search = as_officer.get("/courses/search?q=metrology").get_data(as_text=True)
    assert "search with Chinese words" in search
