"""A new password a guesser who knows the officer would try first is refused, with the reason:
their mobile, their e-mail's name, a pinyin name with digits, digits alone."""

import pytest

from lms.accounts.service import make_reset_token, password_problem
from tests.conftest import login
from tests.registry.test_views import invite_codes


@pytest.mark.parametrize(("password", "owner", "why"), [
    ("lina1234", {}, "姓名拼音 + 数字"),
    ("zhangwei88", {}, "姓名拼音 + 数字"),
    ("1990wangfang", {}, "姓名拼音 + 数字"),
    ("13912345678", {"phone": "139 1234 5678"}, "不能包含您的手机号码"),
    ("my13912345678", {"phone": "+8613912345678"}, "不能包含您的手机号码"),
    ("Li.Na-is-here", {"email": "li.na@example.com"}, "不能包含您的姓名或电子邮箱用户名"),
    ("i-am-lina!", {"name": "Li Na"}, "不能包含您的姓名或电子邮箱用户名"),
    ("20240917365", {}, "不能全是数字"),
    ("12345678", {}, "这个密码太常见"),
])
def test_a_guessable_password_is_refused_with_its_reason(app, password, owner, why):
    with app.test_request_context():
        assert why in (password_problem(password, **owner) or ""), password


@pytest.mark.parametrize("password", ["correct-horse-1", "long-enough-1", "Tr0ub4dor&3", "dragon12", "blue-sky-1234!"])
def test_a_password_of_other_things_is_accepted(app, password):
    with app.test_request_context():
        assert password_problem(password, name="李娜", phone="13912345678", email="lina@example.com") is None


def test_changing_the_password_to_name_and_digits_or_ones_own_mobile_is_refused(client, factory):
    user = factory.user("officer", phone="13912345678")
    login(client, user)
    for weak, why in (("lina1234", "姓名拼音 + 数字"), ("13912345678", "不能包含您的手机号码")):
        page = client.post("/account/password", data={"current": "correct-horse-1", "password": weak,
                                                      "confirm": weak}).get_data(as_text=True)
        assert why in page and "密码已修改" not in page
    client.post("/logout")
    assert client.post("/login", data={"login": user.login, "password": "lina1234"}).status_code == 401


def test_a_reset_link_refuses_the_e_mail_name_as_password(client, factory):
    user = factory.user("officer", email="wang.fang@example.com")
    token = make_reset_token(user)
    page = client.post(f"/reset/{token}", data={"password": "wangfang-2024", "confirm": "wangfang-2024"})
    assert page.status_code == 200 and "不能包含您的姓名或电子邮箱用户名" in page.get_data(as_text=True)


def test_registering_with_the_mobile_as_password_is_refused(app, as_staff, factory):
    factory.filing(officer_name="刘强", mobile="13017568205")
    code = invite_codes(as_staff)[0][5]
    form = {"code": code, "name": "刘强", "phone": "13017568205", "password": "13017568205", "confirm": "13017568205"}
    page = app.test_client().post("/register", data=form).get_data(as_text=True)
    assert "不能包含您的手机号码" in page and "注册成功" not in page


def test_the_cli_refuses_the_accounts_own_mobile(app, factory):
    factory.user("admin", phone="13912345678")
    result = app.test_cli_runner().invoke(args=["lms", "set-password", "13912345678", "--password", "13912345678"])
    assert result.exit_code == 1 and "不能包含您的手机号码" in result.output
