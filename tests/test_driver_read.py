"""Reads through the driver (lms/core/driver_read.py) return what SQLAlchemy returns."""

from datetime import datetime

from sqlalchemy import bindparam, select

from lms.accounts.models import User
from lms.core.driver_read import DriverRead
from lms.extensions import db

_BY_ID = select(User.id, User.name, User.is_active_account, User.password_changed_at,
                User.last_login_at, User.locale).where(User.id == bindparam("user"))


def test_values_come_back_as_sqlalchemy_returns_them(app, factory):
    user = factory.user("officer", name="王五")
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
