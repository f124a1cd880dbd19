"""The `flask lms ...` commands: thin wrappers around the domain services."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("lms")
def lms_cli() -> None:
    """CQO Academy administration."""


@lms_cli.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and preview only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as one JSON object.")
@with_appcontext
def import_roster(file: Path, dry_run: bool, as_json: bool) -> None:
    """Import the filing registry's roster export (XLSX, XLS or CSV)."""
    from lms.registry.importer import RosterFileError, estimate_rows, parse_roster
    from lms.registry.roster_plan import build_preview, commit_preview

    quiet = as_json or not sys.stderr.isatty()
    try:
        # Estimating reads a workbook once more: only for a bar someone sees.
        with click.progressbar(length=1 if quiet else estimate_rows(file), label="读取并校验", file=sys.stderr,
                               hidden=quiet) as bar, file.open("rb") as stream:
            parsed = parse_roster(stream, file.name, progress=bar.update)
        preview = build_preview(parsed)
    except RosterFileError as error:
        if as_json:
            click.echo(json.dumps({"errors": [{"row": 0, "column": "", "message": str(error)}],
                                   "header_row": None, "valid_rows": 0}, ensure_ascii=False))
        else:
            click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(preview.as_dict(), ensure_ascii=False, default=str))
    else:
        _print_preview(preview)
    if preview.errors:
        if not as_json:
            click.echo("文件有错误，未导入任何数据。", err=True)
        sys.exit(1)
    if not preview.can_commit:
        click.echo("文件中没有数据行，未导入任何数据。", err=True)
        sys.exit(1)
    if dry_run:
        return
    total = sum(preview.counts.values())
    with click.progressbar(length=max(total, 1), label="写入", file=sys.stderr, hidden=quiet) as bar:
        commit_preview(preview, file.name, progress=bar.update)
    if not as_json:
        click.echo("导入完成。")


def _print_preview(preview) -> None:
    d = preview.as_dict()
    click.echo(f"表头在第 {d['header_row']} 行；数据 {d['total_rows']} 行，有效 {d['valid_rows']} 行")
    from lms.registry.roster_plan import CHANGE_LABELS

    for kind, count in d["counts"].items():
        click.echo(f"  {CHANGE_LABELS.get(kind, kind)}：{count}")
    if d["unknown_columns"]:
        click.echo("  忽略的列：" + "、".join(d["unknown_columns"]))
    for error in d["errors"][:200]:
        click.echo(f"  第 {error['row']} 行 [{error['column']}] {error['message']}", err=True)
    if len(d["errors"]) > 200:
        click.echo(f"  ……共 {len(d['errors'])} 处错误", err=True)


@lms_cli.command("sync-content")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def sync_content(dry_run: bool) -> None:
    """Load courses/ (and the question bank) into the database, idempotently."""
    from flask import current_app

    from lms.assessment.bank import sync_content as sync
    from lms.catalog.content import ContentError

    root = Path(current_app.config["CONTENT_ROOT"])
    try:
        report = sync(root, dry_run=dry_run)
    except ContentError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException("内容有错误，未做任何更改。") from error
    verb = "将" if dry_run else "已"
    click.echo(f"课程：{verb}新增 {len(report.courses_added)}，更新 {len(report.courses_changed)}，"
               f"停用 {len(report.courses_retired)}；课时：{verb}新增 {len(report.lessons_added)}，"
               f"更新 {len(report.lessons_changed)}，停用 {len(report.lessons_retired)}，"
               f"未变 {report.unchanged}")
    bank = report.extra
    click.echo(f"试题：{verb}新增 {len(bank.added)}，更新 {len(bank.changed)}，停用 {len(bank.retired)}，"
               f"未变 {bank.unchanged}")


