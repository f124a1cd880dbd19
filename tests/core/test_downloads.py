"""Every table download is streamed row by row (openpyxl's write-only mode: a 100,000-row
export never sits in memory as cells) and still opens as staff expect: a bold, frozen and
filtered header, columns as wide as their content, typed cells, formulas stored as text and a
说明 sheet after the data."""

from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from lms.core import downloads
from lms.core.downloads import Percent, table_book, write_notes, write_table, xlsx_stream

HOSTILE = '=HYPERLINK("http://evil.example/steal","点击查看")'


def reopened(book):
    return load_workbook(xlsx_stream(book))


def test_a_streamed_table_keeps_every_property_of_the_sheet(app):
    book = table_book()
    wrote = write_table(book.create_sheet("培训情况"), ["企业名称", "手机号码", "聘任日期", "时间", "考试成绩", "备注"], [
        ["合肥市相山区某某精密机械制造有限责任公司", "13900001111", date(2026, 3, 5),
         datetime(2026, 12, 3, 17, 30, tzinfo=UTC), Percent(4 / 6, "66.7%"), HOSTILE],
        ["+1 公司", "", None, "", "", "@SUM(1+1)"]])
    write_notes(book, [("文件", "测试"), ("统计日期", date(2026, 12, 4))])
    assert wrote == 2
    book = reopened(book)
    assert book.sheetnames == ["培训情况", "说明"]
    sheet = book["培训情况"]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3"
    assert 40 <= sheet.column_dimensions["A"].width <= 50 and sheet.column_dimensions["C"].width == 12
    name, mobile, appointed, at, score, note = sheet[2]
    assert mobile.value == "13900001111" and mobile.data_type == "s" and mobile.number_format == "@"
    assert appointed.value == datetime(2026, 3, 5) and appointed.number_format == "yyyy-mm-dd"
    assert at.value == datetime(2026, 12, 4, 1, 30) and at.number_format == "yyyy-mm-dd hh:mm"  # Beijing time
    assert score.value == pytest.approx(4 / 6) and score.number_format == "0.0%" and score.data_type == "n"
    assert note.value == HOSTILE and note.data_type == "s"  # shown as typed, never run
    assert [c.value for c in sheet[3]] == ["+1 公司", None, None, None, None, "@SUM(1+1)"]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    notes = book["说明"]
    assert notes["A2"].value == "文件" and notes["B3"].value == datetime(2026, 12, 4) and notes.freeze_panes == "A2"


def test_a_title_above_the_table_moves_the_frozen_header_under_it(app):
    book = table_book()
    write_table(book.create_sheet("签到记录"), ["序号", "姓名"], [[1, "王明"]], above=[["质量月培训班", "=1+1"]])
    sheet = reopened(book)["签到记录"]
    assert [c.value for c in sheet[1]] == ["质量月培训班", "=1+1"] and sheet["B1"].data_type == "s"
    assert sheet["A2"].font.b and sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:B3"


def test_a_sheet_of_a_workbook_read_back_is_laid_out_the_same(app):
    """The roster template adds its 填写说明 sheet to a workbook it has read back (not streamed)."""
    book = Workbook()
    write_table(book.active, ["列名", "填写要求"], [["企业名称", HOSTILE]])
    sheet = reopened(book).active
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet["B2"].data_type == "s"


@pytest.mark.parametrize("url", ["/staff/coverage/export.xlsx", "/staff/coverage/chase?format=xlsx",
                                 "/staff/coverage/outbox?format=xlsx"])
def test_the_coverage_downloads_are_streamed(app, factory, as_staff, monkeypatch, url):
    from lms.coverage import exports
    from lms.extensions import db
    from lms.programs.models import Program

    db.session.add(Program(name="2026", requirements=[], starts_on=date(2020, 1, 1), deadline=date(2099, 1, 1),
                           is_current=True))
    db.session.commit()
    factory.filing(officer_name="王明")
    streamed = []
    monkeypatch.setattr(exports, "xlsx_stream", lambda book: streamed.append(book.write_only) or downloads.xlsx_stream(book))
    assert as_staff.get(url).status_code == 200 and streamed == [True]


def test_the_invitation_codes_are_streamed(app, factory, as_staff, monkeypatch):
    from lms.registry import exports

    factory.filing(officer_name="孙悦")
    streamed = []
    monkeypatch.setattr(exports, "xlsx_stream", lambda book: streamed.append(book.write_only) or downloads.xlsx_stream(book))
    as_staff.post("/staff/registry/invitations", data={"town_id": 0})
    assert streamed == [True]
