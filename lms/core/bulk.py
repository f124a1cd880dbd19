"""Bulk inserts through the driver's executemany, for imports of 100,000 rows.

SQLAlchemy's per-row parameter processing costs several times the insert itself at that
size (bench/roster_import.py); this sends plain tuples on the session's own connection, so
the rows are part of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table

from lms.extensions import db


def _sqlite_converters(table: Table, columns: Sequence[str]) -> list[tuple[int, Any]]:
    """(position, converter) for the columns whose Python values SQLite cannot take as they are.

    The formats are the ones SQLAlchemy's SQLite dialect writes and reads back.
    """
    converters = []
    for index, name in enumerate(columns):
        python_type = table.c[name].type.python_type
        if python_type is datetime:
            cache: dict[datetime, str] = {}

            def convert(value, cache=cache):
                if value is None:
                    return None
                if value not in cache:
                    cache[value] = value.strftime("%Y-%m-%d %H:%M:%S.%f")
                return cache[value]

            converters.append((index, convert))
        elif python_type is date:
            converters.append((index, lambda v: v.isoformat() if v is not None else None))
        elif python_type is bool:
            converters.append((index, lambda v: int(v) if v is not None else None))
    return converters


def insert_rows(table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT the rows (tuples in the order of columns) into table, in the current transaction."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect.name
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    name = connection.dialect.identifier_preparer.format_table(table)
    marker = "?" if dialect == "sqlite" else "%s"
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join([marker] * len(columns))})"
    if dialect == "sqlite":
        converters = _sqlite_converters(table, columns)
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            converted.append(values)
        rows = converted
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
