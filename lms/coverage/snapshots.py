"""Coverage of past days, kept so that the trend line does not recount every filing for
every point on each view of the dashboard.

A past day's numbers change only when filings or certificates are written, so every write to
either table through SQLAlchemy (ORM flushes, Core statements, raw SQL) bumps a version, and a
snapshot counts only while its version is the current one. The one write left out is the
most common: inserting rows dated today or later (a certificate issued today, a filing
appointed today), which cannot change a day already past. Only days before today are kept.
A snapshot is written with the version read before its numbers were counted, so a write that
commits in between makes it stale rather than wrong.

The covering indexes serve the dashboard's grouped query: enterprises in town and scale order,
and for each its filings' dates, officer and status, without reading either table's rows.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import TextClause

from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.models import Enterprise, Filing

Index("ix_enterprise_town_scale_industry", Enterprise.town_id, Enterprise.is_above_scale, Enterprise.industry_code)
Index("ix_filing_enterprise_coverage", Filing.enterprise_id, Filing.appointed_on, Filing.ended_on, Filing.user_id,
      Filing.status)

# The date before which an inserted row cannot count, per table that coverage reads.
WATCHED = {"filing": "appointed_on", "certificate": "issued_on"}
RAW_WRITE = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+\"?(filing|certificate)\b", re.IGNORECASE)


class CoverageVersion(db.Model):
    """One row: bumped by every write that may change a past day's coverage."""

    __tablename__ = "coverage_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class CoverageSnapshot(db.Model):
    """Filed and trained on one past day for one program, as counted at a version."""

    __tablename__ = "coverage_snapshot"

    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    filed: Mapped[int] = mapped_column(Integer)
    trained: Mapped[int] = mapped_column(Integer)


def current_version() -> int:
    """The version now; the row is made (past every snapshot's version) if it is missing."""
    version = db.session.scalar(select(CoverageVersion.version).where(CoverageVersion.id == 1))
    if version is not None:
        return version
    start = (db.session.scalar(select(func.max(CoverageSnapshot.version))) or 0) + 1
    try:
        with db.session.begin_nested():
            db.session.add(CoverageVersion(id=1, version=start))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return db.session.scalar(select(CoverageVersion.version).where(CoverageVersion.id == 1))


def cached(program_id: int, days: list[date], version: int) -> dict[date, tuple[int, int]]:
    """The snapshots of those days still valid at that version."""
    rows = db.session.execute(select(CoverageSnapshot.day, CoverageSnapshot.filed, CoverageSnapshot.trained).where(
        CoverageSnapshot.program_id == program_id, CoverageSnapshot.day.in_(days),
        CoverageSnapshot.version == version))
    return {day: (filed, trained) for day, filed, trained in rows}


def store(program_id: int, counts: dict[date, tuple[int, int]], version: int, today: date) -> None:
    """Keep the counts of days before today; a concurrent view storing the same day wins."""
    rows = [{"program_id": program_id, "day": day, "version": version, "filed": filed, "trained": trained}
            for day, (filed, trained) in counts.items() if day < today]
    if not rows:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(CoverageSnapshot.__table__.delete().where(
                CoverageSnapshot.program_id == program_id, CoverageSnapshot.day.in_([r["day"] for r in rows])))
            db.session.execute(CoverageSnapshot.__table__.insert(), rows)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _may_change_the_past(statement, parameters) -> bool:
    if isinstance(statement, TextClause):
        return _is_raw_write(statement.text)
    table = getattr(statement, "table", None)
    if not getattr(statement, "is_dml", False) or getattr(table, "name", None) not in WATCHED:
        return False
    if not getattr(statement, "is_insert", False) or getattr(statement, "select", None) is not None:
        return True
    rows = list(parameters) if isinstance(parameters, (list, tuple)) else [parameters]
    column, today = WATCHED[table.name], local_today()
    return not rows or any(not isinstance(row, dict) or not isinstance(row.get(column), date)
                           or row[column] < today for row in rows)


def _bump(conn) -> None:
    conn.execute(update(CoverageVersion.__table__).where(CoverageVersion.__table__.c.id == 1)
                 .values(version=CoverageVersion.__table__.c.version + 1))


@event.listens_for(Engine, "after_execute")
def _invalidate(conn, statement, multiparams, params, execution_options, result) -> None:
    if _may_change_the_past(statement, multiparams or params or {}):
        _bump(conn)


@event.listens_for(Engine, "after_cursor_execute")
def _invalidate_driver_sql(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQL handed to the driver as it is (Connection.exec_driver_sql: the roster import's bulk
    inserts) never reaches after_execute; its rows' dates are not looked at, any write counts."""
    if context is not None and context.compiled is None and _is_raw_write(statement):
        _bump(conn)


def _is_raw_write(sql: str) -> bool:
    """Whether SQL text writes a watched table. The regex tries every position of a text that
    names neither table: 2 ms for each 70 kB multi-row INSERT into enterprise, which the
    substring test passes over in a twentieth of that."""
    lowered = sql.lower()
    return any(table in lowered for table in WATCHED) and RAW_WRITE.search(sql) is not None
