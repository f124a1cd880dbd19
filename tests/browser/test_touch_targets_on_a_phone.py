"""What a finger taps on a phone is at least 44 px tall (WCAG 2.5.5): the sign-in page's links
and its remember-me line, the menu, a lesson's contents; under a mouse they stay compact."""

import pytest

from tests.browser.test_lesson_in_browser import PHONE, first_lesson_on_a_phone
from tests.browser.test_officer_pages_on_a_phone import DESKTOP

pytestmark = pytest.mark.browser
HEIGHTS = "els => els.filter(el => el.offsetParent).map(el => [el.textContent.trim(), el.getBoundingClientRect().height])"


def heights(page, selector: str) -> list:
    found = page.eval_on_selector_all(selector, HEIGHTS)
    assert found, f"nothing visible matches {selector}"
    return found


def too_small(found: list) -> list:
    return [(text, height) for text, height in found if height < 44]


def test_the_sign_in_page_links_remember_me_and_menu_are_44px_to_a_finger(live_server, browser):
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    page.goto(live_server.live_url + "/login")
    assert "用邀请码注册" in [text for text, _h in heights(page, "main a")]
    assert not too_small(heights(page, "main a")), heights(page, "main a")
    remember = heights(page, "main .form-check-label")
    assert remember[0][0] == "在这台设备上保持登录" and not too_small(remember), remember
    page.click("main .form-check-label")  # the label's whole line ticks the box
    assert page.is_checked("input[name=remember]")
    assert not too_small(heights(page, ".navbar-toggler, .navbar-brand"))
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav .nav-link", state="visible")
    assert not too_small(heights(page, "#mainnav .nav-link")), heights(page, "#mainnav .nav-link")
    page.context.close()


def test_the_remember_me_line_stays_compact_under_a_mouse(live_server, browser):
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    page.goto(live_server.live_url + "/login")
    (remember,) = heights(page, "main .form-check")
    assert remember[1] < 36, remember
    page.context.close()


def test_a_lessons_contents_links_are_44px_to_a_finger(live_server, factory, browser, tmp_path):
    """Folded under the lesson's title, so that the lesson fills the first screen; opened,
    every section's link is a finger's size."""
    page = first_lesson_on_a_phone(live_server, factory, browser, tmp_path, 0)
    assert page.locator("main h1").bounding_box()["y"] < 200
    assert not page.locator("[data-lesson-toc] a").first.is_visible()  # folded
    assert not too_small(heights(page, "[data-lesson-toc] summary"))
    page.click("[data-lesson-toc] summary")
    links = heights(page, "nav[aria-label='本课目录'] a")
    assert len(links) == 2 and not too_small(links), links
    page.context.close()
