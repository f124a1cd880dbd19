"""At the door without a code: staff find the officer by mobile and check them in, after a
confirmation that names them."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.test_exam_in_browser import sign_in
from tests.workshops.helpers import make_workshop

pytestmark = pytest.mark.browser


def test_find_by_mobile_confirm_and_check_in(live_server, factory, browser):
    from lms.workshops import service

    start = datetime.now(UTC) + timedelta(minutes=30)
    with live_server.app_context():
        workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3), capacity=10)
        user = factory.user("officer", name="罗晓东")
        factory.filing(factory.enterprise(industry_code="C1391"), user_id=user.id, mobile="13698797309")
        service.enrol(workshop, user.id)
        workshop_id, staff_login = workshop.id, factory.user("staff").login
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server.live_url, staff_login)
    page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}/scan")
    page.fill("#q", "7309")
    page.press("#q", "Enter")
    page.wait_for_selector("#find-results")
    assert "罗晓东" in page.inner_text("#find-results")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#find-results button:has-text('签到')")
    page.wait_for_selector("text=罗晓东 签到成功")
    assert asked and "罗晓东" in asked[0]
    page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}")
    assert "已签到" in page.inner_text("table")
