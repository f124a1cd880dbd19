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
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # the page does not
    assert page.evaluate("[...document.querySelectorAll('.table-responsive')].some(t => t.scrollWidth > t.clientWidth)")
