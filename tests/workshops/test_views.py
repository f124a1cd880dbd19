"""The workshop pages as officers and staff use them."""

import io
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.workshops import checkin, service
from lms.workshops.models import ATTENDED, Enrollment, Workshop
from tests.conftest import login
from tests.workshops.helpers import make_workshop, officer


def _soon(hours: float = 48) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


def test_staff_schedule_a_workshop_in_beijing_time(as_staff, factory):
    town = factory.town("曲阳街道")
    response = as_staff.post("/staff/workshops/new", data={
        "title": "计量器具管理实务", "venue": "区政务中心 201", "starts_at": "2026-09-15T09:00",
        "ends_at": "2026-09-15T12:00", "capacity": "40", "hours": "3", "program_id": "0",
        "audience_town_id": str(town.id), "audience_industries": "c13, C14"})
    assert response.status_code == 302
    workshop = db.session.scalars(select(Workshop)).one()
    assert service.aware(workshop.starts_at) == datetime(2026, 9, 15, 1, 0, tzinfo=UTC)
    assert workshop.audience_industries == ["C13", "C14"] and workshop.audience_town_id == town.id
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "计量器具管理实务" in page and "2026-09-15 09:00" in page and "曲阳街道" in page
    assert "开始时间已经过去" in page  # entered after it was held (today is later): allowed, with a word


def test_the_form_explains_what_is_wrong(as_staff):
    response = as_staff.post("/staff/workshops/new", data={
        "title": "x", "venue": "y", "starts_at": "2026-09-15T09:00", "ends_at": "2026-09-15T08:00",
        "capacity": "0", "hours": "3", "program_id": "0", "audience_town_id": "0", "audience_industries": "食品"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "结束时间应晚于开始时间" in page and "行业代码前缀" in page and "名额应在 1 至 5000 之间" in page
    assert db.session.scalar(select(Workshop.id)) is None


def test_capacity_cannot_drop_below_the_seats_taken(as_staff, factory):
    workshop = make_workshop(capacity=2, **_soon())
    for _ in range(2):
        service.enrol(workshop, officer(factory).id)
    response = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data={
        "title": workshop.title, "venue": workshop.venue, "starts_at": "2030-09-15T09:00",
        "ends_at": "2030-09-15T12:00", "capacity": "1", "hours": "3", "program_id": "0",
        "audience_town_id": "0", "audience_industries": ""})
    assert "名额不能少于已报名人数" in response.get_data(as_text=True)


def test_a_new_time_or_venue_is_told_to_everyone_enrolled(as_staff, factory):
    from lms.coverage.reminders import OutboxMessage

    workshop = make_workshop(capacity=5, venue="区政务中心 201", **_soon())
    people = [officer(factory) for _ in range(2)]
    for person in people:
        service.enrol(workshop, person.id)
    form = {"title": workshop.title, "venue": workshop.venue, "starts_at": "2030-09-15T09:00",
            "ends_at": "2030-09-15T12:00", "capacity": "5", "hours": "3", "program_id": "0",
            "audience_town_id": "0", "audience_industries": ""}
    as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=form)
    bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.subject.contains("变更"))).all()
    assert len(bodies) == 2 and all("改为 2030-09-15 09:00 在区政务中心 201举办" in b for b in bodies)
    as_staff.post(f"/staff/workshops/{workshop.id}/edit", data={**form, "capacity": "6"})  # nothing they need to know
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.subject.contains("变更"))) == 2
    as_staff.post(f"/staff/workshops/{workshop.id}/edit", data={**form, "venue": "区政务中心 305"})
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.subject.contains("变更"))) == 4


def test_one_waiting_for_a_seat_is_told_of_a_new_time_as_such_not_asked_to_leave_a_seat(as_staff, factory):
    from lms.coverage.reminders import OutboxMessage

    workshop = make_workshop(capacity=1, venue="区政务中心 201", **_soon())
    seated, waiting = officer(factory), officer(factory)
    service.enrol(workshop, seated.id)
    service.enrol(workshop, waiting.id)
    form = {"title": workshop.title, "venue": "区政务中心 305", "starts_at": "2030-09-15T09:00",
            "ends_at": "2030-09-15T12:00", "capacity": "1", "hours": "3", "program_id": "0",
            "audience_town_id": "0", "audience_industries": ""}
    as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=form)
    bodies = dict(db.session.execute(select(OutboxMessage.to_name, OutboxMessage.body)
                                     .where(OutboxMessage.subject.contains("变更"))).all())
    assert "您报名的" in bodies[seated.name] and "把名额留给他人" in bodies[seated.name]
    assert "您候补的" in bodies[waiting.name] and "仍在候补名单上" in bodies[waiting.name]
    assert "名额留给他人" not in bodies[waiting.name]


