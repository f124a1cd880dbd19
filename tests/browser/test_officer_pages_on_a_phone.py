"""An officer's pages on a phone (390 x 844) and a desktop (1366 x 768): nothing spills into
its neighbour (a workshop into the next day, a title into its badge, a link off the edge)."""

from datetime import UTC, datetime

import pytest

from lms.assessment import service as exams
from tests.assessment.exam_factory import add_questions, answer_all, make_exam
from tests.browser.test_exam_in_browser import sign_in
from tests.browser.test_lesson_in_browser import PHONE, first_lesson_on_a_phone
from tests.workshops.helpers import make_workshop, officer

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
# Each calendar event's box and that of its day.
EVENTS = """() => [...document.querySelectorAll('.calendar-event')].map(a => {
  const e = a.getBoundingClientRect(), d = a.closest('td').getBoundingClientRect();
  return {left: e.left, right: e.right, dayLeft: d.left, dayRight: d.right}; })"""


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_workshop_stays_inside_its_day_on_the_calendar(live_server, factory, browser, screen):
    with live_server.app_context():  # Wednesday 16 December, 09:00 in Shanghai
        make_workshop(title="计量器具管理与强制检定实务", starts_at=datetime(2026, 12, 16, 1, tzinfo=UTC),
                      ends_at=datetime(2026, 12, 16, 4, tzinfo=UTC))
        login = officer(factory).login
    page = browser.new_context(locale="zh-CN", **screen).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/workshops/calendar?month=2026-12")
    (event,) = page.evaluate(EVENTS)
    assert event["dayLeft"] <= event["left"] and event["right"] <= event["dayRight"], event
    assert page.locator(".calendar-event").inner_text().startswith("09:00")
    if screen is PHONE:  # the title is listed under the month instead
        assert "12-16 09:00 计量器具管理与强制检定实务" in page.inner_text(".list-group")
    page.context.close()


def test_the_feed_address_shows_whole_and_copies(live_server, factory, browser):
    with live_server.app_context():
        login = officer(factory).login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/workshops/")
    box = page.locator("#feed-url")
    assert "/workshops/feed/" in box.inner_text() and box.inner_text().strip().endswith(".ics")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing cut off
    page.click("text=复制地址")
    # Headless Chromium grants no clipboard here: the address is selected for the phone's copy.
    page.wait_for_function("() => document.getElementById('feed-url-status').textContent !== ''")
    status = page.inner_text("#feed-url-status")
    if "已选中" in status:
        assert page.evaluate("getSelection().toString().trim()") == box.inner_text().strip()
    else:
        assert "已复制" in status
    page.context.close()


def test_a_long_lesson_title_keeps_clear_of_its_badge(live_server, factory, browser, tmp_path):
    page = first_lesson_on_a_phone(live_server, factory, browser, tmp_path, 0,
                                   lessons=[("01-first", "关键控制点判断树与 HACCP 计划表的编制和验证", 1.0)])
    page.click("text=标记为已学完")
    page.goto(live_server.live_url + "/courses/demo")
    title = page.locator(".list-group-item a").bounding_box()
    badge = page.locator(".list-group-item .badge", has_text="已学完").bounding_box()
    assert title["x"] + title["width"] + 4 <= badge["x"], (title, badge)
    page.context.close()


def test_the_exam_history_fits_a_phone_in_english(live_server, factory, browser):
    with live_server.app_context():
        add_questions("metrology", "single", 3)
        exam = make_exam()
        user = factory.user("officer")
        for correct in (False, True):
            attempt = exams.start_attempt(exam, user.id)
            answer_all(attempt, correct=correct)
            exams.submit(attempt)
        exam_id, login = exam.id, user.login
    page = browser.new_context(locale="en", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/lang/en")  # the interface is Chinese until English is chosen
    page.goto(f"{live_server.live_url}/exams/{exam_id}")
    table = page.locator(".table-responsive").last
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), table.evaluate("el => el.scrollWidth")
    link = page.locator("a", has_text="View").first.bounding_box()
    assert link["x"] + link["width"] <= 390
    page.context.close()


def test_a_form_sent_offline_stays_on_the_page_with_what_was_typed(live_server, factory, browser):
    with live_server.app_context():
        login = factory.user("officer").login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    page.goto(live_server.live_url + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "correct-horse-1")
    page.context.set_offline(True)
    page.click("button[type=submit]")
    page.wait_for_selector("#offline-note", state="visible")
    assert "网络已断开，这次没有提交" in page.inner_text("#offline-note")
    assert page.url.endswith("/login") and page.input_value("input[name=login]") == login
    page.context.set_offline(False)
    page.wait_for_selector("#offline-note", state="hidden")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.context.close()


def test_the_certificate_buttons_are_44px_to_a_finger_and_compact_to_a_mouse(live_server, factory, browser):
    from datetime import timedelta

    from lms.core.clock import local_today
    from lms.extensions import db
    from lms.programs.models import Program
    from tests.certificates.test_expired_certificates import holder

    with live_server.app_context():
        today = local_today()
        program = Program(name="2026 培训", requirements=[], starts_on=today - timedelta(days=800),
                          deadline=today + timedelta(days=60), is_current=True)
        db.session.add(program)
        db.session.commit()
        user, _filing, _cert = holder(factory, program, "持证", today + timedelta(days=300))
        login = user.login
    for device, check in ((PHONE, lambda h: min(h) >= 44), (DESKTOP, lambda h: max(h) < 36)):
        page = browser.new_context(locale="zh-CN", **device).new_page()
        sign_in(page, live_server.live_url, login)
        page.goto(live_server.live_url + "/certificates/")
        heights = page.eval_on_selector_all("main .btn-sm", "els => els.map(el => el.getBoundingClientRect().height)")
        assert len(heights) >= 2 and check(heights), heights
        page.context.close()


def test_ones_own_workshop_shows_its_whole_time_in_a_phones_day(live_server, factory, browser):
    from lms.extensions import db
    from lms.workshops import service as workshops

    with live_server.app_context():  # the tick of a seat and the time are wider than a phone's day
        user = officer(factory)
        workshop = make_workshop(starts_at=datetime(2026, 12, 16, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 16, 4, tzinfo=UTC))
        workshops.enrol(workshop, user.id, now=datetime(2026, 12, 1, tzinfo=UTC))
        db.session.commit()
        login = user.login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/workshops/calendar?month=2026-12")
    event = page.locator("td .calendar-event")
    assert "09:00" in event.inner_text()
    assert event.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight"), \
        event.evaluate("el => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]")
    inside = "el => el.getBoundingClientRect().right <= el.closest('td').getBoundingClientRect().right"
    assert event.evaluate(inside)
    page.context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_example_invitation_code_is_not_broken_at_a_dash(live_server, browser, locale):
    """On a phone the help under the code field once broke ABCD- / EFGH-JK: two codes, to a reader."""
    page = browser.new_context(locale=locale, **PHONE).new_page()
    page.goto(live_server.live_url + "/register")
    example = page.locator("#code-help .text-nowrap", has_text="ABCD-EFGH-JK")
    assert example.count() == 1
    assert example.evaluate("e => e.getClientRects().length") == 1  # one box: one line
    page.context.close()
