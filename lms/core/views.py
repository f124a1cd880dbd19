"""Home, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.core.auth import is_safe_next
from lms.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        if current_user.is_staff:
            return redirect(url_for("coverage.dashboard"))
        return redirect(url_for("accounts.dashboard"))
    return render_template("home.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    if code in ("zh_CN", "en"):
        session["lang"] = code
        if current_user.is_authenticated:  # kept with the account: the next sign-in, any device
            user = current_user._get_current_object()
            db.session.add(user)  # the user loader leaves it out of the Session on a read
            user.locale = code
            db.session.commit()
        else:
            session["lang_picked"] = True  # chosen before signing in: the account takes it on
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.home"))


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
