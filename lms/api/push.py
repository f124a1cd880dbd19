"""POST /api/v1/roster: the registry pushes roster changes as JSON rows, validated exactly as
a roster import and applied all or nothing."""

from __future__ import annotations

import csv
import io
import json
import re

from flask import g, jsonify, request
from sqlalchemy.exc import IntegrityError

from lms.api.base import Problem, bp, known_arguments, problem
from lms.extensions import db
from lms.registry.columns import COLUMNS, HEADER_NAMES
from lms.registry.importer import RosterFileError, parse_roster
from lms.registry.roster_plan import Preview, build_preview
from lms.registry.roster_write import commit_preview

FIELDS = tuple(c.en for c in COLUMNS)  # a push row's fields, in the filing form's order
PUSH_KEYS = ("rows", "dry_run")
DATE_FIELDS = ("appointed_on", "filed_on", "ended_on")
MAX_ROWS = 10000
# A push is validated as a table with its header in row 1, so that data row N is rows[N - 2].
_FIRST_DATA_ROW = 2
_ROW_REFERENCE = re.compile(r"\s*第\s*(\d+)\s*行\s*")


@bp.post("/roster")
def push_roster():
    """Roster changes as JSON rows (the filing-form columns under their English names),
    validated exactly as an import; all applied in one transaction, or none."""
    known_arguments()  # ?dry_run=true would be ignored, and the push committed
    body = _push_body()
    rows = body["rows"]
    _check_rows(rows)
    try:
        parsed = parse_roster(io.BytesIO(_as_table(rows)), "push.csv")
        parsed.blank_keeps = False  # a field sent empty or null clears it, as the API says
        preview = build_preview(parsed, look_around=False)
    except RosterFileError as error:
        return problem(400, str(error))
    result = _in_request_terms(preview)
    if preview.errors:
        return _refused(result, f"{_rows_wrong(result['errors'], len(rows))}: nothing was written "
                                "(each error is listed in errors)")
    if not preview.can_commit:
        result["errors"] = [{"index": None, "column": "", "message": "no data rows: every row is empty"}]
        return _refused(result, "no data rows: every row is empty, so nothing was written")
    result["committed"] = not body.get("dry_run", False)
    if result["committed"]:
        try:
            commit_preview(preview, f"api:{g.api_token.name}")
        except IntegrityError:  # a unique key another push has just taken (enterprise.uscc...)
            db.session.rollback()
            return problem(409, "another change to the roster was committed while this push was being "
                                "applied: nothing of this push was applied, and repeating it is safe "
                                "(pushes are idempotent)")
    return jsonify(result)


def _push_body() -> dict:
    """The push's JSON object, its shape checked: each way it can be wrong has its message."""
    data = request.get_data(cache=True)  # over the upload limit: a 413, answered by http_error
    if not data.strip():
        raise Problem(400, 'the request body is empty; expected {"rows": [ {...}, ... ], "dry_run": false}')
    if not request.is_json:
        raise Problem(415, f"Content-Type must be application/json, not {request.mimetype or 'none'}")
    try:
        body = json.loads(data)
    except ValueError as error:  # UnicodeDecodeError too: JSON is UTF-8
        raise Problem(400, f"the request body is not valid JSON: {error}") from None
    except RecursionError:  # json.loads recurses per level; RFC 8259 §9 lets a parser limit depth
        raise Problem(400, "the request body is not valid JSON: arrays and objects are nested too deeply") from None
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise Problem(400, 'expected {"rows": [ {...}, ... ], "dry_run": false}')
    unknown = sorted(set(body) - set(PUSH_KEYS))
    if unknown:  # a misspelt "dryRun" must not commit what was meant as a preview
        raise Problem(400, f"unknown keys: {', '.join(unknown)}; the known keys are {', '.join(PUSH_KEYS)}",
                      unknown_keys=unknown, known_keys=list(PUSH_KEYS))
    if not body["rows"]:
        raise Problem(400, "rows must not be empty")
    if "dry_run" in body and not isinstance(body["dry_run"], bool):  # "false" is not false
        raise Problem(400, "dry_run must be true or false")
    if len(body["rows"]) > MAX_ROWS:
        raise Problem(413, f"at most {MAX_ROWS} rows per request")
    return body


def _refused(result: dict, sentence: str):
    """A 422 in the shape of every API error, with the preview's row-by-row errors."""
    return jsonify({"error": sentence, "committed": False} | result), 422


def _rows_wrong(errors: list[dict], sent: int) -> str:
    wrong = len({e["index"] for e in errors if e["index"] is not None})
    if not wrong:  # only errors of no one row
        return "the push has errors"
    return f"{wrong} of {sent} rows {'has' if wrong == 1 else 'have'} errors"


def _check_rows(rows: list) -> None:
    """Refuse what the import would misread: a row that is not an object, an unknown field (a
    misspelt status would leave a filing in office), a list or object (stored as Python's text
    of it), a date that is not text (a number would be read as an Excel serial)."""
    if any(not isinstance(row, dict) for row in rows):
        raise Problem(400, "every row must be an object")
    first_with: dict[str, int] = {}
    for index, row in enumerate(rows):
        for key in row.keys() - FIELDS:
            first_with.setdefault(key, index)
    if first_with:
        unknown = [{"field": key, "index": index} for key, index in sorted(first_with.items())]
        named = ", ".join(f"{u['field']} (rows[{u['index']}])" for u in unknown)
        raise Problem(400, f"unknown fields: {named}; the known fields are {', '.join(FIELDS)}",
                      unknown_fields=unknown, known_fields=list(FIELDS))
    for index, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, list | dict):
                raise Problem(400, f"rows[{index}].{key} must be a string, a number or null", index=index, column=key)
            if key in DATE_FIELDS and value is not None and not isinstance(value, str):
                raise Problem(400, f"rows[{index}].{key}: dates are strings written YYYY-MM-DD",
                              index=index, column=key)


def _as_table(rows: list[dict]) -> bytes:
    """The rows as a CSV roster with its header in row 1. An optional field no row sends is a
    column the push does not have: stored filings keep it, as with a roster file without that
    column. Required ones are always columns, so that a row without one is reported by index."""
    sent = [c.en for c in COLUMNS if c.required or any(c.en in row for row in rows)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sent)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else str(row.get(k)) for k in sent])
    return out.getvalue().encode()


def _in_request_terms(preview: Preview) -> dict:
    """The import's preview as the push was written: rows by their 0-based index, also in
    the messages, and columns by field key. A spreadsheet's header_row and unknown_columns
    mean nothing here."""
    result = preview.as_dict()
    result.pop("header_row", None)
    result.pop("unknown_columns", None)
    result["absent_columns"] = [HEADER_NAMES.get(c, c) for c in result["absent_columns"]]
    result["errors"] = [{"index": _index_of(e["row"]), "column": HEADER_NAMES.get(e["column"], e["column"]),
                         "message": _ROW_REFERENCE.sub(_reference, e["message"]).strip()}
                        for e in result["errors"]]
    return result


def _index_of(row: int) -> int | None:
    return row - _FIRST_DATA_ROW if row >= _FIRST_DATA_ROW else None


def _reference(match: re.Match) -> str:
    """"第 3 行" (a spreadsheet row) as " rows[1] "; a row before the data stays as written."""
    index = _index_of(int(match.group(1)))
    return match.group(0) if index is None else f" rows[{index}] "
