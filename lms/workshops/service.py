"""The rules of workshops: who may enrol, seats and the waitlist, scheduling (check-in and the
hours it credits: checkin.py; what officers are told: notices.py).

Seats are counted, never stored: an enrolment holds a seat while it is enrolled, attended or
a no-show, except an enrolment of someone whose filing has ended (_holds_seat). Every change
of seats first bumps the workshop's ``seat_version`` with one UPDATE, which takes the
workshop's row lock on PostgreSQL and the write lock on SQLite, so two officers taking the
last seat at once are served one after the other and enrolment never exceeds the capacity.
(Staff recording who came may: attendance is a fact, see checkin.py.)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update

from lms.accounts.models import User
from lms.core import audit
from lms.core.models import aware, utcnow
from lms.extensions import db
from lms.registry.models import CURRENT, Enterprise, Filing
from lms.workshops import notices
from lms.workshops.models import (
    ATTENDED,
    CANCELLED,
    ENROLLED,
    NO_SHOW,
    SCHEDULED,
    WAITLISTED,
    WITHDRAWN,
    Enrollment,
    Workshop,
)
from lms.workshops.notices import local_text

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at the door


class WorkshopError(Exception):
    """A rule of workshops refused the action; the message is for the user."""


# --- audience -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """What decides which workshops an officer may join: their enterprise's industry and town."""

    industry_code: str = ""
    town_id: int | None = None


def audience_of(user_id: int) -> Audience | None:
    """The officer's current filing's enterprise, or None when they have not claimed one."""
    row = db.session.execute(
        select(Enterprise.industry_code, Enterprise.town_id).join(Filing, Filing.enterprise_id == Enterprise.id)
        .where(Filing.user_id == user_id, Filing.status == "current")).first()
    return Audience(row.industry_code or "", row.town_id) if row else None


def is_open_to(workshop: Workshop, audience: Audience | None) -> bool:
    """Whether the workshop's audience rule admits this officer."""
    if not workshop.audience_industries and workshop.audience_town_id is None:
        return True
    if audience is None:
        return False
    if workshop.audience_town_id is not None and workshop.audience_town_id != audience.town_id:
        return False
    return not workshop.audience_industries or any(
        audience.industry_code.startswith(prefix) for prefix in workshop.audience_industries)


def _audience_clause(audience: Audience | None):
    """The same rule as is_open_to, for the town part, in SQL (industries are checked in Python:
    a JSON list of prefixes)."""
    town = audience.town_id if audience else None
    return or_(Workshop.audience_town_id.is_(None), Workshop.audience_town_id == town)


# --- seats --------------------------------------------------------------------------------


def _filing_ended(user_id):
    """SQL: the officer's filing has ended and they hold no current one (a CQO who has left
    their post; an officer who never claimed a filing is not one)."""
    ended = select(Filing.id).where(Filing.user_id == user_id, Filing.status != CURRENT).exists()
    current = select(Filing.id).where(Filing.user_id == user_id, Filing.status == CURRENT).exists()
    return and_(ended, ~current)


def _holds_seat():
    """SQL: the enrolment takes one of the seats. Attended and no-show are what happened; an
    enrolment of someone whose filing has since ended holds none against officers in post (it
    stays on the roster, marked, and comes back should they be filed again)."""
    return or_(Enrollment.status.in_((ATTENDED, NO_SHOW)),
               and_(Enrollment.status == ENROLLED, ~_filing_ended(Enrollment.user_id)))


def _in_line():
    """SQL: waiting for a seat, and still in post (see _holds_seat)."""
    return and_(Enrollment.status == WAITLISTED, ~_filing_ended(Enrollment.user_id))


def seats_taken(workshop_id: int) -> int:
    return db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.workshop_id == workshop_id, _holds_seat())) or 0


def seat_counts(workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per workshop: (seats taken, people waiting), in one query."""
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(Enrollment.workshop_id, func.count(Enrollment.id).filter(_holds_seat()),
               func.count(Enrollment.id).filter(_in_line()))
        .where(Enrollment.workshop_id.in_(workshop_ids)).group_by(Enrollment.workshop_id))
    return {wid: (int(taken), int(waiting)) for wid, taken, waiting in rows}


def filing_ended_among(user_ids: list[int]) -> set[int]:
    """Those of the users whose filing has ended (see _filing_ended), for the roster to mark."""
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(Filing.user_id).where(Filing.user_id.in_(user_ids)).group_by(Filing.user_id)
        .having(func.sum(case((Filing.status == CURRENT, 1), else_=0)) == 0)))


def _lock(workshop: Workshop) -> None:
    """Serialise seat changes on this workshop (see the module's docstring)."""
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id)
                       .values(seat_version=Workshop.seat_version + 1)
                       .execution_options(synchronize_session=False))


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def enrollment_of(workshop_id: int, user_id: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.workshop_id == workshop_id, Enrollment.user_id == user_id))


