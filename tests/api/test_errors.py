"""Every error under /api/v1 is {"error": "<English sentence>", ...}, whatever raised it."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.registry.models import Filing
from tests.api.conftest import auth, row
from tests.conftest import make_uscc


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/coverage/by-town", "/api/v2/coverage"])
def test_an_unknown_path_is_a_json_404(client, token, path):
    r = client.get(path, headers=auth(token))
    assert r.status_code == 404
    assert r.get_json() == {"error": f"no such endpoint: {path} (the endpoints are listed in /api/v1/openapi.json)"}


def test_a_filing_number_with_a_slash_is_looked_up(client, token, factory):
    factory.filing(filing_no="XS/002")
    assert client.get("/api/v1/filings/XS/002", headers=auth(token)).get_json()["filing_no"] == "XS/002"
    assert client.get("/api/v1/filings/XS/003", headers=auth(token)).get_json() == {"error": "no such filing"}


@pytest.mark.parametrize(("method", "path", "allowed"), [("POST", "/api/v1/coverage", "GET, HEAD, OPTIONS"),
                                                         ("GET", "/api/v1/roster", "OPTIONS, POST"),
                                                         ("DELETE", "/api/v1/roster", "OPTIONS, POST")])
def test_a_wrong_method_is_a_json_405_with_allow(client, token, method, path, allowed):
    r = client.open(path, method=method, headers=auth(token))
    assert r.status_code == 405 and r.headers["Allow"] == allowed
    assert r.get_json() == {"error": f"{method} is not allowed on {path}; allowed: {allowed}"}


def test_pages_keep_their_own_error_pages(client):
    assert client.delete("/login").status_code == 405 and client.delete("/login").mimetype == "text/html"
    assert client.get("/nothing-here").mimetype == "text/html"


def test_a_body_over_the_upload_limit_is_a_json_413_naming_it(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post("/api/v1/roster", headers=auth(token), json={"rows": [{"officer_name": "x" * 2000}]})
    assert r.status_code == 413
    assert r.get_json() == {"error": "the request body is larger than the limit of 1024 bytes (LMS_MAX_UPLOAD_MB)"}
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    r = client.post("/api/v1/roster", headers=auth(token), json={"rows": [{"officer_name": "x" * 2**20}]})
    assert r.get_json() == {"error": "the request body is larger than the limit of 1 MB (LMS_MAX_UPLOAD_MB)"}


def test_a_server_error_is_json_in_english(app, client, token, monkeypatch):
    from lms.coverage import service

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "appointment_coverage", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    r = client.get("/api/v1/appointments", headers=auth(token))
    assert r.status_code == 500
    assert r.get_json() == {"error": "internal server error: the operator will find the details in the server log"}


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_the_bearer_scheme_is_case_insensitive(client, token, scheme):
    assert client.get("/api/v1/appointments", headers={"Authorization": f"{scheme} {token}"}).status_code == 200


def test_another_scheme_is_no_bearer_token(client, token):
    r = client.get("/api/v1/appointments", headers={"Authorization": f"Basic {token}"})
    assert r.status_code == 401 and r.get_json() == {"error": "missing bearer token"}


def test_an_invalid_uscc_is_explained_in_english(client, token):
    r = client.get("/api/v1/enterprises/123", headers=auth(token))
    assert r.status_code == 400
    assert r.get_json() == {"error": "invalid unified social credit code", "detail": "must be 18 characters, has 3"}


def _get_operations() -> list[tuple[str, list[str]]]:
    """Each GET path of the OpenAPI description, its path parameters filled in, with the query
    parameters the description lists for it, in its order."""
    from lms.api.openapi import SPEC

    filled = {"{uscc}": make_uscc(1), "{filing_no}": "XS-1"}
    found = []
    for path, methods in SPEC["paths"].items():
        if "get" in methods:
            for name, value in filled.items():
                path = path.replace(name, value)
            found.append((path, [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]))
    return found


@pytest.mark.parametrize(("path", "known"), _get_operations())
def test_an_unknown_query_parameter_is_refused_naming_the_known_ones(client, token, path, known):
    """A client paging with ?offset= would otherwise get the first page forever."""
    r = client.get(f"{path}?page=2&offset=5", headers=auth(token))
    assert r.status_code == 400
    ours = f"the known ones are {', '.join(known)}" if known else "this endpoint takes none"
    assert r.get_json() == {"error": f"unknown query parameters: offset, page; {ours}",
                            "unknown_parameters": ["offset", "page"], "known_parameters": known}


def test_a_repeated_query_parameter_is_refused(client, token, program):
    r = client.get("/api/v1/filings?limit=10&limit=20", headers=auth(token))
    assert r.status_code == 400 and r.get_json() == {"error": "limit is given more than once"}
    assert client.get("/api/v1/filings?limit=10", headers=auth(token)).status_code == 200


def test_a_push_refuses_query_parameters_so_a_dry_run_there_commits_nothing(client, token, factory):
    factory.town("东街道")
    r = client.post("/api/v1/roster?dry_run=true", headers=auth(token), json={"rows": [row()]})
    assert r.status_code == 400
    assert r.get_json()["error"] == "unknown query parameters: dry_run; this endpoint takes none"
    assert db.session.scalar(select(func.count(Filing.id))) == 0
