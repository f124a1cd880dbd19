"""Editing a workshop: a cancelled one stays as it was, new hours reach those who attended, more
seats go to the waitlist in its order, and a session may run past midnight."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.programs.models import Program
from lms.workshops import checkin, service
from lms.workshops.models import ENROLLED, WAITLISTED, Workshop
from tests.workshops.helpers import BEFORE, START, make_workshop, officer

DURING = START + timedelta(minutes=20)


def _form(workshop: Workshop, **changes) -> dict:
    form = {"title": workshop.title, "venue": workshop.venue, "starts_at": "2030-09-15T09:00",
            "ends_at": "2030-09-15T12:00", "capacity": str(workshop.capacity), "hours": f"{workshop.hours:g}",
            "program_id": str(workshop.program_id or 0), "audience_town_id": "0", "audience_industries": ""}
    form.update(changes)
    return form


def _soon() -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


# --- a cancelled workshop -----------------------------------------------------------------


def test_a_cancelled_workshop_cannot_be_edited(as_staff, factory):
    workshop = make_workshop(venue="区政务中心 201", **_soon())
    service.cancel_workshop(workshop, "场地维修")
    page = as_staff.get(f"/staff/workshops/{workshop.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "该培训班已取消，不能再修改。如需另行举办，请用“复制到新日期”新建一期。" in page
    assert 'name="venue"' not in page  # the detail page, not the form
    response = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, venue="区政务中心 305"))
    assert response.status_code == 302
    db.session.refresh(workshop)
    assert workshop.venue == "区政务中心 201" and workshop.is_cancelled
    with pytest.raises(service.WorkshopError, match="已取消，不能再修改"):
        workshop.venue = "别处"
        service.save_workshop(workshop)


def test_a_cancelled_workshop_can_still_be_copied_to_a_new_date(as_staff, factory):
    workshop = make_workshop(**_soon())
    service.cancel_workshop(workshop, "场地维修")
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "复制到新日期" in page and f"/staff/workshops/{workshop.id}/edit" not in page
    response = as_staff.post(f"/staff/workshops/{workshop.id}/copy", data={"starts_at": "2030-09-20T14:00"})
    copy = db.session.scalars(select(Workshop).where(Workshop.id != workshop.id)).one()
    assert response.location.endswith(f"/staff/workshops/{copy.id}/edit") and not copy.is_cancelled


# --- hours --------------------------------------------------------------------------------


def test_new_hours_are_credited_to_those_who_attended(as_staff, factory):
    workshop = make_workshop(hours=3.0, capacity=5)
    came, absent = officer(factory), officer(factory)
    checkin.check_in_by_code(workshop, service.enrol(workshop, came.id, BEFORE).checkin_code, DURING)
    service.enrol(workshop, absent.id, BEFORE)
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, hours="2.5"),
                         follow_redirects=True).get_data(as_text=True)
    assert "已签到的 1 人的认定学时已随之改为 2.5 学时" in page
    assert checkin.attended_hours(came.id) == 2.5 and checkin.attended_hours(absent.id) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "workshop.updated")).one()
    assert entry.details["changes"]["hours"] == [3.0, 2.5] and entry.details["recredited"] == 1
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, capacity="6"),
                         follow_redirects=True).get_data(as_text=True)
    assert "认定学时已随之改为" not in page  # only when the hours change


def test_more_hours_complete_a_programme_and_its_certificate_is_issued(app, factory):
    program = Program(name="2026 年首席质量官培训", requirements=[], hours_required=4, starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    workshop = make_workshop(program_id=program.id, hours=3.0)
    user = officer(factory)
    checkin.check_in_by_code(workshop, service.enrol(workshop, user.id, BEFORE).checkin_code, DURING)
    assert db.session.scalar(select(Certificate.id).where(Certificate.user_id == user.id)) is None
    db.session.refresh(workshop)  # loaded, as the edit page has it
    workshop.hours = 4.0  # the session was accredited for a fourth hour
    assert service.save_workshop(workshop).recredited == 1
    assert db.session.scalar(select(Certificate.hours).where(Certificate.user_id == user.id)) == 4.0


# --- seats --------------------------------------------------------------------------------


def test_raising_the_capacity_by_two_promotes_the_first_two_in_line_in_order(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    line = [service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=m)) for m in (3, 1, 2)]
    db.session.refresh(workshop)
    workshop.capacity = 3
    promoted = service.save_workshop(workshop, BEFORE + timedelta(hours=1)).promoted
    assert [e.id for e in promoted] == [line[1].id, line[2].id]  # asked at minute 1, then 2
    assert [db.session.get(type(e), e.id).status for e in line] == [WAITLISTED, ENROLLED, ENROLLED]
    assert service.position_in_line(line[0]) == 1


def test_the_page_says_how_many_moved_up(as_staff, factory):
    workshop = make_workshop(capacity=1, **_soon())
    for _ in range(3):
        service.enrol(workshop, officer(factory).id)
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, capacity="3",
                         starts_at=workshop.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")),
                         follow_redirects=True).get_data(as_text=True)
    assert "候补名单中有 2 人已递补，已为他们生成通知" in page


# --- a session past midnight ----------------------------------------------------------------


def test_a_session_past_midnight_is_accepted_and_shown_with_the_day_it_ends(as_staff):
    response = as_staff.post("/staff/workshops/new", data={
        "title": "夜间计量实务", "venue": "区政务中心 201", "starts_at": "2030-09-15T21:00",
        "ends_at": "2030-09-16T01:00", "capacity": "40", "hours": "3", "program_id": "0", "audience_town_id": "0"})
    assert response.status_code == 302
    page = as_staff.get(response.location).get_data(as_text=True)
    assert "2030-09-15 21:00–2030-09-16 01:00" in page


def test_an_end_on_the_same_date_before_the_start_hints_at_midnight(as_staff):
    page = as_staff.post("/staff/workshops/new", data={
        "title": "夜间计量实务", "venue": "区政务中心 201", "starts_at": "2030-09-15T21:00",
        "ends_at": "2030-09-15T01:00", "capacity": "40", "hours": "3", "program_id": "0",
        "audience_town_id": "0"}).get_data(as_text=True)
    assert "结束时间应晚于开始时间；培训跨过午夜的，结束日期请选第二天" in page
    assert db.session.scalar(select(Workshop.id)) is None


def test_a_session_that_went_over_capacity_can_still_be_edited(as_staff, factory):
    workshop = make_workshop(capacity=1, hours=3.0)
    service.enrol(workshop, officer(factory).id, BEFORE)
    checkin.check_in_walk_in(workshop, officer(factory).id, DURING)  # two came to a room for one
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, hours="2"),
                         follow_redirects=True).get_data(as_text=True)
    assert "已签到的 1 人的认定学时已随之改为 2 学时" in page and "名额不能少于" not in page
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=_form(workshop, capacity="0"),
                         follow_redirects=True).get_data(as_text=True)
    assert "名额应在 1 至 5000 之间" in page
