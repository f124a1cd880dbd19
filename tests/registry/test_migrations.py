"""Migrations that alter the roster's tables keep their rows, and end with the schema the
models describe."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms import create_app
from lms.extensions import db
from tests.conftest import IS_POSTGRES, TestConfig

BEFORE_ROSTER_CHECKS = "4c0f3a9d2b71"  # the revision before b7e2d5a1c9f3, which recreates both tables on SQLite


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL alters tables in place; SQLite batch mode copies them")
def test_recreating_the_enterprise_table_on_sqlite_keeps_its_filings(tmp_path):
    app = create_app(TestConfig(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade(revision=BEFORE_ROSTER_CHECKS)
        now = "2026-01-01 00:00:00.000000"
        db.session.execute(text("INSERT INTO town (id, name, is_active, sort_order) VALUES (1, '相南街道', 1, 0)"))
        db.session.execute(text(
            "INSERT INTO enterprise (id, uscc, name, scale, is_above_scale, industry_code, industry_name, town_id,"
            " created_at, updated_at) VALUES (1, '913406030000000000', '测试企业', 'small', 0, '', '', 1, :now, :now)"
        ), {"now": now})
        db.session.execute(text(
            "INSERT INTO filing (enterprise_id, officer_name, gender, id_number_masked, education, title, position,"
            " mobile, email, appointed_on, filed_on, end_reason, status, created_at, updated_at)"
            " VALUES (1, '王伟', '', '', '', '', '质量总监', '13900000000', '', :day, :day, '', 'current', :now, :now)"
        ), {"now": now, "day": date(2025, 3, 1).isoformat()})
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT officer_name FROM filing WHERE enterprise_id = 1")).scalars().all() \
            == ["王伟"]
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(Exception, match="CHECK"):
            db.session.execute(text("UPDATE enterprise SET scale = 'huge'"))
        db.session.rollback()
        indexes = set(db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'filing'")).scalars())
        assert {"uq_filing_current_per_enterprise", "ix_filing_enterprise_coverage", "ix_filing_user_id"} <= indexes
