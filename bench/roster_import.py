"""Roster import throughput: our import (read, validate, preview, commit) against a bare
sqlite3 executemany of the same rows, in the same run.

    .venv/bin/python bench/roster_import.py [--quick] [--rows N] [--rounds N] [--xlsx]

It also replays the INSERTs our import sent on bare sqlite3 (sql_floor): what the schema's
constraints and indexes cost the database itself, with no Python of ours; sql_floor_ratio is
the best ratio any Python in front of that SQL could reach.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from _common import emit, fresh_app, uscc

TOWNS = ("相南街道", "东山街道", "南黎街道", "任圩街道", "曲阳街道", "三堤口街道", "渠沟镇", "凤凰山经济开发区")
HEADER = ["备案编号", "企业名称", "统一社会信用代码", "所在镇街", "行业代码", "所属行业", "企业规模", "是否规上企业",
          "首席质量官姓名", "性别", "学历", "职称", "现任职务", "质量工作年限", "手机号码", "电子邮箱",
          "聘任日期", "备案日期", "状态"]


def make_rows(n: int) -> list[list[str]]:
    rng = random.Random(7)
    codes = set()
    rows = []
    while len(rows) < n:
        code = uscc(rng)
        if code in codes:
            continue
        codes.add(code)
        appointed = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 1800))
        rows.append([f"XS{len(rows):07d}", f"淮北市测试企业{len(rows)}有限公司", code, rng.choice(TOWNS),
                     "C1391", "食品制造", rng.choice(("大型", "中型", "小型", "微型")), rng.choice("是否"),
                     "王" + rng.choice("伟芳娜敏静丽强磊洋"), rng.choice("男女"), "本科", "质量工程师",
                     "质量总监", str(rng.randrange(3, 20)), f"139{rng.randrange(10**8):08d}",
                     f"cqo{len(rows)}@example.com", appointed.isoformat(),
                     (appointed + timedelta(days=10)).isoformat(), "在任"])
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["相山区企业首席质量官备案汇总表"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["相山区企业首席质量官备案汇总表"])
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_ours(data: bytes, n: int, capture: bool = False, filename: str = "roster.csv") -> dict:
    """Our import on a fresh database: seconds per phase and, with capture, the empty schema's
    file and the INSERT statements the import sent (for replay_sql)."""
    from sqlalchemy import event

    from lms.extensions import db
    from lms.registry.importer import parse_roster
    from lms.registry.models import Town
    from lms.registry.roster_plan import build_preview
    from lms.registry.roster_write import commit_preview

    app, instance = fresh_app()
    statements: list[tuple[str, tuple]] = []
    with app.app_context():
        db.session.add_all(Town(name=name) for name in TOWNS)
        db.session.commit()
        empty = None
        if capture:
            empty = str(instance / "empty.sqlite3")
            db.session.connection().exec_driver_sql(f"VACUUM INTO '{empty}'")
            db.session.commit()

            def keep(_conn, _cursor, statement, parameters, _context, _many):
                if statement.startswith(("INSERT INTO enterprise", "INSERT INTO filing")):
                    statements.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", keep)
        start = time.perf_counter()
        parsed = parse_roster(io.BytesIO(data), filename)
        parsed_at = time.perf_counter()
        preview = build_preview(parsed)
        assert not preview.errors and preview.counts["filing_added"] == n, preview.errors[:3]
        planned_at = time.perf_counter()
        commit_preview(preview, filename)
        done = time.perf_counter()
        if capture:
            event.remove(db.engine, "before_cursor_execute", keep)
    return {"seconds": done - start, "parse": parsed_at - start, "preview": planned_at - parsed_at,
            "write": done - planned_at, "empty": empty, "statements": statements}


def replay_sql(empty: str, statements: list[tuple[str, tuple]]) -> float:
    """Our import's INSERTs replayed on bare sqlite3 with the app's pragmas: what the database
    itself costs for the schema's constraints and indexes, with no Python of ours."""
    import shutil

    path = _tmp_db()
    shutil.copy(empty, path)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536"):
        conn.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for statement, parameters in statements:
        conn.execute(statement, parameters).fetchall()
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def run_bare(rows: list[list[str]]) -> float:
    """The same rows straight into a filing-like table: no parsing, no checks, no ORM."""
    conn = sqlite3.connect(_tmp_db())
    conn.execute(f"CREATE TABLE filing (id INTEGER PRIMARY KEY, {', '.join(f'c{i} TEXT' for i in range(len(HEADER)))})")
    sql = f"INSERT INTO filing ({', '.join(f'c{i}' for i in range(len(HEADER)))}) VALUES ({', '.join('?' * len(HEADER))})"
    start = time.perf_counter()
    conn.executemany(sql, rows)
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _tmp_db() -> str:
    import tempfile

    return tempfile.mktemp(suffix=".sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 100,000, one round")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--rounds", type=int, help="rounds of (bare, ours, replay); the best of each counts")
    parser.add_argument("--xlsx", action="store_true", help="the roster as an Excel workbook instead of CSV")
    args = parser.parse_args()
    n = args.rows or (20_000 if args.quick else 100_000)
    rounds = args.rounds or (1 if args.quick else 3)
    rows = make_rows(n)
    filename = "roster.xlsx" if args.xlsx else "roster.csv"
    data = to_xlsx(rows) if args.xlsx else to_csv(rows)
    bare, ours, floor = [], [], []
    for _ in range(rounds):  # interleaved, so that a slow spell of the machine hits all three
        bare.append(run_bare(rows))
        run = run_ours(data, n, capture=True, filename=filename)
        ours.append(run)
        floor.append(replay_sql(run.pop("empty"), run.pop("statements")))
    best_bare, best_floor = min(bare), min(floor)
    best = min(ours, key=lambda r: r["seconds"])
    result = {"benchmark": "roster_import", "format": Path(filename).suffix[1:], "rows": n, "rounds": rounds,
              "ours_seconds": round(best["seconds"], 3), "ours_rows_per_s": round(n / best["seconds"]),
              "parse_seconds": round(best["parse"], 3), "preview_seconds": round(best["preview"], 3),
              "write_seconds": round(best["write"], 3), "bare_seconds": round(best_bare, 3),
              "bare_rows_per_s": round(n / best_bare), "sql_floor_seconds": round(best_floor, 3),
              "sql_floor_ratio": round(best_bare / best_floor, 3),
              "ratio": round(best_bare / best["seconds"], 3), "goal": 0.25}
    print(f"ours: {n / best['seconds']:,.0f} rows/s (read and validate {best['parse']:.2f} s, preview "
          f"{best['preview']:.2f} s, write {best['write']:.2f} s)   bare sqlite3 executemany: "
          f"{n / best_bare:,.0f} rows/s   our SQL alone: {best_floor:.2f} s")
    emit(result)


if __name__ == "__main__":
    main()
