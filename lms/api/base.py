"""/api/v1's blueprint and what every route shares: token authentication, English JSON errors
and the query arguments (which ones a route takes, as_of, whole numbers). The routes are in
status.py (what the registry pulls) and push.py (roster pushes).

Every route needs ``Authorization: Bearer <token>`` (tokens are made by admins in the UI or
with ``flask lms create-token``), except the OpenAPI description itself. Every error is
``{"error": "<English sentence>", ...}``, whatever raised it.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from lms.api.models import token_for
from lms.api.openapi import SPEC
from lms.core.clock import local_today
from lms.core.errors import answer_errors_under
from lms.core.models import utcnow
from lms.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token authentication, no cookies: CSRF does not apply

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    return jsonify(SPEC | {"servers": [{"url": request.script_root + "/"}]})  # under a proxy's prefix too


def known_arguments(*known: str) -> None:
    """Refuse a query parameter the route does not take (a client paging with ?offset= would
    get the first page forever) or one given twice (which of them counts is a guess). Each
    route calls it first, naming what it reads, as POST /roster names its keys."""
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        ours = f"the known ones are {', '.join(known)}" if known else "this endpoint takes none"
        raise Problem(400, f"unknown query parameters: {', '.join(unknown)}; {ours}",
                      unknown_parameters=unknown, known_parameters=list(known))
    for name in known:
        if len(request.args.getlist(name)) > 1:
            raise Problem(400, f"{name} is given more than once")


def as_of_argument() -> date:
    """The as_of argument, today without one: YYYY-MM-DD only (not 20260101 nor a week date),
    and never later than today, where an answer would be a projection (certificates expiring,
    nobody trained) passed off as fact."""
    value = request.args.get("as_of")  # given once: known_arguments() refuses a repeat
    if value is None:
        return local_today()
    try:
        day = date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise Problem(400, "as_of must be a date written YYYY-MM-DD")
    if day > local_today():
        raise Problem(400, "as_of cannot be later than today", today=local_today().isoformat())
    return day


def whole_number(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
        raise Problem(400, f"{name} must be a whole number from {low} to {high}")
    return int(value)
