"""Invitation codes go out with the registration address: while LMS_BASE_URL names the server
itself (the default), the invitations page, the page of one code and the file say so, as the
reminders do, because nobody else can open such a link."""

import io

from openpyxl import load_workbook

LOCAL = "只能在服务器本机打开"


def notes_of(response) -> dict:
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["邀请码", "说明"]  # the codes stay on the first sheet, for mail merge
    return {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}


def test_a_local_address_is_warned_of_on_the_page_and_in_the_file(app, as_staff, factory):
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    factory.filing(officer_name="孙悦")
    page = as_staff.get("/staff/registry/invitations").get_data(as_text=True)
    assert LOCAL in page and "http://127.0.0.1:5000/register" in page and "LMS_BASE_URL" in page
    notes = notes_of(as_staff.post("/staff/registry/invitations", data={"town_id": 0}))
    assert notes["注册地址"] == "http://127.0.0.1:5000/register" and LOCAL in notes["注意"]


def test_the_page_of_one_new_code_warns_of_a_local_address(app, as_staff, factory):
    app.config["BASE_URL"] = "http://localhost:5000"
    filing = factory.filing(officer_name="钱五")
    page = as_staff.post(f"/staff/registry/filings/{filing.id}/invite", follow_redirects=True).get_data(as_text=True)
    assert '<code class="invite">' in page and LOCAL in page


def test_an_address_others_can_open_needs_no_warning(app, as_staff, factory):
    app.config["BASE_URL"] = "https://cqo.example.gov.cn"
    factory.filing(officer_name="孙悦")
    assert LOCAL not in as_staff.get("/staff/registry/invitations").get_data(as_text=True)
    notes = notes_of(as_staff.post("/staff/registry/invitations", data={"town_id": 0}))
    assert notes["注册地址"] == "https://cqo.example.gov.cn/register" and "注意" not in notes
