"""Ending a filing in the browser: a missing date is marked before anyone is asked to confirm."""

import pytest

from lms.extensions import db
from lms.registry.models import Filing
from tests.browser.test_exam_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_ending_a_filing_checks_the_date_before_asking_and_asks_before_ending(live_server, factory, browser):
    with live_server.app_context():
        staff = factory.user("staff")
        filing = factory.filing(officer_name="周勇")
        login, enterprise_id, filing_id = staff.login, filing.enterprise_id, filing.id
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(f"{live_server.live_url}/staff/registry/enterprises/{enterprise_id}")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("text=结束备案")
    assert asked == []  # no date yet: the browser marks the field instead of asking
    assert page.evaluate("document.querySelector('input[name=ended_on]').validity.valueMissing")
    page.fill("input[name=ended_on]", "2026-11-30")
    page.click("text=结束备案")
    assert asked == ["确定结束 周勇 的备案吗？"]
    page.click("button:has-text('保存')")  # an empty successor form is marked, not asked about
    assert len(asked) == 1 and page.evaluate("document.querySelector('input[name=officer_name]').validity.valueMissing")
    for name, value in (("officer_name", "王一"), ("position", "质量总监"), ("mobile", "13912345678"),
                        ("appointed_on", "2026-11-30"), ("filed_on", "2026-11-30")):
        page.fill(f"input[name={name}]", value)
    page.click("button:has-text('保存')")  # filing a successor ends 周勇's filing too: it asks
    assert len(asked) == 2 and "周勇 的备案即结束" in asked[1]
    with live_server.app_context():
        assert db.session.get(Filing, filing_id).status == "current"  # both dismissed: nothing ended
    page.context.close()