def _check_can_enrol(workshop: Workshop, user_id: int, now: datetime) -> None:
    if workshop.is_cancelled:
        raise WorkshopError(_("该培训班已取消。"))
    if now >= aware(workshop.starts_at):
        raise WorkshopError(_("培训班已开始，不能再报名。"))
    if workshop.enrol_opens_at and now < aware(workshop.enrol_opens_at):
        raise WorkshopError(_("报名尚未开始。"))
    if workshop.enrol_closes_at and now >= aware(workshop.enrol_closes_at):
        raise WorkshopError(_("报名已截止。"))
    user = db.session.get(User, user_id)
    if user is None or user.is_staff:  # a seat is for an officer; staff record others' attendance
        raise WorkshopError(_("工作人员账号不能报名培训班。"))
    if filing_ended_among([user_id]):  # they left their post: the seat would hold nothing (_holds_seat)
        raise WorkshopError(_("您的首席质量官备案已结束，不能再报名培训班。"))
    if not is_open_to(workshop, audience_of(user_id)):
        raise WorkshopError(_("该培训班只面向特定镇街或行业的首席质量官，您不在范围内。"))


def enrol(workshop: Workshop, user_id: int, now: datetime | None = None) -> Enrollment:
    """Take a seat, or a place on the waitlist when the workshop is full; commits. A seat freed
    meanwhile (a filing ended) goes to those already waiting first."""
    now = now or utcnow()
    _check_can_enrol(workshop, user_id, now)
    _lock(workshop)
    enrollment = enrollment_of(workshop.id, user_id)
    if enrollment is not None and enrollment.status != WITHDRAWN:
        db.session.rollback()
        raise WorkshopError(_("您已报名该培训班。") if enrollment.status == ENROLLED
                            else _("您已在候补名单中。"))
    promoted = _promote(workshop, now)
    status = ENROLLED if seats_taken(workshop.id) < workshop.capacity else WAITLISTED
    if enrollment is None:
        enrollment = Enrollment(workshop_id=workshop.id, user_id=user_id, checkin_code=new_checkin_code())
        db.session.add(enrollment)
    enrollment.status, enrollment.queued_at = status, now
    db.session.commit()
    if promoted:
        notices.send_notices()
    return enrollment


def withdraw(enrollment: Enrollment, now: datetime | None = None) -> list[Enrollment]:
    """The officer gives up their seat or place in line; the first in line moves up (and is
    told). Commits and returns whoever was promoted."""
    now = now or utcnow()
    workshop = enrollment.workshop
    if enrollment.status not in (ENROLLED, WAITLISTED):
        raise WorkshopError(_("没有可以取消的报名。"))
    if now >= aware(workshop.starts_at):
        raise WorkshopError(_("培训班已开始，不能取消报名。"))
    _lock(workshop)
    db.session.refresh(enrollment)
    if enrollment.status not in (ENROLLED, WAITLISTED):  # a second tab got here first
        db.session.rollback()
        raise WorkshopError(_("没有可以取消的报名。"))
    enrollment.status = WITHDRAWN
    db.session.flush()
    promoted = _promote(workshop, now)
    db.session.commit()
    if promoted:
        notices.send_notices()
    return promoted


def _promote(workshop: Workshop, now: datetime) -> list[Enrollment]:
    """Fill free seats from the waitlist, first come first served, and queue their notices; the
    caller holds the lock. Not once the session has begun: a notice would come too late, and
    at the door staff admit whoever is there."""
    free = workshop.capacity - seats_taken(workshop.id)
    if free <= 0 or workshop.is_cancelled or now >= aware(workshop.starts_at):
        return []
    waiting = db.session.scalars(select(Enrollment).where(Enrollment.workshop_id == workshop.id, _in_line())
                                 .order_by(Enrollment.queued_at, Enrollment.id).limit(free)).all()
    for enrollment in waiting:
        enrollment.status = ENROLLED
        notices.tell_promoted(enrollment)
    return list(waiting)


