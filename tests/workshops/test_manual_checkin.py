"""Check-in at the door without the personal code: from the list, by name or mobile, and a
waitlisted walk-in admitted to a free seat."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from lms.core import audit
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.workshops import checkin, service
from lms.workshops.models import ATTENDED, ENROLLED, WITHDRAWN, Workshop
from tests.workshops.helpers import BEFORE, START, make_workshop

DURING = START + timedelta(minutes=20)


def person(factory, name: str, mobile: str):
    """An officer with a current filing that carries their mobile."""
    user = factory.user("officer", name=name)
    factory.filing(factory.enterprise(industry_code="C1391"), user_id=user.id, mobile=mobile)
    return user


def _soon() -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)  # the door is open
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


def _check_ins() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "workshop.checked_in")))


def _free_a_seat(workshop: Workshop) -> None:
    """A seat comes free without the waitlist moving up (e.g. an account removed at the door)."""
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id).values(capacity=Workshop.capacity + 1))
    db.session.commit()
    db.session.refresh(workshop)


# --- service ------------------------------------------------------------------------------


def test_manual_check_in_credits_the_hours_once_and_is_audited_as_manual(app, factory):
    workshop = make_workshop(hours=3.0)
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    enrollment, done = checkin.check_in_manually(workshop, seat.id, DURING)
    assert done and enrollment.status == ATTENDED and enrollment.checked_in_by == "manual"
    assert enrollment.hours_credited == 3.0
    assert checkin.check_in_manually(workshop, seat.id, DURING)[1] is False
    (entry,) = _check_ins()
    assert entry.details["by"] == "manual" and entry.details["name"] == "罗晓东"
    assert audit.describe(entry, {}) == "罗晓东（工作人员手工签到）"


def test_an_older_manual_entry_without_details_is_still_described(app):
    entry = AuditEntry(action="workshop.checked_in", target="workshop:1", summary="王明 (manual)", details={})
    assert audit.describe(entry, {}) == "王明（工作人员手工签到）"


@pytest.mark.parametrize(("moment", "message"), [
    (START - timedelta(hours=2), "尚未开始"),
    (START + timedelta(hours=3, days=31), "超过 30 天"),
])
def test_manual_check_in_keeps_the_scan_window(app, factory, moment, message):
    workshop = make_workshop()
    seat = service.enrol(workshop, person(factory, "王明", "13800001111").id, BEFORE)
    with pytest.raises(service.WorkshopError, match=message):
        checkin.check_in_manually(workshop, seat.id, moment)
    with pytest.raises(service.WorkshopError, match=message):
        checkin.admit_from_waitlist(workshop, seat.id, moment)
    assert seat.status == ENROLLED and not _check_ins()


def test_manual_check_in_refuses_another_workshops_or_a_withdrawn_enrollment(app, factory):
    workshop, other = make_workshop(), make_workshop()
    elsewhere = service.enrol(other, person(factory, "李强", "13800002222").id, BEFORE)
    with pytest.raises(service.WorkshopError, match="没有找到"):
        checkin.check_in_manually(workshop, elsewhere.id, DURING)
    gone = service.enrol(workshop, person(factory, "赵敏", "13800003333").id, BEFORE)
    service.withdraw(gone, BEFORE)
    with pytest.raises(service.WorkshopError, match="已取消报名"):
        checkin.check_in_manually(workshop, gone.id, DURING)


def test_manual_check_in_of_a_waitlisted_officer_does_not_skip_the_capacity_rule(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    waiting = service.enrol(workshop, person(factory, "王明", "13800001111").id, BEFORE)
    with pytest.raises(service.WorkshopError, match="候补"):
        checkin.check_in_manually(workshop, waiting.id, DURING)


def test_a_waitlisted_officer_who_came_is_admitted_over_capacity_which_is_counted(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    waiting = service.enrol(workshop, person(factory, "王明", "13800001111").id, BEFORE)
    assert checkin.over_capacity(workshop) == 0
    admitted = checkin.admit_from_waitlist(workshop, waiting.id, DURING)  # staff saw them in the room
    assert admitted.status == ATTENDED and admitted.hours_credited == workshop.hours
    assert service.seats_taken(workshop.id) == 2 and checkin.over_capacity(workshop) == 1
    assert _check_ins()[0].details["from_waitlist"] is True
    assert audit.describe(_check_ins()[0], {}) == "王明（从候补名单补入并手工签到）"  # the log says so, not "manual"


def test_a_waitlisted_walk_in_takes_a_free_seat_and_is_checked_in(app, factory):
    workshop = make_workshop(capacity=1, hours=3.0)
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    waiting = service.enrol(workshop, person(factory, "王明", "13800001111").id, BEFORE)
    _free_a_seat(workshop)
    admitted = checkin.admit_from_waitlist(workshop, waiting.id, DURING)
    assert admitted.status == ATTENDED and admitted.checked_in_by == "manual" and admitted.hours_credited == 3.0
    assert service.seats_taken(workshop.id) == workshop.capacity == 2
    (entry,) = _check_ins()
    assert entry.details["by"] == "manual" and entry.details["from_waitlist"] is True
    with pytest.raises(service.WorkshopError, match="不在候补名单中"):  # a second desk, a moment later
        checkin.admit_from_waitlist(workshop, waiting.id, DURING)


def test_find_an_enrollment_by_name_or_mobile(app, factory):
    workshop, other = make_workshop(capacity=1), make_workshop()
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, BEFORE)
    waiting = service.enrol(workshop, person(factory, "王晓明", "13800001111").id, BEFORE)
    service.enrol(other, person(factory, "罗晓西", "13600007309").id, BEFORE)
    assert checkin.find_enrollments(workshop, "晓") == [seat, waiting]  # in the order they asked for a seat
    assert checkin.find_enrollments(workshop, "罗晓") == [seat]  # not another workshop's
    assert checkin.find_enrollments(workshop, "7309") == [seat]  # the end of the mobile
    assert checkin.find_enrollments(workshop, "+86 136 9879 7309") == [seat]
    assert checkin.find_enrollments(workshop, "  ") == [] and checkin.find_enrollments(workshop, "%") == []
    service.withdraw(waiting, BEFORE)
    assert checkin.find_enrollments(workshop, "王晓明") == []
    assert waiting.status == WITHDRAWN


def test_the_attendance_list_names_a_manual_check_in(as_staff, factory):
    workshop = make_workshop(**_soon())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, datetime.now(UTC) - timedelta(hours=1))
    checkin.check_in_manually(workshop, seat.id)
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx").data)).active
    (row,) = sheet.iter_rows(min_row=3, values_only=True)
    assert row[1] == "罗晓东" and row[8] == "工作人员手工"


# --- pages --------------------------------------------------------------------------------


def test_the_list_offers_check_in_with_a_confirmation_naming_the_person(as_staff, factory):
    workshop = make_workshop(capacity=1, **_soon())
    enrolled = datetime.now(UTC) - timedelta(hours=1)
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, enrolled)
    waiting = service.enrol(workshop, person(factory, "王明", "13800001111").id, enrolled)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f'action="/staff/workshops/{workshop.id}/enrollments/{seat.id}/checkin"' in page
    assert 'data-confirm="确定为 罗晓东 签到吗？' in page
    assert f'action="/staff/workshops/{workshop.id}/enrollments/{waiting.id}/admit"' in page
    assert 'data-confirm="王明 在候补名单中。' in page


def test_the_list_offers_no_check_in_before_the_door_opens(as_staff, factory):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    workshop = make_workshop(starts_at=start, ends_at=start + timedelta(hours=3))
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "罗晓东" in page and f"/enrollments/{seat.id}/checkin" not in page


def test_staff_check_in_from_the_list(as_staff, factory):
    workshop = make_workshop(**_soon())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, datetime.now(UTC) - timedelta(hours=1))
    response = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{seat.id}/checkin", data={"back": "detail"})
    assert response.status_code == 302 and response.location.endswith(f"/staff/workshops/{workshop.id}")
    assert "罗晓东 签到成功" in as_staff.get(response.location).get_data(as_text=True)
    db.session.refresh(seat)
    assert seat.status == ATTENDED and seat.checked_in_by == "manual"


def test_admitting_a_waitlisted_officer_to_a_full_workshop_says_it_is_over_capacity(as_staff, factory):
    workshop = make_workshop(capacity=1, **_soon())
    enrolled = datetime.now(UTC) - timedelta(hours=1)
    service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, enrolled)
    waiting = service.enrol(workshop, person(factory, "王明", "13800001111").id, enrolled)
    page = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{waiting.id}/admit",
                         follow_redirects=True).get_data(as_text=True)
    assert "王明 已从候补转为正式报名并签到成功" in page
    assert "注意：本班已超出名额 1 人（2 / 1）" in page and "超出名额 1 人" in page.split('id="over-capacity"')[1]
    db.session.refresh(waiting)
    assert waiting.status == ATTENDED


def test_the_scan_page_finds_someone_by_mobile_and_offers_to_check_them_in(as_staff, factory):
    workshop = make_workshop(**_soon())
    seat = service.enrol(workshop, person(factory, "罗晓东", "13698797309").id, datetime.now(UTC) - timedelta(hours=1))
    page = as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=7309").get_data(as_text=True)
    assert "罗晓东" in page and "136****7309" in page and "13698797309" not in page
    assert f'action="/staff/workshops/{workshop.id}/enrollments/{seat.id}/checkin"' in page
    assert 'name="back" value="scan"' in page
    response = as_staff.post(f"/staff/workshops/{workshop.id}/enrollments/{seat.id}/checkin", data={"back": "scan"})
    assert response.location.endswith(f"/staff/workshops/{workshop.id}/scan")
    nobody = as_staff.get(f"/staff/workshops/{workshop.id}/scan?q=张三").get_data(as_text=True)
    assert "没有找到“张三”" in nobody


def test_the_staff_page_shows_the_description(as_staff):
    workshop = make_workshop(description="第一部分：危害分析\n第二部分：关键控制点", **_soon())
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "第一部分：危害分析\n第二部分：关键控制点" in page and "css/workshops.css" in page


def test_the_room_screen_has_the_sites_icon(as_staff):
    workshop = make_workshop(**_soon())
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    (icon,) = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert icon.endswith("favicon.svg") and as_staff.get(icon).status_code == 200
