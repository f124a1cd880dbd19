"""The audit log: who changed what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import utcnow
from lms.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")


def record(
    action: str,
    target: str = "",
    summary: str = "",
    details: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; the caller's transaction commits it with the change."""
    if actor_id is None and current_user and getattr(current_user, "is_authenticated", False):
        actor_id = current_user.id
    entry = AuditEntry(
        action=action, target=target, summary=summary[:500], details=details or {}, actor_id=actor_id
    )
    db.session.add(entry)
    return entry


def recent_entries(action: str | None = None):
    """Query for the admin's audit list, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return query


# What each recorded action is called on the admins' log; an action missing here shows as its code.
ACTION_LABELS = {
    "api_token.created": _l("创建接口令牌"), "api_token.revoked": _l("吊销接口令牌"),
    "certificate.issued": _l("发放证书"), "certificate.issued_by_staff": _l("人工发证"),
    "certificate.reissued": _l("换发证书"), "certificate.revoked": _l("撤销证书"),
    "content.synced": _l("同步课程与题库"), "exam.extra_attempt": _l("加考一次"), "exam.saved": _l("保存考试"),
    "filing.account_created": _l("代为开户"), "filing.claimed": _l("认领备案"), "filing.ended": _l("结束备案"),
    "filing.invites_issued": _l("生成邀请码"), "filing.succeeded": _l("备案接任者"),
    "program.saved": _l("保存培训计划"), "questions.imported": _l("导入试题"), "reminders.queued": _l("生成培训提醒"),
    "roster.imported": _l("导入名册"), "town.added": _l("添加镇街"), "town.enabled": _l("启用或停用镇街"),
    "user.created": _l("新建用户"), "user.reset_link": _l("生成重设密码链接"), "user.role_changed": _l("更改角色"),
    "user.enabled": _l("启用账号"), "user.disabled": _l("停用账号"),
    "workshop.attendance_closed": _l("结束签到"), "workshop.cancelled": _l("取消培训班"),
    "workshop.checked_in": _l("培训班签到"), "workshop.copied": _l("复制培训班"), "workshop.created": _l("新建培训班"),
    "workshop.reminders": _l("发送开课提醒"),
}


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


# How a "kind:id" target reads on the log, and the page it opens (endpoint, its id argument).
TARGET_KINDS = {
    "user": (_l("账号"), None, None),
    "filing": (_l("备案"), "coverage.officer", "filing_id"),
    "enterprise": (_l("企业"), "registry.enterprise", "enterprise_id"),
    "workshop": (_l("培训班"), "workshops_staff.detail", "workshop_id"),
    "exam": (_l("考试"), "exams_staff.edit_exam", "exam_id"),
    "program": (_l("培训计划"), "programs.edit", "program_id"),
    "token": (_l("接口令牌"), "tokens.index", None),
}


def target_link(target: str) -> tuple[str, str | None]:
    """(text, url or None) of an entry's target: "filing:18" reads 备案 #18 and opens that
    officer's training page, a certificate's serial opens its verification; other targets
    (a file name, a town) read as they are."""
    from flask import url_for

    kind, _sep, key = target.partition(":")
    if kind not in TARGET_KINDS or not key.isdecimal():
        if target.startswith("CQO-") and target.count("-") == 3:  # a certificate's serial
            return target, url_for("verify.certificate", serial=target)
        return target, None
    label, endpoint, argument = TARGET_KINDS[kind]
    if endpoint is None:
        return f"{label} #{key}", None
    return f"{label} #{key}", url_for(endpoint, **({argument: int(key)} if argument else {}))