def position_in_line(enrollment: Enrollment) -> int:
    """1 for the first person waiting."""
    return 1 + (db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.workshop_id == enrollment.workshop_id, _in_line(),
        or_(Enrollment.queued_at < enrollment.queued_at,
            and_(Enrollment.queued_at == enrollment.queued_at, Enrollment.id < enrollment.id)))) or 0)


# --- staff: schedule, edit, cancel, copy --------------------------------------------------


# What the log names of an edit (audit.changes): the form's own labels.
CHANGE_LABELS = {"title": _l("名称"), "topic": _l("主题"), "trainer": _l("授课人"), "venue": _l("地点"),
                 "starts_at": _l("开始时间"), "ends_at": _l("结束时间"), "capacity": _l("名额"),
                 "hours": _l("认定学时"), "enrol_opens_at": _l("报名开始"), "enrol_closes_at": _l("报名截止"),
                 "description": _l("说明")}
audit.describe_changes("workshop.updated", CHANGE_LABELS)


def _shown(value):
    return local_text(value) if isinstance(value, datetime) else value


@dataclass
class Saved:
    """What saving a workshop did besides saving it, for the page to say."""

    promoted: list[Enrollment] = field(default_factory=list)  # moved up from the waitlist (told)
    told: int = 0  # told of a new time or venue
    recredited: int = 0  # attendees whose hours followed a change of the workshop's hours
    delivery: str = ""  # notices.SENT, KEPT or FAILED; empty when nobody was told anything


def save_workshop(workshop: Workshop, now: datetime | None = None) -> Saved:
    """Add or update a workshop. A larger capacity moves people up from the waitlist, a new
    time or venue is told to everyone enrolled or waiting (not once the session is over), and
    new hours are credited to those who attended. Commits, then sends the notices."""
    from lms.workshops import checkin  # it builds on this module

    now = now or utcnow()
    if workshop.id is not None and workshop.is_cancelled:
        db.session.rollback()
        raise WorkshopError(_("该培训班已取消，不能再修改。如需另行举办，请用“复制到新日期”新建一期。"))
    is_new = workshop.id is None
    moved = None if is_new else _old_time_and_place(workshop)
    hours_changed = not is_new and db.inspect(workshop).attrs.hours.history.has_changes()
    changed = {} if is_new else audit.changes(workshop, CHANGE_LABELS, _shown)
    db.session.add(workshop)
    db.session.flush()
    saved = Saved()
    if not is_new:
        _lock(workshop)
        saved.promoted = _promote(workshop, now)
    if moved is not None and not notices.is_over(workshop, now):
        for enrollment in workshop.enrollments:
            if enrollment.status in (ENROLLED, WAITLISTED):
                notices.tell_moved(enrollment, *moved)
                saved.told += 1
    credited = checkin.credit_new_hours(workshop) if hours_changed else []
    saved.recredited = len(credited)
    audit.record("workshop.created" if is_new else "workshop.updated", f"workshop:{workshop.id}",
                 workshop.title, {"changes": changed, **({"recredited": len(credited)} if credited else {})}
                 if changed else None)
    db.session.commit()
    checkin.progress_for(credited)
    if saved.promoted or saved.told:
        saved.delivery = notices.send_notices()
    return saved


def _old_time_and_place(workshop: Workshop) -> tuple[datetime, str] | None:
    """(start, venue) as they were before this edit, when the start or the venue changed."""
    state = db.inspect(workshop)
    start, venue = state.attrs.starts_at.history, state.attrs.venue.history
    old_start = start.deleted[0] if start.deleted else workshop.starts_at
    old_venue = venue.deleted[0] if venue.deleted else workshop.venue
    if aware(old_start) == aware(workshop.starts_at) and old_venue == workshop.venue:
        return None
    return old_start, old_venue


@dataclass
class Cancelled:
    told: int  # enrolled or waiting, told it is cancelled (nobody, once the session is over)
    delivery: str  # notices.SENT, KEPT or FAILED; empty when nobody was told


