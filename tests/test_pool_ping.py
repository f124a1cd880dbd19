"""Pooled server connections are pinged before use when they sat idle, and only then."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import exc

from lms.extensions import PING_AFTER_IDLE_SECONDS, _ping_if_idle


class FakeConnection:
    def __init__(self, alive: bool = True) -> None:
        self.alive, self.autocommit, self.executed = alive, False, []

    def cursor(self):
        def execute(sql):
            if not self.alive:
                raise OSError("server closed the connection")
            self.executed.append((sql, self.autocommit))

        return SimpleNamespace(execute=execute, close=lambda: None)


def record(idle: float):
    return SimpleNamespace(info={"used_at": time.monotonic() - idle})


def test_a_connection_used_a_moment_ago_is_not_pinged():
    connection = FakeConnection()
    _ping_if_idle(connection, record(0.1), None)
    assert connection.executed == []


def test_an_idle_connection_is_pinged_outside_a_transaction():
    connection = FakeConnection()
    _ping_if_idle(connection, record(PING_AFTER_IDLE_SECONDS + 1), None)
    assert connection.executed == [("SELECT 1", True)] and connection.autocommit is False


def test_a_dead_idle_connection_is_handed_back_for_a_new_one():
    with pytest.raises(exc.DisconnectionError):
        _ping_if_idle(FakeConnection(alive=False), record(PING_AFTER_IDLE_SECONDS + 1), None)
