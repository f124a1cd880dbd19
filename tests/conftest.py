"""Fixtures: an app per test on a schema built once by the migrations, and small factories."""

from __future__ import annotations

import itertools
import os
import random
from datetime import date
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import text

from lms import create_app
from lms.config import PROJECT_ROOT, Config
from lms.extensions import db, limiter

TEST_DB_URL = os.environ.get("LMS_TEST_DATABASE_URL")
IS_POSTGRES = bool(TEST_DB_URL and TEST_DB_URL.startswith("postgresql"))
SHARED = PROJECT_ROOT.parent / "shared"


class TestConfig(Config):
    __test__ = False  # a configuration, not tests (pytest looks at Test* in every module)

    def __init__(self, instance: Path, **overrides) -> None:
        os.environ.setdefault("LMS_SECRET_KEY", "test-secret-key")
        os.environ["LMS_INSTANCE_PATH"] = str(instance)
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = TEST_DB_URL or f"sqlite:///{instance / 'test.sqlite3'}"
        self.WTF_CSRF_ENABLED = False
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast in tests; scrypt in production
        self.SERVER_NAME = "localhost"
        self.BASE_URL = "http://localhost"
        for key, value in overrides.items():
            setattr(self, key, value)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def _schema(instance_dir):
    """Build the schema once, through the migrations, so that they are tested on both databases."""
    from flask_migrate import upgrade

    app = create_app(TestConfig(instance_dir))
    with app.app_context():
        if IS_POSTGRES:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        if IS_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                db.session.execute(table.delete())
        db.session.commit()


def _forget_user() -> None:
    g.pop("_login_user", None)
    g.pop("csrf_token", None)  # Flask-WTF's signed token of the previous request's session
    babel_cache = g.get("_flask_babel")
    if babel_cache is not None:
        vars(babel_cache).pop("babel_locale", None)
        vars(babel_cache).pop("babel_translations", None)


@pytest.fixture
def make_app(_schema, instance_dir):
    """Build an app with config overrides (e.g. CSRF on); cleaned after the test."""
    made = []

    def factory(**overrides):
        app = create_app(TestConfig(instance_dir, **overrides))
        # Tests hold an app context open, which requests then share; forget the signed-in
        # user and the language between requests as a fresh context per request does.
        app.before_request_funcs.setdefault(None, []).insert(0, _forget_user)
        made.append(app)
        return app

    yield factory
    for app in made:
        _clean(app)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories -------------------------------------------------------------------------

_seq = itertools.count(1)


def make_uscc(seed: int | None = None) -> str:
    from lms.registry.identifiers import USCC_ALPHABET, uscc_check_char

    rng = random.Random(seed if seed is not None else next(_seq) * 7919)
    body = "91340603" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def make_mobile() -> str:
    return f"139{next(_seq):08d}"


@pytest.fixture
def factory(app):
    return Factory()


class Factory:
    """Small builders for the data a test needs, committed so the client sees it."""

    def town(self, name: str | None = None):
        from lms.registry.models import Town

        town = Town(name=name or f"测试街道{next(_seq)}")
        db.session.add(town)
        db.session.commit()
        return town

    def enterprise(self, town=None, **kw):
        from lms.registry.models import Enterprise

        values = {"uscc": make_uscc(), "name": f"测试企业{next(_seq)}有限公司", "scale": "small",
                  "is_above_scale": False, "industry_code": "C3484"}
        values.update(kw)
        ent = Enterprise(town=town or self.town(), **values)
        db.session.add(ent)
        db.session.commit()
        return ent

    def filing(self, enterprise=None, **kw):
        from lms.registry.models import Filing

        values = {"officer_name": f"张{next(_seq)}明", "position": "质量总监", "mobile": make_mobile(),
                  "appointed_on": date(2023, 3, 1), "filed_on": date(2023, 3, 10), "status": "current"}
        values.update(kw)
        filing = Filing(enterprise=enterprise or self.enterprise(), **values)
        db.session.add(filing)
        db.session.commit()
        return filing

    def user(self, role: str = "officer", password: str = "correct-horse-1", **kw):
        from lms.accounts.service import create_user

        if "email" not in kw and "phone" not in kw:
            kw["email"] = f"user{next(_seq)}@example.com"
        signed_in = kw.pop("signed_in", True)  # False: an account opened for them, never used
        user = create_user(kw.pop("name", f"用户{next(_seq)}"), password, role=role, **kw)
        if signed_in:
            from lms.core.models import utcnow

            user.last_login_at = utcnow()
        db.session.commit()
        return user


def login(client, user, password: str = "correct-horse-1"):
    response = client.post("/login", data={"login": user.login, "password": password})
    assert response.status_code == 302, response.data.decode()[:500]
    return response


@pytest.fixture
def as_staff(client, factory):
    login(client, factory.user("staff"))
    return client


@pytest.fixture
def as_admin(client, factory):
    login(client, factory.user("admin"))
    return client


@pytest.fixture
def as_officer(client, factory):
    user = factory.user("officer")
    login(client, user)
    client.user = user
    return client


def run_together(app, action, arguments: list) -> list:
    """action(argument) for every argument at the same moment, each in its own thread with its
    own app context and database session (two tabs, two officers, two servers): the results,
    or the exceptions raised, in the order the threads finished."""
    import threading

    barrier = threading.Barrier(len(arguments))
    outcomes: list = []

    def run(argument):
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(action(argument))
            except Exception as error:  # noqa: BLE001 - the caller asserts on it
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes
