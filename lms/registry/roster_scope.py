"""What a roster file leaves out: current filings it does not mention, and whether it is older
than the roster last imported.

An export may cover only part of the district, so by default an import leaves the filings it
does not mention alone, and the preview says how many there are and in which towns. A clerk
who imports the registry's complete list of current filings asks for them to be ended
(``complete``): each becomes 已注销 on the file's export date (or today), except filings
appointed after that date, which the file cannot know of.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from lms.core.audit import AuditEntry
from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.models import Enterprise, Filing

IMPORTED = "roster.imported"


@dataclass
class Absent:
    """Current filings of enterprises the file does not name."""

    filings: list[tuple[int, str, str, int, date]] = field(default_factory=list)  # id, enterprise, officer, town, appointed
    ended_on: date | None = None  # the day a complete import ends them
    newer: int = 0  # of them, appointed after the file's export date: kept even by a complete import

    def by_town(self, town_names: dict[int, str]) -> list[tuple[str, int]]:
        """(town, count), most first."""
        return [(town_names.get(town, "?"), n) for town, n in Counter(f[3] for f in self.filings).most_common()]


def absent_filings(enterprise_ids_in_file: set[int], exported_on: date | None) -> Absent:
    """The current filings of every enterprise not in the file."""
    rows = db.session.execute(
        select(Filing.id, Enterprise.name, Filing.officer_name, Enterprise.town_id, Filing.appointed_on, Enterprise.id)
        .join(Enterprise, Filing.enterprise_id == Enterprise.id).where(Filing.status == "current")
        .order_by(Enterprise.town_id, Enterprise.name))
    absent = Absent(filings=[tuple(r[:5]) for r in rows if r[5] not in enterprise_ids_in_file],
                    ended_on=exported_on or local_today())
    absent.newer = sum(1 for f in absent.filings if f[4] > absent.ended_on)
    return absent


def endings(absent: Absent) -> list[dict]:
    """The updates a complete import makes: each absent filing the file could know of, ended."""
    return [{"id": f[0], "status": "removed", "ended_on": absent.ended_on, "end_reason": "退出"}
            for f in absent.filings if f[4] <= absent.ended_on]


@dataclass
class LastImport:
    at: datetime
    exported_on: date


def newer_import_than(exported_on: date | None) -> LastImport | None:
    """The latest import of a roster exported after this file was, if there is one: importing
    this older file would put back what the newer one changed."""
    if exported_on is None:
        return None
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == IMPORTED)
                                 .order_by(AuditEntry.at.desc()).limit(50))
    for entry in entries:
        stamp = (entry.details or {}).get("exported_on")
        if stamp and date.fromisoformat(stamp) > exported_on:
            return LastImport(entry.at, date.fromisoformat(stamp))
    return None