@lms_cli.command("import-questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--topic", required=True, help="The course slug the questions belong to.")
@click.option("--format", "fmt", type=click.Choice(["auto", "gift", "aiken", "moodle_xml"]), default="auto")
@click.option("--dry-run", is_flag=True, help="Preview only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as one JSON object.")
@with_appcontext
def import_questions(file: Path, topic: str, fmt: str, dry_run: bool, as_json: bool) -> None:
    """Import questions from GIFT, Aiken or Moodle XML into the bank."""
    from lms.assessment.importer import UnknownTopic, commit_import, preview_import
    from lms.assessment.paper import kind_labels

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException("文件应为 UTF-8 编码") from error
    try:
        preview = preview_import(text, file.name, topic, fmt)
    except UnknownTopic as error:
        raise click.ClickException(str(error)) from error
    report = preview.as_dict()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        kinds = kind_labels()
        click.echo(f"可导入 {report['questions']} 题：" + "，".join(f"{kinds.get(k, k)} {v}"
                                                             for k, v in report["by_type"].items()))
        for item in report["skipped"]:
            click.echo(f"  跳过 第 {item['line']} 行：{item['message']}")
        for item in report["errors"]:
            click.echo(f"  错误 {file.name}:{item['line']}：{item['message']}", err=True)
    if report["errors"]:
        sys.exit(1)
    if not dry_run:
        count = commit_import(preview, file.name)
        if not as_json:
            click.echo(f"已导入 {count} 题。")


@lms_cli.command("create-token")
@click.argument("name")
@with_appcontext
def create_token(name: str) -> None:
    """Create a registry API token; it is printed once and stored only as a digest."""
    from lms.api.models import create_token as make
    from lms.core import audit

    token, plain = make(name)
    audit.record("api_token.created", f"token:{token.id}", f"{name} (cli)")
    db.session.commit()
    click.echo(plain)


@lms_cli.command("verify-credential")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jwks", "jwks_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The bureau's published key set (/.well-known/jwks.json); default: this server's key.")
@click.option("--status-list", "status_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A downloaded status list (/verify/status-list) to check revocation as of its date.")
@with_appcontext
def verify_credential(file: Path, jwks_file: Path | None, status_file: Path | None) -> None:
    """Verify a certificate credential (.jwt) offline. Exit 0: verified; 1: not to be trusted;
    3: genuine but outside its validity period; 4: revoked per the status list."""
    from lms.certificates import credential, status_list

    try:
        key_set = json.loads(jwks_file.read_text(encoding="utf-8")) if jwks_file else credential.jwks()
        payload = credential.verify_credential(file.read_text(encoding="utf-8"), key_set)
        revoked = status_list.is_revoked(payload, status_file.read_text(encoding="utf-8"), key_set) \
            if status_file else None
    except (ValueError, AttributeError, credential.CredentialError) as error:
        click.echo(f"验证失败：{error}", err=True)
        sys.exit(1)
    subject = payload.get("credentialSubject", {})
    click.echo(f"签名有效：由 {payload.get('issuer', {}).get('name', '')}（{payload.get('iss', '')}）签发")
    click.echo(f"  证书编号 {payload.get('certificateNumber', '')}，持证人 {subject.get('name', '')}，"
               f"企业 {subject.get('enterprise', {}).get('name', '')}")
    click.echo(f"  {subject.get('achievement', {}).get('name', '')}，{subject.get('creditsEarned', '')} 学时，"
               f"有效期 {payload.get('validFrom', '')} 至 {payload.get('validUntil', '')}")
    if revoked is None:
        click.echo(f"  是否已撤销须在线查验：{payload.get('id', '')}")
    elif revoked[0]:
        click.echo(f"证书已撤销或换发（据 {revoked[1]} 的状态列表）", err=True)
        sys.exit(4)
    else:
        click.echo(f"  据 {revoked[1]} 的状态列表，证书未被撤销")
    problem = credential.validity_problem(payload)
    if problem:
        click.echo(f"证书{problem}", err=True)
        sys.exit(3)


