"""Rate limits hold where they are declared, and cost nothing on pages without one."""

from __future__ import annotations

from flask import Flask
from flask_limiter.util import get_remote_address

from lms.extensions import Limiter


def test_a_declared_limit_holds_and_says_so_in_headers(client):
    for _ in range(30):
        r = client.get("/verify/CQO-2026-000001-0")
        assert r.status_code in (200, 404) and r.headers["X-RateLimit-Limit"] == "30"
    assert client.get("/verify/CQO-2026-000001-0").status_code == 429


def test_a_page_without_limits_keeps_no_limiter_state(app, client):
    seen = []
    app.after_request(lambda response: seen.append(response.headers.get("X-RateLimit-Limit")) or response)
    for _ in range(40):
        assert client.get("/healthz").status_code == 200
    assert seen == [None] * 40


def test_application_wide_limits_are_still_checked_before_every_request():
    app = Flask(__name__)
    limiter = Limiter(key_func=get_remote_address, application_limits=["2 per minute"],
                      storage_uri="memory://")
    limiter.init_app(app)
    app.get("/")(lambda: "ok")
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
