"""An officer enrols in a workshop in Chromium, staff check them in at the door, the hours show."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import segno
import zxingcpp
from PIL import Image

from tests.browser.conftest import CHROMIUM
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


def test_staff_check_in_with_the_camera(live_server, factory, browser, tmp_path):
    """The check-in page reads the officer's QR code from the camera (a fake one showing it)."""
    from lms.workshops import service
    from lms.workshops.views import personal_checkin_url

    start = datetime.now(UTC) + timedelta(minutes=30)
    with live_server.app_context():
        workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3))
        seat = service.enrol(workshop, officer(factory).id)
        with live_server.test_request_context(base_url=live_server.live_url):
            url = personal_checkin_url(seat.checkin_code)
        workshop_id, name, staff_login = workshop.id, seat.user.name, factory.user("staff").login
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=4)
    frame = Image.new("RGB", (640, 480), "white")
    code = Image.open(qr).convert("RGB")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    jpeg = io.BytesIO()
    frame.save(jpeg, "JPEG", quality=90)
    video = tmp_path / "camera.mjpeg"
    video.write_bytes(jpeg.getvalue() * 30)  # Chromium's fake camera plays an MJPEG file

    # A second Chromium of the same Playwright, with the fake camera.
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        page = camera_browser.new_context(locale="zh-CN").new_page()
        sign_in(page, live_server.live_url, staff_login)
        page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}/scan")
        page.click("#camera-start")
        page.wait_for_selector("#checkin-result", timeout=20000)
        assert "签到成功" in page.inner_text("#checkin-result") and name in page.inner_text("#checkin-result")
        # The camera stays on for the next person; the same code, still in view, is not sent again.
        page.wait_for_timeout(2000)
        assert "签到成功" in page.inner_text("#checkin-result")
    finally:
        camera_browser.close()


def test_the_room_screen_left_open_shows_the_code_when_self_check_in_opens(live_server, factory, browser):
    """Put on the projector before self check-in opens, the screen says when, then shows the
    code by itself (nobody touches it) as the window opens."""
    import time

    from lms.workshops import checkin

    start = datetime.now(UTC) + checkin.SELF_CHECKIN_EARLY + timedelta(seconds=4)
    with live_server.app_context():
        workshop_id = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3)).id
        staff_login = factory.user("staff").login
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server.live_url, staff_login)
    page.goto(f"{live_server.live_url}/staff/workshops/{workshop_id}/screen")
    assert "现场自助签到将于" in page.inner_text("body") and page.locator(".screen-code").count() == 0
    deadline = time.monotonic() + 15
    while page.locator(".screen-code").count() == 0 and time.monotonic() < deadline:
        time.sleep(0.25)  # the page's CSP allows no script to wait on: polled from here
    assert page.locator(".screen-code").count() == 1 and "现场自助签到将于" not in page.inner_text("body")
    assert len(page.inner_text(".screen-code").strip()) == 6
