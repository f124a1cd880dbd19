"""Staff generate invitation codes: the answer is a download, after which the page shows what
happened; regenerating codes already handed out asks first."""

import io

import pytest
from openpyxl import load_workbook

from tests.browser.test_exam_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_codes_download_then_the_page_says_so_and_a_regeneration_asks_first(live_server, factory, browser):
    with live_server.app_context():
        staff = factory.user("staff")
        for name in ("陈秀英", "欧阳建国"):
            factory.filing(officer_name=name)
        login = staff.login
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    sign_in(page, live_server.live_url, login)
    page.goto(live_server.live_url + "/staff/registry/invitations")
    assert "其中 2 份还没有邀请码" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=生成并下载")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet.max_row == 3  # a header and the two codes
    page.wait_for_selector("text=已为 2 份备案生成邀请码")  # the page reloaded by itself
    assert "其中 0 份还没有邀请码" in page.inner_text("main")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.check("input[name=reissue]")
    page.click("text=生成并下载")
    assert asked and "已发出的邀请码将全部作废" in asked[0]
    page.wait_for_timeout(2500)  # dismissed: nothing was sent, and the page stays as it was
    assert page.is_checked("input[name=reissue]")
