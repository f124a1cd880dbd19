"""Questions, exams as composition rules, attempts with their questions frozen in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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

KINDS = ("single", "multiple", "truefalse", "shortanswer", "numerical", "matching")


class Question(TimestampMixin, db.Model):
    """A question of the bank. options/answer depend on kind (see assessment/grading.py)."""

    __tablename__ = "question"
    __table_args__ = (CheckConstraint(f"kind IN {KINDS!r}", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    difficulty: Mapped[int] = mapped_column(Integer, default=2)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    lesson_slug: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[str] = mapped_column(String(20), default="bank")  # bank | import | web (question_editor.py)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Exam(TimestampMixin, db.Model):
    __tablename__ = "exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Shown on English pages when given; the results workbook and the audit log keep the Chinese.
    title_en: Mapped[str | None] = mapped_column(String(120))
    description_en: Mapped[str | None] = mapped_column(Text)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    # [{"topic": "metrology", "kind": "single", "difficulty": null, "count": 5, "points": 2}, ...]
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=60)
    pass_percent: Mapped[int] = mapped_column(Integer, default=60)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)
    wait_minutes: Mapped[int] = mapped_column(Integer, default=0)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    review_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Open to officers; a new exam starts closed, until staff have checked its paper rules.
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)

    course = relationship("Course")

    @property
    def shown_title(self) -> str:
        from lms.core.i18n import shown_title

        return shown_title(self.title, self.title_en)

    @property
    def question_count(self) -> int:
        return sum(int(rule.get("count", 0)) for rule in self.rules)

    @property
    def max_score(self) -> float:
        return sum(int(r.get("count", 0)) * float(r.get("points", 1)) for r in self.rules)


class ExtraAttempt(db.Model):
    """One more sitting of an exam granted by staff to one officer (who has used up the
    exam's attempts without passing); each grant is a row, so who and why are kept."""

    __tablename__ = "exam_extra_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attempt(db.Model):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number"),
        CheckConstraint("status IN ('open', 'submitted', 'expired')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=0)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The exam's rules as they stood when the attempt began: staff editing the exam meanwhile
    # must not move the pass mark under someone sitting it. None on attempts from before these
    # columns: they follow the exam, as they always did.
    pass_percent: Mapped[int | None] = mapped_column(Integer)
    partial_credit: Mapped[bool | None] = mapped_column(Boolean)

    @property
    def pass_mark(self) -> int:
        return self.pass_percent if self.pass_percent is not None else self.exam.pass_percent

    @property
    def gives_partial_credit(self) -> bool:
        return self.partial_credit if self.partial_credit is not None else self.exam.partial_credit

    exam: Mapped[Exam] = relationship()
    user = relationship("User")
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def percent(self) -> float:
        return round(100 * (self.score or 0) / self.max_score, 1) if self.max_score else 0.0


class AttemptQuestion(db.Model):
    """One question of one paper: a frozen copy, so later edits never change a sitting."""

    __tablename__ = "attempt_question"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="SET NULL"), index=True)
    frozen: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
