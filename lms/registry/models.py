"""The roster: towns, enterprises and CQO filings (history kept, never overwritten)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import TimestampMixin
from lms.extensions import db

SCALES = ("large", "medium", "small", "micro")
STATUSES = ("current", "replaced", "removed")
CURRENT = "current"


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK that column holds one of values, written as equalities: SQLite rebuilds an IN
    list for every row it checks, a cost a 100,000-row roster import notices."""
    return " OR ".join(f"{column} = '{value}'" for value in values)


class Town(db.Model):
    """A town, street or development zone of the district; the list is edited by staff."""

    __tablename__ = "town"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprise"
    __table_args__ = (CheckConstraint(one_of("scale", SCALES), name="scale_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    scale: Mapped[str] = mapped_column(String(10))
    is_above_scale: Mapped[bool] = mapped_column(Boolean, default=False)
    industry_code: Mapped[str] = mapped_column(String(5), default="")
    industry_name: Mapped[str] = mapped_column(String(100), default="")
    # Indexed as the first column of ix_enterprise_town_scale_industry (lms/coverage/snapshots.py).
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="RESTRICT"))

    town: Mapped[Town] = relationship(lazy="joined")
    filings: Mapped[list[Filing]] = relationship(
        back_populates="enterprise", order_by="Filing.appointed_on.desc()"
    )

    @property
    def current_filing(self) -> Filing | None:
        return next((f for f in self.filings if f.status == CURRENT), None)


class Filing(TimestampMixin, db.Model):
    """One appointment of one person as an enterprise's CQO."""

    __tablename__ = "filing"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint("status = 'current' OR ended_on IS NOT NULL", name="ended_has_date"),
        # At most one current CQO per enterprise, held by the database too.
        Index(
            "uq_filing_current_per_enterprise",
            "enterprise_id",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    # Searches use LIKE '%...%', which no index serves; every index costs on a 100,000-row
    # import (bench/roster_import.py), so only keys and foreign keys are indexed: enterprise_id
    # as the first column of ix_filing_enterprise_coverage (lms/coverage/snapshots.py).
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    officer_name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(2), default="")
    id_number_masked: Mapped[str] = mapped_column(String(18), default="")
    education: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[str] = mapped_column(String(50))
    years_in_quality: Mapped[int | None] = mapped_column(Integer)
    mobile: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254), default="")
    appointed_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(10), default=CURRENT)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    invite_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    enterprise: Mapped[Enterprise] = relationship(back_populates="filings")
    user = relationship("User", backref="filings")

    @property
    def is_current(self) -> bool:
        return self.status == CURRENT
