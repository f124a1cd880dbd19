"""Sign-in, registration with an invitation code, passwords; the admin's user list."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, select

from lms.accounts import service
from lms.accounts.forms import (
    ChangePasswordForm,
    ClaimForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    RoleForm,
    UserForm,
)
from lms.accounts.language import carry_language
from lms.accounts.models import User
from lms.core import audit
from lms.core.auth import ADMIN, ROLES, guard_blueprint, is_safe_next
from lms.core.clock import local_today
from lms.core.ids import paginate
from lms.core.models import utcnow
from lms.core.urls import public_url
from lms.extensions import db, limiter
from lms.registry.models import Enterprise, Filing

bp = Blueprint("accounts", __name__, template_folder="templates")
admin_bp = guard_blueprint(
    Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates"), ADMIN
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_key() -> str:
    """Throttle per account as well as per address, so one IP cannot spray one account."""
    return "login:" + service.normalize_login(request.form.get("login", ""))


def _account_and_address() -> str:
    """One address guessing at one account is stopped at once; others trying the same account
    (perhaps its owner) only once a whole hour's guesses add up (the per-account limit)."""
    return f"{_login_key()}@{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code != 302


# A browser its owner has signed in with carries a signed mark of that login, for a year: the
# account-wide limit, which strangers can exhaust from many addresses, does not apply to it, so
# guessing at an officer's account (their mobile is on the roster) cannot lock them out of the
# browser they use. The limits per address still apply to it (OWASP's "device cookies").
DEVICE_COOKIE, DEVICE_SALT, DEVICE_SECONDS = "lms_device", "login-device", 365 * 24 * 3600


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=DEVICE_SALT)


def _known_device() -> bool:
    mark = request.cookies.get(DEVICE_COOKIE)
    if not mark:
        return False
    try:
        signed_for = _device_serializer().loads(mark, max_age=DEVICE_SECONDS)
    except BadSignature:
        return False
    return signed_for == service.normalize_login(request.form.get("login", ""))


def _mark_device(response, login: str):
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(service.normalize_login(login)),
                        max_age=DEVICE_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], path=request.script_root or "/")
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_and_address, deduct_when=_failed)
@limiter.limit("30 per hour", methods=["POST"], key_func=_login_key, deduct_when=_failed, exempt_when=_known_device)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    signed_out = service.why_signed_out(session.get("_user_id")) if request.method == "GET" else None
    if signed_out:
        logout_user()  # said once: the stale token (and a remember-me cookie's) goes
        # The page says why; the generic "please sign in" of the page that sent them here goes.
        generic = str(current_app.login_manager.login_message)
        session["_flashes"] = [f for f in session.get("_flashes", []) if f[1] != generic]
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.login.data, form.password.data)
        if user:
            _sign_in(user, remember=form.remember.data)
            carry_language(user)
            target = request.args.get("next")
            return _mark_device(redirect(target if is_safe_next(target) else url_for("core.home")), form.login.data)
        # On the password field, which comes back empty: focus goes there (app.js) and a screen
        # reader reads the error with it, instead of a note at the top and focus nowhere.
        form.password.errors.append(_("手机号码/电子邮箱或密码不正确。"))
    return render_template("accounts/login.html", form=form, signed_out=signed_out), \
        200 if request.method == "GET" else 401


def _sign_in(user: User, remember: bool = False) -> None:
    """A new sign-in, with a new CSRF token: one read from the sign-in page by whoever planted
    that session cookie in the browser (a shared PC, plain http) does not carry over."""
    session.pop("csrf_token", None)
    login_user(user, remember=remember)


