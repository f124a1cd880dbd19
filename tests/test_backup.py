"""`flask lms backup`: a consistent, checked copy of the SQLite database that opens with its
data; it never overwrites; on PostgreSQL it says to use pg_dump."""

import sqlite3

import pytest

from lms.extensions import db


def test_backup_copies_the_database_and_keeps_the_newest(app, factory, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the copy is SQLite's; PostgreSQL is backed up with pg_dump (next test)")
    factory.filing(officer_name="备份甲")
    runner = app.test_cli_runner()
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["lms", "backup", str(target)])
    assert result.exit_code == 0 and "已备份到" in result.output, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT officer_name FROM filing").fetchall() == [("备份甲",)]
    again = runner.invoke(args=["lms", "backup", str(target)])
    assert again.exit_code != 0 and "已存在，未覆盖" in again.output

    for _ in range(3):  # into instance/backups, keeping the newest two
        result = runner.invoke(args=["lms", "backup", "--keep", "2"])
        assert result.exit_code == 0, result.output
    from pathlib import Path

    kept = sorted((Path(app.instance_path) / "backups").glob("lms-*.sqlite3"))
    assert len(kept) == 2


def test_backup_on_postgresql_says_to_use_pg_dump(app):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("runs on PostgreSQL")
    result = app.test_cli_runner().invoke(args=["lms", "backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_a_backup_that_fails_leaves_no_file_and_says_why(app, tmp_path, monkeypatch):
    """On a full disk the copy stops half-way: no traceback, no empty file that --keep would
    later count as a backup."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the copy is SQLite's")
    from lms.cli import operations

    def full(engine, destination):
        destination.write_bytes(b"SQLite format 3\0")  # what was written before the disk filled
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(operations, "_copy_database", full)
    target = tmp_path / "b.sqlite3"
    result = app.test_cli_runner().invoke(args=["lms", "backup", str(target)])
    assert result.exit_code != 0 and "database or disk is full" in result.output
    assert "没有留下不完整的文件" in result.output and "Traceback" not in result.output
    assert not target.exists()


def test_a_backup_is_readable_by_its_owner_alone(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the copy is SQLite's")
    target = tmp_path / "copy.sqlite3"
    assert app.test_cli_runner().invoke(args=["lms", "backup", str(target)]).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600  # it holds names and mobile numbers
