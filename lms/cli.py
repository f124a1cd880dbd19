"""The `flask lms ...` commands: thin wrappers around the domain services."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

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
    from lms.registry.roster_plan import build_preview

    quiet = as_json or not sys.stderr.isatty()
    try:
        # Estimating reads a workbook once more: only for a bar someone sees.
        with click.progressbar(length=1 if quiet else estimate_rows(file), label="读取并校验", file=sys.stderr,
                               hidden=quiet) as bar, file.open("rb") as stream:
            parsed = parse_roster(stream, file.name, progress=bar.update)
        preview = build_preview(parsed)
    except RosterFileError as error:
        if as_json:
            click.echo(json.dumps(_file_error_report(str(error)), ensure_ascii=False))
        else:
            click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    report = preview.as_dict()
    if not as_json:
        _print_preview(preview)
    failure = None  # why nothing was imported, when no row says so
    if not preview.errors and not preview.can_commit:
        failure = "文件中没有数据行，未导入任何数据"
    elif preview.can_commit and not dry_run:
        failure = _commit_roster(preview, file.name, quiet)
    if failure:
        report["errors"].append(_file_error(failure))
    report["committed"] = preview.can_commit and not dry_run and failure is None
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, default=str))
    if preview.errors:
        if not as_json:
            click.echo("文件有错误，未导入任何数据。", err=True)
        sys.exit(1)
    if failure:
        click.echo(failure, err=True)
        sys.exit(1)
    if report["committed"] and not as_json:
        click.echo("导入完成。")


def _commit_roster(preview, filename: str, quiet: bool) -> str | None:
    """Write the preview; on a database error, why nothing was written, in one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from lms.registry.roster_plan import commit_preview

    total = sum(preview.counts.values())
    try:
        with click.progressbar(length=max(total, 1), label="写入", file=sys.stderr, hidden=quiet) as bar:
            commit_preview(preview, filename, progress=bar.update)
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"写入数据库失败，未导入任何数据：{_database_reason(error)}"
    return None


def _database_reason(error: Exception) -> str:
    """The driver's first line (a constraint, a column type), never SQLAlchemy's own text: that
    quotes the statement with every parameter, which is roster data, into cron logs."""
    cause = getattr(error, "orig", None) or error
    text = getattr(getattr(cause, "diag", None), "message_primary", None) or str(cause)
    return text.strip().splitlines()[0] if text.strip() else type(cause).__name__


def _file_error(message: str) -> dict:
    return {"row": 0, "column": "", "message": message}


def _file_error_report(message: str) -> dict:
    """A file that could not be read, in the same keys as a preview, so one reader serves both."""
    from lms.registry.importer import ParsedRoster
    from lms.registry.roster_plan import CHANGE_LABELS, Preview

    report = Preview(parsed=ParsedRoster(header_row=None)).as_dict()
    report.update(counts=dict.fromkeys(CHANGE_LABELS, 0), errors=[_file_error(message)], committed=False)
    return report


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
    from lms.api.models import ApiToken, active_tokens_named
    from lms.api.models import create_token as make
    from lms.core import audit

    name, longest = name.strip(), ApiToken.__table__.c.name.type.length
    if not name:
        raise click.ClickException("请填写令牌名称（例如使用它的系统）。")
    if len(name) > longest:
        raise click.ClickException(f"令牌名称最多 {longest} 个字符，这个有 {len(name)} 个：请改短一些。")
    if active_tokens_named(name):
        raise click.ClickException(f"已有名为“{name}”的有效令牌：请换一个名称（如加上用途或日期），以免吊销时认错。")
    token, plain = make(name)
    audit.record("api_token.created", f"token:{token.id}", f"{name} (cli)")
    db.session.commit()
    click.echo(plain)


