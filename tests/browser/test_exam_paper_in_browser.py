"""The exam paper on a phone and at a desk: questions and focus clear of the sticky bar with
the clock, options big enough to tap, warnings one can see, time running out offline, and a
retake that opens by itself."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.assessment import service
from lms.assessment.models import Attempt
from lms.core.models import utcnow
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.browser.test_exam_in_browser import sign_in
from tests.browser.test_lesson_in_browser import PHONE
from tests.browser.test_tables_on_a_phone import LINE_TOPS

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
BAR_BOTTOM = "document.querySelector('#exam .sticky-top').getBoundingClientRect().bottom"


def open_paper(live_server, factory, browser, device: dict, questions: int = 25):
    """A signed-in officer's page on a running paper of single-choice questions."""
    with live_server.app_context():
        add_questions("metrology", "single", questions)
        exam = make_exam([{"topic": "metrology", "kind": "single", "count": questions, "points": 2}],
                         title="2026 年首席质量官培训结业考试")
        officer = factory.user("officer")
        attempt = service.start_attempt(exam, officer.id)
        attempt_id, login = attempt.id, officer.login
    # Reduced motion: the jump lands at once instead of scrolling smoothly there.
    page = browser.new_context(locale="zh-CN", reduced_motion="reduce", **device).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/exams/attempts/{attempt_id}")
    page.wait_for_selector("#countdown")
    return page


def set_deadline(live_server, seconds: float) -> None:
    with live_server.app_context():
        db.session.execute(update(Attempt).values(deadline_at=utcnow() + timedelta(seconds=seconds)))
        db.session.commit()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_question_jumped_to_shows_below_the_bar_with_the_clock(live_server, factory, browser, device):
    page = open_paper(live_server, factory, browser, device)
    page.click("[data-nav='20']")
    page.wait_for_function("() => location.hash === '#q20'")
    bar = page.evaluate(BAR_BOTTOM)
    assert bar > 40  # the bar is where it sticks, at the top
    for part in ("#q20 legend", "#q20 .question-text"):
        assert page.eval_on_selector(part, "el => el.getBoundingClientRect().top") >= bar, part
    page.context.close()


def test_focus_moving_back_with_shift_tab_stays_below_the_bar(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP)
    page.focus("#submit-paper")
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        top, name = page.evaluate("[document.activeElement.getBoundingClientRect().top, document.activeElement.id]")
        assert top >= page.evaluate(BAR_BOTTOM), name
    page.context.close()


def test_options_are_44px_tall_to_a_finger_and_compact_to_a_mouse(live_server, factory, browser):
    phone = open_paper(live_server, factory, browser, PHONE, questions=2)
    heights = phone.eval_on_selector_all("#q1 label", "els => els.map(el => el.getBoundingClientRect().height)")
    assert len(heights) == 5 and min(heights) >= 44, heights  # four options and the flag
    phone.click("#q1 label[for='q1_2'] >> text=C.")  # the option's words select it
    assert phone.is_checked("#q1_2")
    phone.context.close()
    desktop = open_paper(live_server, factory, browser, DESKTOP, questions=2)
    heights = desktop.eval_on_selector_all("#q1 label", "els => els.map(el => el.getBoundingClientRect().height)")
    assert max(heights) < 32, heights
    desktop.context.close()


def test_the_minute_warnings_show_beside_the_clock(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=2)
    assert page.is_hidden("#time-alert")
    set_deadline(live_server, 302)
    page.reload()
    page.wait_for_selector("#time-alert:has-text('还剩 5 分钟，时间到后系统自动交卷。')", state="visible", timeout=8000)
    assert page.get_attribute("#time-warning", "aria-live") == "assertive"  # still read out, once
    assert page.eval_on_selector("#time-alert", "el => el.closest('.sticky-top') !== null")
    page.context.close()


