"""/api/v1: coverage, training status and roster pushes for the filing registry.

Every route needs ``Authorization: Bearer <token>`` (tokens are made by admins in the UI or
with ``flask lms create-token``), except the OpenAPI description itself. Every error is
``{"error": "<English sentence>", ...}``, whatever raised it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from flask import Blueprint, g, jsonify, request
from flask_babel import force_locale
from sqlalchemy import case, literal, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from lms.api.models import token_for
from lms.api.openapi import SPEC
from lms.certificates.models import Certificate
from lms.core.errors import answer_errors_under
from lms.core.models import utcnow
from lms.coverage import service as coverage
from lms.extensions import csrf, db
from lms.programs.models import Program
from lms.programs.service import current_program
from lms.registry.columns import COLUMNS, HEADER_NAMES
from lms.registry.identifiers import normalize_uscc, uscc_error
from lms.registry.importer import RosterFileError, parse_roster
from lms.registry.models import Enterprise, Filing, Town
from lms.registry.roster_plan import Preview, build_preview, commit_preview

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token authentication, no cookies: CSRF does not apply

FIELDS = tuple(c.en for c in COLUMNS)  # a push row's fields, in the filing form's order
PUSH_KEYS = ("rows", "dry_run")
DATE_FIELDS = ("appointed_on", "filed_on", "ended_on")
MAX_ROWS = 10000
PAGE_SIZE, MAX_PAGE_SIZE = 500, 1000
MAX_ID = 2**31 - 1  # filing ids are 32-bit integers on PostgreSQL
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A push is validated as a table with its header in row 1, so that data row N is rows[N - 2].
_FIRST_DATA_ROW = 2
_ROW_REFERENCE = re.compile(r"\s*第\s*(\d+)\s*行\s*")


class Problem(Exception):
    """A request the API refuses, raised where that is found and answered by problem()."""

    def __init__(self, status: int, title: str, **extra) -> None:
        super().__init__(title)
        self.status, self.title, self.extra = status, title, extra


def problem(status: int, title: str, **extra):
    return jsonify(error=title, **extra), status


@bp.errorhandler(Problem)
def refused(error: Problem):
    return problem(error.status, error.title, **error.extra)


def http_error(error: HTTPException):
    """Any HTTP error under /api/ in problem()'s shape and in English, with its headers
    (Allow on a 405): the app's own handlers answer in the visitor's language, for pages."""
    allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or []))
    if error.code == 404:
        title = f"no such endpoint: {request.path} (the endpoints are listed in /api/v1/openapi.json)"
    elif error.code == 405:
        title = f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
    elif error.code == 413:
        limit = request.max_content_length or 0
        size = f"{limit // 2**20} MB" if limit and not limit % 2**20 else f"{limit} bytes"
        title = f"the request body is larger than the limit of {size} (LMS_MAX_UPLOAD_MB)"
    elif error.code == 500:
        title = "internal server error: the operator will find the details in the server log"
    else:
        title = f"{error.name}: {error.description}"
    response, status = problem(error.code or 500, title)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if allowed:
        response.headers["Allow"] = allowed  # in the order the message gives
    return response, status


# By code as well: Flask prefers the app's handler for a code to a blueprint's for a class.
for _code in (400, 403, 404, 405, 413, 429, 500):
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(HTTPException, http_error)


@bp.record_once
def _answer_routing_errors(state) -> None:
    answer_errors_under(state.app, "/api/", http_error)


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    # RFC 7235: the scheme is case-insensitive ("bearer" is as good as "Bearer").
    scheme, _, plain = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        return _unauthorized("missing bearer token", 'Bearer realm="cqo"')
    token = token_for(plain.strip())
    if token is None:
        return _unauthorized("invalid or revoked token", 'Bearer realm="cqo", error="invalid_token"')
    token.last_used_at = utcnow()
    db.session.commit()
    g.api_token = token
    return None


def _unauthorized(title: str, challenge: str):
    response, status = problem(401, title)
    response.headers["WWW-Authenticate"] = challenge
    return response, status


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


def _as_of() -> date:
    """The as_of argument, today without one: YYYY-MM-DD only (not 20260101 nor a week date),
    and never later than today, where an answer would be a projection (certificates expiring,
    nobody trained) passed off as fact."""
    values = request.args.getlist("as_of")
    if not values:
        return date.today()
    if len(values) > 1:
        raise Problem(400, "as_of is given more than once")
    try:
        day = date.fromisoformat(values[0]) if _ISO_DATE.fullmatch(values[0]) else None
    except ValueError:
        day = None
    if day is None:
        raise Problem(400, "as_of must be a date written YYYY-MM-DD")
    if day > date.today():
        raise Problem(400, "as_of cannot be later than today", today=date.today().isoformat())
    return day


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
        raise Problem(400, f"{name} must be a whole number from {low} to {high}")
    return int(value)


@bp.get("/coverage")
def coverage_summary():
    as_of = _as_of()
    program = current_program()
    if program is None:
        return problem(409, "no current program")
    numbers = coverage.breakdowns(program, as_of)
    total = numbers["all"][0]
    return jsonify(
        program=program.name, as_of=as_of.isoformat(), deadline=program.deadline.isoformat(),
        target=program.target_percent, filed=total.filed, trained=total.trained,
        in_progress=total.in_progress, not_started=total.not_started, coverage=total.percent,
        by_town=[{"town": n.key, "filed": n.filed, "trained": n.trained, "coverage": n.percent}
                 for n in numbers["town"]])


@bp.get("/appointments")
def appointments():
    return jsonify(coverage.appointment_coverage())


# --- training status ----------------------------------------------------------------------

def _training_status(program: Program | None, as_of: date):
    """A filing's training status on as_of, in SQL, by the rules /coverage counts with (so
    that the statuses add up to its numbers); nobody is trained without a current program."""
    if program is None:
        return literal("not_started").label("training_status")
    return case((coverage.trained_on(program.id, as_of), "trained"),
                (coverage.started_by(as_of), "in_progress"), else_="not_started").label("training_status")


def _certificates(user_ids: set[int], program: Program | None, as_of: date) -> dict[int, Certificate]:
    """The certificate each of these officers holds in force on as_of (coverage.trained_on's
    rule; a valid one before a replaced one, then the latest), in one query."""
    if program is None or not user_ids:
        return {}
    query = (select(Certificate).where(Certificate.user_id.in_(user_ids), *coverage.in_force_on(program.id, as_of))
             .order_by(Certificate.user_id, Certificate.status == "valid", Certificate.issued_on, Certificate.id))
    return {c.user_id: c for c in db.session.scalars(query)}  # each officer's last one wins


def _statuses(query, program: Program | None, as_of: date) -> list[dict]:
    """query: a select of (Filing, training status, *labelled columns); each row as the API
    describes a filing, with those columns, in two queries however many rows there are."""
    rows = db.session.execute(query).all()
    held = _certificates({row[0].user_id for row in rows if row[1] == "trained"}, program, as_of)
    return [_described(row[0], row[1], held.get(row[0].user_id)) | dict(zip(row._fields[2:], row[2:], strict=True))
            for row in rows]


def _described(filing: Filing, training: str, cert: Certificate | None) -> dict:
    certificate = None
    if training == "trained" and cert is not None:
        certificate = {"serial": cert.serial, "issued_on": cert.issued_on.isoformat(),
                       "expires_on": cert.expires_on.isoformat()}
    return {"filing_no": filing.filing_no, "officer_name": filing.officer_name,
            "status": filing.status, "appointed_on": filing.appointed_on.isoformat(),
            "ended_on": filing.ended_on.isoformat() if filing.ended_on else None,
            "claimed": filing.user_id is not None, "training_status": training, "certificate": certificate}


def _status_query(program: Program | None, as_of: date, *extra):
    return select(Filing, _training_status(program, as_of), *extra)


@bp.get("/enterprises/<uscc>")
def enterprise_status(uscc: str):
    as_of = _as_of()
    code = normalize_uscc(uscc)
    if uscc_error(code):
        with force_locale("en"):  # the API speaks English; the message is the import's own
            detail = uscc_error(code)
        return problem(400, "invalid unified social credit code", detail=detail)
    ent = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if ent is None:
        return problem(404, "no such enterprise")
    program = current_program()
    query = _status_query(program, as_of).where(Filing.enterprise_id == ent.id).order_by(
        Filing.appointed_on.desc(), Filing.id.desc())
    return jsonify(uscc=ent.uscc, name=ent.name, town=ent.town.name, above_scale=ent.is_above_scale,
                   as_of=as_of.isoformat(), filings=_statuses(query, program, as_of))


@bp.get("/filings/<path:filing_no>")  # path: a filing number may hold a slash (XS/002)
def filing_status(filing_no: str):
    as_of = _as_of()
    program = current_program()
    found = _statuses(_status_query(program, as_of).where(Filing.filing_no == filing_no), program, as_of)
    if not found:
        return problem(404, "no such filing")
    return jsonify(found[0] | {"as_of": as_of.isoformat()})


@bp.get("/filings")
def filings():
    """Every filing's training status a page at a time, in filing id order: `after` takes
    the last page's `next`. A page costs the same few queries whatever its size."""
    as_of = _as_of()
    limit = _whole_number("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    after = _whole_number("after", 0, 0, MAX_ID)
    which = request.args.get("status", "current")
    if which not in ("current", "all"):
        raise Problem(400, "status must be current or all")
    program = current_program()
    query = (_status_query(program, as_of, Filing.id.label("id"), Enterprise.uscc.label("uscc"),
                           Enterprise.name.label("enterprise_name"), Town.name.label("town"))
             .join(Enterprise, Enterprise.id == Filing.enterprise_id).join(Town, Town.id == Enterprise.town_id)
             .where(Filing.id > after).order_by(Filing.id).limit(limit + 1))
    if which == "current":  # current on as_of, as /coverage counts them filed
        query = query.where(coverage.filed_on(as_of))
    if "town" in request.args:
        town_id = db.session.scalar(select(Town.id).where(Town.name == request.args["town"]))
        if town_id is None:
            raise Problem(400, f"no such town: {request.args['town']}")
        query = query.where(Enterprise.town_id == town_id)
    items = _statuses(query, program, as_of)
    more = len(items) > limit
    items = items[:limit]
    return jsonify(as_of=as_of.isoformat(), items=items, next=items[-1]["id"] if more else None)


# --- roster pushes ------------------------------------------------------------------------

@bp.post("/roster")
def push_roster():
    """Roster changes as JSON rows (the filing-form columns under their English names),
    validated exactly as an import; all applied in one transaction, or none."""
    body = _push_body()
    rows = body["rows"]
    _check_rows(rows)
    try:
        preview = build_preview(parse_roster(io.BytesIO(_as_table(rows)), "push.csv"))
    except RosterFileError as error:
        return problem(400, str(error))
    result = _in_request_terms(preview)
    if preview.errors:
        return jsonify(result), 422
    if not preview.can_commit:
        result["errors"] = [{"index": None, "column": "", "message": "no data rows: every row is empty"}]
        return jsonify(result), 422
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
