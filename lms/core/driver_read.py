"""Reads on the hottest paths, sent straight to the database driver.

Every signed-in page reads the user, and the lesson page its lesson; run through
SQLAlchemy's execution machinery each of those reads cost four to six times what the
driver takes for it (bench/lesson_page.py). A DriverRead is a Core SELECT compiled once
per dialect; it runs on a connection of the engine's pool (see _read_connection), with the
parameters and result values converted by the column types' own processors, so rows come
back exactly as SQLAlchemy would return them.

For reads only: statement events (coverage snapshot invalidation) need not see them.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy.sql import Select

from lms.extensions import db


class DriverRead:
    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}
        self._processors: dict[str, list] = {}

    def first(self, params: dict[str, Any]) -> Any | None:
        """The row as a named tuple (attributes named as the SELECT's columns), or None; for
        reads by key, which find one row at most."""
        rows = self.all(params)
        return rows[0] if rows else None

    def all(self, params: dict[str, Any]) -> list[Any]:
        """Every row, each a named tuple as first() returns; for reads of a few dozen rows."""
        dialect = db.engine.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        sql, defaults, binds, order, row_type, types = compiled
        values = {**defaults, **params}
        for name, process in binds:
            values[name] = process(values[name])
        arguments = tuple(values[name] for name in order) if order is not None else values
        cursor = _cursor()
        try:
            cursor.execute(sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            if not _reconnected(error, cursor):
                raise
            cursor = _cursor()
            cursor.execute(sql, arguments)  # once more, on a new connection
        processors = self._processors.get(dialect.name)
        if processors is None:  # some need the driver's type codes, known after a first run
            processors = self._processors[dialect.name] = [
                (index, process) for index, (type_, described) in enumerate(zip(types, cursor.description, strict=True))
                if (process := dialect.type_descriptor(type_).result_processor(dialect, described[1]))]
        rows = cursor.fetchall()  # all, so that SQLite's read lock goes now
        if not processors:
            return list(map(row_type._make, rows))
        out = []
        for found in rows:
            found = list(found)
            for index, process in processors:
                found[index] = process(found[index])
            out.append(row_type._make(found))
        return out

    def _compile(self, dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect)
        defaults = compiled.construct_params(_check=False)
        binds = [(name, process) for name, bind in compiled.binds.items()
                 if (process := dialect.type_descriptor(bind.type).bind_processor(dialect))]
        order = list(compiled.positiontup) if compiled.positional else None
        columns = compiled._result_columns  # (key, name, objects, type) as SQLAlchemy reads them
        row_type = namedtuple("Row", [column[0] for column in columns])
        return str(compiled), defaults, binds, order, row_type, [column[3] for column in columns]


def _cursor():
    """A cursor for reads. A page (GET) reads on a connection taken from the pool for the
    rest of the request: most signed-in pages then read without a Session at all, whose
    setup and teardown cost more than their reads (bench/lesson_page.py). A form (POST and
    the rest) writes through the Session anyway, so it reads on the Session's connection, as
    does any request whose Session has a transaction open (a read sees what it wrote). Each
    pooled connection keeps its cursor: making one costs the driver more than a read by key."""
    if (db.session.registry.has() and db.session().in_transaction()) or \
            not has_request_context() or request.method not in ("GET", "HEAD"):
        pooled = db.session.connection().connection
    else:
        pooled = g.get("_read_connection")
        if pooled is None:
            pooled = g._read_connection = db.engine.raw_connection()
            if db.engine.dialect.name == "postgresql":  # reads only: no BEGIN, no ROLLBACK round trip
                db.engine.dialect.set_isolation_level(pooled.driver_connection, "AUTOCOMMIT")
    driver_connection = pooled.driver_connection
    cursor = pooled.info.get("lms_read_cursor")
    if cursor is None or cursor.connection is not driver_connection:
        cursor = pooled.info["lms_read_cursor"] = driver_connection.cursor()
    return cursor


def _reconnected(error: Exception, cursor) -> bool:
    """After the server dropped the request's read connection (a restart, say): drop the
    pool, as SQLAlchemy does when it sees a disconnect, so that the read can go again on a
    new connection. False for any other error, and for a read inside a transaction, which
    went with the connection."""
    pooled = g.get("_read_connection")
    if pooled is None or pooled.driver_connection is not cursor.connection or \
            not db.engine.dialect.is_disconnect(error, pooled.driver_connection, cursor):
        return False
    g.pop("_read_connection")
    pooled.invalidate(error)
    db.engine.dispose(close=False)  # the others were opened before the drop too
    return True


def release_read_connection(_error=None) -> None:
    """Return the request's read connection to the pool (an app-context teardown)."""
    pooled = g.pop("_read_connection", None)
    if pooled is not None:
        if db.engine.dialect.name == "postgresql":
            db.engine.dialect.reset_isolation_level(pooled.driver_connection)
        pooled.close()
