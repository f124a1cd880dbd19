"""Two officers read the same lesson in Chromium, on a desktop and on a phone: each sees the
page as their own (name, reading clock, form that works), in either language."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.catalog.models import LessonProgress
from lms.catalog.sync import sync_courses
from lms.core.models import utcnow
from lms.extensions import db
from tests.browser.test_exam_in_browser import sign_in
from tests.catalog.content_tree import write_course

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def test_two_officers_read_mark_done_and_switch_language(live_server, factory, browser, tmp_path):
    write_course(tmp_path)
    live_server.config["CONTENT_ROOT"] = str(tmp_path)
    with live_server.app_context():
        sync_courses(tmp_path)
        first, second = factory.user("officer", name="王一"), factory.user("officer", name="李二")
        logins = first.login, second.login
    base, url = live_server.live_url, live_server.live_url + "/courses/demo/01-first"
    desktop = browser.new_context(locale="zh-CN").new_page()
    phone = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(desktop, base, logins[0])
    sign_in(phone, base, logins[1])
    desktop.goto(url)
    phone.goto(url)
    assert "王一" in desktop.inner_text("nav") and "李二" not in desktop.content()
    assert "还需约" in phone.inner_text("article")
    # The phone shows the lesson's own column full width: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"] + 1

    with live_server.app_context():  # the first officer has read long enough
        db.session.execute(update(LessonProgress).where(LessonProgress.user_id == first.id)
                           .values(first_opened_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    desktop.goto(url)
    desktop.click("text=标记为已学完")
    desktop.wait_for_url("**/02-second")
    assert "已完成《第一课》" in desktop.inner_text("main")  # the flashed message, on the next lesson
    desktop.goto(url)
    assert "本课已学完" in desktop.inner_text("article")

    phone.reload()  # the second officer's page is still theirs: not done, clock running
    assert "标记为已学完" in phone.inner_text("article") and "本课已学完" not in phone.content()
    phone.click("button.navbar-toggler")
    phone.click("text=English")
    phone.wait_for_url(url)  # already the URL before the switch: wait for the English page itself
    phone.wait_for_selector("html[lang='en']", state="attached")
    assert "Mark as done" in phone.inner_text("article") and "李二" in phone.content()
    for page in (desktop, phone):
        page.context.close()


def first_lesson_on_a_phone(live_server, factory, browser, tmp_path, read_seconds: int, **course):
    """A new officer on a phone, on the first lesson of a course written to tmp_path that must
    be open read_seconds before it can be marked done."""
    write_course(tmp_path, **course)
    live_server.config.update(CONTENT_ROOT=str(tmp_path), MIN_READ_SECONDS=read_seconds, MAX_READ_SECONDS=read_seconds)
    with live_server.app_context():
        sync_courses(tmp_path)
        login = factory.user("officer").login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/courses/demo/01-first")
    return page


def test_the_reading_clock_counts_down_and_then_enables_the_button(live_server, factory, browser, tmp_path):
    page = first_lesson_on_a_phone(live_server, factory, browser, tmp_path, 3)
    button = page.get_by_role("button", name="标记为已学完")
    assert button.is_disabled()
    first = int(page.inner_text("[data-countdown-seconds]"))
    assert 1 <= first <= 3
    page.wait_for_function(f"() => (document.querySelector('[data-countdown-seconds]') || {{}}).textContent < {first}")
    page.wait_for_selector("#reading-left", state="detached", timeout=6000)
    assert "还需约" not in page.inner_text("article") and button.is_enabled()
    button.click()
    page.wait_for_url("**/02-second")
    assert "已完成《第一课》" in page.inner_text("main")
    page.context.close()


def test_a_wide_table_in_a_lesson_shows_on_a_phone_that_it_scrolls(live_server, factory, browser, tmp_path):
    """The 五类标准 table's last column was cut off at a phone's edge with nothing to say more
    was there: the table now casts a shadow at the edge it continues past."""
    lesson = tmp_path / "courses" / "01-demo" / "01-first.md"
    lesson.parent.mkdir(parents=True)
    cells = " | ".join(["国家标准由国务院标准化行政主管部门制定"] * 5)
    lesson.write_text("## 五类标准\n\n| 类别 | 制定者 | 性质 | 代号示例 | 备注 |\n|---|---|---|---|---|\n"
                      f"| {cells} |\n\n" + "正文。" * 200 + "\n", encoding="utf-8")
    page = first_lesson_on_a_phone(live_server, factory, browser, tmp_path, read_seconds=60)
    table = page.locator("article table").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # wider than the phone: it scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"] + 1
    shading = table.evaluate("t => getComputedStyle(t).backgroundImage")
    assert shading.count("radial-gradient") == 2, shading  # the edge shadows, left and right
    page.context.close()
