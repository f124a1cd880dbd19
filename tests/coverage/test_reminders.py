"""Reminders say what the officer's standing asks of them, and staff hear what they must do first."""

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from lms.core.audit import AuditEntry
from lms.coverage.reminders import OutboxMessage, reminder_text
from lms.extensions import db
from lms.registry.models import Filing
from tests.coverage.test_coverage import TODAY, roster  # noqa: F401  the roster of nine filings

DEADLINE = date(2026, 11, 30)


def test_a_reminder_after_the_deadline_does_not_ask_for_a_date_already_past(app):
    with app.test_request_context():
        before = reminder_text("王伟", "2026年培训", DEADLINE, started=True, today=date(2026, 11, 20))
        after = reminder_text("王伟", "2026年培训", DEADLINE, started=True, today=date(2026, 12, 4))
        unclaimed = reminder_text("王伟", "2026年培训", DEADLINE, started=False, claimed=False, today=date(2026, 12, 4))
    assert "在 2026年11月30日 前完成" in before and "已过" not in before
    assert "前完成" not in after and "尽快完成" in after and "培训截止日期 2026年11月30日 已过" in after
    assert "前完成" not in unclaimed and "已过" in unclaimed


def test_officers_whose_certificate_lapsed_are_told_so_not_that_they_have_not_started(roster, as_staff):  # noqa: F811
    as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={})
    bodies = dict(db.session.execute(select(OutboxMessage.to_name, OutboxMessage.body)).all())
    assert "您的证书 S-乙 已于 2026年9月30日 过期" in bodies["乙"] and "需要重新完成培训" in bodies["乙"]
    assert "您的证书 S-丙 已被撤销" in bodies["丙"]
    assert "证书" not in bodies["丁"] and "尚未完成" in bodies["丁"]


def test_an_unregistered_officer_without_a_code_is_sent_for_one_and_staff_are_warned(roster, as_staff):  # noqa: F811
    with_code = db.session.scalar(select(Filing).where(Filing.officer_name == "戊"))
    assert with_code.user_id is None and with_code.invite_code_hash is None
    response = as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={"status": "unclaimed"},
                             follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "其中 1 人尚未注册，他们的备案还没有生成邀请码" in page  # staff: make the codes first
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_name == "戊"))
    assert "请先联系相山区市场监督管理局领取邀请码" in body and "发给您的邀请码" not in body
    db.session.execute(OutboxMessage.__table__.delete())
    with_code.invite_code_hash = "x" * 64  # a code was made and handed out
    db.session.commit()
    page = as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={"status": "unclaimed"},
                         follow_redirects=True).get_data(as_text=True)
    assert "还没有生成邀请码" not in page
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_name == "戊"))
    assert "用相山区市场监督管理局发给您的邀请码注册" in body



def test_staff_mark_reminders_they_passed_on_by_phone_and_the_outbox_shows_what_is_left(roster, as_staff):  # noqa: F811
    as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={})
    messages = {m.to_name: m for m in db.session.scalars(select(OutboxMessage))}
    assert {m.status for m in messages.values()} == {"queued"}  # no mail server: all wait for staff
    page = as_staff.post("/staff/coverage/outbox/handed-on", data={"message": str(messages["丁"].id)},
                         follow_redirects=True).get_data(as_text=True)
    assert "已将 1 条提醒标记为已转达。" in page
    db.session.expire_all()
    assert messages["丁"].status == "handed" and messages["丁"].sent_at is not None
    assert messages["乙"].status == "queued"
    waiting = as_staff.get("/staff/coverage/outbox?status=queued").get_data(as_text=True)
    assert "乙" in waiting and "丁" not in waiting
    filing_id = db.session.scalar(select(Filing.id).where(Filing.officer_name == "丁"))
    officer = as_staff.get(f"/staff/coverage/filings/{filing_id}").get_data(as_text=True)
    assert "已转达" in officer  # whoever chases 丁 next sees that he was told
    as_staff.post("/staff/coverage/outbox/handed-on", data={"all": "1"})
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"handed"}
    again = as_staff.post("/staff/coverage/outbox/handed-on", data={"all": "1"}, follow_redirects=True)
    assert "没有需要标记的提醒" in again.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "reminders.handed_on")
                             .order_by(AuditEntry.id.desc()).limit(1)) == str(len(messages) - 1)


def test_staff_are_warned_when_the_links_in_reminders_open_only_on_the_server(roster, as_staff, app):  # noqa: F811
    page = as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={}, follow_redirects=True)
    assert "只能在服务器本机打开" in page.get_data(as_text=True)  # the tests' base URL is http://localhost
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    app.config["BASE_URL"] = "https://cqo.example.gov.cn"
    page = as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={}, follow_redirects=True)
    assert "只能在服务器本机打开" not in page.get_data(as_text=True)


def test_the_chase_list_shows_who_was_reminded_when_and_who_never_was(roster, as_staff):  # noqa: F811
    filing_id = db.session.scalar(select(Filing.id).where(Filing.officer_name == "丁"))
    as_staff.post(f"/staff/coverage/filings/{filing_id}/remind")
    page = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}").get_data(as_text=True)
    rows = {name: row for name, row in re.findall(r'>(\w)</a></td>(.*?)</tr>', page, re.S)}
    assert "未提醒" not in rows["丁"] and re.search(r"\d{4}-\d\d-\d\d</td>$", rows["丁"].strip())
    assert "未提醒" in rows["乙"]


