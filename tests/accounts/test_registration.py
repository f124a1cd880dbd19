"""Registering with an invitation code, as an officer on a phone does it."""

import re

from tests.conftest import login
from tests.registry.test_views import invite_codes

PASSWORD = {"password": "long-enough-1", "confirm": "long-enough-1"}


def test_phone_number_fields_bring_up_the_number_pad(app, client, factory):
    register = client.get("/register").get_data(as_text=True)
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', register).group(0)
    assert 'type="tel"' in phone and 'autocomplete="tel"' in phone
    login_field = re.search(r'<input[^>]*name="login"[^>]*>', client.get("/login").get_data(as_text=True)).group(0)
    assert 'type="text"' in login_field  # a phone number or an e-mail address: the full keyboard
    admin = app.test_client()
    login(admin, factory.user("admin"))
    new_user = admin.get("/admin/users/new").get_data(as_text=True)
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', new_user).group(0)
    assert 'type="tel"' in phone and 'autocomplete="off"' in phone  # someone else's number


def test_registering_with_another_mobile_says_which_number_signs_in(app, as_staff, factory):
    factory.filing(officer_name="刘强", mobile="13017568205")
    code = invite_codes(as_staff)[0][5]
    officer = app.test_client()
    page = officer.post("/register", follow_redirects=True, data={
        "code": code, "name": "刘强", "phone": "139 0000 0000", **PASSWORD}).get_data(as_text=True)
    assert "注册成功" in page
    assert "您今后用手机号码 13900000000 登录" in page and "130****8205" in page


def test_registering_with_the_filings_mobile_says_nothing_more(app, as_staff, factory):
    factory.filing(officer_name="刘强", mobile="13017568205")
    code = invite_codes(as_staff)[0][5]
    page = app.test_client().post("/register", follow_redirects=True, data={
        "code": code, "name": "刘强", "phone": "+86 130 1756 8205", **PASSWORD}).get_data(as_text=True)
    assert "注册成功" in page and "您今后用手机号码" not in page


def test_the_staff_successor_form_brings_up_the_number_pad(as_staff, factory):
    filing = factory.filing()
    page = as_staff.get(f"/staff/registry/enterprises/{filing.enterprise_id}").get_data(as_text=True)
    mobile = re.search(r'<input[^>]*name="mobile"[^>]*>', page).group(0)
    assert 'type="tel"' in mobile and 'autocomplete="off"' in mobile
