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
