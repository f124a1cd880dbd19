"""Notices to officers about their workshops: written into the outbox with the change that
causes them, and sent by e-mail once that change is committed (lms/coverage/reminders.py).

Notices are in Chinese whatever the staff member's interface language, as the reminders are.
A session that has ended is told nothing: a notice about it could only confuse.
"""

from __future__ import annotations

import smtplib
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from lms.core.models import aware, utcnow
from lms.extensions import db
from lms.registry.models import Filing
from lms.workshops.models import WAITLISTED, Enrollment, Workshop

# What send_notices() did: e-mailed those with an address (the rest stay in the outbox for staff
# to hand on), kept them all in the outbox (no mail server configured), or could not reach the
# mail server (they stay queued, and go with the next notices sent).
SENT, KEPT, FAILED = "sent", "kept", "failed"
# A reason typed with its own full stop must not end the notice's sentence with two.
SENTENCE_ENDS = "。．.！!；;，,、 "


def local_text(moment: datetime) -> str:
    """The moment in the bureau's time zone, as notices and sheets print it."""
    from lms.workshops.forms import local_zone

    return aware(moment).astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


def when_text(workshop: Workshop) -> str:
    """2026-09-15 09:00–12:00, or with the end's date when the session runs past midnight."""
    start, end = local_text(workshop.starts_at), local_text(workshop.ends_at)
    return f"{start}–{end[11:] if end[:10] == start[:10] else end}"


def is_over(workshop: Workshop, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= aware(workshop.ends_at)


def notify(enrollment: Enrollment, subject: str, body: str) -> None:
    """A notice to the officer, through the outbox (e-mailed when SMTP is configured)."""
    from lms.coverage.reminders import OutboxMessage

    filing = db.session.scalar(select(Filing).where(Filing.user_id == enrollment.user_id,
                                                     Filing.status == "current"))
    user = enrollment.user
    db.session.add(OutboxMessage(to_name=user.name, to_mobile=(filing.mobile if filing else user.phone) or "",
                                 to_email=user.email or (filing.email if filing else "") or "",
                                 subject=subject[:200], body=body))


def tell_promoted(enrollment: Enrollment) -> None:
    w = enrollment.workshop
    notify(enrollment, f"候补转正：{w.title}",
           f"{enrollment.user.name}您好：“{w.title}”有了空位，您已从候补转为正式报名。"
           f"时间：{when_text(w)}，地点：{w.venue}。")


def tell_moved(enrollment: Enrollment, old_start: datetime, old_venue: str) -> None:
    """The new time or venue, to those with a seat and, as such, to those waiting for one
    (who hold no seat to leave to others)."""
    w = enrollment.workshop
    waiting = enrollment.status == WAITLISTED
    notify(enrollment, f"培训班时间或地点变更：{w.title}",
           f"{enrollment.user.name}您好：{'您候补的' if waiting else '您报名的'}“{w.title}”改为 "
           f"{local_text(w.starts_at)} 在{w.venue}举办（原为 {local_text(old_start)} 在{old_venue}）。"
           + ("您仍在候补名单上，有空位时会另行通知；如不再参加，请在平台上取消候补。" if waiting else
              "如不能参加，请在平台上取消报名，把名额留给他人。"))


def tell_cancelled(enrollment: Enrollment, reason: str) -> None:
    w = enrollment.workshop
    notify(enrollment, f"培训班取消：{w.title}",
           f"{enrollment.user.name}您好：原定于 {local_text(w.starts_at)} 在{w.venue}举办的"
           f"“{w.title}”已取消。原因：{reason.strip().rstrip(SENTENCE_ENDS)}。请留意后续安排。")


def tell_reminder(enrollment: Enrollment) -> None:
    w = enrollment.workshop
    notify(enrollment, f"培训提醒：{w.title}",
           f"{enrollment.user.name}您好：您报名的“{w.title}”将于 {local_text(w.starts_at)} 在{w.venue}开始，"
           "请准时参加，并在签到时出示个人签到码。")


def send_notices() -> str:
    """Send the outbox's queued e-mails now, after the caller has committed the notices:
    SENT, KEPT (no mail server configured) or FAILED (it could not be reached). Never raises:
    the change the notices are about is already made, and the notices are not lost."""
    from lms.coverage.reminders import OutboxMessage, send_queued

    if not current_app.config.get("SMTP_HOST"):
        return KEPT
    if not db.session.scalar(select(exists().where(OutboxMessage.status == "queued",
                                                   OutboxMessage.to_email != ""))):
        return SENT  # nothing to e-mail: those without an address stay in the outbox, as ever
    try:
        send_queued()
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("workshop notices: the mail server could not be reached")
        db.session.commit()  # keep the "sent" mark of any that went before it failed
        return FAILED
    return SENT
