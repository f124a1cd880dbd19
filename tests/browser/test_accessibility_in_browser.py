"""What a keyboard user and a low-vision user notice, measured in Chromium: the navigation's
contrast and focus ring, menus that open with Space, focus on the first wrong field, the
clock red in the last five minutes, visible options, saves read out only when they fail,
and pages that print without the screen's bars and buttons."""

import re

import pytest

from tests.browser.test_exam_in_browser import sign_in, start_an_exam
from tests.browser.test_exam_paper_in_browser import DESKTOP, open_paper, set_deadline

pytestmark = pytest.mark.browser

STYLE = "(el, name) => getComputedStyle(el)[name]"


def rgb(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of a (possibly translucent) text colour on an opaque background."""
    *fg, alpha = rgb(foreground)
    bg = rgb(background)[:3]
    mixed = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True)]

    def luminance(channels):
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(mixed), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def staff_page(live_server, factory, browser):
    with live_server.app_context():
        login = factory.user("staff").login
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/staff/programs/")
    return page


def test_navigation_links_read_at_4_5_to_1_in_every_state_and_show_a_focus_ring(live_server, factory, browser):
    page = staff_page(live_server, factory, browser)
    bar = page.eval_on_selector("header .navbar", STYLE, "backgroundColor")
    link = page.locator("header .nav-link:not(.dropdown-toggle)").first
    toggle = page.locator("header button.dropdown-toggle").first
    for control in (link, toggle):
        assert contrast(control.evaluate(STYLE, "color"), bar) >= 4.5  # at rest
        control.hover()
        assert contrast(control.evaluate(STYLE, "color"), bar) >= 4.5
    active = page.locator("header .nav-link.active")
    assert active.count() and contrast(active.first.evaluate(STYLE, "color"), bar) >= 4.5
    page.mouse.move(0, 500)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the bar's name
    page.keyboard.press("Tab")  # the first link of the bar
    focused = page.evaluate_handle("document.activeElement")
    assert focused.evaluate("el => el.matches('header .nav-link')")
    assert focused.evaluate(STYLE, "outlineStyle") == "solid"
    assert focused.evaluate(STYLE, "outlineWidth") == "2px"
    ring = focused.evaluate(STYLE, "outlineColor")
    assert contrast(ring, bar) >= 3  # a ring one sees against the bar (WCAG 1.4.11)
    assert contrast(focused.evaluate(STYLE, "color"), bar) >= 4.5
    page.context.close()


def test_a_menu_of_the_bar_opens_with_space_and_closes_with_escape(live_server, factory, browser):
    page = staff_page(live_server, factory, browser)
    toggle = page.get_by_role("button", name="名册")
    toggle.focus()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="备案名册").is_visible()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.textContent.trim()") == "名册"
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.context.close()


def test_a_form_sent_back_with_errors_puts_focus_on_the_first_wrong_field(live_server, browser):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(live_server.live_url + "/register")
    page.fill("#name", "王小明")
    page.click("main button[type=submit]")
    page.wait_for_selector("#code[aria-invalid='true']")  # in the HTML before app.js has run:
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'", timeout=5000)
    ids = page.evaluate("document.activeElement.getAttribute('aria-describedby').split(' ')")
    assert len(ids) == 2 and page.is_visible(f"#{ids[0]}")  # the error, shown beside the field
    assert page.text_content(f"#{ids[0]}").strip()
    assert page.text_content(f"#{ids[1]}").startswith("区市场监管局为您的备案发放的邀请码")  # and the help
    page.context.close()


def test_the_clock_turns_red_below_five_minutes(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=2)
    set_deadline(live_server, 302)
    page.reload()
    page.wait_for_selector("#countdown")
    dark = page.eval_on_selector("#countdown", STYLE, "backgroundColor")
    assert rgb(dark)[:3] == (33, 37, 41)  # Bootstrap's dark, with five minutes and more to go
    page.wait_for_function("() => document.getElementById('countdown').textContent.startsWith('4:')", timeout=8000)
    red = page.eval_on_selector("#countdown", STYLE, "backgroundColor")
    assert rgb(red)[:3] == (220, 53, 69)  # Bootstrap's danger red
    assert contrast(page.eval_on_selector("#countdown", STYLE, "color"), red) >= 4.5
    page.context.close()


def test_empty_options_are_outlined_at_3_to_1_and_focus_shows_a_ring(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=2)
    border = page.eval_on_selector("#q1_0", STYLE, "borderTopColor")
    assert contrast(border, "rgb(255, 255, 255)") >= 3
    page.focus("#q1_flag")
    page.keyboard.press("Shift+Tab")  # into the options of question 1, from the keyboard
    focused = page.evaluate_handle("document.activeElement")
    assert focused.evaluate("el => el.name") == "q1"
    assert focused.evaluate(STYLE, "outlineStyle") == "solid"
    assert contrast(focused.evaluate(STYLE, "outlineColor"), "rgb(255, 255, 255)") >= 3
    page.context.close()


def test_a_question_number_tells_a_screen_reader_what_its_colour_shows(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=2)
    number = page.locator("[data-nav='1']")
    assert number.get_attribute("aria-label") == "第 1 题，未作答"
    page.check("#q1_0")
    page.check("#q1_flag")
    assert number.get_attribute("aria-label") == "第 1 题，已作答，已标记"
    assert page.get_by_role("link", name="第 1 题，已作答，已标记").is_visible()
    page.context.close()


def test_saves_are_shown_with_a_24_hour_time_and_read_out_only_when_they_fail(live_server, factory, browser):
    page = start_an_exam(live_server, factory, browser, "single")
    page.check("#q1_0")
    page.wait_for_selector("#exam[data-saved='1']", state="attached")
    assert re.fullmatch(r"已保存 \d\d:\d\d:\d\d", page.inner_text("#save-state"))
    assert page.inner_text("#save-alert") == ""  # a save that worked is not read out
    page.context.set_offline(True)
    page.check("#q2_1")
    page.wait_for_function("() => document.getElementById('save-alert').textContent !== ''")
    assert page.text_content("#save-alert") == "网络中断，答案暂存在本机，恢复后自动保存"
    page.context.set_offline(False)
    page.wait_for_selector("#exam[data-saved='2']", state="attached", timeout=20000)
    assert page.text_content("#save-alert") == "网络已恢复，答案已保存。"
    page.context.close()


def test_the_verification_page_prints_without_the_bars_and_the_form(live_server, browser):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(live_server.live_url + "/verify/CQO-2026-000001-0")
    page.emulate_media(media="print")
    assert page.is_hidden("header nav") and page.is_hidden("footer") and page.is_hidden("main form")
    assert page.is_visible("main h1") and page.is_visible("main .alert:not(#offline-note)")  # what the check found
    page.emulate_media(media="screen")
    assert page.is_visible("header nav") and page.is_visible("main form")
    page.context.close()


def test_fields_and_buttons_outside_the_exam_show_a_focus_ring_one_can_see(live_server, browser):
    """Bootstrap's pale glow (1.4:1) was the only sign of focus on the sign-in form, 登录 and the
    rest of the site's fields and buttons."""
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    page.goto(live_server.live_url + "/login")
    page.focus("input[name=login]")
    page.keyboard.press("Tab")  # from the field to the next control, as a keyboard user goes
    seen = []
    for _ in range(6):
        focused = page.evaluate_handle("document.activeElement")
        if focused.evaluate("el => el.matches('.form-control, .form-check-input, .btn')"):
            assert focused.evaluate(STYLE, "outlineStyle") == "solid", focused.evaluate("el => el.outerHTML")
            assert contrast(focused.evaluate(STYLE, "outlineColor"), "rgb(255, 255, 255)") >= 3
            seen.append(focused.evaluate("el => el.tagName"))
        page.keyboard.press("Tab")
    assert {"INPUT", "BUTTON"} <= set(seen), seen
    page.context.close()
