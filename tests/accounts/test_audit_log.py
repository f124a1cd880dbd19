"""The admins' audit log reads in words, in the language of the page, whenever the entry was written."""

import io
import re

import pytest

from lms.core import audit
from lms.extensions import db
from tests.conftest import make_uscc


@pytest.fixture
def admin(client, factory):
    from tests.conftest import login

    user = factory.user("admin")
    login(client, user)
    return user


def log_rows(client, english: bool = False) -> list[str]:
    """The log's table rows as the text a reader sees, one string per entry."""
    client.get("/lang/en" if english else "/lang/zh_CN")
    html = client.get("/admin/audit").get_data(as_text=True)
    rows = re.findall(r"<tr><td.*?</tr>", html, flags=re.S)
    return [" | ".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S))
            for r in rows]


def import_roster(factory):
    from lms.registry.importer import parse_roster
    from lms.registry.roster_plan import build_preview
    from lms.registry.roster_write import commit_preview
    from tests.registry.roster_files import as_csv, row

    factory.town("相南街道")
    preview = build_preview(parse_roster(io.BytesIO(as_csv([row(make_uscc(), "相南街道")])), "good.csv"))
    commit_preview(preview, "good.csv")


def test_a_roster_import_shows_its_changes_by_name_and_leaves_out_the_kinds_that_did_not_happen(
        client, factory, admin):
    import_roster(factory)
    (entry,) = log_rows(client)
    assert entry.endswith("导入名册 | good.csv | 新增企业 1 · 新增备案 1"), entry
    assert "enterprise_added" not in entry and "变更企业" not in entry


def test_a_roster_import_reads_in_english_on_the_english_page(client, factory, admin):
    import_roster(factory)
    (entry,) = log_rows(client, english=True)
    assert entry.endswith("Import roster | good.csv | Enterprises added 1 · Filings added 1"), entry


def test_a_roster_import_that_changed_nothing_says_so(client, admin):
    counts = dict.fromkeys(("enterprise_added", "enterprise_changed", "filing_added"), 0)
    audit.record("roster.imported", "same.csv", ",".join(f"{k}=0" for k in counts), details=counts)
    db.session.commit()
    assert log_rows(client)[0].endswith("same.csv | 没有变化")
    assert log_rows(client, english=True)[0].endswith("same.csv | No changes")


def test_a_role_change_names_the_roles_as_the_users_page_does(client, factory, admin):
    from lms.accounts.service import set_role

    officer = factory.user("officer", phone="13800001111")
    set_role(officer, "admin", admin)
    entry = log_rows(client)[0]
    assert entry.endswith(f"更改角色 | 账号 #{officer.id} | 13800001111: 首席质量官 → 管理员"), entry
    assert log_rows(client, english=True)[0].endswith(
        f"Role changed | Account #{officer.id} | 13800001111: Chief Quality Officer → Administrator")


def test_a_new_user_shows_the_role_name(client, admin):
    client.post("/admin/users/new", data={"name": "新同事", "phone": "13800002222", "role": "staff"})
    entry = log_rows(client)[0]
    assert "新建用户" in entry and entry.endswith("13800002222 (工作人员)"), entry


def test_a_check_in_says_who_checked_the_officer_in_not_a_code(client, admin):
    audit.record("workshop.checked_in", "workshop:5", "罗晓东 (staff)", {"enrollment": 1})
    audit.record("workshop.checked_in", "workshop:5", "王明 (self)", {"enrollment": 2})
    db.session.commit()
    by_self, by_staff = log_rows(client)
    assert by_staff.endswith("罗晓东（工作人员扫码签到）") and by_self.endswith("王明（现场自助签到）")
    by_self, by_staff = log_rows(client, english=True)
    assert by_staff.endswith("罗晓东 (checked in by staff)") and by_self.endswith("王明 (self check-in)")


@pytest.mark.parametrize("target, chinese, english", [
    ("filing:16", "备案 #16", "Filing #16"), ("workshop:5", "培训班 #5", "Workshop #5"),
    ("token:1", "接口令牌 #1", "API token #1"), ("user:3", "账号 #3", "Account #3"),
    ("enterprise:2", "企业 #2", "Enterprise #2"), ("exam:4", "考试 #4", "Exam #4"),
    ("program:6", "培训计划 #6", "Program #6"),
])
def test_a_target_is_named_in_the_singular_in_either_language(client, admin, target, chinese, english):
    audit.record("exam.saved", target, "")
    db.session.commit()
    assert f"| {chinese} |" in log_rows(client)[0]
    assert f"| {english} |" in log_rows(client, english=True)[0]