def cancel_workshop(workshop: Workshop, reason: str, now: datetime | None = None) -> Cancelled:
    """Cancel a workshop and tell everyone enrolled or waiting, unless it is already over;
    commits, then sends the notices."""
    if workshop.is_cancelled:
        raise WorkshopError(_("该培训班已取消。"))
    if any(e.status == ATTENDED for e in workshop.enrollments):
        # Telling those who came that it was cancelled, and hiding it, would be false.
        raise WorkshopError(_("已有人签到的培训班不能取消。"))
    _lock(workshop)
    workshop.status, workshop.cancel_reason = CANCELLED, reason
    told = 0
    if not notices.is_over(workshop, now):
        for enrollment in workshop.enrollments:
            if enrollment.status in (ENROLLED, WAITLISTED):
                notices.tell_cancelled(enrollment, reason)
                told += 1
    audit.record("workshop.cancelled", f"workshop:{workshop.id}", f"{workshop.title}: {reason}",
                 {"told": told})
    db.session.commit()
    return Cancelled(told, notices.send_notices() if told else "")


COPIED_FIELDS = ("title", "topic", "description", "program_id", "trainer", "venue", "capacity", "hours",
                 "audience_industries", "audience_town_id")


def copy_workshop(workshop: Workshop, starts_at: datetime) -> Workshop:
    """The same workshop on another date: times and the enrolment window move with it. Commits."""
    shift = starts_at - aware(workshop.starts_at)
    copy = Workshop(**{name: getattr(workshop, name) for name in COPIED_FIELDS},
                    starts_at=starts_at, ends_at=aware(workshop.ends_at) + shift,
                    enrol_opens_at=aware(workshop.enrol_opens_at) + shift if workshop.enrol_opens_at else None,
                    enrol_closes_at=aware(workshop.enrol_closes_at) + shift if workshop.enrol_closes_at else None)
    copy.audience_industries = list(workshop.audience_industries or [])
    db.session.add(copy)
    db.session.flush()
    audit.record("workshop.copied", f"workshop:{copy.id}", copy.title, {"from": workshop.id})
    db.session.commit()
    return copy


# --- what officers see --------------------------------------------------------------------


def visible_workshops(user, start: datetime | None = None, end: datetime | None = None) -> list[Workshop]:
    """Workshops a user may see in a period: staff all of them; an officer those open to them
    and those they are enrolled in."""
    query = select(Workshop).order_by(Workshop.starts_at)
    if start is not None:
        query = query.where(Workshop.ends_at > start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    if user.is_staff:
        return list(db.session.scalars(query))
    audience = audience_of(user.id)
    mine = select(Enrollment.workshop_id).where(Enrollment.user_id == user.id, Enrollment.status != WITHDRAWN)
    rows = db.session.scalars(query.where(or_(
        Workshop.id.in_(mine), and_(Workshop.status == SCHEDULED, _audience_clause(audience))))).all()
    enrolled = set(db.session.scalars(mine))
    return [w for w in rows if w.id in enrolled or is_open_to(w, audience)]


def my_enrollments(user_id: int) -> list[Enrollment]:
    return list(db.session.scalars(select(Enrollment).join(Workshop).where(
        Enrollment.user_id == user_id, Enrollment.status != WITHDRAWN).order_by(Workshop.starts_at.desc())))


def upcoming_enrollments(user_id: int, now: datetime | None = None) -> list[Enrollment]:
    """The officer's seats and waitlist places in workshops still to come, soonest first."""
    return list(db.session.scalars(select(Enrollment).join(Workshop).where(
        Enrollment.user_id == user_id, Enrollment.status.in_((ENROLLED, WAITLISTED)),
        Workshop.status == SCHEDULED, Workshop.ends_at > (now or utcnow())).order_by(Workshop.starts_at)))


def queue_reminders(now: datetime | None = None, ahead: timedelta = timedelta(hours=36)) -> int:
    """Remind everyone with a seat in a workshop that starts soon, once each. Commits, then
    sends the reminders."""
    now = now or utcnow()
    due = db.session.scalars(select(Enrollment).join(Workshop).where(
        Workshop.status == SCHEDULED, Workshop.starts_at > now, Workshop.starts_at <= now + ahead,
        _holds_seat(), Enrollment.status == ENROLLED, Enrollment.reminded_at.is_(None))).all()
    for enrollment in due:
        notices.tell_reminder(enrollment)
        enrollment.reminded_at = now
    if due:
        audit.record("workshop.reminders", "", f"{len(due)}")
    db.session.commit()
    if due:
        notices.send_notices()
    return len(due)
