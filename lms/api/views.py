"""/api/v1: coverage, training status and roster pushes for the filing registry.

Every route needs ``Authorization: Bearer <token>`` (tokens are made by admins in the UI or
with ``flask lms create-token``), except the OpenAPI description itself.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from lms.api.models import token_for
from lms.api.openapi import SPEC
from lms.core.models import utcnow
from lms.coverage import service as coverage
from lms.extensions import csrf, db
from lms.programs.service import current_program
from lms.registry.columns import COLUMNS
from lms.registry.identifiers import normalize_uscc, uscc_error
from lms.registry.importer import RosterFileError, parse_roster
from lms.registry.models import Enterprise, Filing
from lms.registry.roster_plan import build_preview, commit_preview

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token authentication, no cookies: CSRF does not apply


def problem(status: int, title: str, **extra):
    return jsonify(error=title, **extra), status


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        response, status = problem(401, "missing bearer token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="cqo"'
        return response, status
    token = token_for(header[len("Bearer "):].strip())
    if token is None:
        response, status = problem(401, "invalid or revoked token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="cqo", error="invalid_token"'
        return response, status
    token.last_used_at = utcnow()
    db.session.commit()
    g.api_token = token
    return None


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


def _as_of():
    value = request.args.get("as_of")
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@bp.get("/coverage")
def coverage_summary():
    as_of = _as_of()
    if as_of is None:
        return problem(400, "as_of must be a date written YYYY-MM-DD")
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


def _filing_status(filing: Filing) -> dict:
    program = current_program()
    status = "not_started"
    certificate = None
    if program is not None and filing.user_id:
        from lms.certificates.service import in_force

        cert = in_force(filing.user_id, program.id)
        if cert is not None and cert.expires_on >= date.today():
            status = "trained"
            certificate = {"serial": cert.serial, "issued_on": cert.issued_on.isoformat(),
                           "expires_on": cert.expires_on.isoformat()}
        elif db.session.execute(select(Filing.id).where(
                Filing.id == filing.id, coverage.started_by(date.today()))).first():
            status = "in_progress"
    return {"filing_no": filing.filing_no, "officer_name": filing.officer_name,
            "status": filing.status, "appointed_on": filing.appointed_on.isoformat(),
            "ended_on": filing.ended_on.isoformat() if filing.ended_on else None,
            "claimed": filing.user_id is not None, "training_status": status, "certificate": certificate}


@bp.get("/enterprises/<uscc>")
def enterprise_status(uscc: str):
    code = normalize_uscc(uscc)
    if uscc_error(code):
        return problem(400, "invalid unified social credit code", detail=uscc_error(code))
    ent = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if ent is None:
        return problem(404, "no such enterprise")
    return jsonify(uscc=ent.uscc, name=ent.name, town=ent.town.name, above_scale=ent.is_above_scale,
                   filings=[_filing_status(f) for f in ent.filings])


@bp.get("/filings/<filing_no>")
def filing_status(filing_no: str):
    filing = db.session.scalar(select(Filing).where(Filing.filing_no == filing_no))
    if filing is None:
        return problem(404, "no such filing")
    return jsonify(_filing_status(filing))


@bp.post("/roster")
def push_roster():
    """Roster changes as JSON rows (the filing-form columns under their English names),
    validated exactly as an import; all applied in one transaction, or none."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return problem(400, "expected {\"rows\": [ {...}, ... ], \"dry_run\": false}")
    if not data["rows"]:
        return problem(400, "rows must not be empty")
    if "dry_run" in data and not isinstance(data["dry_run"], bool):  # "false" is not false
        return problem(400, "dry_run must be true or false")
    if len(data["rows"]) > 10000:
        return problem(413, "at most 10000 rows per request")
    keys = [c.en for c in COLUMNS]
    unknown = sorted({k for row in data["rows"] if isinstance(row, dict) for k in row} - set(keys))
    if any(not isinstance(row, dict) for row in data["rows"]):
        return problem(400, "every row must be an object")
    # A list or an object would be stored as Python's text of it: refused, as the schema says.
    nested = next(((i, k) for i, row in enumerate(data["rows"]) for k in keys if isinstance(row.get(k), list | dict)), None)
    if nested is not None:
        return problem(400, f"rows[{nested[0]}].{nested[1]} must be a string, a number or null",
                       index=nested[0], column=nested[1])
    # An optional field no row sends is a column the push does not have: stored filings keep
    # it, as with a roster file without that column. Required ones are always columns, so that
    # a row without one is reported by its index.
    sent = [c.en for c in COLUMNS if c.required or any(c.en in row for row in data["rows"])]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sent)
    for row in data["rows"]:
        writer.writerow(["" if row.get(k) is None else str(row.get(k)) for k in sent])
    try:
        preview = build_preview(parse_roster(io.BytesIO(out.getvalue().encode()), "push.csv"))
    except RosterFileError as error:
        return problem(400, str(error))
    result = preview.as_dict()
    # Rows are reported by their position in the request (0-based), not a spreadsheet row.
    result["errors"] = [{"index": e["row"] - 2, "column": e["column"], "message": e["message"]}
                        for e in result["errors"]]
    result["unknown_fields"] = unknown
    if preview.errors:
        return jsonify(result), 422
    if not preview.can_commit:
        result["errors"] = [{"index": None, "column": "", "message": "no data rows: every row is empty"}]
        return jsonify(result), 422
    if not data.get("dry_run"):
        commit_preview(preview, f"api:{g.api_token.name}")
        result["committed"] = True
    return jsonify(result)