@bp.post("/logout")
def logout():
    logout_user()
    # Nothing of this person stays in the cookie for the next one at a shared PC (an invitation
    # code just shown, a half-finished form's state): only the page language.
    # (and Flask-Login's note to delete the remember-me cookie, which logout_user just left).
    kept = {key: session[key] for key in ("lang", "_remember") if key in session}
    session.clear()
    session.update(kept)
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(owner=current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("当前密码不正确"))
        elif form.password.data == form.current.data:
            form.password.errors.append(_("新密码不能与当前密码相同"))
        else:
            user = current_user._get_current_object()
            db.session.add(user)  # the user loader leaves it out of the Session on a read
            user.set_password(form.password.data)
            audit.record("user.password_changed", f"user:{user.id}", user.login, actor_id=user.id)
            db.session.commit()
            login_user(user)  # the new password's stamp
            flash(_("密码已修改。"), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The signed-in person's own account: who they are here, their e-mail, and a way to end
    every session they have (a cookie copied elsewhere, a shared office PC left signed in)."""
    user = current_user._get_current_object()
    form = EmailForm(email=user.email or "")
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower() or None
        other = service.find_user(email) if email else None
        if not user.check_password(form.current.data):
            form.current.errors.append(_("当前密码不正确"))
        elif other is not None and other.id != user.id:
            form.email.errors.append(_("该电子邮箱已用于另一个账号"))
        elif email is None and not user.phone:
            form.email.errors.append(_("您用电子邮箱登录，不能清空它。"))
        else:
            db.session.add(user)
            if email != user.email:  # a login changes: the log says from what to what
                audit.record("user.email_changed", f"user:{user.id}", f"{user.email or '—'} → {email or '—'}",
                             actor_id=user.id)
            user.email = email
            db.session.commit()
            flash(_("电子邮箱已保存。"), "success")
            return redirect(url_for("accounts.account"))
    filing = service.current_filing_of(user) if user.role == "officer" else None
    return render_template("accounts/account.html", form=form, filing=filing)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    user = current_user._get_current_object()
    db.session.add(user)
    service.end_all_sessions(user)
    db.session.commit()
    logout_user()
    flash(_("已在所有设备上退出登录，请重新登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = service.user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm(owner=user)
    if form.validate_on_submit():
        user.set_password(form.password.data)
        audit.record("user.password_reset", f"user:{user.id}", user.login, actor_id=user.id)
        db.session.commit()
        flash(_("新密码已设置，请登录。"), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, user=user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.claim"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register_officer(form.name.data, form.password.data, form.code.data,
                                            email=form.email.data or "", phone=form.phone.data,
                                            phone_confirmed=form.phone_confirmed.data or "")
        except service.PhoneToConfirm as error:
            db.session.rollback()
            flash(str(error), "warning")
            form.phone_confirmed.data = form.phone.data
            _keep_passwords(form)
        except service.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
            _keep_passwords(form)
        else:
            db.session.commit()
            _sign_in(user)
            carry_language(user)
            flash(_("注册成功，您的备案已认领。"), "success")
            if filing_mobile := service.other_filing_mobile(user):
                flash(_("您今后用手机号码 %(login)s 登录。备案上登记的手机号码仍是 %(filing)s；如需更改备案上的号码，请联系区市场监管局。",
                        login=user.phone, filing=filing_mobile), "info")
            return redirect(url_for("accounts.dashboard"))
    elif form.is_submitted() and not (form.password.errors or form.confirm.errors):
        _keep_passwords(form)  # another field to correct: the good passwords stay
    return render_template("accounts/register.html", form=form)


def _keep_passwords(form) -> None:
    """Sent back to correct another field, or asked to look at the number again, the officer
    need not type the passwords twice more: the page sent back keeps what they typed."""
    from wtforms.widgets import PasswordInput

    for field in (form.password, form.confirm):
        field.widget = PasswordInput(hide_value=False)


@bp.route("/me/claim", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def claim():
    held = service.current_filing_of(current_user)
    if held is not None:  # the account has its filing: a code typed here is not even looked up
        return render_template("accounts/claim.html", form=None, held=held)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            service.claim_filing(current_user, form.code.data)
        except service.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("备案已认领。"), "success")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/claim.html", form=form)


@bp.get("/me")
@login_required
def dashboard():
    if current_user.is_staff:
        return redirect(url_for("registry.filings"))
    from lms.assessment.service import attempts_in_progress
    from lms.catalog.service import catalog_for, hours_earned
    from lms.programs.next_step import next_step
    from lms.programs.service import current_program, standing
    from lms.workshops.service import upcoming_enrollments

    filing = service.current_filing_of(current_user)
    ended = None if filing else service.last_ended_filing_of(current_user)
    # An ended filing's officer sees the requirements of that enterprise, as staff do on the
    # officer's page, and no countdown nor next step: they no longer count towards the target.
    industry = (filing or ended).enterprise.industry_code if (filing or ended) else ""
    program = current_program()
    courses, revoked = catalog_for(current_user.id, industry), _revoked_only(program)
    state = standing(current_user.id, industry, program) if program else None
    workshops = upcoming_enrollments(current_user.id)
    step = None if ended else next_step(current_user.id, filing, program, state, courses, workshops, bool(revoked))
    return render_template("accounts/dashboard.html", filing=filing, ended=ended, courses=courses,
                           hours=hours_earned(current_user.id), standing=state, revoked=revoked, step=step,
                           days_left=(program.deadline - local_today()).days if program and filing else None,
                           workshops=workshops, exams_open=attempts_in_progress(current_user.id))


def _revoked_only(program):
    """The officer's revoked certificate of the program, when they hold no valid one."""
    from lms.certificates.service import in_force, revoked_of

    if program is None or in_force(current_user.id, program.id) is not None:
        return None
    return revoked_of(current_user.id, program.id)


# --- administration -------------------------------------------------------------------


@admin_bp.get("/users")
def users():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    query = select(User).order_by(User.role.desc(), User.name)
    if q:
        # An officer is also found by the mobile on their filing and by their enterprise. Typed
        # % and _ are characters sought, not wildcards that would list everyone.
        def has(column):
            return column.icontains(q, autoescape=True)

        filed = (select(Filing.user_id).join(Enterprise, Filing.enterprise_id == Enterprise.id)
                 .where(Filing.user_id.is_not(None), or_(has(Filing.mobile), has(Enterprise.name))))
        query = query.where(or_(has(User.name), has(User.email), has(User.phone), User.id.in_(filed)))
    if role not in ROLES:  # an unknown role in the address lists everyone, as no role does
        role = ""
    if role:
        query = query.where(User.role == role)
    page = paginate(query, per_page=50)
    return render_template("accounts/users.html", page=page, q=q, role=role, form=RoleForm(),
                           enterprises=_enterprises_of([u.id for u in page.items]))


def _enterprises_of(user_ids: list[int]) -> dict[int, str]:
    """The enterprise of each officer's filing, the current one before an ended one: two
    officers of the same name are told apart by it."""
    rows = db.session.execute(
        select(Filing.user_id, Enterprise.name).join(Enterprise, Filing.enterprise_id == Enterprise.id)
        .where(Filing.user_id.in_(user_ids)).order_by(Filing.status == "current", Filing.appointed_on)
    ).all()
    return dict(rows)  # later rows win: the current filing, else the latest


@admin_bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            import secrets

            user = service.create_user(
                form.name.data, secrets.token_urlsafe(24), email=form.email.data or "",
                phone=form.phone.data or "", role=form.role.data,
            )
        except service.AccountError as error:
            flash(str(error), "error")
        else:
            audit.record("user.created", f"user:{user.id}", f"{user.login} ({user.role})",
                         details={"login": user.login, "role": user.role})
            db.session.commit()
            return _show_reset_link(user, created=True)
    return render_template("accounts/user_form.html", form=form)


@admin_bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("未知角色：请在列表中选择。"), "error")
    elif user.id == current_user.id:
        flash(_("不能修改自己的角色。"), "error")
    else:
        role = next(str(c.label) for c in form.role.choices if c.value == form.role.data)
        if service.set_role(user, form.role.data, current_user):
            flash(_("%(name)s（%(login)s）的角色已改为%(role)s。", name=user.name, login=user.login, role=role),
                  "success")
        else:
            flash(_("%(name)s 已是%(role)s，角色未变。", name=user.name, role=role), "info")
    return redirect(url_for("admin.users", q=request.args.get("q")))


