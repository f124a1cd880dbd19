"""Reads on the hottest paths, sent straight to the database driver.

Every signed-in page reads the user, and the lesson page its lesson; run through
SQLAlchemy's execution machinery each of those reads cost four to six times what the
driver takes for it (bench/lesson_page.py). A DriverRead is a Core SELECT compiled once
per dialect; it runs on the connection of the request's Session (same transaction, same
pool), with the parameters and result values converted by the column types' own
processors, so rows come back exactly as SQLAlchemy would return them.

For reads only: statement events (coverage snapshot invalidation) need not see them.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from sqlalchemy.sql import Select

from lms.extensions import db


class DriverRead:
    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}
        self._processors: dict[str, list] = {}

    def first(self, params: dict[str, Any]) -> Any | None:
        """The first row as a named tuple (attributes named as the SELECT's columns), or None."""
        connection = db.session.connection()
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        sql, defaults, binds, order, row_type, types = compiled
        values = {**defaults, **params}
        for name, process in binds:
            values[name] = process(values[name])
        arguments = tuple(values[name] for name in order) if order is not None else values
        cursor = connection.connection.driver_connection.execute(sql, arguments)
        found = cursor.fetchone()
        if found is None:
            return None
        processors = self._processors.get(dialect.name)
        if processors is None:  # some need the driver's type codes, known after a first run
            processors = self._processors[dialect.name] = [
                (index, process) for index, (type_, described) in enumerate(zip(types, cursor.description))
                if (process := dialect.type_descriptor(type_).result_processor(dialect, described[1]))]
        if processors:
            found = list(found)
            for index, process in processors:
                found[index] = process(found[index])
        return row_type._make(found)

    def _compile(self, dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect)
        defaults = compiled.construct_params(_check=False)
        binds = [(name, process) for name, bind in compiled.binds.items()
                 if (process := dialect.type_descriptor(bind.type).bind_processor(dialect))]
        order = list(compiled.positiontup) if compiled.positional else None
        columns = compiled._result_columns  # (key, name, objects, type) as SQLAlchemy reads them
        row_type = namedtuple("Row", [column[0] for column in columns])
        return str(compiled), defaults, binds, order, row_type, [column[3] for column in columns]
