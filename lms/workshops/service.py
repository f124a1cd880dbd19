"""The rules of workshops: who may enrol, seats and the waitlist, scheduling, notices (check-in
and the hours it credits: checkin.py).

Seats are counted, never stored: an enrolment holds a seat while it is enrolled, attended or
a no-show. Every change of seats first bumps the workshop's ``seat_version`` with one
UPDATE, which takes the workshop's row lock on PostgreSQL and the write lock on SQLite, so
two officers taking the last seat at once are served one after the other and capacity is
never exceeded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from lms.core import audit
from lms.core.models import aware, utcnow
from lms.extensions import db
from lms.registry.models import Enterprise, Filing
from lms.workshops.models import (
    ATTENDED,
    CANCELLED,
    ENROLLED,
    HOLDS_SEAT,
    SCHEDULED,
    WAITLISTED,
    WITHDRAWN,
    Enrollment,
    Workshop,
)

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


def seats_taken(workshop_id: int) -> int:
    return db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.workshop_id == workshop_id, Enrollment.status.in_(HOLDS_SEAT))) or 0


def seat_counts(workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per workshop: (seats taken, people waiting), in one query."""
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(Enrollment.workshop_id,
               func.count(Enrollment.id).filter(Enrollment.status.in_(HOLDS_SEAT)),
               func.count(Enrollment.id).filter(Enrollment.status == WAITLISTED))
        .where(Enrollment.workshop_id.in_(workshop_ids)).group_by(Enrollment.workshop_id))
    return {wid: (int(taken), int(waiting)) for wid, taken, waiting in rows}


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


def _check_can_enrol(workshop: Workshop, audience: Audience | None, now: datetime) -> None:
    if workshop.is_cancelled:
        raise WorkshopError(_("该培训班已取消。"))
    if now >= aware(workshop.starts_at):
        raise WorkshopError(_("培训班已开始，不能再报名。"))
    if workshop.enrol_opens_at and now < aware(workshop.enrol_opens_at):
        raise WorkshopError(_("报名尚未开始。"))
    if workshop.enrol_closes_at and now >= aware(workshop.enrol_closes_at):
        raise WorkshopError(_("报名已截止。"))
    if not is_open_to(workshop, audience):
        raise WorkshopError(_("该培训班只面向特定镇街或行业的首席质量官，您不在范围内。"))


def enrol(workshop: Workshop, user_id: int, now: datetime | None = None) -> Enrollment:
    """Take a seat, or a place on the waitlist when the workshop is full; commits."""
    now = now or utcnow()
    _check_can_enrol(workshop, audience_of(user_id), now)
    _lock(workshop)
    enrollment = enrollment_of(workshop.id, user_id)
    if enrollment is not None and enrollment.status != WITHDRAWN:
        db.session.rollback()
        raise WorkshopError(_("您已报名该培训班。") if enrollment.status == ENROLLED
                            else _("您已在候补名单中。"))
    status = ENROLLED if seats_taken(workshop.id) < workshop.capacity else WAITLISTED
    if enrollment is None:
        enrollment = Enrollment(workshop_id=workshop.id, user_id=user_id, checkin_code=new_checkin_code())
        db.session.add(enrollment)
    enrollment.status, enrollment.queued_at = status, now
    db.session.commit()
    return enrollment


def withdraw(enrollment: Enrollment, now: datetime | None = None) -> list[Enrollment]:
    """The officer gives up their seat or place in line; the first in line moves up. Commits
    and returns whoever was promoted."""
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
    promoted = _promote(workshop)
    db.session.commit()
    return promoted


def _promote(workshop: Workshop) -> list[Enrollment]:
    """Fill free seats from the waitlist, first come first served; the caller holds the lock."""
    free = workshop.capacity - seats_taken(workshop.id)
    if free <= 0 or workshop.is_cancelled:
        return []
    waiting = db.session.scalars(select(Enrollment).where(
        Enrollment.workshop_id == workshop.id, Enrollment.status == WAITLISTED)
        .order_by(Enrollment.queued_at, Enrollment.id).limit(free)).all()
    for enrollment in waiting:
        enrollment.status = ENROLLED
        notify(enrollment, f"候补转正：{workshop.title}",
               f"{enrollment.user.name}您好：“{workshop.title}”有了空位，您已从候补转为正式报名。"
               f"时间：{local_text(workshop.starts_at)}，地点：{workshop.venue}。")
    return list(waiting)


