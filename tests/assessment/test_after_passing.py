"""A pass ends the exam: no retake is offered or allowed (one could only add a fail to the
officer's record), and the pages say what the pass brought: the certificate, or what is left
before it is issued."""

import html
from datetime import date

import pytest
from sqlalchemy import func

from lms.assessment import service
from lms.assessment.models import Attempt, ExtraAttempt
from lms.catalog.models import LessonProgress
from lms.catalog.sync import sync_courses
from lms.extensions import db
from lms.programs.models import Program
from tests.assessment.exam_factory import add_questions, answer_all, make_exam
from tests.catalog.content_tree import write_course
from tests.conftest import login


def sit(exam, officer, correct: bool):
    attempt = service.start_attempt(exam, officer.id)
    answer_all(attempt, correct=correct)
    service.submit(attempt)
    return attempt


def page_of(client, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


@pytest.fixture
def program(app, tmp_path):
    """The current program: course "demo" (two lessons, 1.5 hours) and its exam."""
    write_course(tmp_path)
    sync_courses(tmp_path)
    add_questions("demo", "single", 5)
    exam = make_exam([{"topic": "demo", "kind": "single", "count": 3, "points": 2}], wait_minutes=10)
    program = Program(name="2026 年首席质量官培训", requirements=[{"course": "demo", "industries": None}],
                      exam_id=exam.id, starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


def finish_course(user, slug: str = "demo") -> None:
    from lms.catalog import service as catalog

    for lesson in catalog.lesson_by_slugs(slug, "01-first").course.lessons:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                      first_opened_at=func.now(), completed_at=func.now()))
    db.session.commit()


def test_a_new_attempt_after_a_pass_is_refused(app, factory):
    add_questions("metrology", "single", 6)
    exam = make_exam()
    officer = factory.user("officer")
    sit(exam, officer, correct=True)
    with pytest.raises(service.ExamError, match="您已通过本考试，无需再考"):
        service.start_attempt(exam, officer.id)
    assert len(service.attempts_of(exam, officer.id)) == 1


def test_a_pass_ends_the_exam_even_with_a_granted_attempt_left(app, factory):
    add_questions("metrology", "single", 6)
    exam = make_exam(attempts_allowed=1)
    officer = factory.user("officer")
    sit(exam, officer, correct=False)
    service.grant_extra_attempt(exam, officer, "生病缺考")
    sit(exam, officer, correct=True)  # the granted attempt still serves an officer who failed
    db.session.add(ExtraAttempt(exam_id=exam.id, user_id=officer.id, reason="重复加考"))
    db.session.commit()
    with pytest.raises(service.ExamError, match="无需再考"):
        service.start_attempt(exam, officer.id)


def test_the_exam_page_after_a_pass_says_passed_with_the_certificate_and_offers_no_retake(program, factory, client):
    officer = factory.user("officer")
    finish_course(officer)
    sit(program.exam, officer, correct=True)  # the last requirement: the certificate is issued
    login(client, officer)
    page = page_of(client, f"/exams/{program.exam_id}")
    assert "已通过 · 最好成绩：6/6 (100%)" in page and "您已通过本考试，无需再考。" in page
    assert "证书已发放（编号 CQO-" in page and 'href="/certificates/"' in page
    assert "/start" not in page and "再考一次" not in page and "您已用完全部考试机会" not in page


def test_starting_after_a_pass_by_hand_is_refused_with_a_message(program, factory, client):
    officer = factory.user("officer")
    sit(program.exam, officer, correct=True)
    login(client, officer)
    refused = html.unescape(client.post(f"/exams/{program.exam_id}/start", follow_redirects=True)
                            .get_data(as_text=True))
    assert "您已通过本考试，无需再考。" in refused
    assert len(service.attempts_of(program.exam, officer.id)) == 1


def test_the_result_of_a_pass_links_to_the_certificate(program, factory, client):
    officer = factory.user("officer")
    finish_course(officer)
    attempt = sit(program.exam, officer, correct=True)
    login(client, officer)
    page = page_of(client, f"/exams/attempts/{attempt.id}/result")
    assert "证书已发放（编号 CQO-" in page and "查看我的证书" in page


def test_the_result_of_a_pass_says_what_is_left_before_the_certificate(program, factory, client):
    officer = factory.user("officer")
    attempt = sit(program.exam, officer, correct=True)  # the course is not finished yet
    login(client, officer)
    page = page_of(client, f"/exams/attempts/{attempt.id}/result")
    assert "完成以下要求后，证书会自动发放：" in page and ">演示课程</a> · 0/2" in page
    assert 'href="/courses/demo"' in page and "证书已发放" not in page


def test_a_fail_after_an_earlier_pass_says_the_pass_stands(app, factory, client):
    # Officers who retook before retakes after a pass were refused have such a record.
    add_questions("metrology", "single", 6)
    exam = make_exam()
    officer = factory.user("officer")
    sit(exam, officer, correct=True)
    db.session.add(Attempt(exam_id=exam.id, user_id=officer.id, number=2, status="submitted",
                                   started_at=func.now(), submitted_at=func.now(), deadline_at=func.now(),
                                   max_score=6, score=0, passed=False))
    db.session.commit()
    login(client, officer)
    [_first, second] = service.attempts_of(exam, officer.id)
    page = page_of(client, f"/exams/attempts/{second.id}/result")
    assert "您已在第 1 次考试中通过，这一次的成绩不影响通过结果和证书。" in page


def test_without_javascript_the_paper_has_a_button_to_save_answers(app, factory, client):
    add_questions("metrology", "single", 6)
    exam = make_exam()
    officer = factory.user("officer")
    attempt = service.start_attempt(exam, officer.id)
    login(client, officer)
    page = page_of(client, f"/exams/attempts/{attempt.id}")
    assert 'value="save" id="save-paper">保存答案</button>' in page
    assert "浏览器未启用 JavaScript，答案不会自动保存" in page
