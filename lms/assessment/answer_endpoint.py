"""The autosave of one answer, served in front of the Flask request cycle.

On an exam morning nearly every request is this one, and the full cycle (request and
session objects, CSRF and rate-limit hooks, the security-header and session hooks) cost
several times the save itself (bench/exam_load.py). So a valid save is answered here with
the same checks: the session cookie's signature (Flask's own serializer), the CSRF header
token (Flask-WTF's token, checked against the session's), then service.record_answer (owner,
active account, open attempt, server deadline, the response's shape). Anything else (no or
bad cookie or token, bad JSON, a refused save, an error) goes on to the Flask view
views.answer unchanged, which answers it exactly as before.
"""

from __future__ import annotations

import hmac
import io
import json
import re
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.http import parse_cookie

from lms.accounts.service import parse_login_token
from lms.assessment import grading, service

_LARGEST_BODY = 16 * 1024  # an answer is a few bytes; anything bigger takes the long way
# What lms.create_app's security_headers adds to every response (tests/assessment checks
# that the two agree), and what Flask adds when a response depends on the session.
_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"), ("Cache-Control", "no-store"), ("Vary", "Cookie"))


def install(app: Flask, url_prefix: str) -> None:
    """Put the fast path in front of the app's WSGI callable (the exams blueprint does)."""
    app.wsgi_app = AnswerEndpoint(app, app.wsgi_app, url_prefix)


class AnswerEndpoint:
    """WSGI middleware: POST <prefix>/attempts/<id>/answer when everything is in order."""

    def __init__(self, app: Flask, wsgi_app, url_prefix: str) -> None:
        self.app = app
        self._path = re.compile(re.escape(url_prefix.rstrip("/")) + r"/attempts/(\d{1,18})/answer")
        self.wsgi_app = wsgi_app
        self._serializers: tuple | None = None
        from lms import CSP, HSTS  # lms is importing us; its constants are already there

        self._headers = [("Content-Security-Policy", CSP), *_HEADERS, *([HSTS] if app.config.get("HTTPS") else [])]

    def __call__(self, environ: dict[str, Any], start_response):
        if environ.get("REQUEST_METHOD") == "POST" and (match := self._path.fullmatch(environ.get("PATH_INFO", ""))):
            body = _read_json_body(environ)
            if body is not None:
                saved = self._save(environ, int(match[1]), body)
                if saved is not None:
                    payload = json.dumps({"saved": True, "seconds_left": saved}, separators=(",", ":")).encode() + b"\n"
                    start_response("200 OK", [("Content-Type", "application/json"),
                                              ("Content-Length", str(len(payload))), *self._headers])
                    return [payload]
                environ["wsgi.input"] = io.BytesIO(body)  # the Flask view reads it again
        return self.wsgi_app(environ, start_response)

    def _signers(self) -> tuple[URLSafeTimedSerializer, URLSafeTimedSerializer] | None:
        """Flask's session serializer and Flask-WTF's token serializer, built once."""
        if self._serializers is None:
            app = self.app
            interface = app.session_interface
            if not isinstance(interface, SecureCookieSessionInterface):  # Flask's cookie format
                return None
            session_signer = interface.get_signing_serializer(app)
            if session_signer is None:  # no secret key: no signed-in session to trust
                return None
            secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
            self._serializers = (session_signer, URLSafeTimedSerializer(secret, salt="wtf-csrf-token"))
        return self._serializers

    def _session(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        signers = self._signers()
        cookie = parse_cookie(environ).get(self.app.config["SESSION_COOKIE_NAME"])
        if signers is None or not cookie:
            return None
        try:
            data = signers[0].loads(cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadData:
            return None
        return data if isinstance(data, dict) else None

    def _csrf_ok(self, environ: dict[str, Any], session: dict[str, Any]) -> bool:
        """Flask-WTF's check of a header token (CSRFProtect.protect), for this request."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get("WTF_CSRF_CHECK_DEFAULT", True):
            return True
        expected = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        header_names = config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
        given = next((value for name in header_names
                      if (value := environ.get("HTTP_" + name.upper().replace("-", "_")))), None)
        if not expected or not given:
            return False
        try:
            token = self._signers()[1].loads(given, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
        except BadData:
            return False
        if not isinstance(token, str) or not hmac.compare_digest(str(expected).encode(), token.encode()):
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            referrer = environ.get("HTTP_REFERER")
            return bool(referrer) and same_origin(referrer, f"https://{environ.get('HTTP_HOST', '')}/")
        return True

    def _save(self, environ: dict[str, Any], attempt_id: int, body: bytes) -> int | None:
        """Seconds left once saved; None when the Flask view must answer instead."""
        session = self._session(environ)
        if session is None or not self._csrf_ok(environ, session):
            return None
        signed_in = parse_login_token(session.get("_user_id"))
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if signed_in is None or not (isinstance(data, dict) and type(data.get("position")) is int):
            return None
        user_id, stamp = signed_in
        with self.app.app_context():
            try:
                return service.record_answer(attempt_id, user_id, data["position"], data.get("response", ...),
                                             data.get("flagged"), session_stamp=stamp, seen=data.get("seen"))
            except (grading.ResponseError, service.ExamError, service.AnswerOvertaken):
                return None  # the view says why, in the officer's language
            except Exception:  # noqa: BLE001 - the view retries the (idempotent) save and reports it
                self.app.logger.exception("autosave of attempt %s failed on the fast path", attempt_id)
                return None


def _read_json_body(environ: dict[str, Any]) -> bytes | None:
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= _LARGEST_BODY:
        return None
    return environ["wsgi.input"].read(length)
