"""`flask lms create-user` and `set-password`: a wrong login is refused before the password is asked."""

import pytest


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args, typed="": runner.invoke(args=["lms", *args], input=typed)


TWICE = "correct-horse-1\ncorrect-horse-1\n"


def test_set_password_for_an_unknown_account_says_so_without_asking_for_the_password(run):
    result = run("set-password", "nobody@example.com")
    assert result.exit_code == 1 and "找不到账号 nobody@example.com" in result.output
    assert "Password" not in result.output, result.output


def test_create_user_with_a_malformed_mobile_number_says_so_without_asking_for_the_password(run):
    result = run("create-user", "1380000", "--name", "官员", "--role", "officer")
    assert result.exit_code == 1 and "手机号码格式不正确" in result.output
    assert "Password" not in result.output, result.output


def test_create_user_with_a_login_already_taken_says_so_without_asking_for_the_password(run, factory):
    factory.user("staff", email="taken@example.com")
    result = run("create-user", "Taken@Example.com", "--name", "同事", "--role", "staff")
    assert result.exit_code == 1 and "已注册" in result.output and "taken@example.com" in result.output.lower()
    assert "Password" not in result.output, result.output


def test_create_user_asks_for_the_password_twice_and_makes_the_account(run):
    from lms.accounts.service import authenticate

    result = run("create-user", "13912345678", "--name", "官员", "--role", "officer", typed=TWICE)
    assert result.exit_code == 0 and result.output.count("Password") == 1 and "Repeat" in result.output
    assert authenticate("13912345678", "correct-horse-1").role == "officer"


def test_set_password_asks_for_the_password_twice_and_keeps_the_password_rules(run, factory):
    from lms.accounts.service import authenticate

    user = factory.user("admin", email="admin@example.com")
    weak = run("set-password", "admin@example.com", typed="12345678\n12345678\n")
    assert weak.exit_code == 1 and "这个密码太常见" in weak.output
    done = run("set-password", "admin@example.com", typed="another-horse-2\nanother-horse-2\n")
    assert done.exit_code == 0 and "密码已设置" in done.output
    assert authenticate("admin@example.com", "another-horse-2").id == user.id
