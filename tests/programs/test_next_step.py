"""The dashboard's one next step (claim, study, exam, hours, certificate), and the word after a
course's last lesson pointing to it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from lms.assessment import service as exams
from lms.assessment.models import Exam
from lms.catalog import service as catalog
from lms.catalog.models import LessonProgress
from lms.catalog.sync import sync_courses
from lms.core.models import utcnow
from lms.extensions import db
from lms.programs.models import Program
from lms.workshops import service as workshops
from tests.assessment.exam_factory import add_questions, answer_all, make_exam
from tests.catalog.content_tree import write_course
from tests.conftest import login
from tests.workshops.helpers import make_workshop


@pytest.fixture
def program(app, tmp_path):
    write_course(tmp_path)  # "demo": 第一课, 第二课
    write_course(tmp_path, "02-second", "second", title="第二门课")
    app.config["CONTENT_ROOT"] = str(tmp_path)
    sync_courses(tmp_path)
    add_questions("demo", "single", 5)
    exam = make_exam([{"topic": "demo", "kind": "single", "count": 3, "points": 2}], title="结业考试",
                     attempts_allowed=2, wait_minutes=60)
    program = Program(name="2026 年首席质量官培训", requirements=[
        {"course": "demo", "industries": None}, {"course": "second", "industries": None}],
        exam_id=exam.id, hours_required=3, starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
        is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


@pytest.fixture
def officer(client, factory):
    user = factory.user("officer")
    factory.filing(factory.enterprise(industry_code="C3484"), user_id=user.id)
    login(client, user)
    client.user = user
    return client


def next_step(client) -> str:
    page = client.get("/me").get_data(as_text=True)
    assert page.count('id="next-step"') == 1
    return page.split('id="next-step"')[1].split("</div></div>")[0]


def finish(user, slug: str, lessons: tuple[str, ...] = ("01-first", "02-second")) -> None:
    for lesson_slug in lessons:
        lesson = catalog.lesson_by_slugs(slug, lesson_slug)
        yesterday = utcnow() - timedelta(days=1)  # the reading time of the next lesson runs from then
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                      first_opened_at=yesterday, completed_at=yesterday))
    db.session.commit()


def sit_exam(user, program, passed: bool) -> None:
    attempt = exams.start_attempt(program.exam, user.id)
    answer_all(attempt, correct=passed)
    exams.submit(attempt)


def test_an_officer_without_a_filing_is_asked_to_claim_it(program, as_officer):
    card = next_step(as_officer)
    assert "认领备案" in card and 'href="/me/claim"' in card


def test_the_next_lesson_of_the_first_required_course_left(program, officer):
    card = next_step(officer)
    assert "开始学习《演示课程》" in card and 'href="/courses/demo/01-first"' in card
    finish(officer.user, "demo", ("01-first",))
    card = next_step(officer)
    assert "继续学习《演示课程》" in card and 'href="/courses/demo/02-second"' in card and "已学 1 / 2 课" in card
    finish(officer.user, "demo", ("02-second",))
    assert "开始学习《第二门课》" in next_step(officer)


def test_courses_done_the_exam_and_after_a_fail_the_attempts_left_and_when(program, officer):
    finish(officer.user, "demo")
    finish(officer.user, "second")
    card = next_step(officer)
    assert "可以参加考试《结业考试》了" in card and f'href="/exams/{program.exam_id}"' in card and "参加考试" in card
    sit_exam(officer.user, program, passed=False)
    card = next_step(officer)
    assert "还剩 1 次考试机会" in card and "两次考试之间至少间隔 60 分钟" in card and "起可以再考" in card
    db.session.execute(update(Exam).values(wait_minutes=0))
    db.session.commit()
    sit_exam(officer.user, program, passed=False)
    card = next_step(officer)
    assert "您已用完全部考试机会" in card and "请联系区市场监管局" in card


def test_hours_short_after_the_exam_points_to_the_workshops(program, officer):
    finish(officer.user, "demo")
    finish(officer.user, "second")
    sit_exam(officer.user, program, passed=True)
    program.hours_required = 5  # 1.5 + 1.5 hours online
    db.session.commit()
    card = next_step(officer)
    assert "还差 2 学时" in card and "在线 3" in card and "报名线下培训" in card and 'href="/workshops/"' in card
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    workshop = make_workshop(title="计量实务", starts_at=start, ends_at=start + timedelta(hours=3))
    workshops.enrol(workshop, officer.user.id)
    card = next_step(officer)
    assert "您已报名线下培训《计量实务》" in card and f'href="/workshops/{workshop.id}"' in card


def test_everything_done_shows_the_certificate(program, officer):
    finish(officer.user, "demo")
    finish(officer.user, "second")
    sit_exam(officer.user, program, passed=True)
    card = next_step(officer)
    assert "培训要求已全部完成" in card and "查看证书" in card and 'href="/certificates/' in card


def mark_last_lesson_done(client, app, slug: str) -> str:
    client.get(f"/courses/{slug}/02-second")
    for progress in db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == client.user.id)):
        progress.first_opened_at -= timedelta(seconds=app.config["MAX_READ_SECONDS"] + 1)  # read long enough,
        if progress.completed_at:  # since the lesson done before it too
            progress.completed_at -= timedelta(seconds=app.config["MAX_READ_SECONDS"] + 1)
    db.session.commit()
    response = client.post(f"/courses/{slug}/02-second/done", follow_redirects=True)
    assert response.request.path == f"/courses/{slug}"
    return response.get_data(as_text=True)


def test_the_last_lesson_of_a_course_says_it_is_complete_and_what_comes_next(program, officer, app):
    finish(officer.user, "demo", ("01-first",))
    page = mark_last_lesson_done(officer, app, "demo")
    assert "已完成《第二课》，获得 0.5 学时。" in page and "课程《演示课程》已全部学完。" in page
    assert '<a class="alert-link" href="/courses/second/01-first">下一步：开始学习《第二门课》</a>' in page
    finish(officer.user, "second", ("01-first",))
    page = mark_last_lesson_done(officer, app, "second")
    assert f'<a class="alert-link" href="/exams/{program.exam_id}">下一步：参加考试</a>' in page


def test_the_last_lesson_with_an_earlier_one_left_says_only_the_hours(program, officer, app):
    page = mark_last_lesson_done(officer, app, "demo")
    assert "已完成《第二课》，获得 0.5 学时。" in page and "已全部学完" not in page and "下一步" not in page
