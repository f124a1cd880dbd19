"""Check-in at the door and the hours it credits: a scanned personal code, the room's
changing code for self check-in, or staff from the list (and, afterwards, from the paper
sheet); each credits a workshop's hours once, and staff can take a wrong one back.

Attendance is a fact: staff recording someone who was there are never refused for want of a
seat (the page says the room was over capacity). Seats and the waitlist rule enrolment only.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from lms.accounts.models import User
from lms.core import audit
from lms.core.auth import OFFICER
from lms.core.models import aware, utcnow
from lms.extensions import db
from lms.registry.models import Enterprise, Filing
from lms.workshops.models import (
    ATTENDED,
    ENROLLED,
    NO_SHOW,
    WAITLISTED,
    WITHDRAWN,
    Enrollment,
    Workshop,
)
from lms.workshops.notices import local_text, when_text
from lms.workshops.service import (
    Audience,
    WorkshopError,
    _lock,
    audience_of,
    enrollment_of,
    is_open_to,
    new_checkin_code,
    seats_taken,
)

# Staff may check people in from an hour before the start (registration desk); officers'
# self check-in opens half an hour before and closes when the session ends. Staff key the
# paper sign-in sheet in afterwards, often the next day or after a week of sessions: they may
# record (or take back) attendance for 30 days after the end, long enough for any sheet and
# short enough that hours toward a programme, and the certificates issued on them, settle.
STAFF_CHECKIN_EARLY = timedelta(hours=1)
STAFF_CHECKIN_LATE = timedelta(days=30)
SELF_CHECKIN_EARLY = timedelta(minutes=30)
# How the log words a check-in knows staff, self and manual (lms/core/audit.py): a walk-in is
# a manual check-in there, with walk_in in its details.
WALK_IN = "walk_in"
# The code on the screen changes every ten minutes; the previous one is still accepted, so a
# photo sent to someone who is not in the room stops working soon.
SESSION_CODE_PERIOD = 600


def session_code(workshop: Workshop, at: datetime | None = None) -> str:
    """The six-digit self check-in code shown on the room's screen at that moment."""
    slot = int((at or utcnow()).timestamp()) // SESSION_CODE_PERIOD
    key = current_app.config["SECRET_KEY"].encode() + b"workshop-session"
    digest = hmac.new(key, f"{workshop.id}:{slot}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def _session_code_is_valid(workshop: Workshop, code: str, now: datetime) -> bool:
    # A Chinese input method types full-width digits (１２３４５６): folded, they are the code;
    # compared as bytes, as compare_digest refuses str with anything but ASCII.
    code = unicodedata.normalize("NFKC", code).strip().encode()
    return any(hmac.compare_digest(code, session_code(workshop, now - timedelta(seconds=lag)).encode())
               for lag in (0, SESSION_CODE_PERIOD))


def _check_window(workshop: Workshop, now: datetime, early: timedelta, late: timedelta = timedelta(0)) -> None:
    if workshop.is_cancelled:
        raise WorkshopError(_("该培训班已取消。"))
    if now < aware(workshop.starts_at) - early:
        raise WorkshopError(_("签到尚未开始：开始前 %(m)s 分钟开放。", m=int(early.total_seconds() // 60)))
    if now > aware(workshop.ends_at) + late:
        raise WorkshopError(_("培训班结束已超过 %(d)s 天，不能再补录签到。", d=late.days) if late
                            else _("培训班已结束，签到已关闭。"))


def checkin_opens_at(workshop: Workshop) -> datetime:
    """When staff may start checking people in: the pages say it before anyone tries."""
    return aware(workshop.starts_at) - STAFF_CHECKIN_EARLY


def self_checkin_opens_at(workshop: Workshop) -> datetime:
    """When the room's screen starts showing a code officers can use."""
    return aware(workshop.starts_at) - SELF_CHECKIN_EARLY


def _check_staff_window(workshop: Workshop, now: datetime) -> None:
    _check_window(workshop, now, STAFF_CHECKIN_EARLY, STAFF_CHECKIN_LATE)


MAX_FRAME_BYTES = 2 * 1024 * 1024
MAX_FRAME_PIXELS = 50_000_000


def read_qr(image: bytes) -> str | None:
    """The text of the first QR code in a camera frame (JPEG or PNG), or None."""
    import io

    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if not image or len(image) > MAX_FRAME_BYTES:
        return None
    try:
        frame = Image.open(io.BytesIO(image))
        # Only the header is read so far: a small PNG can claim a huge canvas (a decompression
        # bomb), refused before it is decoded. A phone camera's frame is at most about 50 MP.
        if frame.width * frame.height > MAX_FRAME_PIXELS:
            return None
        frame.thumbnail((1280, 1280))  # a bigger frame costs time and reads no better
        found = zxingcpp.read_barcodes(frame.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return found[0].text if found else None


def normalise_code(raw: str) -> str:
    """What a scanner or a person typed: the code alone, or the check-in URL that carries it."""
    raw = (raw or "").strip()
    if "code=" in raw:
        raw = raw.split("code=", 1)[1].split("&", 1)[0]
    return raw.upper().replace(" ", "").replace("-", "")


def check_in_by_code(workshop: Workshop, raw_code: str, now: datetime | None = None) -> tuple[Enrollment, bool]:
    """Staff check in the officer whose personal code was scanned or typed. Returns the
    enrollment and whether this call checked them in (False: they already were). Commits."""
    now = now or utcnow()
    _check_staff_window(workshop, now)
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.checkin_code == normalise_code(raw_code)))
    if enrollment is None:
        raise WorkshopError(_("签到码无效，或不属于本培训班。"))
    if enrollment.workshop_id != workshop.id:  # the officer opened the wrong session's code
        other = enrollment.workshop
        raise WorkshopError(_("这是另一场培训的签到码：%(title)s（%(when)s）。", title=other.title,
                              when=when_text(other)))
    return enrollment, _attend(enrollment, now, "staff")


def checkin_is_open(workshop: Workshop, now: datetime | None = None) -> bool:
    """Whether staff may record attendance now (the window check_in_by_code keeps)."""
    return _window_is_open(workshop, now, STAFF_CHECKIN_EARLY, STAFF_CHECKIN_LATE)


def self_checkin_is_open(workshop: Workshop, now: datetime | None = None) -> bool:
    """Whether an officer may check themselves in now (the window self_check_in keeps)."""
    return _window_is_open(workshop, now, SELF_CHECKIN_EARLY)


def _window_is_open(workshop: Workshop, now: datetime | None, early: timedelta,
                    late: timedelta = timedelta(0)) -> bool:
    try:
        _check_window(workshop, now or utcnow(), early, late)
    except WorkshopError:
        return False
    return True


def over_capacity(workshop: Workshop) -> int:
    """How many more hold a seat than the workshop has (walk-ins, those admitted at the door)."""
    return max(0, seats_taken(workshop.id) - workshop.capacity)


def _people_matching(text: str):
    """SQL: the users whose name contains the text or, when it is digits (four or more: the end
    of a number will do), whose mobile does; None for an empty search."""
    text = (text or "").strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):  # +86 138 ...
        digits = digits[2:]
    if len(digits) >= 4 and not text.strip("+- 0123456789"):
        return (select(User.id).outerjoin(Filing, and_(Filing.user_id == User.id, Filing.status == "current"))
                .where(or_(Filing.mobile.contains(digits, autoescape=True),
                           User.phone.contains(digits, autoescape=True))))
    return select(User.id).where(User.name.contains(text, autoescape=True))


def find_enrollments(workshop: Workshop, text: str, limit: int = 20) -> list[Enrollment]:
    """Seats and waitlist places in the workshop whose officer's name or mobile matches."""
    people = _people_matching(text)
    if people is None:
        return []
    return list(db.session.scalars(
        select(Enrollment).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.workshop_id == workshop.id, Enrollment.status != WITHDRAWN,
               Enrollment.user_id.in_(people))
        .order_by(Enrollment.queued_at, Enrollment.id).limit(limit)))


@dataclass(frozen=True)
class WalkIn:
    """An officer in post found at the door who is not on the workshop's list."""

    user: User
    enterprise: str
    mobile: str
    in_audience: bool  # whether the workshop's audience rule admits them (staff may still record them)


def find_walk_ins(workshop: Workshop, text: str, limit: int = 20) -> list[WalkIn]:
    """Officers in post (a current filing their account has claimed) whose name or mobile
    matches and who are not on the workshop's list (never enrolled, or withdrew)."""
    people = _people_matching(text)
    if people is None:
        return []
    listed = select(Enrollment.user_id).where(Enrollment.workshop_id == workshop.id, Enrollment.status != WITHDRAWN)
    rows = db.session.execute(
        select(User, Enterprise.name, Enterprise.industry_code, Enterprise.town_id, Filing.mobile)
        .join(Filing, and_(Filing.user_id == User.id, Filing.status == "current"))
        .join(Enterprise, Enterprise.id == Filing.enterprise_id)
        .where(User.id.in_(people), User.id.not_in(listed), User.role == OFFICER)
        .order_by(User.name, User.id).limit(limit))
    return [WalkIn(user, enterprise, mobile or user.phone or "",
                   is_open_to(workshop, Audience(industry or "", town_id)))
            for user, enterprise, industry, town_id, mobile in rows]


def _enrollment_in(workshop: Workshop, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.workshop_id != workshop.id:
        raise WorkshopError(_("没有找到该报名记录。"))
    return enrollment


def check_in_manually(workshop: Workshop, enrollment_id: int, now: datetime | None = None) -> tuple[Enrollment, bool]:
    """Staff check in someone from the list, without their code (a lost phone, the paper
    sheet keyed back in); the same window and rules as a scan. Commits."""
    now = now or utcnow()
    _check_staff_window(workshop, now)
    enrollment = _enrollment_in(workshop, enrollment_id)
    return enrollment, _attend(enrollment, now, "manual")


def admit_from_waitlist(workshop: Workshop, enrollment_id: int, now: datetime | None = None) -> Enrollment:
    """A waitlisted officer who came takes a seat and is checked in, a free one or not: staff
    saw them there (over_capacity says by how many the room was full). Commits."""
    now = now or utcnow()
    _check_staff_window(workshop, now)
    enrollment = _enrollment_in(workshop, enrollment_id)
    _lock(workshop)
    db.session.refresh(enrollment)
    if enrollment.status != WAITLISTED:  # admitted meanwhile, at another desk
        db.session.rollback()
        raise WorkshopError(_("%(name)s 不在候补名单中。", name=enrollment.user.name))
    enrollment.status = ENROLLED
    db.session.flush()
    _attend(enrollment, now, "manual", {"from_waitlist": True})
    return enrollment


def check_in_walk_in(workshop: Workshop, user_id: int, now: datetime | None = None) -> Enrollment:
    """An officer in post who came without enrolling is put on the list and checked in at once,
    whatever the capacity or the audience rule says: they were there. Commits."""
    now = now or utcnow()
    _check_staff_window(workshop, now)
    user = db.session.get(User, user_id)
    if user is None or user.role != OFFICER or audience_of(user_id) is None:
        raise WorkshopError(_("只能为已认领在任备案的首席质量官现场登记。"))
    _lock(workshop)
    enrollment = enrollment_of(workshop.id, user_id)
    if enrollment is not None and enrollment.status != WITHDRAWN:  # listed meanwhile, at another desk
        db.session.rollback()
        raise WorkshopError(_("%(name)s 已在本培训班名单中，请在名单中为其签到。", name=user.name))
    if enrollment is None:
        enrollment = Enrollment(workshop_id=workshop.id, user_id=user_id, checkin_code=new_checkin_code())
        db.session.add(enrollment)
    enrollment.status, enrollment.queued_at = ENROLLED, now
    db.session.flush()
    _attend(enrollment, now, WALK_IN, {"walk_in": True})
    return enrollment


def self_check_in(workshop: Workshop, user_id: int, code: str, now: datetime | None = None) -> bool:
    """An officer in the room checks themselves in with the code on the screen. Commits."""
    now = now or utcnow()
    _check_window(workshop, now, SELF_CHECKIN_EARLY)
    if not _session_code_is_valid(workshop, code, now):
        raise WorkshopError(_("现场签到码不正确或已过期，请看屏幕上的最新签到码。"))
    enrollment = enrollment_of(workshop.id, user_id)
    if enrollment is None:
        raise WorkshopError(_("您没有报名该培训班。如已到场，请找现场工作人员登记签到。"))
    if enrollment.status == WAITLISTED:
        raise WorkshopError(_("您还在候补名单中，没有座位，不能自助签到。如已到场，请找现场工作人员。"))
    if enrollment.status == WITHDRAWN:
        raise WorkshopError(_("您已取消报名，不能自助签到。如已到场，请找现场工作人员登记签到。"))
    return _attend(enrollment, now, "self")


def undo_check_in(workshop: Workshop, enrollment_id: int, now: datetime | None = None) -> tuple[Enrollment, float]:
    """Take back a check-in recorded by mistake, and the hours it credited: the officer is back
    where they were (enrolled; a no-show once attendance is closed; a walk-in off the list).
    Returns the enrollment and the hours taken back. Commits."""
    now = now or utcnow()
    _check_staff_window(workshop, now)
    enrollment = _enrollment_in(workshop, enrollment_id)
    name, hours, by = enrollment.user.name, enrollment.hours_credited or 0, enrollment.checked_in_by
    back = WITHDRAWN if by == WALK_IN else NO_SHOW if workshop.attendance_closed_at else ENROLLED
    # Guarded as a check-in is: two clicks, or two desks, take it back once.
    done = db.session.execute(
        update(Enrollment).where(Enrollment.id == enrollment.id, Enrollment.status == ATTENDED)
        .values(status=back, checked_in_at=None, checked_in_by="", hours_credited=0)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not done:
        db.session.rollback()
        raise WorkshopError(_("%(name)s 没有签到记录，无需撤销。", name=name))
    audit.record("workshop.checkin_undone", f"workshop:{workshop.id}", name,
                 {"enrollment": enrollment.id, "name": name, "by": by, "hours": hours, "status": back})
    db.session.commit()
    db.session.refresh(enrollment)
    return enrollment, hours


def _attend(enrollment: Enrollment, now: datetime, by: str, details: dict | None = None) -> bool:
    """Record attendance and credit the hours, once: a second scan changes nothing. ``by`` is
    staff (a scanned code), self (the room's code), manual (staff, from the list) or walk_in
    (staff, someone not on the list)."""
    if enrollment.status == WAITLISTED:
        raise WorkshopError(_("%(name)s 仍在候补名单中，未获得座位。", name=enrollment.user.name))
    if enrollment.status == WITHDRAWN:
        raise WorkshopError(_("%(name)s 已取消报名。", name=enrollment.user.name))
    hours = enrollment.workshop.hours
    # One guarded UPDATE: two scans at the same moment credit the hours once.
    done = db.session.execute(
        update(Enrollment).where(Enrollment.id == enrollment.id, Enrollment.status.in_((ENROLLED, NO_SHOW)))
        .values(status=ATTENDED, checked_in_at=now, checked_in_by=by, hours_credited=hours)
        .execution_options(synchronize_session=False)).rowcount == 1
    if done:
        logged = "manual" if by == WALK_IN else by
        audit.record("workshop.checked_in", f"workshop:{enrollment.workshop_id}",
                     f"{enrollment.user.name} ({logged})", {"enrollment": enrollment.id, "name": enrollment.user.name,
                                                            "by": logged, **(details or {})})
    db.session.commit()
    db.session.refresh(enrollment)
    if done:
        progress_for([enrollment.user_id])
    return done


def progress_for(user_ids: list[int]) -> None:
    """Tell the programmes these officers' hours changed (a certificate may now be due)."""
    from lms.core.signals import progress_made

    for user_id in user_ids:
        progress_made.send(current_app._get_current_object(), user_id=user_id)


def credit_new_hours(workshop: Workshop) -> list[int]:
    """After the workshop's hours were changed: everyone who attended is credited the new hours
    (the hours are the session's, and they sat through it). Returns the officers whose credit
    changed, for progress_for once the caller has committed."""
    changed = [Enrollment.workshop_id == workshop.id, Enrollment.status == ATTENDED,
               Enrollment.hours_credited != workshop.hours]
    user_ids = list(db.session.scalars(select(Enrollment.user_id).where(*changed)))
    if user_ids:
        db.session.execute(update(Enrollment).where(*changed).values(hours_credited=workshop.hours)
                           .execution_options(synchronize_session=False))
    return user_ids


def close_attendance(workshop: Workshop, now: datetime | None = None) -> int:
    """After the session: whoever held a seat and did not come is a no-show. Commits."""
    now = now or utcnow()
    # Before the start everyone enrolled would become a no-show: nobody could have come yet.
    if now < aware(workshop.starts_at):
        raise WorkshopError(_("培训班尚未开始，不能结束签到：%(t)s 开始后才能结束。", t=local_text(workshop.starts_at)))
    count = db.session.execute(
        update(Enrollment).where(Enrollment.workshop_id == workshop.id, Enrollment.status == ENROLLED)
        .values(status=NO_SHOW).execution_options(synchronize_session=False)).rowcount
    workshop.attendance_closed_at = now
    audit.record("workshop.attendance_closed", f"workshop:{workshop.id}", workshop.title, {"no_shows": count})
    db.session.commit()
    return count


def attended_hours(user_id: int, program_id: int | None = None) -> float:
    """Hours credited for workshops attended (for a program: its own workshops and those that
    belong to no program)."""
    query = (select(func.coalesce(func.sum(Enrollment.hours_credited), 0.0))
             .join(Workshop, Workshop.id == Enrollment.workshop_id)
             .where(Enrollment.user_id == user_id, Enrollment.status == ATTENDED))
    if program_id is not None:
        query = query.where(or_(Workshop.program_id == program_id, Workshop.program_id.is_(None)))
    return float(db.session.scalar(query) or 0.0)


def attended_hours_by_user(program_id: int) -> dict[int, float]:
    """attended_hours for every officer at once (exports): user id -> hours."""
    rows = db.session.execute(
        select(Enrollment.user_id, func.sum(Enrollment.hours_credited))
        .join(Workshop, Workshop.id == Enrollment.workshop_id)
        .where(Enrollment.status == ATTENDED, or_(Workshop.program_id == program_id, Workshop.program_id.is_(None)))
        .group_by(Enrollment.user_id))
    return {uid: float(hours or 0) for uid, hours in rows}
