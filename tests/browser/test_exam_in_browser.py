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
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-paper")
    page.wait_for_url("**/result")
    text = page.inner_text("main")
    assert "5 / 20" in text and "未通过" in text
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.status == "submitted" and attempt.score == 5
    context.close()
