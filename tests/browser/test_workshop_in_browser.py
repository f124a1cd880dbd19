"""An officer enrols in a workshop in Chromium, staff check them in at the door, the hours show."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image

from tests.browser.test_exam_in_browser import sign_in
from tests.workshops.helpers import make_workshop, officer

pytestmark = pytest.mark.browser


def test_enrol_check_in_and_see_the_hours_credited(live_server, factory, browser):
    start = datetime.now(UTC) + timedelta(minutes=30)  # staff check-in opens an hour before
    with live_server.app_context():
        workshop = make_workshop(title="计量器具管理实务", starts_at=start, ends_at=start + timedelta(hours=3),
                                 capacity=10, hours=3.0)
        person = officer(factory)
        staff = factory.user("staff")
        workshop_id, officer_login, staff_login = workshop.id, person.login, staff.login
    base = live_server.live_url

    officer_page = browser.new_context(locale="zh-CN").new_page()
    sign_in(officer_page, base, officer_login)
    officer_page.goto(f"{base}/workshops/")
    officer_page.click("text=计量器具管理实务")
    officer_page.click("button:has-text('报名')")
    assert "报名成功" in officer_page.inner_text("main")
    code = officer_page.inner_text("p.font-monospace").strip()
    assert len(code) == 10
    qr = officer_page.locator("img.checkin-qr")
    qr.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    assert qr.evaluate("img => img.naturalWidth") > 0
    # The personal QR code, as the phone's camera sees it, opens the staff check-in page.
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert decoded.text.endswith(f"/staff/workshops/scan?code={code}")

    staff_page = browser.new_context(locale="zh-CN").new_page()
    sign_in(staff_page, base, staff_login)
    staff_page.goto(f"{base}/staff/workshops/{workshop_id}/scan")
    staff_page.fill("#code", code)
    staff_page.press("#code", "Enter")  # as a hand scanner does
    staff_page.wait_for_selector("#checkin-result")
    assert "签到成功" in staff_page.inner_text("#checkin-result")

    officer_page.reload()
    assert "已签到，认定 3 学时" in officer_page.inner_text("main")
    officer_page.goto(f"{base}/workshops/")
    assert "已获线下学时：3" in officer_page.inner_text("main")
