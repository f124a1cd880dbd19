"""What an officer sees around a sitting: answers in the page's language, when a retake
becomes possible, and the question asked before a clock that cannot be paused starts."""

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.assessment import service
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.conftest import login


@pytest.fixture
def officer(factory):
    return factory.user("officer")


def page_of(client, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def start_button(page: str) -> str:
    """The button of the form that starts an attempt, or '' when there is none."""
    match = re.search(r'<form[^>]*action="[^"]*/start".*?(<button.*?</button>)', page, re.S)
    return match.group(1) if match else ""


def test_review_shows_true_false_answers_in_the_page_language(app, client, officer):
    add_questions("metrology", "truefalse", 2)
    exam = make_exam([{"topic": "metrology", "kind": "truefalse", "count": 2, "points": 1}], attempts_allowed=1)
    attempt = service.start_attempt(exam, officer.id)
    for item in attempt.questions:
        service.save_answer(attempt, item.position, not item.frozen["answer"])
    service.submit(attempt)
    login(client, officer)
    chinese = page_of(client, f"/exams/attempts/{attempt.id}/review")
    assert "您的答案：正确" in chinese or "您的答案：错误" in chinese
    client.get("/lang/en")
    english = page_of(client, f"/exams/attempts/{attempt.id}/review")
    assert "Your answer: True" in english or "Your answer: False" in english
    assert "Correct answer: True" in english or "Correct answer: False" in english
    assert "正确" not in english and "错误" not in english


def test_a_retake_inside_the_waiting_time_is_shown_disabled_with_the_time_it_opens(app, client, officer):
    add_questions("metrology", "single", 6)
    exam = make_exam(wait_minutes=10)
    attempt = service.start_attempt(exam, officer.id)
    service.submit(attempt)
    opens = (attempt.submitted_at + timedelta(minutes=10)).astimezone(ZoneInfo("Asia/Shanghai"))
    # shown rounded up to the whole minute: at the time read, the button works
    ready = opens if opens == opens.replace(second=0, microsecond=0) else opens + timedelta(minutes=1)
    login(client, officer)
    page = page_of(client, f"/exams/{exam.id}")
    assert "disabled" in start_button(page) and "再考一次" in start_button(page)
    assert f"{ready:%Y-%m-%d %H:%M} 起可以再考" in page
    refused = client.post(f"/exams/{exam.id}/start", follow_redirects=True)  # the server still says no
    assert "距离下次可以参加考试还有约 10 分钟" in refused.get_data(as_text=True)
    attempt.submitted_at -= timedelta(minutes=11)
    db.session.commit()
    page = page_of(client, f"/exams/{exam.id}")
    assert "disabled" not in start_button(page) and "起可以再考" not in page


def test_the_waiting_time_of_a_retake_reads_in_english(app, client, officer):
    # Passes once po_assessment.json is merged into the English catalog.
    add_questions("metrology", "single", 6)
    exam = make_exam(wait_minutes=10)
    service.submit(service.start_attempt(exam, officer.id))
    login(client, officer)
    client.get("/lang/en")
    page = page_of(client, f"/exams/{exam.id}")
    assert "you can sit this exam again from" in page and "起可以再考" not in page


def test_starting_asks_first_with_the_minutes_and_which_attempt_it_is(app, client, officer):
    add_questions("metrology", "single", 6)
    exam = make_exam(time_limit_minutes=60, attempts_allowed=3)
    login(client, officer)
    page = page_of(client, f"/exams/{exam.id}")
    assert 'data-confirm="开始后计时 60 分钟，不能暂停；这是第 1 次（共 3 次）。确定开始吗？"' in start_button(page)
    attempt = service.start_attempt(exam, officer.id)
    resume = page_of(client, f"/exams/{exam.id}")
    assert "继续作答" in resume and "data-confirm" not in resume  # an open attempt resumes without asking
    service.submit(attempt)
    again = page_of(client, f"/exams/{exam.id}")
    assert "这是第 2 次（共 3 次）" in start_button(again) and "再考一次" in start_button(again)


def test_the_question_before_starting_reads_in_english(app, client, officer):
    # Passes once po_assessment.json is merged into the English catalog.
    add_questions("metrology", "single", 6)
    exam = make_exam(time_limit_minutes=60, attempts_allowed=3)
    login(client, officer)
    client.get("/lang/en")
    button = start_button(page_of(client, f"/exams/{exam.id}"))
    assert "The clock runs for 60 minutes and cannot be paused; this is attempt 1 of 3. Start now?" in button


def test_each_question_says_what_it_is_worth_in_the_page_language(app, client, officer):
    add_questions("metrology", "single", 2)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 2, "points": 1.5}])
    attempt = service.start_attempt(exam, officer.id)
    login(client, officer)
    assert "单选 · 1.5 分" in page_of(client, f"/exams/attempts/{attempt.id}")
    client.get("/lang/en")
    english = page_of(client, f"/exams/attempts/{attempt.id}")
    assert "Single choice · 1.5 points" in english and "分" not in english
    add_questions("standards", "single", 1)
    exam = make_exam([{"topic": "standards", "kind": "single", "count": 1, "points": 1}])
    one = service.start_attempt(exam, officer.id)
    assert "1 point</span>" in page_of(client, f"/exams/attempts/{one.id}")
