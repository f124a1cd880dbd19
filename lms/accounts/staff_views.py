"""Staff correct the number an officer signs in with: the account page sends them here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import service
from lms.accounts.forms import PhoneForm
from lms.accounts.models import User
from lms.core.auth import ADMIN, OFFICER, STAFF, guard_blueprint, has_role, is_safe_next
from lms.extensions import db

bp = guard_blueprint(
    Blueprint("accounts_staff", __name__, url_prefix="/staff/accounts", template_folder="templates"), STAFF
)


@bp.route("/<int:user_id>/phone", methods=["GET", "POST"])
def phone(user_id: int):
    """Staff correct an officer's login number; only an admin changes a staff member's."""
    user = db.get_or_404(User, user_id)
    if user.role != OFFICER and not has_role(current_user, ADMIN):
        abort(403)
    back = request.values.get("next", "")
    back = back if back and is_safe_next(back) else None
    form = PhoneForm(phone=user.phone or "")
    filing = service.current_filing_of(user) if user.role == OFFICER else None
    if form.validate_on_submit():
        try:
            changed = service.change_phone(user, form.phone.data or "", current_user)
        except service.AccountError as error:
            form.phone.errors.append(str(error))
        else:
            db.session.commit()
            if changed:
                flash(_("%(name)s 今后用 %(login)s 登录，密码不变。", name=user.name, login=user.login), "success")
            return redirect(back or url_for("accounts_staff.phone", user_id=user.id))
    return render_template("accounts/phone.html", form=form, user=user, filing=filing, back=back)
