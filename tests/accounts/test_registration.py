"""Registering with an invitation code, as an officer on a phone does it."""

import re

import pytest

from tests.conftest import login
from tests.registry.test_views import invite_codes

PASSWORD = {"password": "long-enough-1", "confirm": "long-enough-1"}


@pytest.fixture
def program(app):
    """A current programme: the officer's training page staff open needs one."""
    from datetime import timedelta

    from lms.core.clock import local_today
    from lms.extensions import db
    from lms.programs.models import Program

    today = local_today()
    program = Program(name="2026 培训", requirements=[], hours_required=32, starts_on=today - timedelta(days=400),
                      deadline=today + timedelta(days=60), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


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
    form = {"code": code, "name": "刘强", "phone": "139 0000 0000", **PASSWORD}
    asked = officer.post("/register", data=form).get_data(as_text=True)
    # Not the filing's number: asked to look again, with the passwords kept on the page.
    assert "与备案上登记的号码（130****8205）不一致" in asked and "注册成功" not in asked
    assert asked.count('value="long-enough-1"') == 2
    confirmed = re.search(r'name="phone_confirmed"[^>]*value="([^"]*)"', asked).group(1)
    from lms.accounts.models import User
    from lms.extensions import db
    assert db.session.query(User).filter_by(phone="13900000000").first() is None  # nothing made yet
    page = officer.post("/register", follow_redirects=True,
                        data={**form, "phone_confirmed": confirmed}).get_data(as_text=True)
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


def test_a_number_changed_after_the_question_is_asked_about_again(app, as_staff, factory):
    factory.filing(officer_name="刘强", mobile="13017568205")
    code = invite_codes(as_staff)[0][5]
    form = {"code": code, "name": "刘强", "phone": "13900000001", "phone_confirmed": "13900000000", **PASSWORD}
    page = app.test_client().post("/register", data=form).get_data(as_text=True)
    assert "您填写的手机号码 13900000001 与备案上登记的号码" in page and "注册成功" not in page


def test_staff_correct_a_mistyped_login_number_and_the_old_one_stops_working(app, as_staff, factory, program):
    filing = factory.filing(officer_name="刘强", mobile="13017568205")
    officer = factory.user("officer", name="刘强", phone="13900000000")
    filing.user_id = officer.id
    from lms.extensions import db
    db.session.commit()
    page = as_staff.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True)
    assert "登录名 13900000000" in page
    url = f"/staff/accounts/{officer.id}/phone"
    assert url in page
    form = as_staff.get(url).get_data(as_text=True)
    assert "备案上登记的手机号码：13017568205" in form
    bad = as_staff.post(url, data={"phone": "12345"}).get_data(as_text=True)
    assert "手机号码格式不正确" in bad
    taken = factory.user("officer", name="王五", phone="13700009999")
    assert "已用于另一个账号（王五）" in as_staff.post(url, data={"phone": taken.phone}).get_data(as_text=True)
    r = as_staff.post(url, data={"phone": "130 1756 8205", "next": f"/staff/coverage/filings/{filing.id}"})
    assert r.status_code == 302 and r.location.endswith(f"/staff/coverage/filings/{filing.id}")
    db.session.refresh(officer)
    assert officer.phone == "13017568205"
    client = app.test_client()
    assert client.post("/login", data={"login": "13900000000", "password": "correct-horse-1"}).status_code == 401
    r = client.post("/login", data={"login": "13017568205", "password": "correct-horse-1"})
    assert r.status_code == 302
    admin = app.test_client()
    login(admin, factory.user("admin"))
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "更正登录手机号码" in log and "13900000000 → 13017568205" in log


def test_staff_cannot_change_a_staff_members_login_but_an_admin_can(app, as_staff, factory):
    colleague = factory.user("staff", phone="13700008888")
    assert as_staff.get(f"/staff/accounts/{colleague.id}/phone").status_code == 403
    admin = app.test_client()
    login(admin, factory.user("admin"))
    assert admin.post(f"/staff/accounts/{colleague.id}/phone", data={"phone": "13700008889"}).status_code == 302


def test_the_user_list_finds_an_officer_by_enterprise_and_filing_mobile_and_names_the_enterprise(app, factory):
    filing = factory.filing(officer_name="刘强", mobile="13017568205")
    officer = factory.user("officer", name="刘强", phone="13900000000")
    factory.user("officer", name="刘强", phone="13900000002")  # the same name, no filing
    filing.user_id = officer.id
    from lms.extensions import db
    db.session.commit()
    admin = app.test_client()
    login(admin, factory.user("admin"))
    for q in ("13017568205", filing.enterprise.name):
        page = admin.get("/admin/users", query_string={"q": q}).get_data(as_text=True)
        assert "13900000000" in page and "13900000002" not in page and filing.enterprise.name in page


def test_staff_hand_an_officer_who_forgot_the_password_a_link_that_sets_a_new_one(app, as_staff, factory, program):
    filing = factory.filing(officer_name="刘强")
    officer = factory.user("officer", name="刘强", phone="13900000000")
    filing.user_id = officer.id
    from lms.extensions import db
    db.session.commit()
    back = f"/staff/coverage/filings/{filing.id}"
    page = as_staff.post(f"/staff/accounts/{officer.id}/reset-link", data={"next": back}).get_data(as_text=True)
    link = re.search(r'id="reset-url"[^>]*>(http[^<]+/reset/[^<]+)<', page).group(1)
    assert f'href="{back}"' in page and "刘强（13900000000）" in page
    token_path = link.split("://", 1)[1].split("/", 1)[1]
    officer_client = app.test_client()
    r = officer_client.post("/" + token_path, data={"password": "brand-new-pass-9", "confirm": "brand-new-pass-9"})
    assert r.status_code == 302
    assert officer_client.post("/login", data={"login": "13900000000", "password": "brand-new-pass-9"}).status_code == 302
    admin_of_staff = factory.user("admin")
    assert as_staff.post(f"/staff/accounts/{admin_of_staff.id}/reset-link").status_code == 403


def test_registration_mistakes_are_named_in_words_and_good_passwords_stay(app, client):
    page = client.post("/register", data={"code": "AB", "name": "刘强", "phone": "1390000", **PASSWORD})
    text = page.get_data(as_text=True)
    assert "邀请码是 10 个字母和数字" in text and "手机号码格式不正确：请填写 11 位手机号码" in text
    assert "字段长度" not in text  # not the form library's own words
    assert text.count('value="long-enough-1"') == 2  # the passwords were fine: still there
    bad = client.post("/register", data={"code": "ABCD-EFGH-JK", "name": "刘强", "phone": "13900000000",
                                         "password": "long-enough-1", "confirm": "other-one-2"})
    assert 'value="long-enough-1"' not in bad.get_data(as_text=True)  # they must be typed again
