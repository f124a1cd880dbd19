"""An officer whose filing has ended (they left their post) holds no seat against officers in
post: the roster still shows them, marked, and the waitlist moves past them."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from lms.extensions import db
from lms.workshops import checkin, service
from lms.workshops.models import ENROLLED, WAITLISTED
from tests.workshops.helpers import BEFORE, START, end_filing_of, make_workshop, officer


def test_an_enrolment_of_someone_whose_filing_ended_holds_no_seat(app, factory):
    workshop = make_workshop(capacity=1)
    leaver = officer(factory)
    service.enrol(workshop, leaver.id, BEFORE)
    assert service.seats_taken(workshop.id) == 1
    end_filing_of(leaver)
    assert service.seats_taken(workshop.id) == 0
    assert service.seat_counts([workshop.id]) == {workshop.id: (0, 0)}
    assert service.enrol(workshop, officer(factory).id, BEFORE).status == ENROLLED  # not the waitlist


def test_the_seat_goes_to_the_first_in_line_before_a_newcomer(app, factory):
    workshop = make_workshop(capacity=1)
    leaver = officer(factory)
    service.enrol(workshop, leaver.id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=1))
    end_filing_of(leaver)
    late = service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=2))
    db.session.refresh(waiting)
    assert (waiting.status, late.status) == (ENROLLED, WAITLISTED)


def test_a_waitlisted_officer_whose_filing_ended_is_passed_over(app, factory):
    workshop = make_workshop(capacity=1)
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    leaver = officer(factory)
    first = service.enrol(workshop, leaver.id, BEFORE + timedelta(minutes=1))
    second = service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=2))
    end_filing_of(leaver)
    assert service.position_in_line(second) == 1
    assert [e.id for e in service.withdraw(seat, BEFORE + timedelta(hours=1))] == [second.id]
    db.session.refresh(first)
    assert first.status == WAITLISTED


def test_one_who_came_all_the_same_is_recorded_and_then_counts(app, factory):
    workshop = make_workshop(capacity=1)
    leaver = officer(factory)
    seat = service.enrol(workshop, leaver.id, BEFORE)
    end_filing_of(leaver)
    assert checkin.check_in_manually(workshop, seat.id, START)[1]  # attendance is a fact
    assert service.seats_taken(workshop.id) == 1


def test_an_officer_who_never_claimed_a_filing_keeps_their_seat(app, factory):
    workshop = make_workshop(capacity=1)  # open to every officer
    service.enrol(workshop, factory.user("officer").id, BEFORE)
    assert service.seats_taken(workshop.id) == 1


def test_the_roster_and_the_attendance_list_mark_an_ended_filing(as_staff, factory):
    workshop = make_workshop(capacity=3)
    leaver, stayer = officer(factory), officer(factory)
    service.enrol(workshop, leaver.id, BEFORE)
    service.enrol(workshop, stayer.id, BEFORE + timedelta(minutes=1))
    end_filing_of(leaver)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "备案已结束，不占名额" in page and page.index(stayer.name) < page.index(leaver.name)
    assert '<div class="stat">1 / 3</div>' in page
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx").data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[6]) for r in rows] == [(stayer.name, "已报名"), (leaver.name, "已报名（备案已结束，不占名额）")]


def test_an_officer_whose_filing_ended_cannot_enrol_again(app, factory):
    workshop = make_workshop()
    leaver = officer(factory)
    end_filing_of(leaver)
    with pytest.raises(service.WorkshopError, match="您的首席质量官备案已结束，不能再报名培训班"):
        service.enrol(workshop, leaver.id, BEFORE)
