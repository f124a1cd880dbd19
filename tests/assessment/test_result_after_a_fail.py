"""The result of a fail says what comes next: how many attempts are left and when the next
one opens (to the minute, rounded up as the exam page shows it), or that they are used up."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from lms.assessment import service
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.assessment.test_after_passing import page_of, sit
from tests.conftest import login


def next_attempt(page: str) -> str:
    start = page.find('id="next-attempt"')
    return page[start:page.index("</div>", start)] if start >= 0 else ""


def test_a_fail_inside_the_waiting_time_says_the_attempts_left_and_when_the_next_opens(app, factory, client):
    add_questions("metrology", "single", 6)
    exam = make_exam(wait_minutes=10, attempts_allowed=3)
    officer = factory.user("officer")
    attempt = sit(exam, officer, correct=False)
    opens = (attempt.submitted_at + timedelta(minutes=10)).astimezone(ZoneInfo("Asia/Shanghai"))
    ready = opens if opens == opens.replace(second=0, microsecond=0) else opens + timedelta(minutes=1)
    login(client, officer)
    result = next_attempt(page_of(client, f"/exams/attempts/{attempt.id}/result"))
    assert "还剩 2 次考试机会" in result and f"{ready:%Y-%m-%d %H:%M} 起可以再考" in result
    # The same time as the exam page's, where the button to start is.
    assert f"{ready:%Y-%m-%d %H:%M} 起可以再考" in page_of(client, f"/exams/{exam.id}")


def test_a_fail_after_the_waiting_time_links_to_another_attempt(app, factory, client):
    add_questions("metrology", "single", 6)
    exam = make_exam(wait_minutes=10, attempts_allowed=3)
    officer = factory.user("officer")
    attempt = sit(exam, officer, correct=False)
    attempt.submitted_at -= timedelta(minutes=11)
    db.session.commit()
    login(client, officer)
    result = next_attempt(page_of(client, f"/exams/attempts/{attempt.id}/result"))
    assert "还剩 2 次考试机会" in result and "起可以再考" not in result
    assert f'href="/exams/{exam.id}">再考一次</a>' in result


def test_the_last_failed_attempt_says_whom_to_ask_for_another(app, factory, client):
    add_questions("metrology", "single", 6)
    exam = make_exam(attempts_allowed=2)
    officer = factory.user("officer")
    sit(exam, officer, correct=False)
    last = sit(exam, officer, correct=False)
    login(client, officer)
    result = next_attempt(page_of(client, f"/exams/attempts/{last.id}/result"))
    assert "您已用完全部考试机会" in result and "由工作人员为您加考一次" in result and "还剩" not in result
    service.grant_extra_attempt(exam, officer, "网络故障")
    assert "还剩 1 次考试机会" in next_attempt(page_of(client, f"/exams/attempts/{last.id}/result"))


def test_a_pass_offers_no_other_attempt(app, factory, client):
    add_questions("metrology", "single", 6)
    exam = make_exam(wait_minutes=10)
    officer = factory.user("officer")
    attempt = sit(exam, officer, correct=True)
    login(client, officer)
    assert next_attempt(page_of(client, f"/exams/attempts/{attempt.id}/result")) == ""
