"""Reminders to officers not yet trained: sent by e-mail when SMTP is configured, and always
kept in an outbox that staff can see and export (there is no SMS gateway)."""

from __future__ import annotations

import smtplib
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.core import audit
from lms.core.clock import local_today
from lms.core.models import utcnow
from lms.core.text import chinese_date
from lms.core.urls import public_url
from lms.extensions import db

if TYPE_CHECKING:
    from lms.certificates.models import Certificate


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    to_name: Mapped[str] = mapped_column(String(50))
    to_mobile: Mapped[str] = mapped_column(String(20), default="")
    to_email: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # queued | sent (e-mailed) | failed (the mail server refused it) | handed (staff told the
    # officer by phone or on paper: without an SMS gateway, how most reminders reach people)
    # | superseded (never delivered, and replaced by a reminder saying what is now so)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def state(self, mailing: bool) -> str:
        """The status as staff should read it: a queued message no mail server will send (none
        configured, or no address to send to) waits for them to pass it on, not to be sent."""
        if self.status == "queued" and not (mailing and self.to_email):
            return "to_pass_on"
        return self.status


def is_mailing() -> bool:
    """Whether this instance e-mails reminders (LMS_SMTP_HOST set). It never sends SMS."""
    return bool(current_app.config.get("SMTP_HOST"))


# The outbox's states (OutboxMessage.state) as the outbox and an officer's page name them.
OUTBOX_LABELS = {"to_pass_on": _l("待转达"), "queued": _l("待发送"), "sent": _l("已发送"), "handed": _l("已转达"),
                 "failed": _l("发送失败"), "superseded": _l("已作废（已换成新提醒）")}


def reminder_text(name: str, program_name: str, deadline: date, started: bool, claimed: bool = True, *,
                  has_code: bool = True, lapsed: Certificate | None = None, today: date | None = None,
                  signed_in: bool = True) -> str:
    """The reminder an officer not yet trained gets, as where they stand asks: not registered
    (with or without an invitation code in hand), certificate lapsed, begun or not; before the
    deadline or after it (a date already past would be no instruction at all)."""
    bureau = current_app.config["BUREAU_NAME"]
    today = today or local_today()
    if deadline >= today:
        finish = f"在 {chinese_date(deadline)} 前完成“{program_name}”的课程和考试"
    else:
        finish = f"尽快完成“{program_name}”的课程和考试（培训截止日期 {chinese_date(deadline)} 已过）"
    if not claimed:  # they cannot sign in yet: say how to begin
        if not has_code:  # no code was ever made for the filing: promising one would send them looking
            return (f"{name}您好：您尚未在首席质量官培训平台注册。请先联系{bureau}领取邀请码，再打开 "
                    f"{public_url('accounts.register')} 注册并认领备案，{finish}。")
        return (f"{name}您好：您尚未在首席质量官培训平台注册。请打开 {public_url('accounts.register')} ，用{bureau}发给您的邀请码"
                f"注册并认领备案，{finish}。没有邀请码或已遗失的，请联系{bureau}。")
    if lapsed is not None:
        why = (f"您的证书 {lapsed.serial} 已被撤销" if lapsed.status == "revoked"
               else f"您的证书 {lapsed.serial} 已于 {chinese_date(lapsed.expires_on)} 过期")
        state = f"{why}，目前不计入已培训，需要重新完成培训"
    elif not signed_in:  # an account staff opened: the set-password link may never have reached them
        return (f"{name}您好：{bureau}已为您开通首席质量官培训平台的账号，但您还没有登录过。请用{bureau}交给您的"
                f"设置密码链接设好密码，再登录 {public_url('core.home')} ，{finish}。链接遗失或已过期的，请联系{bureau}重新获取。")
    else:
        state = "您的培训尚未完成" if started else "您尚未开始培训"
    return (f"{name}您好：{state}。请登录首席质量官培训平台，{finish}。"
            f"平台地址：{public_url('core.home')}。如有疑问，请联系{bureau}。")


REMIND_AGAIN_AFTER = timedelta(hours=24)  # a second click, or a second batch the same day, sends nothing new


def reminder_subject(program) -> str:
    return f"{program.name}：培训提醒"


def last_reminded(program, rows) -> dict[tuple[str, str], datetime]:
    """When each chase-list row (officer name and mobile, as reminders are addressed) was last
    sent this program's reminder: whoever chases by phone starts with those never told."""
    if not rows:
        return {}
    query = (select(OutboxMessage.to_name, OutboxMessage.to_mobile, func.max(OutboxMessage.created_at))
             .where(OutboxMessage.subject == reminder_subject(program),
                    OutboxMessage.to_mobile.in_({r.mobile for r in rows}))
             .group_by(OutboxMessage.to_name, OutboxMessage.to_mobile))
    return {(name, mobile): at for name, mobile, at in db.session.execute(query)}


class Queued(NamedTuple):
    queued: int
    skipped: int  # reminded within REMIND_AGAIN_AFTER
    without_code: int  # of those queued, not registered and no invitation code made for them
    superseded: int = 0  # of those queued, how many replaced a reminder not yet handed on


