"""A workshop is an in-person session; an enrollment is one officer's seat (or place in line)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import TimestampMixin, utcnow
from lms.extensions import db

SCHEDULED, CANCELLED = "scheduled", "cancelled"
ENROLLED, WAITLISTED, WITHDRAWN, ATTENDED, NO_SHOW = (
    "enrolled", "waitlisted", "withdrawn", "attended", "no_show")
ENROLLMENT_STATUSES = (ENROLLED, WAITLISTED, WITHDRAWN, ATTENDED, NO_SHOW)
HOLDS_SEAT = (ENROLLED, ATTENDED, NO_SHOW)


class Workshop(TimestampMixin, db.Model):
    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(f"status IN {(SCHEDULED, CANCELLED)!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)
    trainer: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float, default=0)
    enrol_opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enrol_closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Audience: industry code prefixes (GB/T 4754, e.g. ["C13", "C14"]) and/or one town;
    # empty means every officer.
    audience_industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_town_id: Mapped[int | None] = mapped_column(ForeignKey("town.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # Bumped by every seat change: the row lock that serialises enrolments (see service).
    seat_version: Mapped[int] = mapped_column(Integer, default=0)
    attendance_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    program = relationship("Program")
    audience_town = relationship("Town")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="workshop",
                                                         order_by="Enrollment.queued_at")

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED


class Enrollment(TimestampMixin, db.Model):
    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id", name="uq_enrollment_workshop_user"),
        CheckConstraint(f"status IN {ENROLLMENT_STATUSES!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    # Waitlist order: the moment the officer asked for a seat (re-asking goes to the back).
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The personal check-in code shown as a QR code; unique across all workshops.
    checkin_code: Mapped[str] = mapped_column(String(16), unique=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # staff (a scanned code) | self (the room's code) | manual (from the list) | walk_in (put on the list at the door)
    checked_in_by: Mapped[str] = mapped_column(String(10), default="")
    hours_credited: Mapped[float] = mapped_column(Float, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    workshop: Mapped[Workshop] = relationship(back_populates="enrollments")
    user = relationship("User")
