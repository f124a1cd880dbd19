"""What admins type into account forms and the CLI: refused with a reason, or done and said
plainly, and always on the audit log."""

import pytest

from lms.accounts.models import User
from lms.core.audit import AuditEntry
from lms.extensions import db
from tests.conftest import login


@pytest.fixture
def admin(client, factory):
    user = factory.user("admin", name="管理员甲")
    login(client, user)
    return user


def flashes(client) -> str:
    return client.get("/admin/users").get_data(as_text=True)


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args, typed="": runner.invoke(args=["lms", *args], input=typed)


@pytest.mark.parametrize("email", ["notanemail", "a@b", "13912345678"])
def test_a_new_user_with_no_real_email_address_is_refused(client, admin, email):
    page = client.post("/admin/users/new", data={"name": "新同事", "email": email, "role": "staff"})
    assert page.status_code == 200 and "电子邮箱格式不正确" in page.get_data(as_text=True)
    assert db.session.query(User).filter_by(name="新同事").count() == 0


def test_registering_with_no_real_email_address_is_refused(client):
    page = client.post("/register", data={"code": "ABCD-EFGH-JK", "name": "刘强", "phone": "13017568205",
                                          "email": "liuqiang", "password": "Zq8#vLp2mWx", "confirm": "Zq8#vLp2mWx"})
    assert "电子邮箱格式不正确" in page.get_data(as_text=True)
    assert db.session.query(User).filter_by(name="刘强").count() == 0


def test_invisible_characters_are_dropped_from_a_name_and_a_name_of_only_them_is_refused(client, admin):
    client.post("/admin/users/new", data={"name": "孙\u200b八\u202e", "phone": "13800002222", "role": "staff"})
    assert db.session.query(User).filter_by(phone="13800002222").one().name == "孙八"
    page = client.post("/admin/users/new", data={"name": "\u200b\u200b", "phone": "13800003333", "role": "staff"})
    assert "请填写姓名" in page.get_data(as_text=True)
    assert db.session.query(User).filter_by(phone="13800003333").count() == 0


def test_a_role_change_says_whose_role_became_what(client, admin, factory):
    officer = factory.user("officer", name="王五", phone="13800001111")
    client.post(f"/admin/users/{officer.id}/role", data={"role": "staff"})
    assert "王五（13800001111）的角色已改为工作人员" in flashes(client)
    client.post(f"/admin/users/{officer.id}/role", data={"role": "staff"})
    assert "王五 已是工作人员，角色未变" in flashes(client)
    assert db.session.query(AuditEntry).filter_by(action="user.role_changed").count() == 1
    client.post(f"/admin/users/{officer.id}/role", data={"role": "root"})
    assert "未知角色" in flashes(client)
    db.session.refresh(officer)
    assert officer.role == "staff"


def test_a_corrected_login_number_is_the_one_named_afterwards(client, admin):
    url = f"/staff/accounts/{admin.id}/phone"
    page = client.post(url, data={"phone": "13800001111"}, follow_redirects=True).get_data(as_text=True)
    assert f"管理员甲 今后用手机号码 13800001111 或电子邮箱 {admin.email} 登录" in page
    page = client.post(url, data={"phone": "13800001111"}, follow_redirects=True).get_data(as_text=True)
    assert "登录手机号码没有改动" in page


def test_searching_users_for_a_percent_sign_finds_it_not_everyone(client, admin, factory):
    staff = factory.user("staff", name="百分之百")
    listed = [staff.email, admin.email]  # the admin's name is also in the menu bar; the e-mail only in the list
    html = client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert not any(email in html for email in listed)
    html = client.get("/admin/users", query_string={"role": "bogus"}).get_data(as_text=True)
    assert all(email in html for email in listed)  # an unknown role filters nothing


def test_accounts_made_and_passwords_set_on_the_command_line_are_on_the_audit_log(client, admin, run):
    made = run("create-user", "cli@example.gov.cn", "--name", "命令行", "--role", "admin", "--password", "Zq8#vLp2mWx")
    assert made.exit_code == 0, made.output
    assert run("set-password", "cli@example.gov.cn", "--password", "Xw9$kTp3nQz").exit_code == 0
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "新建用户" in log and "cli@example.gov.cn (管理员)" in log
    assert "在命令行设置密码" in log


@pytest.mark.parametrize(("login", "message"), [("", "请给出账号的电子邮箱或手机号码"),
                                                ("notanemail", "notanemail 不是电子邮箱，也不是手机号码")])
def test_the_cli_says_what_is_wrong_with_a_login(run, login, message):
    result = run("create-user", login, "--name", "某人", "--role", "staff", "--password", "Zq8#vLp2mWx")
    assert result.exit_code == 1 and message in result.output


def test_the_cli_keeps_to_the_forms_limits_on_names_and_passwords(run):
    long_name = run("create-user", "13900001111", "--name", "名" * 81, "--role", "staff", "--password", "Zq8#vLp2mWx")
    assert long_name.exit_code == 1 and "姓名最多 80 个字" in long_name.output
    long_password = run("create-user", "13900001111", "--name", "某人", "--role", "staff", "--password", "Zq8#vLp2m" * 15)
    assert long_password.exit_code == 1 and "密码最多 128 个字符" in long_password.output
    assert db.session.query(User).filter_by(phone="13900001111").count() == 0
