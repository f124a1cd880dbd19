"""Flask's signed-cookie session and what is derived from it, without repeating work on
every request.

Flask builds a new itsdangerous serializer for every request and verifies the cookie from
scratch each time: base64, zlib, two HMACs and JSON, a sixth of a signed-in page's time
(bench/lesson_page.py). A browser sends the same cookie until the session changes, so a
value verified once is remembered (by its exact text: a forged or altered cookie never
matches one) with the time it was signed, and only its expiry is checked again.
"""

from __future__ import annotations

import time
from contextlib import suppress

from flask import Flask, Request, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer


class Memo(dict):
    """A bounded dict: when full, the oldest entry goes first."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key, value):
        if len(self) >= self.size:
            with suppress(RuntimeError, StopIteration):  # another thread changed it meanwhile
                self.pop(next(iter(self)), None)
        self[key] = value
        return value


class _JSONText:
    """A 'serializer' that hands back the JSON text itsdangerous has verified and unpacked."""

    @staticmethod
    def dumps(_obj) -> str:
        return ""  # tells itsdangerous that this serializer works on text

    @staticmethod
    def loads(text: str) -> str:
        return text


class CookieSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions as Flask keeps them, remembering verified cookie values."""

    MEMO_SIZE = 2048  # Cookie headers of a few hundred bytes: about a megabyte at most

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}
        self._verified = Memo(self.MEMO_SIZE)  # Cookie header -> (signed at, JSON, parsed)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {key: serializer}  # a new key replaces the old one
            self._verified = Memo(self.MEMO_SIZE)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        header = request.environ.get("HTTP_COOKIE")  # the cookie arrives as the same header
        max_age = app.permanent_session_lifetime.total_seconds()
        known = self._verified.get(header) if header else None
        if known is None:
            value = request.cookies.get(self.get_cookie_name(app))
            if not value:
                return self.session_class()
            try:
                payload, signed_at = serializer.make_signer().unsign(
                    value, max_age=max_age, return_timestamp=True)
                # Positional: URLSafeSerializer.load_payload drops a serializer passed by keyword.
                text = serializer.load_payload(payload, _JSONText)
                data = self.serializer.loads(text)
            except BadSignature:
                return self.session_class()
            # A session of plain values (the usual: user, CSRF token, language) is kept
            # parsed; one holding lists (flashed messages, changed in place) is parsed anew.
            plain = data if all(type(v) in _PLAIN for v in data.values()) else None
            known = self._verified.keep(header, (signed_at.timestamp(), text, plain))
        elif time.time() - known[0] > max_age:
            self._verified.pop(header, None)
            return self.session_class()  # expired, as itsdangerous's max_age would say
        plain = known[2]
        return self.session_class(plain if plain is not None else self.serializer.loads(known[1]))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session.modified and not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            # What Flask's own does then, without first reading seven cookie settings.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


_PLAIN = frozenset({str, int, float, bool, type(None)})


_identifiers = Memo(1024)


def session_identifier() -> str:
    """Flask-Login's session-protection identifier (a SHA-512 of the address and the browser),
    computed once per address and browser: creating a hash object costs OpenSSL 3 more than
    hashing, and it was asked for on every signed-in request."""
    environ = request.environ  # what request.headers and remote_addr read, without their layers
    key = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT"))
    found = _identifiers.get(key)
    return found if found is not None else _identifiers.keep(key, _create_identifier())


_csrf_tokens = Memo(2048)


def csrf_token() -> str:
    """Flask-WTF's generate_csrf, signing each session's raw token once rather than on every
    page. Tokens carry no expiry here (WTF_CSRF_TIME_LIMIT is None), so the first signed
    form of a session's token stays as valid as a new one."""
    app = current_app._get_current_object()
    name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(name)
    if raw is None or name in g or app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    key = (app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, raw)
    signed = _csrf_tokens.get(key)
    if signed is None:
        return _csrf_tokens.keep(key, generate_csrf())
    setattr(g, name, signed)  # where generate_csrf looks first, for forms on the same page
    return signed