def position_in_line(enrollment: Enrollment) -> int:
    """1 for the first person waiting."""
    return 1 + (db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.workshop_id == enrollment.workshop_id, Enrollment.status == WAITLISTED,
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


def save_workshop(workshop: Workshop) -> list[Enrollment]:
    """Add or update a workshop; a larger capacity moves people up from the waitlist, and a
    new time or venue is told to everyone enrolled or waiting. Commits; returns those promoted."""
    is_new = workshop.id is None
    moved = None if is_new else _old_time_and_place(workshop)
    changed = {} if is_new else audit.changes(workshop, CHANGE_LABELS, _shown)
    db.session.add(workshop)
    db.session.flush()
    promoted = []
    if not is_new:
        _lock(workshop)
        promoted = _promote(workshop)
    if moved is not None:
        starts_at, venue = moved
        for enrollment in workshop.enrollments:
            if enrollment.status in (ENROLLED, WAITLISTED):
                notify(enrollment, f"培训班时间或地点变更：{workshop.title}",
                       f"{enrollment.user.name}您好：您报名的“{workshop.title}”改为 {local_text(workshop.starts_at)} "
                       f"在{workshop.venue}举办（原为 {local_text(starts_at)} 在{venue}）。"
                       f"如不能参加，请在平台上取消报名，把名额留给他人。")
    audit.record("workshop.created" if is_new else "workshop.updated", f"workshop:{workshop.id}",
                 workshop.title, {"changes": changed} if changed else None)
    db.session.commit()
    return promoted


def _old_time_and_place(workshop: Workshop) -> tuple[datetime, str] | None:
    """(start, venue) as they were before this edit, when the start or the venue changed."""
    state = db.inspect(workshop)
    start, venue = state.attrs.starts_at.history, state.attrs.venue.history
    old_start = start.deleted[0] if start.deleted else workshop.starts_at
    old_venue = venue.deleted[0] if venue.deleted else workshop.venue
    if aware(old_start) == aware(workshop.starts_at) and old_venue == workshop.venue:
        return None
    return old_start, old_venue


def cancel_workshop(workshop: Workshop, reason: str) -> int:
    """Cancel a workshop and tell everyone enrolled or waiting; commits; returns how many were told."""
    if workshop.is_cancelled:
        raise WorkshopError(_("该培训班已取消。"))
    if any(e.status == ATTENDED for e in workshop.enrollments):
        # Telling those who came that it was cancelled, and hiding it, would be false.
        raise WorkshopError(_("已有人签到的培训班不能取消。"))
    _lock(workshop)
    workshop.status, workshop.cancel_reason = CANCELLED, reason
    told = 0
    for enrollment in workshop.enrollments:
        if enrollment.status in (ENROLLED, WAITLISTED):
            notify(enrollment, f"培训班取消：{workshop.title}",
                   f"{enrollment.user.name}您好：原定于 {local_text(workshop.starts_at)} 在{workshop.venue}举办的"
                   f"“{workshop.title}”已取消。原因：{reason}。请留意后续安排。")
            told += 1
    audit.record("workshop.cancelled", f"workshop:{workshop.id}", f"{workshop.title}: {reason}",
                 {"told": told})
    db.session.commit()
    return told


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


# --- notices ------------------------------------------------------------------------------


def local_text(moment: datetime) -> str:
    """The moment in the bureau's time zone, as notices and sheets print it."""
    from lms.workshops.forms import local_zone

    return aware(moment).astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


def notify(enrollment: Enrollment, subject: str, body: str) -> None:
    """A notice to the officer, through the outbox (e-mailed when SMTP is configured). Notices
    are in Chinese whatever the staff member's interface language, as the reminders are."""
    from lms.coverage.reminders import OutboxMessage

    filing = db.session.scalar(select(Filing).where(Filing.user_id == enrollment.user_id,
                                                     Filing.status == "current"))
    user = enrollment.user
    db.session.add(OutboxMessage(to_name=user.name, to_mobile=(filing.mobile if filing else user.phone) or "",
                                 to_email=user.email or (filing.email if filing else "") or "",
                                 subject=subject[:200], body=body))


def queue_reminders(now: datetime | None = None, ahead: timedelta = timedelta(hours=36)) -> int:
    """Remind everyone with a seat in a workshop that starts soon, once each. Commits."""
    now = now or utcnow()
    due = db.session.scalars(select(Enrollment).join(Workshop).where(
        Workshop.status == SCHEDULED, Workshop.starts_at > now, Workshop.starts_at <= now + ahead,
        Enrollment.status == ENROLLED, Enrollment.reminded_at.is_(None))).all()
    for enrollment in due:
        w = enrollment.workshop
        notify(enrollment, f"培训提醒：{w.title}",
               f"{enrollment.user.name}您好：您报名的“{w.title}”将于 {local_text(w.starts_at)} 在{w.venue}开始，"
               "请准时参加，并在签到时出示个人签到码。")
        enrollment.reminded_at = now
    if due:
        audit.record("workshop.reminders", "", f"{len(due)}")
    db.session.commit()
    if due:
        from lms.coverage.reminders import send_queued

        send_queued()
    return len(due)