@admin_bp.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("不能停用自己的账号。"), "error")
    else:
        user.is_active_account = not user.is_active_account
        if not user.is_active_account:  # signed out for good: enabling it again brings back no session
            user.password_changed_at = utcnow()
        state = "enabled" if user.is_active_account else "disabled"
        audit.record(f"user.{state}", f"user:{user.id}", user.login)
        db.session.commit()
        flash(_("账号 %(login)s 已启用。", login=user.login) if user.is_active_account
              else _("账号 %(login)s 已停用：它不能再登录，已登录的设备也会退出。", login=user.login), "success")
    return redirect(url_for("admin.users"))


@admin_bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id: int):
    user = db.get_or_404(User, user_id)
    if not user.is_active_account:  # the link would set a password nobody can sign in with
        flash(_("账号 %(login)s 已停用：请先启用，再生成重置链接。", login=user.login), "error")
        return redirect(url_for("admin.users"))
    audit.record("user.reset_link", f"user:{user.id}", user.login)
    db.session.commit()
    return _show_reset_link(user)


def _show_reset_link(user: User, created: bool = False):
    link = public_url("accounts.reset_password", token=service.make_reset_token(user))
    hours = current_app.config["RESET_LINK_HOURS"]
    return render_template(
        "accounts/reset_link.html", user=user, link=link, hours=hours, created=created
    )


@admin_bp.get("/audit")
def audit_log():
    action = request.args.get("action") or None
    page = paginate(audit.recent_entries(action), per_page=50)
    role_names = {choice.value: choice.label for choice in RoleForm().role.choices}  # as on the users page
    return render_template(
        "accounts/audit.html", page=page, action=action, actions=audit.known_actions(),
        labels=audit.ACTION_LABELS, target_link=audit.target_link,
        describe=lambda entry: audit.describe(entry, role_names),
    )
