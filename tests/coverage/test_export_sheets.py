"""The coverage downloads as the bureau's section chief opens them in Excel: each row as it stood
on the export's date, lapsed certificates said, times local, dates and scores typed, the header
frozen and filtered, a 说明 sheet, and a chase list named for its filter."""

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.extensions import db
from lms.programs.models import Program

TODAY = local_today()
AS_OF = TODAY - timedelta(days=4)  # a past-dated export
LONG_AGO = AS_OF - timedelta(days=300)


@pytest.fixture
def program(app):
    program = Program(name="2026 首席质量官培训", requirements=[], hours_required=32, starts_on=LONG_AGO,
                      deadline=TODAY + timedelta(days=60), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


def officer(factory, name, *, enterprise=None, **filing):
    """A claimed filing appointed long before AS_OF."""
    user = factory.user("officer", name=name)
    factory.filing(enterprise, officer_name=name, user_id=user.id,
                   **{"appointed_on": LONG_AGO, "filed_on": LONG_AGO} | filing)
    return user


def certify(program, user, **fields):
    db.session.add(Certificate(serial=f"CQO-{user.name}", user_id=user.id, program_id=program.id,
                               holder_name=user.name, **fields))
    db.session.commit()


def book_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return load_workbook(io.BytesIO(response.data))


def by_name(sheet, key="首席质量官姓名") -> dict[str, dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return {row[header.index(key)]: dict(zip(header, row, strict=True)) for row in rows}


def cell_under(sheet, heading: str, row: int = 2):
    header = [c.value for c in sheet[1]]
    return sheet.cell(row, header.index(heading) + 1)


def status_sheet(client, as_of=AS_OF, history=False):
    url = f"/staff/coverage/export.xlsx?as_of={as_of}" + ("&history=1" if history else "")
    return book_of(client, url)["培训情况"]


def test_the_outbox_sheet_shows_the_local_time_the_page_shows(app, as_staff):
    from lms.coverage.reminders import OutboxMessage

    db.session.add(OutboxMessage(created_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC), to_name="李娜",
                                 to_mobile="13912345678", subject="培训提醒", body="请尽快完成培训"))
    db.session.commit()
    assert "2026-12-04 01:30" in as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    sheet = book_of(as_staff, "/staff/coverage/outbox?format=xlsx")["发件箱"]
    assert sheet["A2"].value == datetime(2026, 12, 4, 1, 30)  # Beijing time, as on the page
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm"


def test_a_filing_ended_after_the_export_date_is_current_on_it(program, factory, as_staff):
    officer(factory, "后离任", ended_on=AS_OF + timedelta(days=2), status="removed", end_reason="离职")
    officer(factory, "早离任", ended_on=AS_OF - timedelta(days=2), status="replaced", end_reason="调岗")
    row = by_name(status_sheet(as_staff))["后离任"]
    assert (row["状态"], row["离任日期"], row["变更原因"]) == ("在任", None, None)
    history = by_name(status_sheet(as_staff, history=True))
    assert (history["后离任"]["状态"], history["后离任"]["离任日期"]) == ("在任", None)
    assert history["早离任"]["状态"] == "已变更" and history["早离任"]["变更原因"] == "调岗"
    assert history["早离任"]["离任日期"].date() == AS_OF - timedelta(days=2)
    assert by_name(status_sheet(as_staff, as_of=TODAY, history=True))["后离任"]["状态"] == "已注销"


def test_a_lapsed_certificate_has_a_status_of_its_own_and_keeps_its_hours(program, factory, as_staff):
    expired = officer(factory, "过期")
    certify(program, expired, issued_on=LONG_AGO, expires_on=AS_OF - timedelta(days=1), basis="manual",
            reason="省级培训已认可", hours=32)
    revoked = officer(factory, "撤销")
    certify(program, revoked, issued_on=LONG_AGO, expires_on=TODAY + timedelta(days=700), status="revoked",
            revoked_at=datetime.combine(AS_OF - timedelta(days=10), datetime.min.time(), UTC),
            revoked_reason="材料不实")
    rows = by_name(status_sheet(as_staff))
    assert rows["过期"]["培训状态"] == "证书已过期" and rows["过期"]["已获学时"] == 32
    assert rows["撤销"]["培训状态"] == "证书已撤销"


def test_an_ended_appointment_has_no_training_status_but_keeps_its_certificate(program, factory, as_staff):
    left = officer(factory, "已调走", ended_on=AS_OF - timedelta(days=5), status="replaced", end_reason="调岗")
    certify(program, left, issued_on=LONG_AGO, expires_on=TODAY + timedelta(days=700))
    row = by_name(status_sheet(as_staff, history=True))["已调走"]
    assert row["培训状态"] in (None, "", "—") and row["证书编号"] == "CQO-已调走"


def test_dates_are_excel_dates_the_roster_importer_reads_back(program, factory, as_staff):
    from lms.registry.importer import parse_roster

    town = factory.town("相南街道")
    officer(factory, "日期", enterprise=factory.enterprise(town=town), mobile="13900001111")
    response = as_staff.get(f"/staff/coverage/export.xlsx?as_of={AS_OF}")
    sheet = load_workbook(io.BytesIO(response.data))["培训情况"]
    appointed = cell_under(sheet, "聘任日期")
    assert appointed.is_date and appointed.value.date() == LONG_AGO and appointed.number_format == "yyyy-mm-dd"
    mobile = cell_under(sheet, "手机号码")
    assert mobile.value == "13900001111" and mobile.data_type == "s" and mobile.number_format == "@"
    parsed = parse_roster(io.BytesIO(response.data), "training-status.xlsx")
    assert not parsed.errors and [(r.officer_name, r.appointed_on) for r in parsed.rows] == [("日期", LONG_AGO)]


def test_the_exam_score_is_a_number_formatted_as_a_percent(as_staff, factory):
    from tests.assessment.test_scores_shown_with_scale import passed_with_four_of_six

    exam, _officer, _filing = passed_with_four_of_six(factory)
    db.session.add(Program(name="2026", requirements=[], exam_id=exam.id, starts_on=LONG_AGO,
                           deadline=TODAY + timedelta(days=60), is_current=True))
    db.session.commit()
    score = cell_under(status_sheet(as_staff, as_of=TODAY), "考试成绩")
    assert score.value == pytest.approx(4 / 6, abs=1e-4) and score.number_format == "0.0%"


@pytest.mark.parametrize("url", [f"/staff/coverage/export.xlsx?as_of={AS_OF}",
                                 f"/staff/coverage/chase?as_of={AS_OF}&format=xlsx",
                                 "/staff/coverage/outbox?format=xlsx"])
def test_the_header_is_frozen_filtered_and_the_columns_fit(program, factory, as_staff, url):
    from lms.coverage.reminders import OutboxMessage

    officer(factory, "宽度", enterprise=factory.enterprise(name="合肥市相山区某某精密机械制造有限责任公司"))
    db.session.add(OutboxMessage(to_name="宽度", subject="培训提醒", body="请尽快完成培训"))
    db.session.commit()
    sheet = book_of(as_staff, url).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    if "企业名称" in widths:  # 21 Chinese characters: about 42 columns wide, not Excel's default 13
        assert 40 <= widths["企业名称"] <= 50


def test_each_download_says_what_it_is_on_a_second_sheet(program, factory, as_staff):
    town = factory.town("相南街道")
    officer(factory, "说明", enterprise=factory.enterprise(town=town))
    status = book_of(as_staff, f"/staff/coverage/export.xlsx?as_of={AS_OF}")
    assert status.sheetnames == ["培训情况", "说明"]
    notes = {row[0]: row[1] for row in status["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["培训计划"] == "2026 首席质量官培训" and notes["统计日期"].date() == AS_OF
    assert isinstance(notes["生成时间"], datetime)
    chase = book_of(as_staff, f"/staff/coverage/chase?as_of={AS_OF}&town={town.id}&format=xlsx")
    notes = {row[0]: row[1] for row in chase["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["筛选条件"] == "所在镇街：相南街道" and notes["人数"] == 1


def test_the_chase_download_is_named_for_its_filter_and_has_the_enterprise_columns(program, factory, as_staff):
    town = factory.town("相南街道")
    enterprise = factory.enterprise(town=town, scale="medium", industry_code="C1441", industry_name="乳制品制造")
    officer(factory, "待训", enterprise=enterprise, email="daixun@example.com")
    response = as_staff.get(f"/staff/coverage/chase?as_of={AS_OF}&town={town.id}&industry=C14&format=xlsx")
    disposition = unquote(response.headers["Content-Disposition"])
    assert f"chase-{AS_OF}-相南街道-C14.xlsx" in disposition
    row = by_name(load_workbook(io.BytesIO(response.data))["待培训"])["待训"]
    assert (row["企业规模"], row["行业名称"], row["电子邮箱"]) == ("中型", "乳制品制造", "daixun@example.com")
