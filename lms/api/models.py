"""API tokens: shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.models import utcnow
from lms.extensions import db

PREFIX = "cqo_"


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def digest(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 of it cannot be guessed back.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, created_by_id: int | None = None) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, digest=digest(plain), created_by_id=created_by_id)  # checked by token_name_problem
    db.session.add(token)
    db.session.flush()
    return token, plain


def token_name_problem(name: str) -> str | None:
    """Why a new token cannot be called name (as clean() leaves it), or None; for the admin
    page and the CLI alike: not empty, not longer than the column keeps (a longer one was cut,
    and two names that differed past the cut became one), not an active token's."""
    from flask_babel import gettext as _

    longest = ApiToken.__table__.c.name.type.length
    if not name:
        return _("请填写令牌名称（例如使用它的系统）。")
    if len(name) > longest:
        return _("令牌名称最多 %(most)s 个字符，这个有 %(n)s 个：请改短一些。", most=longest, n=len(name))
    if active_tokens_named(name):
        return _("已有名为“%(name)s”的有效令牌：请换一个名称（如加上用途或日期），以免吊销时认错。", name=name)
    return None


def active_tokens_named(name: str) -> list[ApiToken]:
    """The active tokens called name. A new token must not take such a name, so that whoever
    revokes one by name cannot hit another (tokens made before that rule may still share one)."""
    query = select(ApiToken).where(ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(ApiToken.id)))


def token_for(plain: str) -> ApiToken | None:
    """The active token with this value, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest(plain)))
    return token if token is not None and token.is_active else None
