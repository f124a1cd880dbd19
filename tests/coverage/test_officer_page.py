"""One filed officer's training as staff see it when they chase them: what is done and what
is left, the exam attempts, the workshops, the reminders; an unclaimed filing says why the
officer cannot study yet."""

from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.service import find_user
from lms.assessment.bank import sync_content
from lms.core.clock import local_today
from lms.demo import load_demo
from lms.extensions import db
from lms.registry.models import Filing

ROOT = Path(__file__).resolve().parent.parent.parent


def test_staff_see_what_each_demo_officer_has_done_and_what_is_left(app, client):
    sync_content(ROOT)
    accounts = load_demo()
    staff = next(a for a in accounts if a.role == "staff")
    first, second, third = (a for a in accounts if a.role == "officer")
    assert client.post("/login", data={"login": staff.login, "password": staff.password}).status_code == 302

    def page_of(account):
        filing = db.session.scalar(select(Filing).where(Filing.user_id == find_user(account.login).id))
        return client.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True)

    trained = page_of(third)
    assert "已完成 6 / 6 项要求" in trained and "CQO-" in trained and "通过" in trained
    learner = page_of(second)
    assert "已完成 1 / " in learner and "还没有参加考试" in learner and "计量器具管理与强制检定实务" in learner
    workshop_only = page_of(first)
    assert "已签到，计 3 学时" in workshop_only and "学时：" in workshop_only

    unclaimed = db.session.scalar(select(Filing).where(Filing.user_id.is_(None), Filing.status == "current"))
    page = client.get(f"/staff/coverage/filings/{unclaimed.id}").get_data(as_text=True)
    assert "未认领：本人还不能学习" in page and "项要求" not in page
    # what to do about it, from here: no detour through the enterprise's page
    assert f'action="/staff/registry/filings/{unclaimed.id}/account"' in page and "代为开户" in page
    assert f'action="/staff/registry/filings/{unclaimed.id}/invite"' in page
    ended = db.session.scalar(select(Filing).where(Filing.status == "replaced"))
    assert "该备案已结束" in client.get(f"/staff/coverage/filings/{ended.id}").get_data(as_text=True)
    chase = client.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    assert f"/staff/coverage/filings/{unclaimed.id}" in chase  # the chase list links to it
    assert client.get("/staff/coverage/filings/99999").status_code == 404

    sent = client.post(f"/staff/coverage/filings/{unclaimed.id}/remind", follow_redirects=True).get_data(as_text=True)
    assert f"已给 {unclaimed.officer_name} 生成一条提醒" in sent and "待转达" in sent  # listed on the page, for staff to pass on
    again = client.post(f"/staff/coverage/filings/{unclaimed.id}/remind", follow_redirects=True).get_data(as_text=True)
    assert f"24 小时内已给 {unclaimed.officer_name} 发过提醒" in again  # a second click sends nothing new
    batch = client.post(f"/staff/coverage/chase/remind?as_of={local_today()}", follow_redirects=True).get_data(as_text=True)
    assert "另有 1 人 24 小时内已提醒过，未重复发送" in batch
    from lms.coverage.reminders import OutboxMessage

    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.to_name == unclaimed.officer_name)) == 1
    holder = db.session.scalar(select(Filing).where(Filing.user_id == find_user(third.login).id))
    refused = client.post(f"/staff/coverage/filings/{holder.id}/remind", follow_redirects=True).get_data(as_text=True)
    assert "不在待培训名单上" in refused
    db.session.remove()


def test_without_a_current_program_every_coverage_page_sends_staff_to_make_one(app, factory):
    from tests.conftest import login

    client = app.test_client()
    login(client, factory.user("staff"))
    filing = factory.filing()
    for method, path in (("get", "/staff/coverage/"), ("get", "/staff/coverage/chase"),
                         ("get", f"/staff/coverage/filings/{filing.id}"), ("get", "/staff/coverage/report.pdf"),
                         ("get", "/staff/coverage/export.csv"), ("post", "/staff/coverage/chase/remind"),
                         ("post", f"/staff/coverage/filings/{filing.id}/remind")):
        r = getattr(client, method)(path)
        assert r.status_code == 302 and r.location.endswith("/staff/programs/"), path
    assert "还没有当前培训计划" in client.get("/staff/programs/").get_data(as_text=True)