def test_officer_enrols_sees_their_code_and_withdraws(client, factory):
    user = officer(factory)
    workshop = make_workshop(capacity=1, **_soon())
    login(client, user)
    assert workshop.title in client.get("/workshops/").get_data(as_text=True)
    page = client.post(f"/workshops/{workshop.id}/enrol", follow_redirects=True).get_data(as_text=True)
    enrollment = service.enrollment_of(workshop.id, user.id)
    assert "报名成功" in page and enrollment.checkin_code in page
    svg = client.get(f"/workshops/{workshop.id}/my-code.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    page = client.post(f"/workshops/{workshop.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "已取消报名" in page


def test_the_list_says_seats_as_the_detail_page_does(client, factory):
    workshop = make_workshop(capacity=40, **_soon())
    service.enrol(workshop, officer(factory).id)
    login(client, officer(factory))
    listing = client.get("/workshops/").get_data(as_text=True)
    detail = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "已报 1 / 共 40" in listing and "已报 1 / 共 40" in detail and "名额 1 / 40" not in listing


def test_a_full_workshop_offers_the_waitlist_and_says_the_place(client, factory):
    workshop = make_workshop(capacity=1, **_soon())
    service.enrol(workshop, officer(factory).id)
    user = officer(factory)
    login(client, user)
    assert "报名候补" in client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    page = client.post(f"/workshops/{workshop.id}/enrol", follow_redirects=True).get_data(as_text=True)
    assert "候补名单（第 1 位）" in page


def test_officers_outside_the_audience_do_not_see_the_workshop(client, factory):
    workshop = make_workshop(audience_industries=["C14"], **_soon())
    login(client, officer(factory, industry="C3484"))
    assert workshop.title not in client.get("/workshops/").get_data(as_text=True)
    page = client.get(f"/workshops/{workshop.id}", follow_redirects=True).get_data(as_text=True)  # a link passed on
    assert "只面向 C14 行业的首席质量官，您的备案不在其中" in page
    r = client.post(f"/workshops/{workshop.id}/enrol")
    assert r.status_code == 302
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0
    both = make_workshop(title="渠沟镇食品企业培训", audience_industries=["C13", "C14"],
                         audience_town_id=factory.town("渠沟镇").id, **_soon())
    client.get("/lang/en")
    page = client.get(f"/workshops/{both.id}", follow_redirects=True).get_data(as_text=True)
    assert "is only for CQOs in 渠沟镇 of industries C13, C14" in page


def test_staff_scan_checks_in_and_a_phone_camera_link_lands_on_the_right_workshop(as_staff, factory):
    workshop = make_workshop(**_soon(hours=0.5))
    seat = service.enrol(workshop, officer(factory).id, datetime.now(UTC) - timedelta(hours=1))
    landing = as_staff.get(f"/staff/workshops/scan?code={seat.checkin_code}").get_data(as_text=True)
    assert workshop.title in landing and seat.checkin_code in landing
    page = as_staff.post(f"/staff/workshops/{workshop.id}/scan", data={"code": seat.checkin_code}).get_data(as_text=True)
    assert "签到成功" in page and seat.user.name in page
    page = as_staff.post(f"/staff/workshops/{workshop.id}/scan", data={"code": seat.checkin_code}).get_data(as_text=True)
    assert "已签到过" in page
    db.session.refresh(seat)
    assert seat.status == ATTENDED
    empty = as_staff.post(f"/staff/workshops/{workshop.id}/scan", data={"code": "  "}).get_data(as_text=True)
    assert "请扫描或输入个人签到码" in empty
    huge = as_staff.post(f"/staff/workshops/{workshop.id}/scan", data={"code": "A" * 5000}).get_data(as_text=True)
    assert "签到码无效" in huge


def test_guessing_the_room_code_is_stopped_and_said_so(client, factory):
    workshop = make_workshop(**_soon(hours=0.25))
    user = officer(factory)
    service.enrol(workshop, user.id, datetime.now(UTC) - timedelta(hours=1))
    login(client, user)
    code = checkin.session_code(workshop)
    wrong = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != code][:5]
    for guess in wrong:
        assert "签到码不正确" in client.post(f"/workshops/{workshop.id}/checkin", data={"code": guess}).get_data(as_text=True)
    refused = client.post(f"/workshops/{workshop.id}/checkin", data={"code": code})
    assert refused.status_code == 429 and "每分钟最多 5 次" in refused.get_data(as_text=True)
    assert service.enrollment_of(workshop.id, user.id).status != ATTENDED  # not even with the right code now


def test_the_reminder_command_takes_only_a_sensible_window(app):
    runner = app.test_cli_runner()
    for hours in ("0", "-5", "100000000"):
        result = runner.invoke(args=["lms", "workshop-reminders", "--hours", hours])
        assert result.exit_code == 2 and "1<=x<=744" in result.output, result.output
    assert runner.invoke(args=["lms", "workshop-reminders", "--hours", "24"]).exit_code == 0


def test_self_check_in_from_the_room_screen(client, factory):
    workshop = make_workshop(**_soon(hours=0.25))
    user = officer(factory)
    service.enrol(workshop, user.id, datetime.now(UTC) - timedelta(hours=1))
    login(client, user)
    code = checkin.session_code(workshop)
    form = client.get(f"/workshops/{workshop.id}/checkin?code={code}").get_data(as_text=True)
    assert code in form and "确认签到" in form
    page = client.post(f"/workshops/{workshop.id}/checkin", data={"code": code}, follow_redirects=True)
    assert "签到成功" in page.get_data(as_text=True)
    assert service.enrollment_of(workshop.id, user.id).status == ATTENDED


def test_the_self_check_in_box_shows_from_half_an_hour_before_not_weeks_ahead(client, factory):
    user = officer(factory)
    login(client, user)
    later = make_workshop(**_soon(hours=24 * 14))
    service.enrol(later, user.id)
    page = client.get(f"/workshops/{later.id}").get_data(as_text=True)
    assert "开课前 30 分钟起" in page and 'name="code"' not in page
    soon = make_workshop(**_soon(hours=0.25))
    service.enrol(soon, user.id)
    page = client.get(f"/workshops/{soon.id}").get_data(as_text=True)
    assert "现场自助签到：输入屏幕上的 6 位签到码" in page and 'name="code"' in page
    assert "开课前 30 分钟起" not in page
    checkin_page = client.get(f"/workshops/{soon.id}/checkin").get_data(as_text=True)
    assert f'href="/workshops/{soon.id}">返回培训班' in checkin_page


def test_the_room_screen_shows_the_current_code(as_staff):
    workshop = make_workshop(**_soon(hours=0.25))  # self check-in opens 30 minutes before
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    assert checkin.session_code(workshop) in page and 'http-equiv="refresh"' in page


def test_sign_in_sheet_and_attendance_list(as_staff, factory):
    workshop = make_workshop(capacity=5, **_soon())
    people = [officer(factory) for _ in range(2)]
    for person in people:
        service.enrol(workshop, person.id)
    pdf = as_staff.get(f"/staff/workshops/{workshop.id}/signin.pdf")
    assert pdf.mimetype == "application/pdf"
    text = pdfium.PdfDocument(pdf.data)[0].get_textpage().get_text_range()
    assert "签到表" in text and all(p.name in text for p in people)
    xlsx = as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert sorted(r[1] for r in rows) == sorted(p.name for p in people) and {r[6] for r in rows} == {"已报名"}


def test_typed_text_prints_as_typed_on_the_sheet_and_never_runs_in_the_list(as_staff, factory):
    workshop = make_workshop(capacity=5, title="A&B <font size=40>5S</font> 实务", **_soon())
    person = officer(factory)
    person.name = '=HYPERLINK("http://evil.example","点击")'
    db.session.commit()
    service.enrol(workshop, person.id)
    pdf = as_staff.get(f"/staff/workshops/{workshop.id}/signin.pdf")
    text = pdfium.PdfDocument(pdf.data)[0].get_textpage().get_text_range().replace("\r\n", "")
    assert "A&B <font size=40>5S</font> 实务 签到表" in text and person.name in text
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx").data)).active
    [cell] = [c for c in sheet[3] if c.value == person.name]
    assert cell.data_type == "s"


def test_staff_cancel_and_copy(as_staff, factory):
    workshop = make_workshop(**_soon())
    service.enrol(workshop, officer(factory).id)
    page = as_staff.post(f"/staff/workshops/{workshop.id}/cancel", data={"reason": "场地维修"},
                         follow_redirects=True).get_data(as_text=True)
    assert "培训班已取消，已为 1 人生成取消通知。" in page
    response = as_staff.post(f"/staff/workshops/{workshop.id}/copy", data={"starts_at": "2030-09-20T14:00"})
    copy = db.session.get(Workshop, int(response.location.rstrip("/").split("/")[-2]))
    assert copy.id != workshop.id and copy.status == "scheduled"
    assert db.session.scalar(select(Enrollment.id).where(Enrollment.workshop_id == copy.id)) is None


def test_the_officer_dashboard_lists_workshops_to_come(client, factory):
    user = officer(factory)
    workshop = make_workshop(title="计量器具管理实务", **_soon())
    service.enrol(workshop, user.id)
    login(client, user)
    page = client.get("/me").get_data(as_text=True)
    assert "我报名的线下培训" in page and "计量器具管理实务" in page


def test_a_camera_frame_is_read_on_the_server_for_browsers_that_cannot(as_staff, factory):
    import segno

    frame = io.BytesIO()
    segno.make("http://localhost/staff/workshops/scan?code=ABCDEFGH23", error="m").save(
        frame, kind="png", scale=8, border=4)
    response = as_staff.post("/staff/workshops/decode", data=frame.getvalue(), content_type="image/png")
    assert response.get_json() == {"text": "http://localhost/staff/workshops/scan?code=ABCDEFGH23"}
    assert as_staff.post("/staff/workshops/decode", data=b"not an image",
                         content_type="image/jpeg").get_json() == {"text": None}


def test_a_frame_claiming_a_huge_canvas_is_not_decoded(as_staff):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 20000  # 400 megapixels in a 390 kB PNG
    squeeze = zlib.compressobj(9)
    pixels = b"".join(squeeze.compress(b"\x00" * (side + 1)) for _ in range(side)) + squeeze.flush()
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    response = as_staff.post("/staff/workshops/decode", data=png, content_type="image/png")
    assert response.status_code == 200 and response.get_json() == {"text": None}


def test_closing_check_in_shows_when_it_was_closed(as_staff, factory):
    workshop = make_workshop(**_soon(hours=-4))
    as_staff.post(f"/staff/workshops/{workshop.id}/close")
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "签到已于" in page and f'/staff/workshops/{workshop.id}/close"' not in page  # no second close


def test_a_date_that_does_not_exist_is_called_invalid_not_missing(as_staff):
    response = as_staff.post("/staff/workshops/new", data={
        "title": "x", "venue": "y", "starts_at": "2026-13-40T99:00", "ends_at": "2026-09-15T12:00",
        "capacity": "10", "hours": "3", "program_id": "0", "audience_town_id": "0", "audience_industries": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "不是有效的日期" in page
    assert db.session.scalar(select(Workshop.id)) is None


@pytest.mark.parametrize("capacity", ["abc", "4 0", "1.5"])
def test_a_number_field_given_text_says_one_thing_and_keeps_what_was_typed(as_staff, capacity):
    response = as_staff.post("/staff/workshops/new", data={
        "title": "计量器具管理实务", "venue": "区政务中心 201", "starts_at": "2026-09-15T09:00",
        "ends_at": "2026-09-15T12:00", "capacity": capacity, "hours": "三", "program_id": "0",
        "audience_town_id": "0", "audience_industries": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and db.session.scalar(select(Workshop.id)) is None
    assert page.count("请填写整数") == 1 and "名额应在" not in page  # one message, not also the range's
    assert page.count("请填写数字") == 1 and "Not a valid" not in page
    assert f'value="{capacity}"' in page and "计量器具管理实务" in page


def test_an_edit_is_logged_with_what_it_changed_in_the_reader_s_language(client, factory):
    from tests.accounts.test_audit_log import log_rows

    login(client, factory.user("admin"))
    start = datetime(2030, 9, 15, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
    workshop = make_workshop(capacity=1, venue="区政务中心 201", starts_at=start, ends_at=start + timedelta(hours=3))
    form = {"title": workshop.title, "venue": "区政务中心 305", "starts_at": "2030-09-15T09:00",
            "ends_at": "2030-09-15T12:00", "capacity": "2", "hours": "3", "program_id": "0",
            "audience_town_id": "0", "audience_industries": ""}
    assert client.post(f"/staff/workshops/{workshop.id}/edit", data=form).status_code == 302
    chinese = log_rows(client)[0]
    assert chinese.endswith(f"{workshop.title}：地点 区政务中心 201 → 区政务中心 305；名额 1 → 2"), chinese
    assert "开始时间" not in chinese  # the same time, read back without its zone, is no change
    english = log_rows(client, english=True)[0]
    assert "Venue 区政务中心 201 → 区政务中心 305; Seats 1 → 2" in english, english


def test_a_pasted_line_break_in_a_single_line_field_becomes_a_space(as_staff):
    response = as_staff.post("/staff/workshops/new", data={
        "title": "计量\t实务", "venue": "Room 201\r\nLOCATION:INJECTED", "trainer": " 李工\n", "starts_at": "2026-09-15T09:00",
        "ends_at": "2026-09-15T12:00", "capacity": "40", "hours": "3", "program_id": "0", "audience_town_id": "0"})
    assert response.status_code == 302
    workshop = db.session.scalars(select(Workshop)).one()
    assert (workshop.title, workshop.venue, workshop.trainer) == ("计量 实务", "Room 201 LOCATION:INJECTED", "李工")


def test_staff_see_no_enrol_button_and_cannot_enrol(as_staff, factory):
    workshop = make_workshop(**_soon())
    page = as_staff.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f'action="/workshops/{workshop.id}/enrol"' not in page and "工作人员账号不能报名" in page
    assert f'href="/staff/workshops/{workshop.id}"' in page.split('id="staff-note"')[1]
    page = as_staff.post(f"/workshops/{workshop.id}/enrol", follow_redirects=True).get_data(as_text=True)
    assert "工作人员账号不能报名培训班" in page
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0


def test_self_check_in_speaks_to_the_officer(client, factory):
    workshop = make_workshop(capacity=1, **_soon(hours=0.25))
    service.enrol(workshop, officer(factory).id, datetime.now(UTC) - timedelta(hours=1))
    user = officer(factory)
    service.enrol(workshop, user.id, datetime.now(UTC) - timedelta(hours=1))  # the waitlist
    login(client, user)
    code = checkin.session_code(workshop)
    form = client.get(f"/workshops/{workshop.id}/checkin?code={code}").get_data(as_text=True)
    assert "您已到培训现场时" in form
    page = client.post(f"/workshops/{workshop.id}/checkin", data={"code": code}).get_data(as_text=True)
    assert "您还在候补名单中，没有座位，不能自助签到" in page and user.name not in page.split("<main")[1].split("</main>")[0]


def test_scanning_another_sessions_code_says_so(as_staff, factory):
    here = make_workshop(**_soon(hours=0.5))
    there = make_workshop(title="计量器具管理实务", starts_at=datetime(2030, 9, 15, 1, 0, tzinfo=UTC),
                          ends_at=datetime(2030, 9, 15, 4, 0, tzinfo=UTC))
    seat = service.enrol(there, officer(factory).id, datetime.now(UTC))
    page = as_staff.post(f"/staff/workshops/{here.id}/scan", data={"code": seat.checkin_code}).get_data(as_text=True)
    assert "这是另一场培训的签到码：计量器具管理实务（2030-09-15 09:00–12:00）" in page
    landing = as_staff.get("/staff/workshops/scan?code=NOSUCHCODE", follow_redirects=True).get_data(as_text=True)
    assert "签到码无效：没有这个个人签到码" in landing
