"""The training-status export (导出培训情况（Excel）) on 100,000 filings against a bare openpyxl
write-only workbook of the same rows with no styling, in the same run.

    .venv/bin/python bench/coverage_export.py [--quick] [--rows N] [--rounds N]

ours is status_xlsx as staff download it: the query, the typed and styled sheet, the 说明
sheet and the saved file; rows_seconds is the query alone (status_rows), and bare the same
rows, already fetched, saved as plain values.
"""

from __future__ import annotations

import argparse
import io
from datetime import date

from _common import emit
from coverage import best_of, load


def bare_xlsx(header: list[str], rows: list[list]) -> bytes:
    """The floor: the same values in a write-only workbook, no formats, widths or notes."""
    from openpyxl import Workbook

    from lms.core.downloads import Percent

    book = Workbook(write_only=True)
    sheet = book.create_sheet("培训情况")
    sheet.append(header)
    for row in rows:
        sheet.append([value.share if isinstance(value, Percent) else value for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(n: int, rounds: int) -> dict:
    from lms.coverage import exports
    from lms.extensions import db
    from lms.programs.models import Program

    app, program_id = load(None, n)
    with app.app_context():
        program = db.session.get(Program, program_id)
        as_of = date(2026, 11, 1)
        rows = list(exports.status_rows(program, as_of))
        assert len(rows) == n, len(rows)
        size = len(exports.status_xlsx(program, as_of).getvalue())
        rows_s = best_of(lambda: list(exports.status_rows(program, as_of)), rounds)
        bare_s = best_of(lambda: bare_xlsx(exports.HEADER, rows), rounds)
        ours_s = best_of(lambda: exports.status_xlsx(program, as_of), rounds)
    return {"filings": n, "ours_seconds": round(ours_s, 3), "ours_ms_per_row": round(ours_s * 1000 / n, 4),
            "rows_seconds": round(rows_s, 3), "bare_seconds": round(bare_s, 3), "bytes": size,
            "ratio": round(ours_s / bare_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 filings instead of 100,000, one round")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--rounds", type=int, help="rounds of each; the best counts")
    args = parser.parse_args()
    n = args.rows or (10_000 if args.quick else 100_000)
    rounds = args.rounds or (1 if args.quick else 3)
    result = {"benchmark": "coverage_export", "rounds": rounds, "goal": "ratio <= 2"} | run(n, rounds)
    print(f"ours: {result['ours_seconds']:.2f} s for {n:,} filings ({result['ours_ms_per_row']} ms/row, "
          f"query {result['rows_seconds']:.2f} s)   bare openpyxl write-only: {result['bare_seconds']:.2f} s")
    emit(result)


if __name__ == "__main__":
    main()
