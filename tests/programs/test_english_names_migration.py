"""The migration adding programmes' and exams' English names keeps their rows both ways, and
on SQLite, where a downgrade copies the programme table, keeps one current programme at most."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms import create_app
from lms.extensions import db
from tests.conftest import IS_POSTGRES, TEST_DB_URL, TestConfig

BEFORE = "c4d8e2f1a7b3"  # the revision before 206fda935921, English names
SCHEMA = "english_names_migration"  # on PostgreSQL: the suite's own schema stays at the head


@pytest.fixture
def old_app(tmp_path):
    if IS_POSTGRES:
        with create_app(TestConfig(tmp_path)).app_context():
            db.session.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
            db.session.commit()
            db.engine.dispose()
        url = f"{TEST_DB_URL}{'&' if '?' in TEST_DB_URL else '?'}options=-csearch_path%3D{SCHEMA}"
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(TestConfig(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()
    if IS_POSTGRES:
        with create_app(TestConfig(tmp_path)).app_context():
            db.session.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
            db.session.commit()
            db.engine.dispose()


def add_rows() -> None:
    now = {"now": "2026-01-01 00:00:00+00:00"}
    db.session.execute(text(
        "INSERT INTO exam (id, title, description, rules, time_limit_minutes, pass_percent, attempts_allowed,"
        " wait_minutes, shuffle_questions, shuffle_options, partial_credit, review_allowed, is_active,"
        " created_at, updated_at) VALUES (1, '结业考试', '说明', '[]', 60, 60, 3, 0, TRUE, TRUE, FALSE, TRUE,"
        " TRUE, :now, :now)"), now)
    for number, current in ((1, True), (2, False)):
        db.session.execute(text(
            "INSERT INTO program (id, name, description, requirements, exam_id, hours_required, starts_on,"
            " deadline, target_percent, certificate_months, is_current, created_at, updated_at)"
            f" VALUES ({number}, '{2025 + number} 年培训', '', '[]', 1, 0, '2026-01-01', '2026-12-31', 100, 36,"
            f" {'TRUE' if current else 'FALSE'}, :now, :now)"), now)
    db.session.commit()


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table, schema=SCHEMA if IS_POSTGRES else None)}


def test_english_names_are_added_empty_and_dropped_keeping_the_rows(old_app):
    add_rows()
    upgrade()
    assert {"title_en", "description_en"} <= columns("exam") and "name_en" in columns("program")
    assert db.session.execute(text("SELECT name, name_en FROM program ORDER BY id")).all() \
        == [("2026 年培训", None), ("2027 年培训", None)]
    db.session.execute(text("UPDATE program SET name_en = '2026 Training' WHERE id = 1"))
    db.session.execute(text("UPDATE exam SET title_en = 'Final exam', description_en = 'About'"))
    db.session.commit()
    downgrade(revision=BEFORE)
    assert not {"title_en", "description_en"} & columns("exam") and "name_en" not in columns("program")
    assert db.session.execute(text("SELECT id, name, exam_id FROM program ORDER BY id")).all() \
        == [(1, "2026 年培训", 1), (2, "2027 年培训", 1)]
    assert db.session.execute(text("SELECT title FROM exam")).scalars().all() == ["结业考试"]
    # Still a partial index: more than one programme that is not current, one current at most.
    db.session.execute(text(
        "INSERT INTO program (id, name, description, requirements, hours_required, starts_on, deadline,"
        " target_percent, certificate_months, is_current, created_at, updated_at) VALUES (3, '旧', '', '[]',"
        " 0, '2025-01-01', '2025-12-31', 100, 36, FALSE, '2025-01-01 00:00:00+00:00',"
        " '2025-01-01 00:00:00+00:00')"))
    db.session.commit()
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.execute(text("UPDATE program SET is_current = TRUE WHERE id = 2"))
    db.session.rollback()
    upgrade()
    assert "name_en" in columns("program")
