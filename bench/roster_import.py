"""Roster import throughput: our import (read, validate, preview, commit) against a bare
sqlite3 executemany of the same rows, in the same run.

    .venv/bin/python bench/roster_import.py [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sqlite3
import time
from datetime import date, timedelta

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


def run_ours(data: bytes, n: int) -> float:
    from lms.extensions import db
    from lms.registry.importer import parse_roster
    from lms.registry.models import Town
    from lms.registry.roster_plan import build_preview, commit_preview

    app, _instance = fresh_app()
    with app.app_context():
        db.session.add_all(Town(name=name) for name in TOWNS)
        db.session.commit()
        start = time.perf_counter()
        preview = build_preview(parse_roster(io.BytesIO(data), "roster.csv"))
        assert not preview.errors and preview.counts["filing_added"] == n, preview.errors[:3]
        commit_preview(preview, "roster.csv")
        return time.perf_counter() - start


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
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 100,000")
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    n = args.rows or (20_000 if args.quick else 100_000)
    rows = make_rows(n)
    data = to_csv(rows)
    bare = min(run_bare(rows) for _ in range(3))
    ours = run_ours(data, n)
    result = {"benchmark": "roster_import", "rows": n, "ours_seconds": round(ours, 3),
              "ours_rows_per_s": round(n / ours), "bare_seconds": round(bare, 3),
              "bare_rows_per_s": round(n / bare), "ratio": round(bare / ours, 3), "goal": 0.25}
    print(f"ours: {n / ours:,.0f} rows/s   bare sqlite3 executemany: {n / bare:,.0f} rows/s")
    emit(result)


if __name__ == "__main__":
    main()
