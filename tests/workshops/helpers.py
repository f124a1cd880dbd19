"""Builders for workshop tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.extensions import db
from lms.workshops.models import Workshop

# 2026-09-15 09:00 in Shanghai (Quality Month) is 01:00 UTC.
START = datetime(2026, 9, 15, 1, 0, tzinfo=UTC)
BEFORE = START - timedelta(days=3)


def make_workshop(**kw) -> Workshop:
    values = {"title": "HACCP 体系建立实务", "venue": "区市场监管局三楼会议室", "starts_at": START,
              "ends_at": START + timedelta(hours=3), "capacity": 2, "hours": 3.0}
    values.update(kw)
    workshop = Workshop(**values)
    db.session.add(workshop)
    db.session.commit()
    return workshop


def officer(factory, industry: str = "C1391", town=None):
    """An officer who has claimed a current filing of an enterprise in that industry and town."""
    user = factory.user("officer")
    factory.filing(factory.enterprise(town=town, industry_code=industry), user_id=user.id)
    return user


def end_filing_of(user) -> None:
    """The officer leaves their post: their filing ends (the roster import or staff did it)."""
    from datetime import date

    from sqlalchemy import select

    from lms.registry.models import Filing

    for filing in db.session.scalars(select(Filing).where(Filing.user_id == user.id, Filing.status == "current")):
        filing.status, filing.ended_on, filing.end_reason = "replaced", date(2026, 9, 1), "离职"
    db.session.commit()
