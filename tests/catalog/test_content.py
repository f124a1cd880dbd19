"""The real content in courses/ and question_bank/: it parses, links resolve, images exist,
lessons have substance, and every question cites a lesson that exists."""

import re
from collections import Counter
from pathlib import Path

import pytest

from lms.assessment.bank import read_bank
from lms.catalog.content import read_all

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sources():
    return read_all(ROOT)  # raises ContentError naming file and line on any problem


def cjk(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def test_every_course_parses_and_its_links_and_images_resolve(sources):
    assert len(sources) >= 6 and sum(len(c.lessons) for c in sources) >= 30
    for course in sources:
        assert 4 <= len(course.lessons) <= 8, course.slug
        assert abs(sum(l.hours for l in course.lessons) - float(course.manifest["hours"])) < 1e-9
        assert 3 <= len(course.manifest["objectives"]) <= 6


def test_lessons_have_substance_sections_and_a_summary(sources):
    for course in sources:
        for lesson in course.lessons:
            where = f"{course.slug}/{lesson.slug}"
            assert 1400 <= cjk(lesson.source) <= 3500, (where, cjk(lesson.source))
            assert len(lesson.rendered.toc) >= 3, where
            assert "本课要点" in lesson.source, where


def test_every_question_is_well_formed_and_cites_an_existing_lesson(sources):
    lessons = {c.slug: {l.slug for l in c.lessons} for c in sources}
    items = read_bank(ROOT, lessons)  # checks answers, options and lesson references
    per_topic = Counter(item["topic"] for item in items)
    assert len(items) >= 300
    for course in sources:
        assert per_topic[course.slug] >= 40, course.slug
        kinds = Counter(i["kind"] for i in items if i["topic"] == course.slug)
        assert set(kinds) == {"single", "multiple", "truefalse"}, course.slug
    assert all("第" in item["explanation"] and "课" in item["explanation"] for item in items)
