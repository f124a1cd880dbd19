"""What staff do for an officer who calls: correct the number they sign in with (the account
page sends them here), and hand them a link to set a new password when they forgot it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import service
from lms.accounts.forms import PhoneForm
from lms.accounts.models import User
from lms.core import audit
from lms.core.auth import ADMIN, OFFICER, STAFF, guard_blueprint, has_role, is_safe_next
from lms.core.urls import public_url
from lms.extensions import db

bp = guard_blueprint(
    Blueprint("accounts_staff", __name__, url_prefix="/staff/accounts", template_folder="templates"), STAFF
)


@bp.route("/<int:user_id>/phone", methods=["GET", "POST"])
def phone(user_id: int):
    """Staff correct an officer's login number; only an admin changes a staff member's."""
    user, back = _officer(user_id)
    form = PhoneForm(phone=user.phone or "")
    filing = service.current_filing_of(user) if user.role == OFFICER else None
    if form.validate_on_submit():
        try:
            changed = service.change_phone(user, form.phone.data or "", current_user)
        except service.AccountError as error:
            form.phone.errors.append(str(error))
        else:
            db.session.commit()
            flash(*_phone_changed(user, changed))
            return redirect(back or url_for("accounts_staff.phone", user_id=user.id))
    return render_template("accounts/phone.html", form=form, user=user, filing=filing, back=back)


def _phone_changed(user: User, changed: bool) -> tuple[str, str]:
    """What the change means for signing in: the number now taken, or the e-mail left."""
    if not changed:
        return _("登录手机号码没有改动。"), "info"
    if not user.phone:
        return _("%(name)s 今后用电子邮箱 %(email)s 登录，密码不变。", name=user.name, email=user.email), "success"
    if user.email:
        return _("%(name)s 今后用手机号码 %(phone)s 或电子邮箱 %(email)s 登录，密码不变。",
                 name=user.name, phone=user.phone, email=user.email), "success"
    return _("%(name)s 今后用手机号码 %(phone)s 登录，密码不变。", name=user.name, phone=user.phone), "success"


@bp.post("/<int:user_id>/reset-link")
def reset_link(user_id: int):
    """A link for an officer who forgot the password (there is no SMS): shown once, to hand on."""
    user, back = _officer(user_id)
    if not user.is_active_account:
        flash(_("账号 %(login)s 已停用：请先启用，再生成重置链接。", login=user.login), "error")
        return redirect(back or url_for("accounts_staff.phone", user_id=user.id))
    audit.record("user.reset_link", f"user:{user.id}", user.login)
    db.session.commit()
    return render_template("accounts/reset_link.html", user=user, hours=current_app.config["RESET_LINK_HOURS"],
                           link=public_url("accounts.reset_password", token=service.make_reset_token(user)),
                           back=back, back_label=_("返回"))


def _officer(user_id: int) -> tuple[User, str | None]:
    """The account staff act on (an officer's; any account for an admin) and the safe page to
    go back to."""
    user = db.get_or_404(User, user_id)
    if user.role != OFFICER and not has_role(current_user, ADMIN):
        abort(403)
    back = request.values.get("next", "")
    return user, back if back and is_safe_next(back) else None