def test_an_account_opened_by_staff_and_never_used_is_listed_and_reminded_as_such(as_staff, factory, app):
    """代为开户 links the filing (a claim), but until the officer sets a password and signs in,
    "请登录" is no instruction: the chase list, the training page and the reminder say so."""
    from lms.core.clock import local_today
    from lms.programs.models import Program
    from tests.conftest import login

    db.session.add(Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1),
                           deadline=date(2026, 12, 31), is_current=True))
    db.session.commit()
    filing = factory.filing(officer_name="李明")
    as_staff.post(f"/staff/registry/filings/{filing.id}/account")
    db.session.refresh(filing)
    chase = as_staff.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    assert "已开户，未登录" in chase
    page = as_staff.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True)
    assert "已开户，未登录" in page and "本人还没有登录过" in page
    as_staff.post(f"/staff/coverage/chase/remind?as_of={local_today()}", data={})
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_name == "李明"))
    assert "已为您开通首席质量官培训平台的账号，但您还没有登录过" in body and "设置密码链接" in body
    listed = as_staff.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True).split("提醒与通知", 1)[1]
    assert "2026 培训：培训提醒" in listed  # each reminder or notice named by its subject
    user = filing.user
    user.set_password("a-new-password-9")
    db.session.commit()
    login(app.test_client(), user, "a-new-password-9")  # the link reached them: signed in since
    chase = as_staff.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    assert "已开户，未登录" not in chase and "已认领" in chase


def test_the_chase_page_says_before_sending_who_has_no_invitation_code_yet(roster, as_staff):  # noqa: F811
    from lms.core.clock import local_today

    page = as_staff.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    warning = page.split('id="without-code"', 1)[1].split("</div>", 1)[0]
    assert "要提醒的人中有 1 人尚未注册" in warning and "联系相山区市场监督管理局领取邀请码" in warning
    assert 'href="/staff/registry/invitations"' in warning  # where to make the code first
    assert "给名单上的每个人生成一条培训提醒？其中 1 人尚未注册、还没有邀请码" in page  # and again in the confirmation
    filing = db.session.scalar(select(Filing).where(Filing.officer_name == "戊"))
    filing.invite_code_hash = "x" * 64
    db.session.commit()
    page = as_staff.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    assert 'id="without-code"' not in page and "还没有邀请码" not in page


def test_a_reminder_not_yet_handed_on_gives_way_once_a_code_is_made_but_one_handed_on_stands(roster, as_staff):  # noqa: F811
    from lms.core.models import utcnow

    def remind():
        return as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={"status": "unclaimed"},
                             follow_redirects=True).get_data(as_text=True)

    def reminders_of_wu():
        db.session.expire_all()
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_name == "戊")
                                  .order_by(OutboxMessage.id)).all()

    remind()
    filing = db.session.scalar(select(Filing).where(Filing.officer_name == "戊"))
    filing.invite_code_hash, filing.invite_created_at = "x" * 64, utcnow()  # the code, made and handed out
    db.session.commit()
    page = remind()
    assert "已生成 1 条提醒" in page and "其中 1 条替换了尚未转达、内容已过时的旧提醒" in page
    old, new = reminders_of_wu()
    assert old.status == "superseded" and "领取邀请码" in old.body
    assert new.status == "queued" and "用相山区市场监督管理局发给您的邀请码注册" in new.body
    outbox = as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    assert "已作废（已换成新提醒）" in outbox
    assert db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "reminders.queued")
                             .order_by(AuditEntry.id.desc()).limit(1)) == {"superseded": [old.id]}
    assert "24 小时内已提醒过" in remind() and len(reminders_of_wu()) == 2  # nothing changed: nothing new
    as_staff.post("/staff/coverage/outbox/handed-on", data={"message": str(new.id)})
    filing.invite_code_hash = None  # what he was told is out of date, but he was told today
    db.session.commit()
    assert "24 小时内已提醒过" in remind() and len(reminders_of_wu()) == 2


def test_without_a_mail_server_the_outbox_says_reminders_are_for_staff_to_pass_on(roster, as_staff, app):  # noqa: F811
    filing = db.session.scalar(select(Filing).where(Filing.officer_name == "丁"))
    filing.email = "ding@example.com"
    db.session.commit()
    as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={})
    page = as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    rows = page.split("<tbody>", 1)[1]
    assert "待转达" in rows and "待发送" not in page  # nothing here will be sent by the platform
    assert "本平台不会发送电子邮件或短信" in page and "电话、短信或微信" in page
    sheet = load_workbook(io.BytesIO(as_staff.get("/staff/coverage/outbox?format=xlsx").data))["发件箱"]
    assert {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"待转达"}
    app.config["SMTP_HOST"] = "mail.bureau.local"  # now configured: 丁's, with an address, waits to be sent
    page = as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    ding = page.split("ding@example.com", 1)[1].split("</tr>", 1)[0]
    assert "已配置邮件服务器（mail.bureau.local）" in page and "待发送" in ding