@lms_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load demo towns, enterprises, filings and accounts; print their credentials once."""
    from lms.demo import load_demo

    credentials = load_demo(only_if_empty=if_empty)
    if not credentials:
        click.echo("数据库中已有用户，跳过演示数据。")
        return
    click.echo("\n演示账号（只显示这一次，请记下）：")
    for account in credentials:
        click.echo(f"  {account.role:<8} {account.login:<26} {account.password:<14} {account.note}")
    click.echo("")


def _ask_password() -> str:
    # Asked only once the login is known to be usable, so that a mistyped login costs no password.
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


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
    if "@" not in key and not is_valid_mobile(key):
        raise click.ClickException(f"手机号码格式不正确：{login}")
    if find_user(key) is not None:
        raise click.ClickException(f"{login} 已注册；要改密码，请用 set-password")
    try:
        kind = {"email": login} if "@" in login else {"phone": login}
        create(name, password or _ask_password(), role=role, **kind)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"已创建 {role} 账号 {login}")


@lms_cli.command("set-password")
@click.argument("login")
@click.option("--password", help="The new password; asked for twice, hidden, when left out.")
@with_appcontext
def set_password(login: str, password: str | None) -> None:
    """Set a user's password (for a lost demo password or a locked-out admin)."""
    from lms.accounts.service import find_user, password_problem

    user = find_user(login)
    if user is None:
        raise click.ClickException(f"找不到账号 {login}")
    password = password or _ask_password()
    if problem := password_problem(password):
        raise click.ClickException(problem)
    user.set_password(password)
    db.session.commit()
    click.echo("密码已设置。")


@lms_cli.command("workshop-reminders")
@click.option("--hours", default=36, show_default=True, type=click.IntRange(1, 24 * 31),
              help="remind about workshops starting within this many hours (1 to 744)")
@with_appcontext
def workshop_reminders(hours: int) -> None:
    """Remind everyone with a seat in a workshop that starts soon, once each (run it daily from cron)."""
    from datetime import timedelta

    from lms.workshops.service import queue_reminders

    count = queue_reminders(ahead=timedelta(hours=hours))
    click.echo(f"已生成 {count} 条开课提醒。")


@lms_cli.command("backup")
@click.argument("destination", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), help="Then delete all but the newest N backups in instance/backups.")
@with_appcontext
def backup(destination: Path | None, keep: int | None) -> None:
    """Copy the SQLite database while the app runs (default: instance/backups/lms-<time>.sqlite3).

    The copy is made with SQLite's online backup, so it is consistent even while officers are
    saving answers, and is checked before this reports success. On PostgreSQL use pg_dump.
    """
    import sqlite3
    from datetime import datetime

    from flask import current_app

    engine = db.engine
    if engine.dialect.name != "sqlite":
        url = engine.url
        raise click.ClickException(
            "数据库是 PostgreSQL：请用 pg_dump 备份，例如 "
            f"pg_dump -h {url.host or 'localhost'} -p {url.port or 5432} -U {url.username or 'postgres'} "
            f"-Fc -f lms.dump {url.database}")
    folder = Path(current_app.instance_path) / "backups"
    if destination is None:
        from lms.core.files import private_dir

        private_dir(folder)
        now = datetime.now()
        destination = folder / f"lms-{now:%Y%m%d-%H%M%S}.sqlite3"
        if destination.exists():  # a second backup within the second
            destination = folder / f"lms-{now:%Y%m%d-%H%M%S-%f}.sqlite3"
    if destination.exists():
        raise click.ClickException(f"{destination} 已存在，未覆盖。")
    if not destination.parent.is_dir():
        raise click.ClickException(f"目录 {destination.parent} 不存在。")
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(destination)
        try:
            raw.driver_connection.backup(target)
            problem = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        raw.close()
    if problem != "ok":
        destination.unlink(missing_ok=True)
        raise click.ClickException(f"备份校验失败（{problem}），已删除该文件。")
    click.echo(f"已备份到 {destination}（{destination.stat().st_size / 1e6:.1f} MB）")
    if keep:
        for old in sorted(folder.glob("lms-*.sqlite3"), key=lambda p: (p.stat().st_mtime, p.name))[:-keep]:
            old.unlink()
            click.echo(f"已删除旧备份 {old.name}")
