"""Bulk inserts in the driver's own SQL, for imports of 100,000 rows.

SQLAlchemy's per-row parameter processing costs several times the insert itself at that
size (bench/roster_import.py); this sends plain values on the session's own connection, so
the rows are part of the caller's transaction.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import chain
from operator import methodcaller

from sqlalchemy import Table

from lms.extensions import db

# Bound parameters per statement: SQLite's default limit since 3.32 (a build may set its own,
# asked for below), and PostgreSQL's protocol limit of 65,535.
MAX_PARAMETERS = {"sqlite": 32766, "postgresql": 65535}


def _sqlite_column(python_type: type) -> Callable[[list], list] | None:
    """How a column of Python values becomes what SQLite can take, in the formats SQLAlchemy's
    SQLite dialect writes and reads back; None when it can take them as they are (bool is an int)."""
    if python_type is datetime:
        form = methodcaller("strftime", "%Y-%m-%d %H:%M:%S.%f")
    elif python_type is date:
        form = date.isoformat  # 0005-01-01, as SQLAlchemy writes it (strftime drops the zeros)
    else:
        return None

    def convert(values: list) -> list:  # each distinct value is formatted once
        text = {v: form(v) for v in set(values) if v is not None}
        return list(map(text.get, values))

    return convert


def _sqlite_converters(table: Table, columns: Sequence[str]) -> list[tuple[int, Callable]]:
    return [(i, c) for i, name in enumerate(columns)
            if (c := _sqlite_column(table.c[name].type.python_type)) is not None]


def insert_rows(table: Table, columns: Sequence[str], rows: list[tuple],
                returning: Sequence[str] = ()) -> list[tuple]:
    """INSERT the rows (tuples in the order of columns) into table, in the current transaction.

    Many rows per statement (multi-row VALUES): per-statement work, such as the list a CHECK
    constraint's IN tests against, is then done once per few thousand rows instead of per
    row. Returns the returning columns of the inserted rows, in no particular order.
    """
    if not rows:
        return []
    connection = db.session.connection()
    dialect = connection.dialect
    prepare = dialect.identifier_preparer
    dbapi = connection.connection.dbapi_connection
    limit = MAX_PARAMETERS.get(dialect.name, 999)
    converters = []
    if dialect.name == "sqlite":
        limit = min(limit, dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        converters = _sqlite_converters(table, columns)
    marker = "?" if dialect.name == "sqlite" else "%s"
    values = f"({','.join([marker] * len(columns))})"  # no spaces: the statement is parsed whole
    sql = f"INSERT INTO {prepare.format_table(table)} ({', '.join(map(prepare.quote, columns))}) VALUES "
    tail = f" RETURNING {', '.join(map(prepare.quote, returning))}" if returning else ""
    per_statement = max(limit // len(columns), 1)
    statements: dict[int, str] = {}
    out: list[tuple] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        if len(chunk) not in statements:
            statements[len(chunk)] = sql + ",".join([values] * len(chunk)) + tail
        parameters = list(chain.from_iterable(chunk))
        for index, convert in converters:  # a column is every len(columns)-th parameter
            parameters[index::len(columns)] = convert(parameters[index::len(columns)])
        # Through the Connection, not a bare cursor, so that engine events see the write.
        result = connection.exec_driver_sql(statements[len(chunk)], tuple(parameters))
        if returning:
            out += map(tuple, result.all())
    return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building many small acyclic objects (nesting is fine).

    CPython 3.11 runs its collector every 700 net allocations, and its older generations are
    walked again and again as the rows pile up: a fifth of a 100,000-row import's time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def page_cache(kib: int = 65536) -> Iterator[None]:
    """On SQLite, a page cache (at most kib) big enough for the pages a bulk write touches.

    The default 2 MB makes a 100,000-row import evict and reread index pages; the cache only
    grows as pages are read, and goes back to its usual size afterwards.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size = {int(before)}")
