"""Reads through the driver (lms/core/driver_read.py) return what SQLAlchemy returns."""

from datetime import datetime

from sqlalchemy import bindparam, select

from lms.accounts.models import User
from lms.core.driver_read import DriverRead
from lms.extensions import db

_BY_ID = select(User.id, User.name, User.is_active_account, User.password_changed_at,
                User.last_login_at, User.locale).where(User.id == bindparam("user"))


def test_values_come_back_as_sqlalchemy_returns_them(app, factory):
    user = factory.user("officer", name="王五", signed_in=False)  # last_login_at stays NULL
    expected = db.session.execute(_BY_ID, {"user": user.id}).one()
    db.session.remove()
    with app.test_request_context():
        row = DriverRead(_BY_ID).first({"user": user.id})
    assert tuple(row) == tuple(expected)
    assert row.name == "王五" and row.is_active_account is True and row.last_login_at is None
    assert isinstance(row.password_changed_at, datetime)


def test_no_row_is_none(app):
    with app.test_request_context():
        assert DriverRead(_BY_ID).first({"user": 999_999}) is None


def test_a_read_sees_what_the_request_wrote_and_has_not_committed(app, factory):
    user = factory.user("officer", name="旧名")
    with app.test_request_context():
        db.session.get(User, user.id).name = "新名"
        db.session.flush()
        assert DriverRead(_BY_ID).first({"user": user.id}).name == "新名"
        db.session.rollback()
        assert DriverRead(_BY_ID).first({"user": user.id}).name == "旧名"


def test_a_read_after_the_server_dropped_the_connection_goes_again_on_a_new_one(app, factory):
    import pytest
    from flask import g
    from sqlalchemy import create_engine, text

    from tests.conftest import IS_POSTGRES

    if not IS_POSTGRES:
        pytest.skip("SQLite has no server to drop a connection")
    user_id = factory.user("officer", name="赵六").id
    db.session.remove()
    read = DriverRead(_BY_ID)
    with app.test_request_context():
        read.first({"user": user_id})
        backend = g._read_connection.driver_connection.info.backend_pid
    # Back in the pool, used a moment ago (so not pinged at checkout): the server drops it.
    other = create_engine(db.engine.url)  # not the pool's: the pool's one is the one to go
    with other.begin() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    other.dispose()
    with app.test_request_context():
        assert read.first({"user": user_id}).name == "赵六"
        assert g._read_connection.driver_connection.info.backend_pid != backend