# Not yet delivered: no mail server took it and staff have not marked it handed on.
UNDELIVERED = ("queued", "failed")


def recent_reminders(subject: str) -> dict[tuple[str, str], list[OutboxMessage]]:
    """This subject's live reminders of the last REMIND_AGAIN_AFTER, by (name, mobile)."""
    recent: dict[tuple[str, str], list[OutboxMessage]] = {}
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject == subject, OutboxMessage.status != "superseded",
            OutboxMessage.created_at >= utcnow() - REMIND_AGAIN_AFTER).order_by(OutboxMessage.created_at)):
        recent.setdefault((message.to_name, message.to_mobile), []).append(message)
    return recent


def is_out_of_date(earlier: list[OutboxMessage], body: str) -> bool:
    """Whether reminders written within REMIND_AGAIN_AFTER should give way to this text: none
    reached the officer (an officer already told is not told twice in a day), and what the
    latest says is no longer so (an invitation code made since, registered since, ...)."""
    return all(m.status in UNDELIVERED for m in earlier) and earlier[-1].body != body


def queue_reminders(rows, program) -> Queued:
    """One message per chase-list row (filing id, name, mobile, ... as chase_query gives),
    except for officers this program's reminder went to within REMIND_AGAIN_AFTER, unless that
    reminder was never delivered and is out of date: then it is marked superseded, and replaced."""
    subject = reminder_subject(program)
    recent = recent_reminders(subject)
    drafts = reminder_drafts(rows, program)
    messages, superseded, without_code = [], [], 0
    for r in rows:
        to_email, body, has_code = drafts[r.id]
        earlier = recent.get((r.officer_name, r.mobile), [])
        if earlier and not is_out_of_date(earlier, body):
            continue
        superseded += earlier
        without_code += not r.claimed and not has_code
        messages.append(OutboxMessage(to_name=r.officer_name, to_mobile=r.mobile, to_email=to_email,
                                      subject=subject, body=body))
    if not messages:
        return Queued(0, len(rows), 0)
    for message in superseded:
        message.status = "superseded"
    db.session.add_all(messages)
    # The entry keeps which undelivered reminders the new ones replaced (their rows stay, marked).
    audit.record("reminders.queued", program.name, f"{len(messages)}",
                 details={"superseded": [m.id for m in superseded]} if superseded else None)
    db.session.commit()
    send_queued()
    return Queued(len(messages), len(rows) - len(messages), without_code, len(superseded))


def reminder_drafts(rows, program) -> dict[int, tuple[str, str, bool]]:
    """For each chase-list row's filing: (e-mail address, the reminder's text, has a code)."""
    from lms.coverage.chase import lapsed_certificates
    from lms.registry.models import Filing

    if not rows:
        return {}
    contact = {filing_id: (email, has_code) for filing_id, email, has_code in db.session.execute(
        select(Filing.id, Filing.email, Filing.invite_code_hash.is_not(None)).where(Filing.id.in_([r.id for r in rows])))}
    lapsed = lapsed_certificates(program, local_today(), {r.user_id for r in rows if r.user_id})
    return {r.id: (contact[r.id][0] or "", reminder_text(
        r.officer_name, program.name, program.deadline, bool(r.started), claimed=bool(r.claimed),
        has_code=contact[r.id][1], lapsed=lapsed.get(r.user_id), signed_in=not r.never_signed_in), contact[r.id][1])
        for r in rows}


# superseded: a reminder never delivered, replaced by one saying what is now so (queue_reminders)
OUTBOX_STATUSES = ("queued", "sent", "handed", "failed", "superseded")


def hand_on(ids: list[int] | None) -> int:
    """Mark queued or failed messages as handed on by staff (these ids, or all of them): they
    leave the to-do list, and the officer's page shows they were told. Returns how many."""
    query = select(OutboxMessage).where(OutboxMessage.status.in_(UNDELIVERED))
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    messages = db.session.scalars(query).all()
    now = utcnow()
    for message in messages:
        message.status, message.sent_at = "handed", now
    if messages:
        audit.record("reminders.handed_on", "outbox", f"{len(messages)}")
    db.session.commit()
    return len(messages)


def send_queued() -> int:
    """Send queued e-mails when LMS_SMTP_HOST is set; messages without an address stay in the
    outbox for staff to hand on (phone, paper)."""
    host = current_app.config.get("SMTP_HOST")
    if not host:
        return 0
    sent = 0
    queued = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == "queued", OutboxMessage.to_email != "")).all()
    with smtplib.SMTP(host, current_app.config.get("SMTP_PORT", 25), timeout=10) as smtp:
        for message in queued:
            mail = EmailMessage()
            mail["From"] = current_app.config["MAIL_FROM"]
            mail["To"] = message.to_email
            mail["Subject"] = message.subject
            mail.set_content(message.body)
            try:
                smtp.send_message(mail)
                message.status, message.sent_at = "sent", utcnow()
                sent += 1
            except smtplib.SMTPException:
                message.status = "failed"
    db.session.commit()
    return sent