def test_time_running_out_offline_keeps_the_page_and_shows_the_result_once_back(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=2)
    set_deadline(live_server, 4)
    page.reload()
    paper_url = page.url
    page.context.set_offline(True)
    page.wait_for_selector("#time-up:has-text('已保存的答案都会保留，并按时评分')", state="visible", timeout=10000)
    assert page.url == paper_url and page.is_disabled("#submit-paper")
    page.context.set_offline(False)
    page.wait_for_url("**/result", timeout=15000)
    assert "考试时间已到，系统按已保存的答案评分。" in page.inner_text("main")
    page.context.close()


def test_handing_in_offline_says_so_beside_the_button_and_keeps_the_place(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=30)
    page.eval_on_selector("#submit-paper", "el => el.scrollIntoView({block: 'center'})")
    before, paper_url = page.evaluate("window.scrollY"), page.url
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.context.set_offline(True)
    page.click("#submit-paper")
    page.wait_for_selector("#submit-offline", state="visible")
    page.wait_for_timeout(300)
    assert page.url == paper_url and not dialogs  # nothing asked, nothing sent
    assert abs(page.evaluate("window.scrollY") - before) < 200  # still at the button, 30 questions down
    height = page.evaluate("window.innerHeight")
    for part in ("#submit-offline", "#submit-paper"):
        box = page.eval_on_selector(part, "el => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom]")
        assert page.evaluate(BAR_BOTTOM) <= box[0] and box[1] <= height, part
    assert page.is_hidden("#offline-note")  # the page-wide note at the top stays out of it
    page.context.set_offline(False)
    page.wait_for_selector("#submit-offline", state="hidden")
    page.click("#submit-paper")
    page.wait_for_url("**/result")
    page.context.close()


