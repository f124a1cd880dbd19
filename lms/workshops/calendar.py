"""The workshop calendar: iCalendar feeds (RFC 5545) for Outlook and phones, and month grids."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Alarm, Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer

from lms.core.models import utcnow
from lms.workshops.forms import local_zone
from lms.workshops.models import Workshop
from lms.workshops.service import aware

FEED_SALT = "workshop-calendar-feed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def feed_token(user) -> str:
    """The secret part of an officer's calendar feed URL (calendar apps send no cookies). It
    carries the sign-in token, so a new password also retires a feed URL given away."""
    return _serializer().dumps(user.get_id())


def user_for_feed_token(token: str) -> int | None:
    """The officer whose feed this is, while their account is active and their password is the
    one it was made under."""
    from lms.accounts.models import User
    from lms.accounts.service import parse_login_token, password_stamp
    from lms.extensions import db

    try:
        parsed = parse_login_token(_serializer().loads(token))
    except BadSignature:
        return None
    if parsed is None:
        return None
    changed = db.session.scalar(db.select(User.password_changed_at)
                                .where(User.id == parsed[0], User.is_active_account.is_(True)))  # not a disabled one
    return parsed[0] if changed is not None and password_stamp(changed) == parsed[1] else None


# Staff edits and cancellations: each is a new revision of the event (RFC 5545 SEQUENCE), which
# tells a calendar app that has the event that this copy replaces it.
REVISING_ACTIONS = ("workshop.updated", "workshop.cancelled")


def revisions(workshop_ids: list[int]) -> dict[int, int]:
    """Per workshop: how many times staff changed or cancelled it, from the audit log (one query)."""
    from lms.core.audit import AuditEntry
    from lms.extensions import db

    if not workshop_ids:
        return {}
    targets = {f"workshop:{wid}": wid for wid in workshop_ids}
    rows = db.session.execute(db.select(AuditEntry.target, db.func.count(AuditEntry.id)).where(
        AuditEntry.action.in_(REVISING_ACTIONS), AuditEntry.target.in_(targets)).group_by(AuditEntry.target))
    return {targets[target]: count for target, count in rows}


def _event(workshop: Workshop, url: str, sequence: int = 0) -> Event:
    zone = local_zone()
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    event = Event()
    event.add("uid", f"workshop-{workshop.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("sequence", sequence)
    event.add("last-modified", aware(workshop.updated_at) or utcnow())
    # Local wall-clock times with their TZID, as Outlook expects, and a VTIMEZONE for them.
    event.add("dtstart", aware(workshop.starts_at).astimezone(zone))
    event.add("dtend", aware(workshop.ends_at).astimezone(zone))
    # Calendar apps show a cancelled event struck through, or not at all: the title says it too.
    event.add("summary", f"【已取消】{workshop.title}" if workshop.is_cancelled else workshop.title)
    event.add("location", workshop.venue)
    lines = [workshop.is_cancelled and f"已取消。原因：{workshop.cancel_reason}", workshop.topic,
             workshop.trainer and f"授课人：{workshop.trainer}", workshop.hours and f"认定学时：{workshop.hours:g}",
             workshop.description, url]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("url", url)
    event.add("status", "CANCELLED" if workshop.is_cancelled else "CONFIRMED")
    if not workshop.is_cancelled:
        for before, text in ((timedelta(days=1), "明天"), (timedelta(hours=1), "一小时后")):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{text}：{workshop.title}（{workshop.venue}）")
            alarm.add("trigger", -before)
            event.add_component(alarm)
    return event


def ics(workshops: list[Workshop], name: str, url_for_workshop) -> bytes:
    """A calendar of the workshops; url_for_workshop(w) gives each event's link."""
    cal = Calendar()
    cal.add("prodid", "-//CQO Academy//Workshops//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(local_zone()))
    sequences = revisions([w.id for w in workshops])
    for workshop in workshops:
        cal.add_component(_event(workshop, url_for_workshop(workshop), sequences.get(workshop.id, 0)))
    cal.add_missing_timezones()
    return cal.to_ical()


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks shown for a month, Monday first (as Chinese calendars are)."""
    return pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def parse_month(text: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first and last moments of the month grid, in UTC."""
    weeks = month_weeks(year, month)
    zone = local_zone()
    start = datetime.combine(weeks[0][0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


def shift_month(year: int, month: int, delta: int) -> str:
    index = year * 12 + month - 1 + delta
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_title(year: int, month: int) -> str:
    """"2026年12月" on a Chinese page, "December 2026" on an English one."""
    from babel.dates import format_skeleton
    from flask_babel import get_locale

    return format_skeleton("yMMMM", date(year, month, 1), locale=get_locale())
