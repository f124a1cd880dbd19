"""The bureau's calendar. Instants are stored in UTC; a date (today, the day a certificate was
issued or revoked, a coverage date) is a day in the bureau's time zone (Asia/Shanghai, the
BABEL_DEFAULT_TIMEZONE setting), whatever zone the server itself runs in: at 00:30 in Beijing
it is already tomorrow for every user, although UTC says otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def local_today(now: datetime | None = None) -> date:
    """Today in the bureau's zone (now: an aware instant, for tests and replays)."""
    return (now or datetime.now(UTC)).astimezone(local_zone()).date()


def local_date(instant: datetime) -> date:
    """The bureau's date of a stored instant (a naive one, as SQLite returns them, is UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(local_zone()).date()


def end_of_local_day(day: date) -> datetime:
    """The UTC instant at which that day ends in the bureau's zone: what happened before it
    happened on or before that day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=local_zone()).astimezone(UTC)
