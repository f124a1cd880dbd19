"""Extensions, created once here and bound to the app in create_app()."""

import time
from functools import partial

import flask_limiter
from flask.globals import request_ctx
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

# Named constraints so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a small server: WAL lets readers and a writer work at once, foreign keys are
    enforced as on PostgreSQL, and a busy database is waited for instead of failing."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# A pooled server connection is pinged before use when it has been idle this long. One used
# a moment ago has just worked; pinging it on every checkout (pool_pre_ping) cost two of the
# five round trips of a signed-in page on PostgreSQL (bench/lesson_page.py). A server
# restart is still noticed: at most once per pooled connection within this window, after
# which SQLAlchemy discards the whole pool.
PING_AFTER_IDLE_SECONDS = 5.0


@event.listens_for(Pool, "connect")
@event.listens_for(Pool, "checkin")
def _note_use(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["used_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling, for connections that sat idle (SQLite never drops)."""
    if type(dbapi_connection).__module__ == "sqlite3":
        return
    if time.monotonic() - record.info.get("used_at", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # the ping opens no transaction
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.autocommit = autocommit
    except Exception as error:  # the pool retries with a new connection
        raise exc.DisconnectionError(str(error)) from error


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter whose request hooks do nothing on requests no limit can apply to.

    Our limits are declared on routes (login, registration, claiming, exam start,
    verification), and Flask-Limiter checks those in the route's own decorator. Its
    before_request hook only adds application, default, blueprint and meta limits (we declare
    none) yet resolved them on every request, and its after- and teardown hooks built a
    request context each time: about 85 us on every page (bench/lesson_page.py). Here the
    before hook runs only when such limits exist, and the other two only when a limit was
    evaluated during the request.
    """

    def init_app(self, app) -> None:
        super().init_app(app)
        hooks = app.after_request_funcs.get(None, [])
        for i, hook in enumerate(hooks):
            if isinstance(hook, partial) and hook.func is flask_limiter.Limiter._Limiter__inject_headers:
                hooks[i] = partial(_inject_headers_if_limited, hook)

    def _wide_limits(self) -> bool:
        manager = self.limit_manager
        return bool(manager._application_limits or manager._default_limits or manager._blueprint_limits
                    or self._meta_limits or self._in_memory_fallback_enabled)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._wide_limits():
            return None  # the route's own decorator checks its limits
        return super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _Limiter__release_context(self, error: BaseException | None = None) -> None:
        if _limited():
            super()._Limiter__release_context(error)


def _limited() -> bool:
    """Whether Flask-Limiter evaluated a limit (and so keeps state) during this request."""
    return hasattr(request_ctx._get_current_object(), "_limiter_request_context")


def _inject_headers_if_limited(inject_headers, response):
    return inject_headers(response) if _limited() else response


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