@lms_cli.command("list-tokens")
@with_appcontext
def list_tokens() -> None:
    """List the registry API tokens: number, name, created, last used, revoked (never the token)."""
    from flask_babel import format_datetime
    from sqlalchemy import select

    from lms.api.models import ApiToken

    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    if not tokens:
        click.echo("还没有接口令牌。")
        return

    def when(moment) -> str:
        return format_datetime(moment, "yyyy-MM-dd HH:mm") if moment else "—"

    click.echo("编号\t名称\t创建时间\t最近使用\t状态")
    for token in tokens:
        state = "有效" if token.is_active else f"已吊销 {when(token.revoked_at)}"
        click.echo(f"{token.id}\t{token.name}\t{when(token.created_at)}\t{when(token.last_used_at)}\t{state}")


@lms_cli.command("revoke-token")
@click.argument("name")
@click.option("--id", "token_id", type=int, help="Which one, when older tokens share the name (see list-tokens).")
@with_appcontext
def revoke_token(name: str, token_id: int | None) -> None:
    """Revoke the active API token called NAME: requests with it are refused from then on."""
    from sqlalchemy import select

    from lms.api.models import ApiToken, active_tokens_named
    from lms.core import audit
    from lms.core.models import utcnow

    name = name.strip()
    tokens = [token for token in active_tokens_named(name) if token_id in (None, token.id)]
    if not tokens:
        named = select(ApiToken.id).where(ApiToken.name == name)
        if db.session.scalar(named if token_id is None else named.where(ApiToken.id == token_id)):
            click.echo(f"令牌“{name}”已经吊销，未做更改。")
            return
        raise click.ClickException(f"没有名为“{name}”的令牌{f'（编号 {token_id}）' if token_id else ''}；"
                                   "list-tokens 列出全部令牌。")
    if len(tokens) > 1:
        numbers = "、".join(str(token.id) for token in tokens)
        raise click.ClickException(f"有 {len(tokens)} 个名为“{name}”的有效令牌（编号 {numbers}）："
                                   "请用 --id 指定吊销哪一个。")
    token = tokens[0]
    token.revoked_at = utcnow()
    audit.record("api_token.revoked", f"token:{token.id}", f"{token.name} (cli)")
    db.session.commit()
    click.echo(f"已吊销令牌“{name}”（编号 {token.id}）：用它访问接口从现在起会被拒绝。")


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

    key_set = _read_key_set(jwks_file) if jwks_file else _own_key_set()
    try:
        payload = credential.verify_credential(_read_text(file, "凭证文件"), key_set)
    except credential.CredentialError as error:
        _refuse(f"凭证文件 {file}：{error}")
    revoked = None
    if status_file:
        try:
            revoked = status_list.is_revoked(payload, _read_text(status_file, "状态列表文件"), key_set)
        except credential.CredentialError as error:
            _refuse(f"状态列表文件 {status_file}：{error}")
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


def _refuse(message: str) -> NoReturn:
    click.echo(f"验证失败：{message}", err=True)
    sys.exit(1)


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _refuse(f"{what} {path} 不是 UTF-8 文本：是否选错了文件，或下载后被转换过？")


def _read_key_set(path: Path) -> dict:
    text = _read_text(path, "公钥集文件")
    try:
        key_set = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(f"公钥集文件 {path} 不是 JSON（第 {error.lineno} 行第 {error.colno} 列无法解析）")
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        _refuse(f"公钥集文件 {path} 不是公钥集：应为含 keys 列表的 JSON 对象，即 /.well-known/jwks.json 的内容")
    return key_set


def _own_key_set() -> dict:
    from lms.certificates import credential

    try:
        return credential.jwks()
    except (OSError, ValueError) as error:
        _refuse(f"本服务器的公钥无法读取（{error}）：请用 --jwks 指定公钥集文件")


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
        reason = _database_reason(error) if isinstance(error, IntegrityError) else str(error)
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
    if "@" in key and (problem := _email_problem(key)):
        raise click.ClickException(f"{problem}：{login}")
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


def _email_problem(address: str) -> str | None:
    """What the account page's e-mail form says of this address, or None: one rule for both."""
    from werkzeug.datastructures import MultiDict

    from lms.accounts.forms import EmailForm

    # As form data, not data=: the form's Optional() passes any field that was not submitted.
    form = EmailForm(formdata=MultiDict({"email": address}), meta={"csrf": False})
    return None if form.validate() else str(form.email.errors[0])


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
