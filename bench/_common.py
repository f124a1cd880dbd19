"""Shared pieces for the benchmarks: a throwaway app on a fresh database, JSON output."""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fresh_app(database_url: str | None = None):
    """An app on a new SQLite file (or the given database, emptied), schema from migrations."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms import create_app
    from lms.config import Config
    from lms.extensions import db

    instance = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    os.environ["LMS_INSTANCE_PATH"] = str(instance)
    os.environ.setdefault("LMS_SECRET_KEY", "bench")
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = database_url or f"sqlite:///{instance / 'bench.sqlite3'}"
    app = create_app(config)
    with app.app_context():
        if database_url and database_url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    return app, instance


def uscc(rng: random.Random) -> str:
    from lms.registry.identifiers import USCC_ALPHABET, uscc_check_char

    body = "91340603" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def emit(result: dict) -> None:
    """The last line of every benchmark: one JSON object."""
    print(json.dumps(result, ensure_ascii=False))
