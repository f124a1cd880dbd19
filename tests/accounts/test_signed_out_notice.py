"""A device signed out because its account's password changed elsewhere is told so on the
sign-in page, once; a visitor who was never signed in is told nothing."""

from flask import current_app

from lms.extensions import db
from tests.conftest import login

WHY_PASSWORD = "您的密码已在其他设备上修改"
WHY_EVERYWHERE = "您的账号已在所有设备上退出"


def change_password(client, new: str = "brand-new-pass-9") -> None:
    done = client.post("/account/password", data={"current": "correct-horse-1", "password": new, "confirm": new})
    assert done.status_code == 302


def test_a_session_signed_out_by_a_new_password_elsewhere_is_told_why_once(app, factory):
    user = factory.user("officer")
    phone, desk = app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    change_password(desk)
    page = phone.get("/me", follow_redirects=True).get_data(as_text=True)
    assert WHY_PASSWORD in page and "请先登录。" not in page  # the reason instead of the generic word
    assert WHY_PASSWORD not in phone.get("/login").get_data(as_text=True)  # said once


def test_a_remembered_device_signed_out_by_a_new_password_is_told_why(app, factory):
    user = factory.user("officer")
    desk = app.test_client()
    login(desk, user)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"login": user.login, "password": "correct-horse-1", "remember": "y"})
    remembered = elsewhere.get_cookie(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    change_password(desk)
    reopened = app.test_client()  # the browser was closed: only the remember-me cookie is left
    reopened.set_cookie(remembered.key, remembered.value)
    assert WHY_PASSWORD in reopened.get("/me", follow_redirects=True).get_data(as_text=True)


def test_signing_out_everywhere_is_named_as_the_reason(app, factory):
    user = factory.user("officer")
    phone, desk = app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    desk.post("/account/sign-out-everywhere")
    page = phone.get("/me", follow_redirects=True).get_data(as_text=True)
    assert WHY_EVERYWHERE in page and WHY_PASSWORD not in page


def test_a_visitor_never_signed_in_or_simply_signed_out_is_told_nothing(app, client, factory):
    user = factory.user("officer")
    for page in (client.get("/login"), client.get("/me", follow_redirects=True)):
        assert WHY_PASSWORD not in page.get_data(as_text=True) and "signed-out-why" not in page.get_data(as_text=True)
    login(client, user)
    client.post("/logout")
    assert "signed-out-why" not in client.get("/login").get_data(as_text=True)


def test_a_disabled_account_is_not_told_of_a_password_change(app, factory):
    user = factory.user("officer")
    phone = app.test_client()
    login(phone, user)
    user.is_active_account = False
    user.set_password("brand-new-pass-9")
    db.session.commit()
    assert "signed-out-why" not in phone.get("/me", follow_redirects=True).get_data(as_text=True)
