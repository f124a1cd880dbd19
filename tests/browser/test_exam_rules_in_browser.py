"""Composing an exam in the browser: rows added with a button, the paper totalled as typed."""

import pytest
from sqlalchemy import select

from lms.assessment.models import Exam
from lms.extensions import db
from tests.assessment.exam_factory import add_questions
from tests.browser.test_exam_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_staff_add_rule_rows_see_the_total_and_save_every_row(live_server, factory, browser):
    with live_server.app_context():
        login = factory.user("staff").login
        add_questions("metrology", "single", 20)
        add_questions("metrology", "truefalse", 10)
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/staff/exams/new")
    page.fill("input[name=title]", "计量考试")
    rows = [("single", "5", "2"), ("truefalse", "4", "1.5"), ("single", "3", "3"), ("truefalse", "2", "１")]
    for i, (kind, count, points) in enumerate(rows):
        if page.locator(f"select[name=rules-{i}-topic]").count() == 0:
            page.click("text=添加一行")  # three rows come with the page; the fourth is added
        page.select_option(f"select[name=rules-{i}-topic]", "metrology")
        page.select_option(f"select[name=rules-{i}-kind]", kind)
        page.fill(f"input[name=rules-{i}-count]", count)
        page.fill(f"input[name=rules-{i}-points]", points)
    assert page.inner_text("[data-rule-total]") == "共 14 题，满分 27 分"
    assert page.get_attribute("select[name=rules-3-topic]", "aria-label") == "第 4 条：课程"
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{live_server.live_url}/staff/exams/")
    with live_server.app_context():
        rules = db.session.scalars(select(Exam.rules)).one()
    assert [(r["kind"], r["count"], r["points"]) for r in rules] == [
        ("single", 5, 2), ("truefalse", 4, 1.5), ("single", 3, 3), ("truefalse", 2, 1)]
    page.context.close()