def test_an_answer_given_offline_shows_on_the_reopened_page_and_is_handed_in(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    paper_url = page.url
    page.context.set_offline(True)
    page.check("#q2_1")  # kept in the browser: the server has not seen it
    page.wait_for_selector("#save-state:has-text('网络中断')", timeout=5000)
    page.close()
    page = page.context.new_page()
    page.context.set_offline(False)
    page.goto(paper_url)  # the server's page has question 2 blank; the browser still has it
    assert page.is_checked("#q2_1")
    assert "btn-primary" in page.get_attribute("[data-nav='2']", "class")
    page.wait_for_selector("#exam[data-saved='1']", state="attached")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-paper")
    page.wait_for_url("**/result")
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert [q.response for q in sorted(attempt.questions, key=lambda q: q.position)] == [None, 1, None]
    page.context.close()


def test_a_second_tab_opened_earlier_hands_in_without_erasing_the_first_tabs_answers(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=3)
    other = page.context.new_page()  # the same paper, opened before anything was answered
    other.goto(page.url)
    other.wait_for_selector("#countdown")
    page.check("#q1_0")
    page.wait_for_selector("#exam[data-saved='1']", state="attached")
    other.check("#q3_2")
    other.wait_for_selector("#exam[data-saved='1']", state="attached")
    other.on("dialog", lambda dialog: dialog.accept())
    other.click("#submit-paper")
    other.wait_for_url("**/result")
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert [q.response for q in sorted(attempt.questions, key=lambda q: q.position)] == [0, None, 2]
    page.context.close()


def test_the_save_button_is_only_for_pages_without_javascript(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=2)
    assert page.is_hidden("#save-paper") and page.is_visible("#submit-paper")
    page.context.close()


def test_a_retake_opens_by_itself_when_the_waiting_time_is_over(live_server, factory, browser):
    with live_server.app_context():
        add_questions("metrology", "single", 6)
        exam = make_exam(wait_minutes=1)
        officer = factory.user("officer")
        attempt = service.start_attempt(exam, officer.id)
        service.submit(attempt)  # failed: nothing answered
        db.session.execute(update(Attempt).values(submitted_at=utcnow() - timedelta(seconds=56)))
        db.session.commit()
        exam_id, login = exam.id, officer.login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/exams/{exam_id}")
    assert page.is_disabled("#retake")
    page.wait_for_selector("#retake:enabled", timeout=10000)  # no reload
    assert page.inner_text("#retake-opens") == "现在可以再考了。"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#retake")
    page.wait_for_selector("#countdown")  # and the server agrees
    page.context.close()


def test_the_start_times_of_attempts_keep_to_one_line_on_a_phone(live_server, factory, browser):
    with live_server.app_context():
        add_questions("metrology", "single", 6)
        exam = make_exam()
        officer = factory.user("officer")
        service.submit(service.start_attempt(exam, officer.id))
        exam_id, login = exam.id, officer.login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/exams/{exam_id}")
    cell = page.locator("tbody td").nth(1).element_handle()
    assert len(page.evaluate(LINE_TOPS, cell)) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"] + 1
    page.context.close()


def test_flagging_a_question_answered_offline_keeps_the_answer(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    page.context.set_offline(True)
    page.check("#q2_1")  # kept in the browser: the server has not seen it
    page.wait_for_selector("#save-state:has-text('网络中断')", timeout=5000)
    page.check("fieldset.question[data-position='2'] input.flag")  # "mark for another look"
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for _ in range(100):  # one save or two (the page's own "online" and ours): at least one, not an exact count
        if int(page.get_attribute("#exam", "data-saved") or 0) >= 1:
            break
        page.wait_for_timeout(100)
    with live_server.app_context():
        item = next(q for q in db.session.scalar(select(Attempt)).questions if q.position == 2)
        assert (item.response, item.flagged) == (1, True)  # the answer and the flag, both
    page.context.close()


def test_a_save_refused_because_the_officer_was_signed_out_says_so_not_network(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    with live_server.app_context():  # the password changed on another phone
        from lms.accounts.models import User

        for user in db.session.scalars(select(User).where(User.role == "officer")):
            user.set_password("another-horse-2")
        db.session.commit()
    page.check("#q1_1")
    page.wait_for_selector("#save-state:has-text('您已退出登录')", timeout=10000)
    assert "网络中断" not in page.inner_text("#save-state")
    assert "q1" in page.evaluate("Object.keys(localStorage).join(' ')") or page.evaluate(
        "Object.values(localStorage).some(v => v.includes('\"position\":1'))")  # kept on the phone
    page.context.close()



def _saved_elsewhere(live_server, position: int, response) -> None:
    """Another device of the same officer saves an answer (straight to the service)."""
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        service.save_answer(attempt, position, response)


def _response(live_server, position: int):
    with live_server.app_context():
        attempt = db.session.scalar(select(Attempt))
        return next(q.response for q in attempt.questions if q.position == position)


def test_an_answer_given_offline_does_not_overwrite_a_newer_one_from_another_device(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    page.context.set_offline(True)
    page.check("#q2_1")  # on the phone, offline
    page.wait_for_selector("#save-state:has-text('网络中断')", timeout=5000)
    _saved_elsewhere(live_server, 2, 0)  # meanwhile, on the computer
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#save-alert:has-text('第 2 题已在另一个页面或另一台设备上改过答案')", timeout=10000)
    assert page.is_checked("#q2_0") and not page.is_checked("#q2_1")  # the page shows the newer answer
    assert _response(live_server, 2) == 0
    assert "\"position\":2" not in page.evaluate("JSON.stringify(localStorage)")  # nothing left to resend
    page.context.close()


def test_a_page_reopened_later_does_not_resend_an_offline_answer_over_a_newer_one(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    paper_url = page.url
    page.context.set_offline(True)
    page.check("#q3_1")
    page.wait_for_selector("#save-state:has-text('网络中断')", timeout=5000)
    page.close()
    _saved_elsewhere(live_server, 3, 2)  # the officer went on on the computer
    page = page.context.new_page()
    page.context.set_offline(False)
    page.goto(paper_url)  # the server's page shows 2; the phone still holds 1, given before it
    page.wait_for_selector("#save-alert:has-text('第 3 题已在另一个页面或另一台设备上改过答案')", timeout=10000)
    assert page.is_checked("#q3_2")
    assert _response(live_server, 3) == 2
    page.context.close()


def test_answers_changed_quickly_on_one_page_are_all_saved_in_order(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, DESKTOP, questions=3)
    for option in (0, 1, 2, 1):  # faster than the replies come back
        page.check(f"#q1_{option}")
    for _ in range(100):
        if _response(live_server, 1) == 1 and "\"position\":1" not in page.evaluate("JSON.stringify(localStorage)"):
            break
        page.wait_for_timeout(100)
    assert _response(live_server, 1) == 1
    assert "另一台设备" not in page.inner_text("#save-alert")  # its own answers never count as someone else's
    page.context.close()


def test_an_answer_still_offline_when_the_time_runs_out_is_counted_on_the_result_page(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    set_deadline(live_server, 5)
    page.reload()
    page.wait_for_selector("#countdown")
    page.context.set_offline(True)
    page.check("#q1_1")  # never reaches the server: the time runs out first
    page.wait_for_selector("#time-up:has-text('已保存的答案都会保留')", state="visible", timeout=10000)
    # Back online, the waiting answer is refused (closed) and the hand-in goes ahead: each
    # once led to the result page, and the second navigation cancelled the first.
    opened = []
    page.on("request", lambda r: opened.append(r.url) if r.resource_type == "document" else None)
    page.context.set_offline(False)
    page.wait_for_url("**/result?unsaved=1", timeout=15000)
    assert "断网期间作答的 1 道题在时间到之前没能保存到服务器" in page.inner_text("#unsaved-note")
    assert len(opened) == 1, opened
    page.context.close()


def test_the_bar_counts_the_answers_and_leads_to_the_hand_in_on_a_phone(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE)
    assert page.inner_text("#answered-count") == "0/25"
    page.locator("#q1 input[type=radio]").first.check()
    page.locator("#q2 input[type=radio]").first.check()
    assert page.inner_text("#answered-count") == "2/25"
    assert not page.locator("#submit-paper").is_visible() or page.evaluate(
        "document.getElementById('submit-paper').getBoundingClientRect().top") > PHONE["viewport"]["height"]
    page.click("#to-hand-in")
    top = page.evaluate("document.getElementById('submit-paper').getBoundingClientRect().top")
    assert 0 < top < PHONE["viewport"]["height"]  # twenty-five questions down, in one tap
    page.context.close()


def test_a_second_tap_on_hand_in_is_not_asked_about_again(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.dblclick("#submit-paper")
    page.wait_for_url("**/result")
    assert len(asked) == 1, asked
    page.context.close()


def test_a_tab_left_open_after_the_paper_was_handed_in_elsewhere_says_why_it_moved(live_server, factory, browser):
    page = open_paper(live_server, factory, browser, PHONE, questions=3)
    with live_server.app_context():
        service.submit(db.session.scalar(select(Attempt)))  # handed in from the other tab
    page.click("#q2_1", no_wait_after=True)  # refused (closed): the page goes to the result
    page.wait_for_url("**/result?unsaved=1", timeout=10000)
    assert "这份试卷已在另一个页面或另一台设备上交卷：那之后在本页作答的 1 道题没有保存" in page.inner_text("#unsaved-note")
    assert "断网" not in page.inner_text("#unsaved-note")
    page.context.close()


def test_the_clock_and_the_hand_in_link_have_names_a_screen_reader_can_read(live_server, factory, browser):
    from playwright.sync_api import expect

    page = open_paper(live_server, factory, browser, DESKTOP, questions=3)
    expect(page.locator("#countdown")).to_have_accessible_name("剩余时间")
    expect(page.locator("#to-hand-in")).to_have_accessible_name("去交卷 已作答的题数 0/3")  # not 去交卷0/3
    page.context.close()
