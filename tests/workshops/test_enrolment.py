"""Enrolment rules, audience, the waitlist and its order."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.coverage.reminders import OutboxMessage
from lms.extensions import db
from lms.workshops import service
from lms.workshops.models import ENROLLED, WAITLISTED, WITHDRAWN
from tests.workshops.helpers import BEFORE, START, make_workshop, officer


def test_enrolling_takes_a_seat_until_the_workshop_is_full_then_waitlists(app, factory):
    workshop = make_workshop(capacity=2)
    statuses = [service.enrol(workshop, officer(factory).id, BEFORE).status for _ in range(3)]
    assert statuses == [ENROLLED, ENROLLED, WAITLISTED]
    assert service.seats_taken(workshop.id) == 2


def test_enrolling_twice_is_refused(app, factory):
    workshop = make_workshop()
    user = officer(factory)
    service.enrol(workshop, user.id, BEFORE)
    with pytest.raises(service.WorkshopError, match="已报名"):
        service.enrol(workshop, user.id, BEFORE)


@pytest.mark.parametrize(("kw", "now", "message"), [
    ({"status": "cancelled"}, BEFORE, "已取消"),
    ({}, START, "已开始"),
    ({"enrol_opens_at": BEFORE + timedelta(days=1)}, BEFORE, "尚未开始"),
    ({"enrol_closes_at": BEFORE - timedelta(hours=1)}, BEFORE, "已截止"),
])
def test_enrolment_window_and_state_are_enforced(app, factory, kw, now, message):
    workshop = make_workshop(**kw)
    with pytest.raises(service.WorkshopError, match=message):
        service.enrol(workshop, officer(factory).id, now)


def test_audience_by_industry_admits_only_those_industries(app, factory):
    workshop = make_workshop(audience_industries=["C13", "C14", "H62"])
    assert service.enrol(workshop, officer(factory, industry="C1391").id, BEFORE).status == ENROLLED
    assert service.enrol(workshop, officer(factory, industry="H6210").id, BEFORE).status == ENROLLED
    with pytest.raises(service.WorkshopError, match="不在范围内"):
        service.enrol(workshop, officer(factory, industry="C3484").id, BEFORE)


def test_audience_by_town_and_unclaimed_officers(app, factory):
    town = factory.town("渠沟镇")
    workshop = make_workshop(audience_town_id=town.id)
    assert service.enrol(workshop, officer(factory, town=town).id, BEFORE).status == ENROLLED
    with pytest.raises(service.WorkshopError):
        service.enrol(workshop, officer(factory).id, BEFORE)  # another town
    with pytest.raises(service.WorkshopError):
        service.enrol(workshop, factory.user("officer").id, BEFORE)  # no filing claimed


def test_visible_workshops_follow_the_audience(app, factory):
    food = make_workshop(title="食品", audience_industries=["C14"])
    everyone = make_workshop(title="全体")
    user = officer(factory, industry="C3484")
    assert [w.title for w in service.visible_workshops(user)] == [everyone.title]
    staff = factory.user("staff")
    assert {w.id for w in service.visible_workshops(staff)} == {food.id, everyone.id}


def test_a_freed_seat_goes_to_the_first_in_line_who_is_told(app, factory):
    workshop = make_workshop(capacity=1)
    first = officer(factory)
    seat = service.enrol(workshop, first.id, BEFORE)
    early = service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=1))
    late = service.enrol(workshop, officer(factory).id, BEFORE + timedelta(minutes=2))
    assert service.position_in_line(early) == 1 and service.position_in_line(late) == 2

    promoted = service.withdraw(seat, BEFORE + timedelta(hours=1))

    assert [e.id for e in promoted] == [early.id]
    db.session.refresh(early)
    db.session.refresh(late)
    assert (seat.status, early.status, late.status) == (WITHDRAWN, ENROLLED, WAITLISTED)
    assert service.position_in_line(late) == 1
    notice = db.session.scalars(select(OutboxMessage)).one()
    assert notice.to_name == early.user.name and "候补转正" in notice.subject


def test_leaving_the_waitlist_frees_no_seat(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE)
    assert service.withdraw(waiting, BEFORE) == []
    assert service.seats_taken(workshop.id) == 1


def test_withdrawn_officer_may_enrol_again_at_the_back_of_the_line(app, factory):
    workshop = make_workshop(capacity=1)
    holder = officer(factory)
    seat = service.enrol(workshop, holder.id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE)
    service.withdraw(seat, BEFORE + timedelta(minutes=5))
    again = service.enrol(workshop, holder.id, BEFORE + timedelta(minutes=6))
    assert again.id == seat.id and again.status == WAITLISTED
    db.session.refresh(waiting)
    assert waiting.status == ENROLLED


def test_raising_the_capacity_promotes_from_the_waitlist(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE)
    workshop.capacity = 2
    assert [e.id for e in service.save_workshop(workshop, BEFORE).promoted] == [waiting.id]


def test_cancelling_a_workshop_tells_everyone_enrolled_or_waiting(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    service.enrol(workshop, officer(factory).id, BEFORE)
    assert service.cancel_workshop(workshop, "台风预警", BEFORE).told == 2
    bodies = db.session.scalars(select(OutboxMessage.body)).all()
    assert len(bodies) == 2 and all("台风预警" in b for b in bodies)
    with pytest.raises(service.WorkshopError):
        service.enrol(workshop, officer(factory).id, BEFORE)


def test_copy_moves_times_and_window_and_keeps_nobody(app, factory):
    workshop = make_workshop(enrol_closes_at=START - timedelta(days=1), audience_industries=["C14"])
    service.enrol(workshop, officer(factory, industry="C1411").id, BEFORE)
    copy = service.copy_workshop(workshop, START + timedelta(days=7))
    assert service.aware(copy.ends_at) - service.aware(copy.starts_at) == timedelta(hours=3)
    assert service.aware(copy.enrol_closes_at) == START + timedelta(days=6)
    assert copy.audience_industries == ["C14"] and copy.title == workshop.title
    assert service.seats_taken(copy.id) == 0


def test_reminders_go_once_to_seated_officers_of_workshops_starting_soon(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    service.enrol(workshop, officer(factory).id, BEFORE)  # waitlisted: no reminder
    make_workshop(starts_at=START + timedelta(days=5), ends_at=START + timedelta(days=5, hours=2))
    day_before = START - timedelta(hours=20)
    assert service.queue_reminders(day_before) == 1
    assert service.queue_reminders(day_before) == 0
    assert "培训提醒" in db.session.scalars(select(OutboxMessage.subject)).one()
