"""Many officers pressing "enrol" for the last seats at once never exceed the capacity."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.workshops import service
from lms.workshops.models import ENROLLED, WAITLISTED, Enrollment, Workshop
from tests.conftest import run_together
from tests.workshops.helpers import BEFORE, make_workshop, officer


def _race(app, workshop_id: int, user_ids: list[int], action) -> list:
    return run_together(app, lambda uid: action(db.session.get(Workshop, workshop_id), uid), user_ids)


def test_concurrent_enrolments_never_exceed_capacity(app, factory):
    workshop_id = make_workshop(capacity=3).id
    users = [officer(factory).id for _ in range(8)]
    db.session.remove()
    outcomes = _race(app, workshop_id, users, lambda w, uid: service.enrol(w, uid, BEFORE).status)
    assert sorted(outcomes) == [ENROLLED] * 3 + [WAITLISTED] * 5, outcomes
    seated = db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.workshop_id == workshop_id, Enrollment.status == ENROLLED))
    assert seated == 3


def test_concurrent_withdrawals_promote_each_waiting_officer_once(app, factory):
    workshop = make_workshop(capacity=2)
    seats = [service.enrol(workshop, officer(factory).id, BEFORE) for _ in range(2)]
    waiting = [service.enrol(workshop, officer(factory).id, BEFORE) for _ in range(3)]
    workshop_id, seat_users = workshop.id, [s.user_id for s in seats]
    waiting_ids = [e.id for e in waiting]
    db.session.remove()

    def leave(w, uid):
        service.withdraw(service.enrollment_of(w.id, uid), BEFORE)
        return "ok"

    assert _race(app, workshop_id, seat_users, leave) == ["ok", "ok"]
    statuses = [db.session.get(Enrollment, eid).status for eid in waiting_ids]
    assert statuses == [ENROLLED, ENROLLED, WAITLISTED]
