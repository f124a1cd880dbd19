"""What officers are told about their workshops, and what staff are told about the telling:
notices are e-mailed once the change is committed, or wait in the outbox, and the page says which."""

import smtplib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms.coverage import reminders
from lms.coverage.reminders import OutboxMessage
from lms.extensions import db
from lms.workshops import notices, service
from tests.workshops.helpers import BEFORE, START, make_workshop, officer


class FakeSMTP:
    """Stands in for the mail server: records what would have been sent."""

    sent: list = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, mail):
        FakeSMTP.sent.append((mail["To"], mail["Subject"]))


class DownSMTP:
    def __init__(self, host, port, timeout):
        raise ConnectionRefusedError(111, "Connection refused")


def _soon() -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


def _statuses() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def _cancel(client, workshop, reason="场地维修") -> str:
    return client.post(f"/staff/workshops/{workshop.id}/cancel", data={"reason": reason},
                       follow_redirects=True).get_data(as_text=True)


def test_a_cancellation_is_e_mailed_when_a_mail_server_is_configured(as_staff, app, factory, monkeypatch):
    app.config["SMTP_HOST"] = "mail.bureau.local"
    FakeSMTP.sent = []
    monkeypatch.setattr(reminders.smtplib, "SMTP", FakeSMTP)
    workshop = make_workshop(**_soon())
    user = officer(factory)
    service.enrol(workshop, user.id)
    page = _cancel(as_staff, workshop)
    assert "已为 1 人生成取消通知" in page and "有电子邮箱的已发出邮件" in page
    assert FakeSMTP.sent == [(user.email, f"培训班取消：{workshop.title}")] and _statuses() == ["sent"]


def test_without_a_mail_server_the_page_says_the_notices_wait_in_the_outbox(as_staff, factory):
    workshop = make_workshop(**_soon())
    service.enrol(workshop, officer(factory).id)
    page = _cancel(as_staff, workshop)
    assert "未配置邮件服务器，通知都在发件箱中" in page and "已通知" not in page
    assert _statuses() == ["queued"]


def test_a_mail_server_that_cannot_be_reached_is_said_and_the_notices_are_kept(as_staff, app, factory, monkeypatch):
    app.config["SMTP_HOST"] = "mail.bureau.local"
    monkeypatch.setattr(reminders.smtplib, "SMTP", DownSMTP)
    workshop = make_workshop(**_soon())
    service.enrol(workshop, officer(factory).id)
    page = _cancel(as_staff, workshop)
    assert "邮件服务器连接失败，通知未能发出，仍在发件箱中" in page
    db.session.refresh(workshop)
    assert workshop.is_cancelled and _statuses() == ["queued"]  # the cancellation stands; nothing lost


def test_a_promotion_from_the_waitlist_is_e_mailed(app, factory, monkeypatch):
    app.config["SMTP_HOST"] = "mail.bureau.local"
    FakeSMTP.sent = []
    monkeypatch.setattr(reminders.smtplib, "SMTP", FakeSMTP)
    workshop = make_workshop(capacity=1)
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE)
    service.withdraw(seat, BEFORE)
    assert FakeSMTP.sent == [(waiting.user.email, f"候补转正：{workshop.title}")]


def test_a_time_change_notice_says_how_it_was_delivered(as_staff, factory):
    workshop = make_workshop(capacity=5, **_soon())
    service.enrol(workshop, officer(factory).id)
    form = {"title": workshop.title, "venue": "区政务中心 305", "starts_at": "2030-09-15T09:00",
            "ends_at": "2030-09-15T12:00", "capacity": "5", "hours": "3", "program_id": "0",
            "audience_town_id": "0", "audience_industries": ""}
    page = as_staff.post(f"/staff/workshops/{workshop.id}/edit", data=form, follow_redirects=True).get_data(as_text=True)
    assert "已为 1 位报名或候补的学员生成时间或地点变更通知" in page and "通知都在发件箱中" in page


def test_a_reason_typed_with_its_own_full_stop_is_not_doubled(app, factory):
    workshop = make_workshop()
    service.enrol(workshop, officer(factory).id, BEFORE)
    service.cancel_workshop(workshop, "台风预警。", BEFORE)
    (body,) = db.session.scalars(select(OutboxMessage.body))
    assert "原因：台风预警。请留意后续安排。" in body and "。。" not in body


def test_a_session_that_is_over_tells_nobody(as_staff, factory):
    workshop = make_workshop(capacity=1)  # held in September; today is later
    service.enrol(workshop, officer(factory).id, BEFORE)
    service.enrol(workshop, officer(factory).id, BEFORE)
    db.session.refresh(workshop)
    workshop.venue = "区政务中心 305"  # the record corrected afterwards
    assert service.save_workshop(workshop).told == 0
    page = _cancel(as_staff, workshop)
    assert "培训已结束或无人报名，未发通知" in page
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_raising_the_capacity_after_the_start_promotes_nobody(app, factory):
    workshop = make_workshop(capacity=1)
    service.enrol(workshop, officer(factory).id, BEFORE)
    service.enrol(workshop, officer(factory).id, BEFORE)
    db.session.refresh(workshop)
    workshop.capacity = 2
    assert service.save_workshop(workshop, START + timedelta(minutes=5)).promoted == []
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_notice_of_a_session_past_midnight_gives_the_day_it_ends(app, factory):
    workshop = make_workshop(starts_at=START + timedelta(hours=12), ends_at=START + timedelta(hours=16))  # 21:00–01:00
    assert notices.when_text(workshop) == "2026-09-15 21:00–2026-09-16 01:00"
    assert notices.when_text(make_workshop()) == "2026-09-15 09:00–12:00"


def test_the_reminder_run_survives_a_mail_server_that_is_down(app, factory, monkeypatch):
    app.config["SMTP_HOST"] = "mail.bureau.local"
    monkeypatch.setattr(smtplib, "SMTP", DownSMTP)
    workshop = make_workshop()
    service.enrol(workshop, officer(factory).id, BEFORE)
    assert service.queue_reminders(START - timedelta(hours=20)) == 1
    assert _statuses() == ["queued"]
