"""Addresses handed out of the app (QR codes, e-mails, spreadsheets, calendar feeds)."""

from __future__ import annotations

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """LMS_BASE_URL + the endpoint's path: what people outside this request can open, whatever
    host, port or scheme the request itself came by."""
    return current_app.config["BASE_URL"] + url_for(endpoint, _external=False, **values)
