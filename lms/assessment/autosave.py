"""The autosave's two statements, run on the database driver itself.

Saving one answer is the request an exam morning is made of. Through the ORM session its
two small statements cost several times what the database spends on them (statement
objects, cache keys, result metadata, the unit of work; bench/exam_load.py), so they are
written once as SQL and run on a pooled driver connection of their own.
The rules stay in service.record_answer; this module only reads and writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

from lms.extensions import db

_TARGET = (
    "SELECT aq.id, aq.frozen, a.status, a.deadline_at, u.password_changed_at, aq.response, aq.flagged"
    " FROM attempt_question aq"
    ' JOIN attempt a ON a.id = aq.attempt_id JOIN "user" u ON u.id = a.user_id'
    " WHERE aq.attempt_id = ? AND aq.position = ? AND a.user_id = ? AND u.is_active_account"
)
# Guarded by the attempt's state and deadline in the same statement, so that a late or
# concurrent save cannot slip past a submission.
_GUARD = " WHERE id = ? AND EXISTS (SELECT 1 FROM attempt WHERE attempt.id = ? AND status = 'open' AND deadline_at > ?)"
_SAVE = {
    (True, False): "UPDATE attempt_question SET response = ?, answered_at = ?" + _GUARD,
    (False, True): "UPDATE attempt_question SET flagged = ?" + _GUARD,
    (True, True): "UPDATE attempt_question SET response = ?, answered_at = ?, flagged = ?" + _GUARD,
}


def _aware(value: datetime | str) -> datetime:
    """SQLite hands back text, PostgreSQL an aware datetime; both stored as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Target(NamedTuple):
    """The question being answered and the state of its attempt."""

    id: int
    attempt_id: int
    frozen: dict[str, Any]
    status: str
    deadline_at: datetime
    password_changed_at: datetime
    response: Any  # as saved so far (None: no answer)
    flagged: bool


class Connection:
    """A pooled driver connection for one autosave, in autocommit: the read is only a read,
    and the write is one guarded statement, atomic by itself; no BEGIN and COMMIT to wait for."""

    def __init__(self) -> None:
        self.sqlite = db.engine.dialect.name == "sqlite"
        self._connection = db.engine.raw_connection()
        # What SQLAlchemy's set_isolation_level("AUTOCOMMIT") does for these two drivers,
        # without the PRAGMA its reset costs SQLite on the way back.
        driver = self._connection.dbapi_connection
        self._restore = driver.isolation_level if self.sqlite else driver.autocommit
        if self.sqlite:
            driver.isolation_level = None
        else:
            driver.autocommit = True

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc) -> None:
        driver = self._connection.dbapi_connection
        try:
            if self.sqlite:
                driver.isolation_level = self._restore
            else:
                driver.autocommit = self._restore
        except Exception:
            self._connection.invalidate()  # never hand the pool a connection in autocommit
            raise
        finally:
            self._connection.close()

    def _execute(self, statement: str, params: tuple):
        cursor = self._connection.cursor()
        cursor.execute(statement if self.sqlite else statement.replace("?", "%s"), params)
        return cursor

    def _moment(self, value: datetime) -> Any:
        # SQLAlchemy keeps SQLite datetimes as naive UTC text in this format; compare like with like.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def find_target(self, attempt_id: int, position: int, user_id: int) -> Target | None:
        """The question at this position of the user's attempt, if the account is active."""
        row = self._execute(_TARGET, (attempt_id, position, user_id)).fetchone()
        if row is None:
            return None
        qid, frozen, status, deadline, password_changed_at, response, flagged = row
        if self.sqlite:  # JSON arrives as text there (a bare number as a number: the column's
            frozen = json.loads(frozen)  # affinity is NUMERIC); psycopg has already decoded it
            response = json.loads(response) if isinstance(response, str) else response
        return Target(qid, attempt_id, frozen, status, _aware(deadline), _aware(password_changed_at),
                      response, bool(flagged))

    def save(self, target: Target, now: datetime, response: Any = ..., flagged: bool | None = None) -> bool:
        """Write the response and/or the flag while the attempt is open and in time; False
        when the guard refused it (submitted, expired or past the deadline)."""
        values: list[Any] = []
        if response is not ...:
            values += [json.dumps(response, ensure_ascii=False), self._moment(now)]
        if flagged is not None:
            values.append(bool(flagged))
        statement = _SAVE[(response is not ..., flagged is not None)]
        return self._execute(statement, (*values, target.id, target.attempt_id, self._moment(now))).rowcount == 1
