"""A program states what 'trained' means for a training cycle."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import TimestampMixin
from lms.extensions import db


class Program(TimestampMixin, db.Model):
    __tablename__ = "program"
    __table_args__ = (
        # One current program at a time, held by the database as well.
        Index("uq_program_current", "is_current", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Shown on English pages; certificates, exports and reminders keep the Chinese name.
    name_en: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # [{"course": "haccp", "industries": ["C13", "C14"]}, {"course": "metrology", "industries": null}]
    # industries null: required for everyone; a list: only for enterprises of those GB/T 4754 prefixes.
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exam.id", ondelete="SET NULL"))
    hours_required: Mapped[float] = mapped_column(Float, default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    target_percent: Mapped[int] = mapped_column(Integer, default=100)
    certificate_months: Mapped[int] = mapped_column(Integer, default=36)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    exam = relationship("Exam")

    @property
    def shown_name(self) -> str:
        from lms.core.i18n import shown_title

        return shown_title(self.name, self.name_en)

    def required_courses(self, industry_code: str) -> list[str]:
        """Slugs of the courses this program requires of an enterprise of that industry."""
        return [r["course"] for r in self.requirements
                if not r.get("industries") or any(industry_code.startswith(p) for p in r["industries"])]
