"""What the filing registry pulls from /api/v1: coverage, appointments and each filing's
training status, counted by the coverage dashboard's own rules."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_babel import force_locale
from sqlalchemy import case, literal, select

from lms.api.base import Problem, as_of_argument, bp, known_arguments, problem, whole_number
from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.coverage import service as coverage
from lms.extensions import db
from lms.programs.models import Program
from lms.programs.service import current_program
from lms.registry.identifiers import normalize_uscc, uscc_error
from lms.registry.models import Enterprise, Filing, Town

PAGE_SIZE, MAX_PAGE_SIZE = 500, 1000
MAX_ID = 2**31 - 1  # filing ids are 32-bit integers on PostgreSQL


@bp.get("/coverage")
def coverage_summary():
    known_arguments("as_of")
    as_of = as_of_argument()
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
    """Today's roster only: enterprises have no dates to count them on an earlier day, so an
    as_of is refused rather than silently answered with today's figures."""
    if "as_of" in request.args:
        raise Problem(400, "appointments are counted on today's roster; as_of is not supported here",
                      today=local_today().isoformat())
    known_arguments()
    return jsonify(coverage.appointment_coverage() | {"as_of": local_today().isoformat()})


def _training_status(program: Program | None, as_of: date):
    """A filing's training status on as_of, in SQL, by the rules /coverage counts with (so
    that the statuses add up to its numbers); nobody is trained without a current program."""
    if program is None:
        return literal("not_started").label("training_status")
    return case((coverage.trained_on(program.id, as_of), "trained"),
                (coverage.started_by(as_of), "in_progress"), else_="not_started").label("training_status")


def _certificates(user_ids: set[int], program: Program | None, as_of: date) -> dict[int, Certificate]:
    """The certificate each of these officers holds in force on as_of, in one query."""
    if program is None or not user_ids:
        return {}
    return coverage.certificates_in_force(program.id, as_of, user_ids)


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
    known_arguments("as_of")
    as_of = as_of_argument()
    code = normalize_uscc(uscc)
    if uscc_error(code):
        with force_locale("en"):  # the API speaks English; the message is the import's own
            detail = uscc_error(code)
        return problem(400, "invalid unified social credit code", detail=detail)
    ent = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if ent is None:
        return problem(404, "no such enterprise")
    program = current_program()
    query = _status_query(program, as_of).where(Filing.enterprise_id == ent.id, Filing.appointed_on <= as_of).order_by(
        Filing.appointed_on.desc(), Filing.id.desc())  # a filing appointed after as_of did not exist then
    return jsonify(uscc=ent.uscc, name=ent.name, town=ent.town.name, above_scale=ent.is_above_scale,
                   as_of=as_of.isoformat(), filings=_statuses(query, program, as_of))


@bp.get("/filings/<path:filing_no>")  # path: a filing number may hold a slash (XS/002)
def filing_status(filing_no: str):
    known_arguments("as_of")
    as_of = as_of_argument()
    program = current_program()
    found = _statuses(_status_query(program, as_of).where(Filing.filing_no == filing_no), program, as_of)
    if not found:
        return problem(404, "no such filing")
    return jsonify(found[0] | {"as_of": as_of.isoformat()})


@bp.get("/filings")
def filings():
    """Every filing's training status a page at a time, in filing id order: `after` takes
    the last page's `next`. A page costs the same few queries whatever its size."""
    known_arguments("as_of", "status", "town", "limit", "after")  # the OpenAPI description's order
    as_of = as_of_argument()
    limit = whole_number("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    after = whole_number("after", 0, 0, MAX_ID)
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
    else:  # every filing there was on as_of, ended ones too: none appointed after it
        query = query.where(Filing.appointed_on <= as_of)
    if "town" in request.args:
        town_id = db.session.scalar(select(Town.id).where(Town.name == request.args["town"]))
        if town_id is None:
            raise Problem(400, f"no such town: {request.args['town']}")
        query = query.where(Enterprise.town_id == town_id)
    items = _statuses(query, program, as_of)
    more = len(items) > limit
    items = items[:limit]
    return jsonify(as_of=as_of.isoformat(), items=items, next=items[-1]["id"] if more else None)
