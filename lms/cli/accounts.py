"""Accounts and demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli
from lms.core import audit
from lms.core.transactions import database_reason
from lms.extensions import db


@lms_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--force", is_flag=True, help="Load it even though the database has users (not in production).")
@with_appcontext
def seed_demo(if_empty: bool, force: bool) -> None:
    """Load demo towns, enterprises, filings and accounts; print their credentials once."""
    from sqlalchemy.exc import IntegrityError

    from lms.accounts.service import AccountError
    from lms.demo import load_demo

    if if_empty and force:
        raise click.UsageError("--if-empty 与 --force 只能选一个。")
    try:
        credentials = load_demo(only_if_empty=not force)
    except (IntegrityError, AccountError) as error:
        db.session.rollback()
        reason = database_reason(error) if isinstance(error, IntegrityError) else str(error)
        raise click.ClickException(f"演示数据已在数据库中，未再加入（{reason}）。") from error
    if not credentials and if_empty:
        click.echo("数据库中已有用户，跳过演示数据。")
        return
    if not credentials:
        # The demo accounts' passwords are printed, and its enterprises would count in coverage.
        raise click.ClickException("数据库中已有用户，未加入演示数据：演示数据会加入管理员和工作人员账号"
                                   "（密码打印在屏幕上）、虚构的企业、备案和培训计划。确要加入，请加 --force；"
                                   "部署脚本请用 --if-empty。")
    click.echo("\n演示账号（只显示这一次，请记下）：")
    for account in credentials:
        click.echo(f"  {account.role:<8} {account.login:<26} {account.password:<14} {account.note}")
    click.echo("")

def _ask_password() -> str:
    # Asked only once the login is known to be usable, so that a mistyped login costs no password.
    # A script may pipe it in, twice (kept off the command line, where ps shows it): there is no
    # terminal to echo it then, and hiding it would only print Python's warnings that it cannot.
    import sys

    return click.prompt("Password", hide_input=sys.stdin.isatty(), confirmation_prompt=True)

@lms_cli.command("create-user")
@click.argument("login")
@click.option("--name", required=True, help="The person's name as shown in the app.")
@click.option("--role", type=click.Choice(["officer", "staff", "admin"]), required=True,
              help="officer (a CQO), staff (the bureau) or admin (accounts and roles).")
@click.option("--password", help="The new password; asked for twice, hidden, when left out.")
@with_appcontext
def create_user(login: str, name: str, role: str, password: str | None) -> None:
    """Create an account (LOGIN is an e-mail address or a mobile number)."""
    from lms.accounts.service import AccountError, find_user, normalize_login
    from lms.accounts.service import create_user as create
    from lms.registry.identifiers import is_valid_mobile

    key = normalize_login(login)
    if not key:
        raise click.ClickException("请给出账号的电子邮箱或手机号码")
    if "@" in key and (problem := _email_problem(key)):
        raise click.ClickException(f"{problem}：{login}")
    if "@" not in key and not is_valid_mobile(key):
        looks_like_number = sum(c.isdigit() for c in key) * 2 >= len(key)
        raise click.ClickException(f"手机号码格式不正确：{login}" if looks_like_number
                                   else f"{login} 不是电子邮箱，也不是手机号码")
    if find_user(key) is not None:
        raise click.ClickException(f"{login} 已注册；要改密码，请用 set-password")
    try:
        kind = {"email": login} if "@" in login else {"phone": login}
        user = create(name, password or _ask_password(), role=role, **kind)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    # By whoever runs the command (no account: the log says 系统), as the web form's are.
    audit.record("user.created", f"user:{user.id}", f"{user.login} ({user.role})",
                 details={"login": user.login, "role": user.role, "via": "cli"})
    db.session.commit()
    click.echo(f"已创建 {role} 账号 {login}")

def _email_problem(address: str) -> str | None:
    """What the account page's e-mail form says of this address, or None: one rule for both."""
    from werkzeug.datastructures import MultiDict

    from lms.accounts.forms import EmailForm

    # As form data, not data=: the form's Optional() passes any field that was not submitted.
    form = EmailForm(formdata=MultiDict({"email": address}), meta={"csrf": False})
    return None if form.email.validate(form) else str(form.email.errors[0])  # the address field alone

@lms_cli.command("set-password")
@click.argument("login")
@click.option("--password", help="The new password; asked for twice, hidden, when left out.")
@with_appcontext
def set_password(login: str, password: str | None) -> None:
    """Set a user's password (for a lost demo password or a locked-out admin)."""
    from lms.accounts.service import account_owner, find_user, password_problem

    user = find_user(login)
    if user is None:
        raise click.ClickException(f"找不到账号 {login}")
    password = password or _ask_password()
    if problem := password_problem(password, **account_owner(user)):
        raise click.ClickException(problem)
    user.set_password(password)
    audit.record("user.password_set", f"user:{user.id}", f"{user.login} (cli)")
    db.session.commit()
    click.echo("密码已设置。")