def test_invitation_codes_issued_on_the_chinese_page_read_in_english_on_the_english_page(client, factory, admin):
    from lms.registry.service import issue_invite_codes

    town = factory.town("相南街道")
    filings = [factory.filing(factory.enterprise(town=town)), factory.filing(factory.enterprise(town=town))]
    issue_invite_codes(filings)  # written while the language is Chinese, as for a Chinese-speaking staff member
    db.session.commit()
    assert log_rows(client)[0].endswith("生成邀请码 |  | 2 个邀请码（相南街道 2）")  # where they went, too
    entry = log_rows(client, english=True)[0]
    assert entry.endswith("Create an invitation code |  | 2 invitation codes (相南街道 2)") and "个" not in entry, entry


def test_an_old_entry_that_only_has_chinese_text_still_shows_it(client, admin):
    audit.record("filing.invites_issued", "", "11 个邀请码")  # before the filings were kept in details
    audit.record("roster.imported", "old.csv", "enterprise_added=1")
    audit.record("content.synced", "courses", "新增 1 课，更新 0 课，停用 0 课")
    db.session.commit()
    synced, roster, invites = log_rows(client, english=True)
    assert invites.endswith("11 invitation codes") and roster.endswith("enterprise_added=1")
    assert synced.endswith("新增 1 课，更新 0 课，停用 0 课")


@pytest.mark.parametrize("action, chinese, english", [
    ("town.enabled", "启用镇街", "Town enabled"), ("town.disabled", "停用镇街", "Town disabled"),
    ("workshop.updated", "修改培训班", "Workshop changed"),
])
def test_actions_recorded_under_a_computed_name_have_a_name_too(client, admin, action, chinese, english):
    audit.record(action, "相南街道")
    db.session.commit()
    assert f"| {chinese} |" in log_rows(client)[0] and action not in log_rows(client)[0]
    assert f"| {english} |" in log_rows(client, english=True)[0]


@pytest.mark.parametrize("action, summary, chinese, english", [
    ("questions.imported", "12", "共 12 题", "Questions: 12"),
    ("reminders.queued", "5", "5 条提醒", "Reminders: 5"),
    ("workshop.reminders", "3", "3 条提醒", "Reminders: 3"),
])
def test_a_bare_count_says_what_was_counted(client, admin, action, summary, chinese, english):
    audit.record(action, "", summary)
    db.session.commit()
    assert log_rows(client)[0].endswith(f"| {chinese}")
    assert log_rows(client, english=True)[0].endswith(f"| {english}")


def test_a_role_change_reads_from_its_recorded_details_not_its_text(client, admin, factory):
    from lms.accounts.service import set_role

    odd = factory.user("officer")
    set_role(odd, "staff", admin)
    entry = db.session.scalars(db.select(audit.AuditEntry).where(audit.AuditEntry.action == "user.role_changed")).one()
    assert entry.details == {"login": odd.login, "from": "officer", "to": "staff"}
    entry.summary = "written by an older release in another shape"  # the details are what counts
    db.session.commit()
    [row] = [r for r in log_rows(client) if "更改角色" in r]
    assert f"{odd.login}: 首席质量官 → 工作人员" in row


def test_a_code_made_again_for_one_officer_names_their_filing(client, factory, admin):
    from lms.registry.service import issue_invite_codes

    filing = factory.filing()
    issue_invite_codes([filing])
    db.session.commit()
    assert re.search(rf"生成邀请码 \| 备案 #{filing.id} \| 1 个邀请码（.+ 1）$", log_rows(client)[0])


def test_a_changed_password_or_email_is_on_the_log(client, factory):
    """Who changed an account's password or login, and when: an admin looking into a
    take-over must find it (only making the reset link was recorded)."""
    from sqlalchemy import select

    from lms.core.audit import AuditEntry
    from lms.extensions import db
    from tests.conftest import login

    user = factory.user("staff", email="li@example.gov.cn")
    login(client, user)
    assert client.post("/account/password", data={"current": "correct-horse-1", "password": "another-horse-2",
                                                  "confirm": "another-horse-2"}).status_code == 302
    assert client.post("/account", data={"email": "li.na@example.gov.cn", "current": "another-horse-2"}).status_code == 302
    entries = {e.action: e for e in db.session.scalars(select(AuditEntry))}
    assert entries["user.password_changed"].actor_id == user.id
    assert entries["user.email_changed"].summary == "li@example.gov.cn → li.na@example.gov.cn"
