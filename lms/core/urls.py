"""Addresses handed out of the app (QR codes, e-mails, spreadsheets, calendar feeds)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """LMS_BASE_URL + the endpoint's path: what people outside this request can open, whatever
    host, port, scheme or proxy prefix the request itself came by, and from the command line
    too. LMS_BASE_URL holds the scheme, host and any path prefix the app is served under."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def public_url_is_local() -> bool:
    """LMS_BASE_URL names this machine (the default, http://127.0.0.1:5000): a link handed out
    with it opens only on the server itself, never on an officer's phone."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
