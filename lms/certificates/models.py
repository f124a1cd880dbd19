"""Certificates and their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.clock import local_today
from lms.core.models import TimestampMixin
from lms.extensions import db


class Certificate(TimestampMixin, db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        # One certificate in force per officer and program; reissues replace, never add.
        Index("uq_certificate_in_force", "user_id", "program_id", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="RESTRICT"), index=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[float] = mapped_column(Float, default=0)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="valid")  # valid | revoked | replaced
    basis: Mapped[str] = mapped_column(String(10), default="auto")  # auto | manual
    reason: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))

    program = relationship("Program")
    user = relationship("User")

    def status_on(self, today: date | None = None) -> str:
        """valid | expired | revoked | replaced, as /verify answers: revoked or replaced first,
        then expired once its last day (expires_on) is before today, the bureau's by default."""
        if self.status in ("revoked", "replaced"):
            return self.status
        return "expired" if self.expires_on < (today or local_today()) else "valid"

    @property
    def is_in_force(self) -> bool:
        """Valid today: what makes its holder trained now."""
        return self.status_on() == "valid"
