"""Base pieces for models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC everywhere."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time: SQLite hands datetimes back naive."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
