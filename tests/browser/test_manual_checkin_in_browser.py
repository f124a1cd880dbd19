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


def test_the_day_after_staff_record_a_walk_in_from_the_sheet_and_undo_a_wrong_tick(live_server, factory, browser):
    from lms.workshops import service

    start = datetime.now(UTC) - timedelta(days=1)  # yesterday's session; the paper sheet is on the desk
    with live_server.app_context():
        workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3), capacity=1, hours=3.0)
        seated = factory.user("officer", name="王明")
        factory.filing(factory.enterprise(industry_code="C1391"), user_id=seated.id, mobile="13800001111")
        service.enrol(workshop, seated.id, start - timedelta(days=2))
        walker = factory.user("officer", name="罗晓东")
        factory.filing(factory.enterprise(industry_code="C1391"), user_id=walker.id, mobile="13698797309")
        workshop_id, staff_login = workshop.id, factory.user("staff").login
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15000)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in(page, live_server.live_url, staff_login)
    page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}")
    page.click("a:has-text('补录签到')")
    page.fill("#q", "罗晓东")
    page.press("#q", "Enter")
    page.wait_for_selector("#walk-in-results")
    page.click("#walk-in-results button:has-text('现场登记并签到')")
    page.wait_for_selector("text=罗晓东 已现场登记并签到成功")
    assert "没有报名本培训班" in asked[-1]
    assert "本班已超出名额 1 人（2 / 1）" in page.inner_text("main")  # the walk-in is recorded all the same
    page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}")
    row = page.locator("tr", has_text="罗晓东")
    row.locator("button:has-text('撤销签到')").click()
    page.wait_for_selector("text=已撤销 罗晓东 的签到，扣除 3 学时。")
    assert "已认定的 3 学时将一并扣除" in asked[-1]
    assert page.locator("tr", has_text="罗晓东").count() == 0  # a walk-in taken back leaves the list
