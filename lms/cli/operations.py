"""Jobs for cron: workshop reminders and backups."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import lms_cli
from lms.extensions import db


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
    try:  # created the owner's alone (it holds personal data) and never over another file
        os.close(os.open(destination, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise click.ClickException(f"无法创建 {destination}：{error.strerror}。") from None
    try:
        problem = _copy_database(engine, destination)
    except (sqlite3.Error, OSError) as error:  # the disk filled up, the folder went away...
        destination.unlink(missing_ok=True)  # no partial file for --keep to count as a backup
        raise click.ClickException(f"备份失败（{error}），没有留下不完整的文件。") from None
    if problem != "ok":
        destination.unlink(missing_ok=True)
        raise click.ClickException(f"备份校验失败（{problem}），已删除该文件。")
    click.echo(f"已备份到 {destination}（{destination.stat().st_size / 1e6:.1f} MB）")
    if keep:
        for old in sorted(folder.glob("lms-*.sqlite3"), key=lambda p: (p.stat().st_mtime, p.name))[:-keep]:
            old.unlink()
            click.echo(f"已删除旧备份 {old.name}")


def _copy_database(engine, destination: Path) -> str:
    """SQLite's online backup of the app's database into destination; PRAGMA integrity_check's
    answer on the copy ("ok" when sound)."""
    import sqlite3

    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(destination)
        try:
            raw.driver_connection.backup(target)
            return target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        raw.close()
