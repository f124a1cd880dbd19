"""An officer sits an exam in Chromium: answers, closes the page, comes back, submits."""

import pytest
from sqlalchemy import select

from lms.assessment.models import Attempt
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam

pytestmark = pytest.mark.browser


def sign_in(page, base, login, password="correct-horse-1"):
    page.goto(base + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_sit_an_exam_close_the_page_resume_and_submit(live_server, factory, browser):
    with live_server.app_context():
        add_questions("metrology", "single", 4)
        exam = make_exam([{"topic": "metrology", "kind": "single", "count": 4, "points": 5}],
                         shuffle_options=False)
        officer = factory.user("officer")
        exam_id, login = exam.id, officer.login
    base = live_server.live_url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, login)
    page.goto(f"{base}/exams/{exam_id}")
    page.once("dialog", lambda dialog: dialog.accept())  # starting asks first (see below)
    page.click("text=开始考试")
    page.wait_for_selector("#countdown")
    # Answer two questions (option A is right in these questions), flag a third.
    page.check("#q1_0")
    page.wait_for_selector("#exam[data-saved='1']", state="attached")
    page.check("#q2_1")
    page.wait_for_selector("#exam[data-saved='2']", state="attached")
    page.check("#q3_flag")
    page.wait_for_selector("#exam[data-saved='3']", state="attached")
    paper_url = page.url
    page.close()  # the browser tab is gone; nothing was submitted

    page = context.new_page()
    page.goto(paper_url)
    assert page.is_checked("#q1_0") and page.is_checked("#q2_1") and page.is_checked("#q3_flag")
    assert "⚑" in page.inner_text("[data-nav='3']")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#submit-paper")
    page.wait_for_url("**/result")
    text = page.inner_text("main")
    assert "5 / 20" in text and "未通过" in text
    assert asked == ["还有 2 题未作答。\n有 1 题标记为稍后再看。\n交卷后不能再修改答案。确定交卷吗？"]
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.status == "submitted" and attempt.score == 5
    context.close()


def start_an_exam(live_server, factory, browser, kind: str, english: bool = False):
    """A signed-in officer's page on a new two-question paper of that kind."""
    with live_server.app_context():
        add_questions("metrology", kind, 2)
        exam = make_exam([{"topic": "metrology", "kind": kind, "count": 2, "points": 5}])
        exam_id, login = exam.id, factory.user("officer").login
    base = live_server.live_url
    page = browser.new_context(locale="en-US" if english else "zh-CN").new_page()
    sign_in(page, base, login)
    if english:
        page.goto(f"{base}/lang/en")
    page.goto(f"{base}/exams/{exam_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/start'] button")
    page.wait_for_selector("#countdown")
    return page


def test_starting_asks_first_and_a_no_starts_nothing(live_server, factory, browser):
    with live_server.app_context():
        add_questions("metrology", "single", 4)
        exam = make_exam([{"topic": "metrology", "kind": "single", "count": 2, "points": 5}],
                         time_limit_minutes=45, attempts_allowed=2)
        exam_id, login = exam.id, factory.user("officer").login
    base = live_server.live_url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, login)
    page.goto(f"{base}/exams/{exam_id}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("text=开始考试")
    assert asked == ["开始后计时 45 分钟，不能暂停；这是第 1 次（共 2 次）。确定开始吗？"]
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/exams/{exam_id}")
    with live_server.app_context():
        assert db.session.scalar(select(Attempt)) is None  # no attempt used, no clock started
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=开始考试")
    page.wait_for_selector("#countdown")
    page.goto(f"{base}/exams/{exam_id}")
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("link", name="继续作答").click()  # the open attempt resumes without asking
    page.wait_for_selector("#countdown")
    assert len(asked) == 1
    context.close()


def test_a_cleared_multiple_choice_is_unanswered_again_and_the_page_speaks_english(live_server, factory, browser):
    page = start_an_exam(live_server, factory, browser, "multiple", english=True)
    page.check("#q1_0")
    page.wait_for_selector("#exam[data-saved='1']", state="attached")
    assert page.inner_text("#save-state").startswith("Saved")
    assert "btn-primary" in page.get_attribute("[data-nav='1']", "class")
    page.uncheck("#q1_0")  # every box cleared: the question is unanswered again, here and on the server
    page.wait_for_selector("#exam[data-saved='2']", state="attached")
    assert "btn-outline-secondary" in page.get_attribute("[data-nav='1']", "class")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#submit-paper")
    assert asked == ["Questions not yet answered: 2.\nYou cannot change your answers after handing in. Hand in now?"]
    assert "/result" not in page.url  # dismissed: still sitting the exam
    page.reload()
    assert "btn-outline-secondary" in page.get_attribute("[data-nav='1']", "class")
    page.context.close()


def test_the_time_left_is_read_out_at_its_milestones_not_hidden_behind_a_label(live_server, factory, browser):
    from datetime import timedelta

    from sqlalchemy import update

    from lms.core.models import utcnow

    page = start_an_exam(live_server, factory, browser, "single")
    assert page.get_attribute("#countdown", "aria-label") is None  # the digits themselves are read
    with live_server.app_context():  # five minutes and two seconds left
        db.session.execute(update(Attempt).values(deadline_at=utcnow() + timedelta(seconds=302)))
        db.session.commit()
    page.reload()
    page.wait_for_selector("#time-warning:has-text('还剩 5 分钟')", state="attached", timeout=8000)
    assert page.get_attribute("#time-warning", "aria-live") == "assertive"
    page.keyboard.press("Tab")  # the first stop is the way past the navigation
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.keyboard.press("Enter")  # past the top bar: the way to the hand-in, then a skip past the 30 numbers
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "to-hand-in"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-navigator"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('fieldset').id") == "q1"
