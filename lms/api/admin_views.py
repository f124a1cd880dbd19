"""Admins create and revoke registry API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.api.models import ApiToken, create_token, token_name_problem
from lms.core import audit
from lms.core.auth import ADMIN, guard_blueprint
from lms.core.models import utcnow
from lms.core.text import clean
from lms.extensions import db

bp = guard_blueprint(Blueprint("tokens", __name__, url_prefix="/admin/tokens", template_folder="templates"), ADMIN)


@bp.get("/")
def index():
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("api/tokens.html", tokens=tokens, plain=None)


@bp.post("/")
def create():
    name = clean(request.form.get("name"))
    if problem := token_name_problem(name):
        flash(problem, "error")
        return redirect(url_for("tokens.index"))
    token, plain = create_token(name, current_user.id)
    audit.record("api_token.created", f"token:{token.id}", name)
    db.session.commit()
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("api/tokens.html", tokens=tokens, plain=plain, new=token)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", f"token:{token.id}", token.name)
        db.session.commit()
        flash(_("令牌已吊销。"), "success")
    return redirect(url_for("tokens.index"))
