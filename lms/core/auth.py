"""Role checks. Staff areas are whole blueprints guarded before every request."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, abort, request
from flask_login import current_user

OFFICER, STAFF, ADMIN = "officer", "staff", "admin"
ROLES = (OFFICER, STAFF, ADMIN)
_RANK = {OFFICER: 0, STAFF: 1, ADMIN: 2}


def has_role(user, role: str) -> bool:
    """Admins can do what staff can; staff what officers can see of staff pages, no more."""
    return bool(user and user.is_authenticated and _RANK.get(user.role, -1) >= _RANK[role])


def _check(role: str):
    if not current_user.is_authenticated:
        from lms.extensions import login_manager

        return login_manager.unauthorized()
    if not has_role(current_user, role):
        abort(403)
    return None


def role_required(role: str):
    """Decorator for a single view."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            denied = _check(role)
            return denied if denied is not None else view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(STAFF)
admin_required = role_required(ADMIN)


def guard_blueprint(bp: Blueprint, role: str) -> Blueprint:
    """Every route of bp needs the role: no view can forget its decorator."""
    bp.before_request(lambda: _check(role))
    return bp


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no '//' or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    joined = urlsplit(urljoin(request.host_url, target))
    return joined.netloc == urlsplit(request.host_url).netloc and joined.scheme in {"http", "https"}


def per_user() -> str:
    """A rate-limit key per signed-in account, not per address: a whole company may reach us
    through one NAT address."""
    return f"user:{current_user.get_id()}"
