"""必修 on an officer's course pages says what the current programme requires of their
enterprise's industry, whatever the course file suggests."""

from datetime import date

import pytest

from lms.catalog.sync import sync_courses
from lms.extensions import db
from lms.programs.models import Program
from tests.catalog.content_tree import write_course
from tests.conftest import login


def current_program(requirements: list[dict]) -> Program:
    program = Program(name="2026 年培训", requirements=requirements, starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


@pytest.fixture
def courses(app, tmp_path):
    write_course(tmp_path, required_for="all")  # the file says: for everyone
    write_course(tmp_path, "02-food", "food-only", required_for=[], title="食品课")  # the file says: optional
    app.config["CONTENT_ROOT"] = str(tmp_path)
    sync_courses(tmp_path)


@pytest.fixture
def food_officer(client, factory):
    user = factory.user("officer")
    factory.filing(enterprise=factory.enterprise(industry_code="C1441"), user_id=user.id)
    login(client, user)
    return client


def badges(client, url: str) -> list[str]:
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ("演示课程" in page or "食品课" in page), url
    shown = {"必修": 'text-bg-danger">必修', "选修": 'text-bg-secondary">选修'}
    return [word for word, badge in shown.items() if badge in page]


def test_the_badge_follows_the_programme_not_the_course_file(courses, food_officer):
    current_program([{"course": "food-only", "industries": ["C13", "C14"]}])
    assert badges(food_officer, "/courses/food-only") == ["必修"]
    assert badges(food_officer, "/courses/demo") == ["选修"]
    assert badges(food_officer, "/courses/") == ["必修", "选修"]


def test_a_course_the_programme_requires_of_another_industry_is_optional_here(courses, food_officer):
    current_program([{"course": "food-only", "industries": ["C33"]}])
    assert badges(food_officer, "/courses/food-only") == ["选修"]


def test_without_a_current_programme_no_course_is_marked(courses, food_officer):
    assert badges(food_officer, "/courses/demo") == []
    assert badges(food_officer, "/courses/") == []
    assert badges(food_officer, "/me") == []
