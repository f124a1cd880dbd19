"""The signed-in user, as each request loads it.

Every signed-in page loads its user: one row read through the driver (lms/core/driver_read)
and made into a User the way the ORM makes loaded rows costs a tenth of session.get
(bench/lesson_page.py). The row is read on every request, so disabling an account or
changing its password ends its sessions at once.

A page that needs one row of its own as well can read both in one query: read_signed_in
runs a SELECT carrying the user's columns (user_columns) and makes the user current_user,
one round trip instead of two.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, session
from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached

from lms.accounts.models import User
from lms.accounts.service import parse_login_token, password_stamp
from lms.core.driver_read import DriverRead
from lms.extensions import db, login_manager

_COLUMNS = list(User.__table__.c)
_NAMES = [column.key for column in _COLUMNS]
_PREFIX = "user_"
_BY_ID = DriverRead(select(*_COLUMNS).where(User.__table__.c.id == bindparam("user")))
_new_user = User._sa_class_manager.new_instance


def user_columns() -> list:
    """The user's columns, to come first in a SELECT given to read_signed_in, which is
    filtered by the bind parameter "user" (the signed-in user's id)."""
    return [column.label(_PREFIX + column.key) for column in _COLUMNS]


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user a login token names, or None."""
    parsed = parse_login_token(token)
    if parsed is None:
        return None
    uid, stamp = parsed
    if _in_session(uid):
        known = db.session.get(User, uid)  # already in this session (tests, CLI)
        return known if password_stamp(known.password_changed_at) == stamp else None
    row = _BY_ID.first({"user": uid})
    return _user(dict(zip(_NAMES, row, strict=True)) if row is not None else None, stamp)


def read_signed_in(read: DriverRead, params: dict[str, Any]):
    """The row of read, which selects user_columns(), for the session's user; that user is
    current_user from then on. None when the request is not simply a signed-in session
    (no session user, a stale one, one already loaded): the caller then goes the usual way,
    current_user, and reads its row alone."""
    if "_login_user" in g or current_app.config.get("LOGIN_DISABLED"):
        return None
    if login_manager._session_protection_failed():
        return None
    parsed = parse_login_token(session.get("_user_id"))
    if parsed is None or _in_session(parsed[0]):
        return None
    row = read.first({**params, "user": parsed[0]})
    if row is None:
        return None
    user = _user(dict(zip(_NAMES, row, strict=False)), parsed[1])  # its first columns are the user's
    if user is None:
        return None  # unknown, or signed in before the password last changed
    login_manager._update_request_context_with_user(user)
    return row


def _in_session(uid: int) -> bool:
    return db.session.registry.has() and \
        db.session.identity_map.get(db.session.identity_key(User, uid)) is not None


def _user(values: dict[str, Any] | None, stamp: int) -> User | None:
    if values is None or values["id"] is None or password_stamp(values["password_changed_at"]) != stamp:
        return None  # unknown, or signed in before the password last changed
    # Loaded as the ORM loads rows (no attribute events), as a persistent object.
    user = _new_user()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    if db.session.registry.has():
        db.session.add(user)
    # Else it stays detached (a view that changes it adds it first): most pages only read
    # it, and need no Session at all.
    return user
