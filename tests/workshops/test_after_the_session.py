"""After the session, from the paper sheet: staff record attendance (including officers who came
without enrolling), take back a wrong tick, and the hours follow."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.core import audit
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.workshops import checkin, service
from lms.workshops.models import ATTENDED, ENROLLED, NO_SHOW, WAITLISTED, WITHDRAWN
from tests.workshops.helpers import BEFORE, START, end_filing_of, make_workshop
from tests.workshops.test_manual_checkin import person

DURING = START + timedelta(minutes=10)
END = START + timedelta(hours=3)
NEXT_DAY = END + timedelta(days=1)


def _yesterday() -> dict:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


def _audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- recording the paper sheet the next day -----------------------------------------------


def test_staff_record_attendance_from_the_paper_sheet_the_next_day(app, factory):
    workshop = make_workshop(hours=3.0)
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    enrollment, done = checkin.check_in_manually(workshop, seat.id, NEXT_DAY)
    assert done and enrollment.status == ATTENDED and enrollment.hours_credited == 3.0
    assert checkin.attended_hours(seat.user_id) == 3.0


def test_a_no_show_on_the_sheet_is_corrected_weeks_later_but_not_after_30_days(app, factory):
    workshop = make_workshop()
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.close_attendance(workshop, END)
    with pytest.raises(service.WorkshopError, match="结束已超过 30 天"):
        checkin.check_in_manually(workshop, seat.id, END + timedelta(days=30, minutes=1))
    assert checkin.check_in_manually(workshop, seat.id, END + timedelta(days=29))[1]


def test_the_officers_self_check_in_still_closes_when_the_session_ends(app, factory):
    workshop = make_workshop()
    user = person(factory, "罗晓东", "13698797309")
    service.enrol(workshop, user.id, BEFORE)
    late = END + timedelta(minutes=5)
    with pytest.raises(service.WorkshopError, match="培训班已结束，签到已关闭"):
        checkin.self_check_in(workshop, user.id, checkin.session_code(workshop, late), late)


def test_the_page_of_a_past_session_offers_to_record_the_sheet(as_staff, factory):
    workshop = make_workshop(**_yesterday())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "补录签到" in page and f"/enrollments/{seat.id}/checkin" in page
    assert f"/staff/workshops/{workshop.id}/screen" not in page  # no room screen for a session gone
    response = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{seat.id}/checkin", data={"back": "detail"},
                             follow_redirects=True)
    assert "罗晓东 签到成功" in response.get_data(as_text=True)
    scan = as_staff.get(f"/staff/workshops/{workshop.id}/scan").get_data(as_text=True)
    assert "培训已结束：在这里按纸质签到表补录签到" in scan


def test_the_attendance_list_says_a_check_in_was_keyed_in_after_the_session(as_staff, factory):
    import io

    from openpyxl import load_workbook

    workshop = make_workshop(**_yesterday())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_manually(workshop, seat.id)
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx").data)).active
    (row,) = sheet.iter_rows(min_row=3, values_only=True)
    assert row[6] == "已签到" and row[8] == "工作人员手工（会后补录）"


# --- walk-ins -----------------------------------------------------------------------------


def test_an_officer_who_came_without_enrolling_is_found_and_checked_in(app, factory):
    workshop = make_workshop(hours=3.0)
    walker = person(factory, "王晓明", "13800001111")
    (found,) = checkin.find_walk_ins(workshop, "1111")
    assert found.user.id == walker.id and found.enterprise.startswith("测试企业") and found.in_audience
    enrollment = checkin.check_in_walk_in(workshop, walker.id, NEXT_DAY)
    assert enrollment.status == ATTENDED and enrollment.hours_credited == 3.0
    assert enrollment.checked_in_by == "walk_in" and checkin.attended_hours(walker.id) == 3.0
    (entry,) = _audited("workshop.checked_in")
    assert entry.details["walk_in"] is True and audit.describe(entry, {}) == "王晓明（未报名，现场登记并签到）"
    assert checkin.find_walk_ins(workshop, "王晓明") == []  # on the list now
    assert checkin.find_enrollments(workshop, "王晓明") == [enrollment]


def test_a_walk_in_is_recorded_over_capacity_and_it_is_counted(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    walker = person(factory, "王晓明", "13800001111")
    checkin.check_in_walk_in(workshop, walker.id, DURING)
    assert service.seats_taken(workshop.id) == 2 and checkin.over_capacity(workshop) == 1


def test_the_walk_in_search_finds_only_officers_in_post_not_on_the_list(app, factory):
    workshop = make_workshop(capacity=1)
    listed = person(factory, "王晓明", "13800001111")
    service.enrol(workshop, listed.id, BEFORE)
    waiting = person(factory, "王晓红", "13800002222")
    service.enrol(workshop, waiting.id, BEFORE)
    gone = person(factory, "王晓东", "13800003333")
    end_filing_of(gone)
    factory.user("officer", name="王晓西")  # never claimed a filing
    factory.user("staff", name="王晓北")
    withdrew = person(factory, "王晓南", "13800004444")
    service.withdraw(service.enrol(workshop, withdrew.id, BEFORE), BEFORE)
    assert [w.user.name for w in checkin.find_walk_ins(workshop, "王晓")] == ["王晓南"]
    assert checkin.find_walk_ins(workshop, " ") == []
    with pytest.raises(service.WorkshopError, match="只能为已认领在任备案的首席质量官现场登记"):
        checkin.check_in_walk_in(workshop, gone.id, DURING)
    with pytest.raises(service.WorkshopError, match="王晓明 已在本培训班名单中"):
        checkin.check_in_walk_in(workshop, listed.id, DURING)
    again = checkin.check_in_walk_in(workshop, withdrew.id, DURING)
    assert again.status == ATTENDED and service.enrollment_of(workshop.id, waiting.id).status == WAITLISTED


def test_a_walk_in_outside_the_audience_is_recorded_and_marked_so(as_staff, factory):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    workshop = make_workshop(audience_industries=["C14"], starts_at=start, ends_at=start + timedelta(hours=3))
    user = factory.user("officer", name="罗晓东")
    factory.filing(factory.enterprise(industry_code="C3484"), user_id=user.id, mobile="13698797309")
    page = as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=罗晓东").get_data(as_text=True)
    assert "本培训班的报名中没有找到“罗晓东”" in page
    listed = page.split('id="walk-in-results"')[1]
    assert "罗晓东" in listed and "不在本班面向范围内" in listed and "136****7309" in listed
    assert f'action="/staff/workshops/{workshop.id}/walk-ins/{user.id}"' in listed
    assert 'data-confirm="罗晓东 没有报名本培训班。确定现场登记并签到吗？' in listed


def test_staff_put_a_walk_in_on_the_list_from_the_scan_page_over_capacity(as_staff, factory):
    workshop = make_workshop(capacity=1, **_yesterday())
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    walker = person(factory, "王晓明", "13800001111")
    response = as_staff.post(f"/staff/workshops/{workshop.id}/walk-ins/{walker.id}", data={"back": "scan"})
    assert response.location.endswith(f"/staff/workshops/{workshop.id}/scan")
    page = as_staff.get(response.location).get_data(as_text=True)
    assert "王晓明 已现场登记并签到成功" in page and "注意：本班已超出名额 1 人（2 / 1）" in page
    assert service.enrollment_of(workshop.id, walker.id).status == ATTENDED


# --- undo ---------------------------------------------------------------------------------


def test_undoing_a_check_in_takes_back_the_hours_and_is_audited(app, factory):
    workshop = make_workshop(hours=3.0)
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_by_code(workshop, seat.checkin_code, START)
    enrollment, hours = checkin.undo_check_in(workshop, seat.id, NEXT_DAY)
    assert hours == 3.0 and enrollment.status == ENROLLED and enrollment.checked_in_at is None
    assert enrollment.hours_credited == 0 and checkin.attended_hours(seat.user_id) == 0
    (entry,) = _audited("workshop.checkin_undone")
    assert entry.target == f"workshop:{workshop.id}" and entry.details["name"] == "罗晓东"
    assert entry.details["hours"] == 3.0
    with pytest.raises(service.WorkshopError, match="罗晓东 没有签到记录，无需撤销"):  # a second click
        checkin.undo_check_in(workshop, seat.id, NEXT_DAY)
    assert checkin.check_in_manually(workshop, seat.id, NEXT_DAY)[1]  # and the right tick again


def test_undoing_after_attendance_closed_makes_a_no_show_and_a_walk_in_leaves_the_list(app, factory):
    workshop = make_workshop(capacity=1)
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_manually(workshop, seat.id, START)
    walker = checkin.check_in_walk_in(workshop, person(factory, "王晓明", "13800001111").id, START)
    checkin.close_attendance(workshop, END)
    assert checkin.undo_check_in(workshop, seat.id, NEXT_DAY)[0].status == NO_SHOW
    assert checkin.undo_check_in(workshop, walker.id, NEXT_DAY)[0].status == WITHDRAWN
    assert service.seats_taken(workshop.id) == 1  # the no-show's seat; the walk-in holds none now


def test_undo_is_refused_after_the_30_days(app, factory):
    workshop = make_workshop()
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_manually(workshop, seat.id, START)
    with pytest.raises(service.WorkshopError, match="超过 30 天"):
        checkin.undo_check_in(workshop, seat.id, END + timedelta(days=31))
    assert service.enrollment_of(workshop.id, seat.user_id).status == ATTENDED


def test_staff_undo_a_wrong_tick_from_the_list(as_staff, factory):
    workshop = make_workshop(hours=2.5, **_yesterday())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_manually(workshop, seat.id)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f'action="/staff/workshops/{workshop.id}/enrollments/{seat.id}/undo"' in page
    assert 'data-confirm="确定撤销 罗晓东 的签到吗？已认定的 2.5 学时将一并扣除。"' in page
    response = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{seat.id}/undo", data={"back": "detail"},
                             follow_redirects=True)
    assert "已撤销 罗晓东 的签到，扣除 2.5 学时。" in response.get_data(as_text=True)
    db.session.refresh(seat)
    assert seat.status == ENROLLED and seat.hours_credited == 0


def test_the_scan_page_offers_to_undo_the_check_in_it_just_made(as_staff, factory):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3))
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    page = as_staff.post(f"/staff/workshops/{workshop.id}/scan", data={"code": seat.checkin_code}).get_data(as_text=True)
    result = page.split('id="checkin-result"')[1].split("</div>")[0]
    assert "签到成功" in result and f"/enrollments/{seat.id}/undo" in result and "撤销签到" in result


def test_undoing_the_hours_a_certificate_was_issued_on_warns_staff_and_revokes_nothing(as_staff, factory):
    from datetime import date

    from lms.certificates.models import Certificate
    from lms.programs.models import Program

    program = Program(name="2026 年首席质量官培训", requirements=[], hours_required=3, starts_on=date(2026, 1, 1),
                      deadline=date(2027, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    workshop = make_workshop(program_id=program.id, hours=3.0, **_yesterday())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    checkin.check_in_manually(workshop, seat.id)
    serial = db.session.scalar(select(Certificate.serial).where(Certificate.user_id == seat.user_id))
    assert serial  # the three hours completed the programme
    page = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{seat.id}/undo", data={"back": "detail"},
                         follow_redirects=True).get_data(as_text=True)
    assert f"罗晓东 已持有证书 {serial}，扣除学时后不再满足培训要求。证书不会自动撤销" in page
    assert db.session.scalar(select(Certificate.status).where(Certificate.serial == serial)) == "valid"


def test_an_officer_without_an_account_is_found_at_the_door_given_one_and_checked_in(as_staff, factory):
    """The people coverage most needs have never opened an account: one who comes to the session
    is found by name, given an account and checked in at one go, and the set-password link is
    shown to hand over."""
    from lms.registry.models import Filing

    workshop = make_workshop(capacity=5, hours=3.0, **_yesterday())
    filing = factory.filing(officer_name="马小红", mobile="13900002222")
    page = as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=马小红").get_data(as_text=True)
    assert "在任但还没有账号的首席质量官" in page and "139****2222" in page and "13900002222" not in page
    assert f"/walk-ins/filings/{filing.id}" in as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=2222").get_data(as_text=True)
    done = as_staff.post(f"/staff/workshops/{workshop.id}/walk-ins/filings/{filing.id}").get_data(as_text=True)
    assert "已为 马小红 开户并现场签到，计 3 学时" in done and "/reset/" in done
    filing = db.session.get(Filing, filing.id)
    assert filing.user is not None and filing.user.phone == "13900002222"
    assert service.enrollment_of(workshop.id, filing.user_id).status == ATTENDED
    again = as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=马小红").get_data(as_text=True)
    assert "在任但还没有账号" not in again and "已签到" in again  # on the list now, checked in


def test_outside_the_check_in_window_no_account_is_opened_either(as_staff, factory):
    from lms.registry.models import Filing

    workshop = make_workshop(capacity=5, starts_at=datetime.now(UTC) + timedelta(days=3),
                             ends_at=datetime.now(UTC) + timedelta(days=3, hours=3))
    filing = factory.filing(officer_name="马小红", mobile="13900002222")
    response = as_staff.post(f"/staff/workshops/{workshop.id}/walk-ins/filings/{filing.id}", follow_redirects=True)
    assert "签到尚未开始" in response.get_data(as_text=True)
    assert db.session.get(Filing, filing.id).user_id is None
