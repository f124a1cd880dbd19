"""Staff tables on a phone: Chinese may break between any two characters, so a narrow table
once stood names one character per line. Names keep to one line and the table scrolls
sideways inside its own box, not the page."""

import pytest

from tests.browser.test_exam_in_browser import sign_in
from tests.browser.test_lesson_in_browser import PHONE

pytestmark = pytest.mark.browser
# The tops of the lines a cell's text is laid out in (text nodes only, so that a link's own
# box does not count; tops within a few pixels are one line).
LINE_TOPS = """el => { const tops = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (!tops.some(t => Math.abs(t - r.top) < 4)) tops.push(r.top); }
  return tops; }"""


def test_roster_on_a_phone_keeps_names_on_one_line(live_server, factory, browser):
    with live_server.app_context():
        staff = factory.user("staff", name="质量科工作人员")
        for name in ("陈秀英", "欧阳建国"):
            factory.filing(factory.enterprise(name="淮北市相山区恒润食品股份有限公司第二分公司"), officer_name=name)
        login = staff.login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/staff/registry/filings")
    for name in ("陈秀英", "欧阳建国"):
        cell = page.locator("td", has_text=name).first.element_handle()
        tops = page.evaluate(LINE_TOPS, cell)
        assert len(tops) == 1, (name, tops)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"] + 1  # the page does not
    assert page.evaluate("[...document.querySelectorAll('.table-responsive')].some(t => t.scrollWidth > t.clientWidth)")


def test_staff_pages_with_hidden_column_headings_stay_within_a_phone(live_server, factory, browser):
    """A visually hidden heading (position: absolute) inside a scrolling table box once escaped
    it, and the whole page laid out at 600-700 px on a 390 px phone."""
    from datetime import UTC, datetime, timedelta

    from lms.assessment import service as exams
    from lms.workshops import service as workshops
    from tests.assessment.exam_factory import add_questions, answer_all, make_exam
    from tests.workshops.helpers import make_workshop, officer

    start = datetime.now(UTC) + timedelta(days=3)
    with live_server.app_context():
        workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3))
        workshops.enrol(workshop, officer(factory).id)
        workshop.starts_at = datetime.now(UTC) - timedelta(hours=1)  # under way: the check-in column is there
        workshop.ends_at = workshop.starts_at + timedelta(hours=3)
        add_questions("metrology", "single", 3)
        exam = make_exam()
        attempt = exams.start_attempt(exam, officer(factory).id)
        answer_all(attempt, correct=True)
        exams.submit(attempt)
        urls = [f"/staff/workshops/{workshop.id}", f"/staff/exams/{exam.id}/results"]
        login = factory.user("staff").login
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    sign_in(page, live_server.live_url, login)
    for url in urls:
        page.goto(live_server.live_url + url)
        # Not window.innerWidth: a phone widens its layout viewport to what overflows.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"] + 1, url
        assert page.locator(".table-responsive .visually-hidden").count() > 0, url  # the case at hand
    page.context.close()


def test_a_rows_action_links_sit_together(live_server, factory, browser):
    """The links of one row's actions (编辑 · 成绩) once stood a column apart: each held the
    room of a linked name."""
    from tests.assessment.exam_factory import add_questions, make_exam

    with live_server.app_context():
        add_questions("metrology", "single", 3)
        make_exam()
        login = factory.user("staff").login
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/staff/exams")
    edit = page.get_by_role("link", name="编辑").bounding_box()
    results = page.get_by_role("link", name="成绩").bounding_box()
    # 编辑 is two characters (about 32 px) and " · " a few more, not a column's 8em (128 px)
    assert 0 < results["x"] - edit["x"] < 70, (edit, results)
    page.context.close()
