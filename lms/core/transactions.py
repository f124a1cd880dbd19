"""Pages that only read, or write single statements, run without a transaction on PostgreSQL."""

from __future__ import annotations

from flask import Flask, current_app, request

from lms.extensions import db


def reads_in_autocommit(view):
    """Mark a GET view (put it under @login_required) whose statements need no transaction
    around them: reads, and writes of one statement each, committed as they go.

    On PostgreSQL a transaction costs a BEGIN and a ROLLBACK round trip of its own, as many
    as the page's queries (bench/lesson_page.py). SQLite opens none for reads anyway.
    """
    view.reads_in_autocommit = True
    return view


def install(app: Flask) -> None:
    app.before_request(_autocommit_if_marked)


def _autocommit_if_marked() -> None:
    if request.method not in ("GET", "HEAD"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "reads_in_autocommit", False) or db.engine.dialect.name != "postgresql":
        return
    if not db.session().in_transaction():  # a test's open session keeps its own transaction
        # Set on the driver, as SQLAlchemy's AUTOCOMMIT does for psycopg (no round trip);
        # SQLAlchemy puts the connection back to its default level when it returns to the pool.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def database_reason(error: Exception) -> str:
    """The driver's first line (a constraint, a column type), never SQLAlchemy's own text: that
    quotes the statement with every parameter, which is roster data, into cron logs."""
    cause = getattr(error, "orig", None) or error
    text = getattr(getattr(cause, "diag", None), "message_primary", None) or str(cause)
    return text.strip().splitlines()[0] if text.strip() else type(cause).__name__
