"""Signing in and out, passwords, reset links, throttling."""

import re
import time
from datetime import UTC, datetime

import pytest

from lms.accounts import service
from lms.extensions import db
from tests.conftest import login


def test_sign_in_by_email_and_by_phone(client, factory):
    by_mail = factory.user("officer", email="Li@Example.com")
    by_phone = factory.user("officer", phone="13912340000")
    r = client.post("/login", data={"login": " li@example.COM ", "password": "correct-horse-1"})
    assert r.status_code == 302
    client.post("/logout")
    r = client.post("/login", data={"login": "+86 139 1234 0000", "password": "correct-horse-1"})
    assert r.status_code == 302
    assert by_mail.last_login_at is not None or by_phone.last_login_at is not None


def test_wrong_password_says_so_without_naming_the_wrong_part(client, factory):
    user = factory.user("officer")
    r = client.post("/login", data={"login": user.login, "password": "nope"})
    assert r.status_code == 401
    assert "手机号码/电子邮箱或密码不正确" in r.get_data(as_text=True)
    r = client.post("/login", data={"login": "nobody@example.com", "password": "nope"})
    page = r.get_data(as_text=True)
    assert "手机号码/电子邮箱或密码不正确" in page
    # on the (emptied) password field, where focus goes and a screen reader reads it
    password = re.search(r'<input[^>]*name="password"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in password and 'aria-describedby="password-error-1"' in password
    assert 'id="password-error-1">手机号码/电子邮箱或密码不正确' in page
    assert 'value="nobody@example.com"' in page  # the login stays as typed


def test_passwords_are_stored_hashed(factory):
    user = factory.user("officer", password="s3cret-pass")
    assert "s3cret-pass" not in user.password_hash and user.check_password("s3cret-pass")


def test_login_is_throttled_with_a_clear_message(client, factory):
    user = factory.user("officer")
    for _ in range(5):
        assert client.post("/login", data={"login": user.login, "password": "bad"}).status_code == 401
    r = client.post("/login", data={"login": user.login, "password": "correct-horse-1"})
    assert r.status_code == 429
    assert "尝试次数过多" in r.get_data(as_text=True)


def test_strangers_guessing_at_an_account_do_not_lock_its_owner_out(client, factory):
    user = factory.user("officer")
    for n in range(5):  # five addresses, five bad passwords each would be stopped one by one
        assert client.post("/login", data={"login": user.login, "password": "bad"},
                           environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code == 401
    assert client.post("/login", data={"login": user.login, "password": "bad"},
                       environ_base={"REMOTE_ADDR": "203.0.113.0"}).status_code == 401
    owner = client.post("/login", data={"login": user.login, "password": "correct-horse-1"},
                        environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert owner.status_code == 302


def test_an_unknown_account_costs_a_password_check_too(client, monkeypatch):
    """So that a quick answer does not tell that no such account exists."""
    import lms.accounts.service as service

    checked = []
    real = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda *args: checked.append(args) or real(*args))
    assert client.post("/login", data={"login": "13912340000", "password": "whatever-1"}).status_code == 401
    assert len(checked) == 1


def test_successful_logins_do_not_use_up_the_allowance(client, factory):
    user = factory.user("officer")
    for _ in range(7):
        login(client, user)
        client.post("/logout")


def test_next_redirect_only_to_our_own_pages(client, factory):
    user = factory.user("staff")
    for target, expected in [("/staff/registry/towns", "/staff/registry/towns"),
                             ("https://evil.example/x", "/"), ("//evil.example", "/"),
                             ("/\\evil.example", "/")]:
        r = client.post(f"/login?next={target}", data={"login": user.login, "password": "correct-horse-1"})
        assert r.location.endswith(expected) and "evil" not in r.location, target
        client.post("/logout")


def test_session_cookie_is_httponly_and_samesite(client, factory):
    user = factory.user("officer")
    r = login(client, user)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_post(client, factory):
    login(client, factory.user("officer"))
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/me").status_code == 302


def test_change_password_requires_the_current_one(client, factory):
    user = factory.user("officer")
    login(client, user)
    r = client.post("/account/password", data={"current": "wrong", "password": "new-password-1",
                                               "confirm": "new-password-1"})
    assert "当前密码不正确" in r.get_data(as_text=True)
    client.post("/account/password", data={"current": "correct-horse-1", "password": "new-password-1",
                                           "confirm": "new-password-1"})
    client.post("/logout")
    assert client.post("/login", data={"login": user.login, "password": "new-password-1"}).status_code == 302


def test_the_new_password_must_differ_from_the_current_one(client, factory):
    user = factory.user("officer")
    login(client, user)
    page = client.post("/account/password", data={"current": "correct-horse-1", "password": "correct-horse-1",
                                                  "confirm": "correct-horse-1"}).get_data(as_text=True)
    assert "新密码不能与当前密码相同" in page and "密码已修改" not in page


def test_an_admin_is_not_offered_to_change_or_disable_their_own_account(client, factory):
    admin = factory.user("admin")
    other = factory.user("staff")
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{other.id}/role" in page and f"/admin/users/{admin.id}/role" not in page
    assert f"/admin/users/{admin.id}/active" not in page and "（您本人）" in page


def test_admin_reset_link_sets_a_password_once(client, factory):
    officer = factory.user("officer")
    admin = factory.user("admin")
    login(client, admin)
    page = client.post(f"/admin/users/{officer.id}/reset-link").get_data(as_text=True)
    link = page.split('id="reset-url" aria-label="链接">')[1].split("<")[0]
    path = link.replace("http://localhost", "")
    assert 'data-copy="reset-url"' in page  # a button copies it, to paste into WeChat
    assert "只能在服务器这台电脑上打开" in page  # the test server's own address: said so
    client.post("/logout")
    assert client.get(path).status_code == 200
    r = client.post(path, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert r.status_code == 302
    assert client.get(path).status_code == 400  # used: the password changed since it was made
    assert client.post("/login", data={"login": officer.login, "password": "brand-new-pass"}).status_code == 302


def test_reset_link_expires_and_tampering_is_detected(app, factory, client):
    officer = factory.user("officer")
    token = service.make_reset_token(officer)
    assert client.get(f"/reset/{token[:-2]}xx").status_code == 400
    app.config["RESET_LINK_HOURS"] = 0
    time.sleep(1.1)
    assert client.get(f"/reset/{token}").status_code == 400


def test_role_change_is_audited_and_listed(client, factory):
    from lms.core.audit import AuditEntry

    admin = factory.user("admin")
    officer = factory.user("officer")
    login(client, admin)
    client.post(f"/admin/users/{officer.id}/role", data={"role": "staff"})
    db.session.refresh(officer)
    assert officer.role == "staff"
    entry = db.session.query(AuditEntry).filter_by(action="user.role_changed").one()
    assert entry.actor_id == admin.id
    assert "首席质量官 → 工作人员" in client.get("/admin/audit").get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, factory):
    user = factory.user("officer")
    user.is_active_account = False
    db.session.commit()
    assert client.post("/login", data={"login": user.login, "password": "correct-horse-1"}).status_code == 401


def test_deactivating_an_account_signs_it_out_of_the_sessions_it_has(app, factory):
    from tests.conftest import login

    admin, staff = factory.user("admin"), factory.user("staff")
    desk, admin_desk = app.test_client(), app.test_client()
    login(desk, staff)
    login(admin_desk, admin)
    assert desk.get("/staff/registry/filings").status_code == 200
    r = admin_desk.post(f"/admin/users/{staff.id}/active")
    assert r.status_code == 302
    r = desk.get("/staff/registry/filings")  # the same browser, still holding its session cookie
    assert r.status_code == 302 and "/login" in r.location
    page = admin_desk.get("/admin/users").get_data(as_text=True)
    assert f"账号 {staff.login} 已停用" in page  # the admin is told what happened
    refused = admin_desk.post(f"/admin/users/{staff.id}/reset-link", follow_redirects=True).get_data(as_text=True)
    assert "请先启用，再生成重置链接" in refused and "/reset/" not in refused


def test_english_can_be_chosen_and_chinese_is_the_default(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_a_new_password_signs_out_every_other_session(app, factory):
    user = factory.user("officer")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    assert phone.get("/me").status_code == 200
    laptop.post("/account/password", data={"current": "correct-horse-1", "password": "new-password-1",
                                           "confirm": "new-password-1"})
    assert laptop.get("/me").status_code == 200  # the one that changed it stays signed in
    response = phone.get("/me")
    assert response.status_code == 302 and "/login" in response.location


def test_an_admins_new_password_signs_the_user_out(app, factory):
    from lms.extensions import db

    user = factory.user("officer")
    client = app.test_client()
    login(client, user)
    user.set_password("set-by-admin-1")
    db.session.commit()
    assert "/login" in client.get("/me").location


def test_remember_me_keeps_a_device_signed_in_until_the_password_changes(app, factory):
    from flask import current_app

    user = factory.user("officer")
    client = app.test_client()
    client.post("/login", data={"login": user.login, "password": "correct-horse-1", "remember": "y"})
    cookie = client.get_cookie(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert cookie is not None
    days = (cookie.expires - datetime.now(UTC)).days if cookie.expires.tzinfo else None
    assert days is not None and 13 <= days <= 14  # two weeks on a shared office PC, not a year
    fresh = app.test_client()  # the browser was closed: only the remember-me cookie is left
    fresh.set_cookie(cookie.key, cookie.value)
    assert fresh.get("/me").status_code == 200
    user.set_password("changed-elsewhere-1")
    db.session.commit()
    later = app.test_client()
    later.set_cookie(cookie.key, cookie.value)
    assert "/login" in later.get("/me").location


def test_an_officer_whose_filing_ended_is_told_so_not_asked_to_claim_one(client, factory):
    from datetime import date

    from lms.extensions import db
    from lms.registry.service import end_filing
    from tests.conftest import login

    officer = factory.user("officer")
    filing = factory.filing(officer_name=officer.name, user_id=officer.id)
    login(client, officer)
    assert "我的备案" in client.get("/me").get_data(as_text=True)
    end_filing(filing, date(2026, 10, 8), "离职", status="replaced")
    db.session.commit()
    page = client.get("/me").get_data(as_text=True)
    assert "备案已于 2026-10-08 结束" in page and filing.enterprise.name in page
    assert "请用区市场监管局发放的邀请码认领" not in page


def test_an_ended_filing_s_officer_sees_that_enterprise_s_requirements_and_no_countdown(client, factory):
    from datetime import date, timedelta

    from lms.core.clock import local_today
    from lms.extensions import db
    from lms.programs.models import Program
    from lms.registry.service import end_filing
    from tests.conftest import login

    db.session.add(Program(name="2026 培训", is_current=True, starts_on=local_today() - timedelta(days=30),
                           deadline=local_today() + timedelta(days=28),
                           requirements=[{"type": "course", "course": "haccp", "industries": ["C14"]}]))
    officer = factory.user("officer")
    filing = factory.filing(factory.enterprise(industry_code="C1431"), officer_name=officer.name, user_id=officer.id)
    login(client, officer)
    before = client.get("/me").get_data(as_text=True)
    assert "已完成 0 / 1 项要求" in before and "还剩 28 天" in before
    end_filing(filing, date(2026, 10, 8), "离职", status="replaced")
    db.session.commit()
    after = client.get("/me").get_data(as_text=True)
    assert "已完成 0 / 1 项要求" in after and "还剩" not in after


@pytest.mark.parametrize("weak", ["12345678", "password", "88888888", "abcdefgh", "Qwertyuiop", "woaini1314"])
def test_common_passwords_are_refused_with_a_reason(client, factory, weak):
    user = factory.user("officer")
    login(client, user)
    r = client.post("/account/password", data={"current": "correct-horse-1", "password": weak, "confirm": weak})
    assert "这个密码太常见" in r.get_data(as_text=True)
    short = client.post("/account/password", data={"current": "correct-horse-1", "password": "a1b2", "confirm": "a1b2"})
    assert "密码至少 8 个字符" in short.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"login": user.login, "password": weak}).status_code == 401


def test_the_cli_makes_accounts_only_with_a_role_a_name_and_a_real_password(app):
    from lms.accounts.service import find_user

    runner = app.test_cli_runner()
    no_role = runner.invoke(args=["lms", "create-user", "13912345678", "--name", "官员", "--password", "correct-horse-1"])
    assert no_role.exit_code == 2 and "--role" in no_role.output  # no default: never staff by accident
    for name, password, why in (("官员", "1", "密码至少 8 个字符"), ("官员", "12345678", "这个密码太常见"),
                                ("  ", "correct-horse-1", "请填写姓名")):
        result = runner.invoke(args=["lms", "create-user", "13912345678", "--name", name, "--role", "officer",
                                     "--password", password])
        assert result.exit_code == 1 and why in result.output, result.output
    assert find_user("13912345678") is None
    made = runner.invoke(args=["lms", "create-user", "13912345678", "--name", "官员", "--role", "officer",
                               "--password", "correct-horse-1"])
    assert made.exit_code == 0 and find_user("13912345678").role == "officer"
    weak = runner.invoke(args=["lms", "set-password", "13912345678", "--password", "x"])
    assert weak.exit_code == 1 and "密码至少 8 个字符" in weak.output


def test_signing_out_everywhere_ends_every_session_and_remembered_device(app, factory):
    from flask import current_app

    user = factory.user("officer")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    elsewhere.post("/login", data={"login": user.login, "password": "correct-horse-1", "remember": "y"})
    remembered = elsewhere.get_cookie(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert elsewhere.get("/me").status_code == 200
    assert "在所有设备上退出" in here.get("/account").get_data(as_text=True)
    done = here.post("/account/sign-out-everywhere", follow_redirects=True).get_data(as_text=True)
    assert "已在所有设备上退出登录" in done
    assert "/login" in here.get("/me").location and "/login" in elsewhere.get("/me").location
    revived = app.test_client()  # the browser elsewhere closed and reopened: only the cookie is left
    revived.set_cookie(remembered.key, remembered.value)
    assert "/login" in revived.get("/me").location
    assert client_can_sign_in(app, user)


def client_can_sign_in(app, user) -> bool:
    return app.test_client().post("/login", data={"login": user.login, "password": "correct-horse-1"}).status_code == 302


def test_an_officer_sees_their_account_and_changes_their_e_mail(client, factory):
    user = factory.user("officer", phone="13911112222")
    factory.filing(factory.enterprise(name="淮北恒润食品有限公司"), user_id=user.id)
    taken = factory.user("officer", email="taken@example.com")
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert "13911112222" in page and "淮北恒润食品有限公司" in page and "手机号码是登录账号" in page
    refused = client.post("/account", data={"email": taken.email, "current": "correct-horse-1"}).get_data(as_text=True)
    assert "该电子邮箱已用于另一个账号" in refused
    assert "电子邮箱格式不正确" in client.post("/account", data={"email": "not-an-address"}).get_data(as_text=True)
    guessed = client.post("/account", data={"email": "thief@example.com", "current": "wrong"}).get_data(as_text=True)
    assert "当前密码不正确" in guessed  # an open session alone cannot change a login
    saved = client.post("/account", data={"email": "Me@Example.com", "current": "correct-horse-1"},
                        follow_redirects=True).get_data(as_text=True)
    assert "电子邮箱已保存" in saved
    db.session.refresh(user)
    assert user.email == "me@example.com"
    client.post("/logout")
    assert client.post("/login", data={"login": "me@example.com", "password": "correct-horse-1"}).status_code == 302


def test_an_account_that_signs_in_by_e_mail_cannot_clear_it(client, factory):
    staff = factory.user("staff", email="staff@example.gov.cn")
    login(client, staff)
    page = client.get("/account").get_data(as_text=True)
    assert "手机号码是登录账号" not in page  # no mobile: nothing to say about one
    response = client.post("/account", data={"email": "", "current": "correct-horse-1"})
    assert response.status_code == 200 and "不能清空它" in response.get_data(as_text=True)
    db.session.refresh(staff)
    assert staff.email == "staff@example.gov.cn"


def test_strangers_exhausting_an_accounts_hourly_limit_do_not_lock_its_owner_out_of_their_browser(app, factory):
    """Thirty failures an hour from everywhere stop guessing at one account; the browser its
    owner signed in with before still signs in, while a new browser waits like a stranger."""
    user = factory.user("officer")
    owner = app.test_client()
    assert owner.post("/login", data={"login": user.login, "password": "correct-horse-1"},
                      environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 302
    owner.post("/logout", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    stranger = app.test_client()
    for n in range(30):  # five a minute per address is allowed: thirty, from six addresses
        assert stranger.post("/login", data={"login": user.login, "password": "bad"},
                             environ_base={"REMOTE_ADDR": f"203.0.113.{n // 5}"}).status_code == 401
    fresh = app.test_client().post("/login", data={"login": user.login, "password": "correct-horse-1"},
                                   environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert fresh.status_code == 429
    again = owner.post("/login", data={"login": user.login, "password": "correct-horse-1"},
                       environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert again.status_code == 302
    forged = app.test_client()
    forged.set_cookie("lms_device", "bm90IHNpZ25lZA")  # a mark of one's own making does not count
    assert forged.post("/login", data={"login": user.login, "password": "correct-horse-1"},
                       environ_base={"REMOTE_ADDR": "198.51.100.21"}).status_code == 429


def test_a_roomful_of_officers_behind_one_address_are_not_locked_out_by_each_others_slips(client, factory):
    users = [factory.user("officer") for _ in range(6)]
    for user in users:  # six officers in one workshop room, each mistyping once
        assert client.post("/login", data={"login": user.login, "password": "bad"}).status_code == 401
    assert client.post("/login", data={"login": users[0].login, "password": "correct-horse-1"}).status_code == 302


def test_one_address_spraying_many_accounts_is_stopped(client, factory):
    for n in range(30):
        client.post("/login", data={"login": f"1390000{n:04d}", "password": "bad"})
    assert client.post("/login", data={"login": "13900009999", "password": "bad"}).status_code == 429


def test_signing_out_deletes_the_remember_me_cookie_and_leaves_only_the_language(app, factory):
    from flask import current_app

    user = factory.user("officer")
    client = app.test_client()
    client.get("/lang/en")
    client.post("/login", data={"login": user.login, "password": "correct-horse-1", "remember": "y"})
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    assert client.get_cookie(name) is not None
    with client.session_transaction() as session:
        session["invite_shown"] = {"filing": 1, "code": "secret"}  # what a staff page may have left
    client.post("/logout")
    assert client.get_cookie(name) is None  # the browser no longer signs itself back in
    with client.session_transaction() as session:
        assert set(session) == {"lang", "_flashes"} and session["lang"] == "en"  # and "You have signed out."
    assert client.get("/me").status_code == 302  # to the sign-in page
