"""The audit log: who changed what, and when."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
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


def changes(obj: Any, labels: Mapping[str, Any], shown: Callable[[Any], Any] = str,
            shown_as: Mapping[str, Callable[[Any], Any]] | None = None) -> dict[str, list]:
    """{field: [before, after]} of the labelled fields an unflushed edit of obj changes, each
    value as shown() words it (a time in local time, say), or a field as shown_as words it (an
    exam by its title): the details an entry keeps so that the log can say "名额 1 → 2" rather
    than only that something changed. A value shown as a list of lines (an exam's rules, a
    programme's courses) keeps only the lines removed and those added: one changed rule of ten
    reads as that rule, not as two lists cut short."""
    found = {}
    state = db.inspect(obj)
    for name in labels:
        history = state.attrs[name].history
        if history.has_changes() and history.deleted:
            show = (shown_as or {}).get(name, shown)
            before, after = (None if v is None else show(v) for v in (history.deleted[0], (history.added or [None])[0]))
            if isinstance(before, list) and isinstance(after, list):
                before, after = ([line for line in before if line not in after],
                                 [line for line in after if line not in before])
            if before != after:  # compared as shown: a time read back without its zone is the same time
                found[name] = [before, after]
    return found


_CHANGE_LABELS: dict[str, Mapping[str, Any]] = {}


def describe_changes(action: str, labels: Mapping[str, Any]) -> None:
    """Let the log word an action's recorded changes(), with these field names."""
    _CHANGE_LABELS[action] = labels
    _DESCRIBERS[action] = _changed


def _changed(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    found = (entry.details or {}).get("changes")
    labels = _CHANGE_LABELS.get(entry.action, {})
    if not found or not found.keys() <= labels.keys():
        return None
    said = [_("%(field)s %(before)s → %(after)s", field=labels[name], before=_shown(before), after=_shown(after))
            for name, (before, after) in found.items()]
    return f"{entry.summary}{_('：')}{_('；').join(said)}"


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return _("（空）")
    if isinstance(value, list):  # lines, from changes(): each cut short on its own
        return _("；").join(_shown(line) for line in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


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
    "certificate.renewed": _l("过期证书续期"),
    "certificate.reissued": _l("换发证书"), "certificate.revoked": _l("撤销证书"),
    "content.synced": _l("同步课程与题库"), "exam.extra_attempt": _l("加考一次"), "exam.saved": _l("保存考试"),
    "filing.account_created": _l("代为开户"), "filing.claimed": _l("认领备案"), "filing.ended": _l("结束备案"),
    "filing.invites_issued": _l("生成邀请码"), "filing.succeeded": _l("备案接任者"),
    "program.saved": _l("保存培训计划"), "questions.imported": _l("导入试题"), "question.added": _l("新建试题"),
    "reminders.queued": _l("生成培训提醒"),
    "reminders.handed_on": _l("提醒已转达"),
    "roster.imported": _l("导入名册"), "town.added": _l("添加镇街"),
    "town.enabled": _l("启用镇街"), "town.disabled": _l("停用镇街"),
    "user.created": _l("新建用户"), "user.reset_link": _l("生成重设密码链接"), "user.role_changed": _l("更改角色"),
    "user.enabled": _l("启用账号"), "user.disabled": _l("停用账号"),
    "user.signed_out_everywhere": _l("在所有设备上退出"), "user.password_changed": _l("修改密码"),
    "user.password_reset": _l("用重设链接设置密码"),
    "user.password_set": _l("在命令行设置密码"), "user.email_changed": _l("更改电子邮箱"),
    "user.phone_changed": _l("更正登录手机号码"),
    "question.retired": _l("停用试题"), "question.reinstated": _l("重新启用试题"),
    "workshop.attendance_closed": _l("结束签到"), "workshop.cancelled": _l("取消培训班"),
    "workshop.checked_in": _l("培训班签到"), "workshop.checkin_undone": _l("撤销签到"), "workshop.copied": _l("复制培训班"), "workshop.created": _l("新建培训班"),
    "workshop.updated": _l("修改培训班"), "workshop.reminders": _l("发送开课提醒"),
}


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


# How a "kind:id" target reads on the log, and the page it opens (endpoint, its id argument).
# Each is one message with its number, so that a language can put the word in the singular.
TARGET_KINDS = {
    "user": (_l("账号 #%(id)s"), None, None),
    "filing": (_l("备案 #%(id)s"), "coverage.officer", "filing_id"),
    "enterprise": (_l("企业 #%(id)s"), "registry.enterprise", "enterprise_id"),
    "workshop": (_l("培训班 #%(id)s"), "workshops_staff.detail", "workshop_id"),
    "exam": (_l("考试 #%(id)s"), "exams_staff.edit_exam", "exam_id"),
    "question": (_l("试题 #%(id)s"), "exams_staff.question", "question_id"),
    "program": (_l("培训计划 #%(id)s"), "programs.edit", "program_id"),
    "token": (_l("接口令牌 #%(id)s"), "tokens.index", None),
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
    text = label % {"id": key}
    if endpoint is None:
        return text, None
    return text, url_for(endpoint, **({argument: int(key)} if argument else {}))


def describe(entry: AuditEntry, role_names: Mapping[str, str]) -> str:
    """An entry's explanation in the page's language. Where the action keeps numbers or codes,
    it is worded now from them, not shown as written then (in the writer's language, or as
    codes); other entries, and older ones without that shape, show the text they were given."""
    describer = _DESCRIBERS.get(entry.action)
    text = describer(entry, role_names) if describer else None
    return entry.summary if text is None else text


def _roster_changes(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    """新增企业 1 · 新增备案 1: the kinds of change that happened, in the preview's order."""
    from lms.registry.roster_plan import CHANGE_LABELS  # that module records with this one

    counts = entry.details or {}
    if not counts.keys() & CHANGE_LABELS.keys():
        return None
    changes = [f"{label} {counts[kind]}" for kind, label in CHANGE_LABELS.items() if counts.get(kind)]
    if counts.get("complete"):
        changes.append(_("按完整名册导入"))
    return " · ".join(changes) or _("没有变化")


def _invite_codes(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    # The text written starts with the count in either language; the details list at most
    # 1000 of the filings, so they are counted only when the text has no number.
    written = re.match(r"\d+", entry.summary)
    count = int(written.group()) if written else len((entry.details or {}).get("filings", []))
    towns = (entry.details or {}).get("towns")  # town names are the roster's own, never translated
    if count and towns:
        return _("%(n)s 个邀请码（%(towns)s）", n=count, towns=_("、").join(f"{t} {n}" for t, n in towns.items()))
    return _("%(n)s 个邀请码", n=count) if count else None


def _fields(entry: AuditEntry, names: tuple[str, ...], pattern: str) -> tuple[str, ...] | None:
    """The named details of an entry: as recorded, or (entries written before details held
    them) read back from its text."""
    details = entry.details or {}
    if all(name in details for name in names):
        return tuple(str(details[name]) for name in names)
    parts = re.fullmatch(pattern, entry.summary)
    return parts.groups() if parts else None


def _role_change(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    parts = _fields(entry, ("login", "from", "to"), r"(.+): (\w+) → (\w+)")  # login: officer → admin
    if parts is None or not {parts[1], parts[2]} <= role_names.keys():
        return None
    return f"{parts[0]}: {role_names[parts[1]]} → {role_names[parts[2]]}"


def _new_user(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    parts = _fields(entry, ("login", "role"), r"(.+) \((\w+)\)")  # login (staff)
    if parts is None or parts[1] not in role_names:
        return None
    return f"{parts[0]} ({role_names[parts[1]]})"


_CHECKED_IN_BY = {"staff": _l("%(name)s（工作人员扫码签到）"), "self": _l("%(name)s（现场自助签到）"),
                  "manual": _l("%(name)s（工作人员手工签到）")}


def _check_in(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    parts = _fields(entry, ("name", "by"), r"(.+) \((staff|self|manual)\)")  # name (staff), Enrollment.checked_in_by
    details = entry.details or {}
    if parts and details.get("from_waitlist"):  # a seat given at the door, full room or not
        return _("%(name)s（从候补名单补入并手工签到）") % {"name": parts[0]}
    if parts and details.get("walk_in"):
        return _("%(name)s（未报名，现场登记并签到）") % {"name": parts[0]}
    return _CHECKED_IN_BY[parts[1]] % {"name": parts[0]} if parts and parts[1] in _CHECKED_IN_BY else None


_SYNCED = {"courses": _lp("content sync", "课程"), "lessons": _lp("content sync", "课时"),
           "questions": _lp("content sync", "试题")}


def content_sync_text(counts: Mapping[str, list[int]]) -> str:
    """课程：新增 1，更新 0，停用 0；课时：……: a content sync's [added, changed, retired] counts."""
    return _("；").join(_("%(what)s：新增 %(a)s，更新 %(c)s，停用 %(r)s", what=_SYNCED[kind], a=a, c=c, r=r)
                        for kind, (a, c, r) in counts.items())


def _content_sync(entry: AuditEntry, role_names: Mapping[str, str]) -> str | None:
    counts = entry.details or {}
    shaped = counts and counts.keys() <= _SYNCED.keys() and all(len(v) == 3 for v in counts.values())
    return content_sync_text(counts) if shaped else None


def _counted(message: str) -> Callable[[AuditEntry, Mapping[str, str]], str | None]:
    """For an action whose text is a bare count: say what was counted."""
    return lambda entry, role_names: message % {"n": int(entry.summary)} if entry.summary.isdecimal() else None


_DESCRIBERS = {
    "roster.imported": _roster_changes,
    "filing.invites_issued": _invite_codes,
    "user.role_changed": _role_change,
    "user.created": _new_user,
    "workshop.checked_in": _check_in,
    "content.synced": _content_sync,
    "questions.imported": _counted(_l("共 %(n)s 题")),
    "reminders.queued": _counted(_l("%(n)s 条提醒")),
    "reminders.handed_on": _counted(_l("%(n)s 条提醒")),
    "workshop.reminders": _counted(_l("%(n)s 条提醒")),
}
