"""Uploaded files kept between their preview and the confirmation (roster, questions).

A preview that is never confirmed would leave its file behind, and a roster holds names and
mobile numbers: every new upload first deletes the uploads older than UPLOAD_KEEP_HOURS.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app

from lms.core.files import private_dir


def new_upload_token() -> str:
    return secrets.token_hex(16)


def is_upload_token(token: str) -> bool:
    """What new_upload_token makes: 32 hex digits. Anything else in a URL names no upload (and a
    long one would make a file name the system refuses)."""
    return len(token) == 32 and all(ch in "0123456789abcdef" for ch in token)


def upload_dir() -> Path:
    return private_dir(current_app.config["UPLOAD_FOLDER"])  # rosters hold names and mobiles


def forget_stale_uploads() -> int:
    """Delete uploads older than UPLOAD_KEEP_HOURS; returns how many files went."""
    cutoff = time.time() - current_app.config["UPLOAD_KEEP_HOURS"] * 3600
    gone = 0
    for path in upload_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # another worker got there first
            continue
    return gone


def claim_upload(token: str) -> Path | None:
    """Take a stored upload for confirming it, so that a second confirmation sent meanwhile (a
    second tab, a reload while the first is writing) finds it gone; None when another request
    has it. Put it back with release_upload() if the confirmation fails."""
    claimed = upload_dir() / f"{token}.claimed"
    try:
        (upload_dir() / f"{token}.json").rename(claimed)  # atomic: one request wins
    except FileNotFoundError:
        return None
    return claimed


def release_upload(token: str, claimed: Path) -> None:
    claimed.rename(upload_dir() / f"{token}.json")


def discard_upload(token: str) -> None:
    for suffix in (".data", ".json", ".claimed"):
        (upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)
