"""Addresses handed out of the app (QR codes, e-mails, spreadsheets, calendar feeds)."""

from __future__ import annotations

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """LMS_BASE_URL + the endpoint's path: what people outside this request can open, whatever
    host, port, scheme or proxy prefix the request itself came by, and from the command line
    too. LMS_BASE_URL holds the scheme, host and any path prefix the app is served under."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
