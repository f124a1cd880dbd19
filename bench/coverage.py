"""The coverage dashboard's queries on 100,000 filings against a bare
``SELECT town, count(*) ... GROUP BY town`` over the same filings, in the same run, on SQLite
and (with --postgres or LMS_TEST_DATABASE_URL) PostgreSQL.

    .venv/bin/python bench/coverage.py [--quick] [--postgres URL]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

import roster_import
from _common import emit, fresh_app
from sqlalchemy import func, insert, select, text


def load(database_url: str | None, n: int):
    """n filings through the real import, a program, and certificates/progress for some."""
    from lms.accounts.models import User
    from lms.catalog.models import Course, Lesson, LessonProgress
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.programs.models import Program
    from lms.registry.importer import parse_roster
    from lms.registry.models import Filing, Town
    from lms.registry.roster_plan import build_preview
    from lms.registry.roster_write import commit_preview

    app, _instance = fresh_app(database_url)
    with app.app_context():
        db.session.add_all(Town(name=name) for name in roster_import.TOWNS)
        db.session.commit()
        data = roster_import.to_csv(roster_import.make_rows(n))
        commit_preview(build_preview(parse_roster(io.BytesIO(data), "roster.csv")), "roster.csv")
        program = Program(name="bench", requirements=[], starts_on=date(2026, 1, 1),
                          deadline=date(2026, 12, 31), is_current=True)
        course = Course(slug="c", folder="c", title="c", hours=1)
        db.session.add_all([program, course])
        db.session.flush()
        lesson = Lesson(course_id=course.id, slug="l", title="l", source_hash="x", body_html="", plain_text="")
        db.session.add(lesson)
        db.session.flush()
        # Half the officers have accounts; of those, half are trained, a quarter have started.
        ids = [fid for (fid,) in db.session.execute(select(Filing.id).order_by(Filing.id))]
        rng = random.Random(3)
        claimed = ids[: n // 2]
        db.session.execute(insert(User), [{"name": f"u{i}", "phone": f"137{i:08d}", "password_hash": "x",
                                           "role": "officer"} for i in range(len(claimed))])
        user_ids = [uid for (uid,) in db.session.execute(select(User.id).order_by(User.id))]
        db.session.execute(Filing.__table__.update().where(Filing.id == text(":fid")).values(user_id=text(":uid")),
                           [{"fid": f, "uid": u} for f, u in zip(claimed, user_ids, strict=True)])
        trained = user_ids[: len(user_ids) // 2]
        start = datetime(2026, 2, 1, tzinfo=UTC)
        db.session.execute(insert(Certificate), [
            {"serial": f"S{u}", "user_id": u, "program_id": program.id, "holder_name": "x",
             "issued_on": date(2026, 2, 1) + timedelta(days=rng.randrange(250)),
             "expires_on": date(2029, 1, 1), "status": "valid", "basis": "auto", "hours": 1}
            for u in trained])
        db.session.execute(insert(LessonProgress), [
            {"user_id": u, "lesson_id": lesson.id, "first_opened_at": start, "last_opened_at": start}
            for u in user_ids[len(user_ids) // 2: len(user_ids) * 3 // 4]])
        db.session.commit()
        program_id = program.id
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return app, program_id


def dashboard_queries(program, as_of: date) -> None:
    """What the dashboard view runs: the totals, three breakdowns, appointment coverage and
    the trend (its past days from snapshots, counted on the first run and kept, as in
    production; the cold first run is reported as cold_ms)."""
    from lms.coverage import service

    counted = service.overview(program, as_of)
    service.trend(program, as_of, latest=counted.numbers["all"][0])


def best_of(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(database_url: str | None, n: int, rounds: int) -> dict:
    from lms.extensions import db
    from lms.programs.models import Program
    from lms.registry.models import Enterprise, Filing, Town

    app, program_id = load(database_url, n)
    with app.app_context():
        program = db.session.get(Program, program_id)
        as_of = date(2026, 11, 1)
        bare_query = (select(Town.name, func.count()).select_from(Filing)
                      .join(Enterprise, Enterprise.id == Filing.enterprise_id)
                      .join(Town, Town.id == Enterprise.town_id).group_by(Town.name))
        compiled = str(bare_query.compile(dialect=db.engine.dialect))
        raw = db.engine.raw_connection()  # its own: the dashboard commits snapshots on the session's

        def bare():
            cursor = raw.cursor()
            cursor.execute(compiled)
            cursor.fetchall()
            cursor.close()

        bare()
        start = time.perf_counter()
        dashboard_queries(program, as_of)
        cold_s = time.perf_counter() - start
        bare_s = best_of(bare, rounds * 3)
        ours_s = best_of(lambda: dashboard_queries(program, as_of), rounds)
        queries = 5  # towns, the grouped filings, enterprises by scale, the version, the snapshots
    return {"filings": n, "dashboard_ms": round(ours_s * 1000, 1), "cold_ms": round(cold_s * 1000, 1),
            "queries": queries,
            "bare_group_by_ms": round(bare_s * 1000, 1), "ratio": round(ours_s / bare_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("LMS_TEST_DATABASE_URL"))
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    rounds = 2 if args.quick else 3
    result = {"benchmark": "coverage", "goal": "ratio <= 4"}
    result["sqlite"] = run(None, n, rounds)
    print("sqlite:", result["sqlite"])
    if args.postgres:
        result["postgresql"] = run(args.postgres, n, rounds)
        print("postgresql:", result["postgresql"])
    result["ratio"] = max(v["ratio"] for k, v in result.items() if k in ("sqlite", "postgresql"))
    emit(result)


if __name__ == "__main__":
    main()
