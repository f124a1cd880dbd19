"""Account rules: sign-in, passwords, reset links, claiming a filing."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import User
from lms.core import audit
from lms.core.auth import OFFICER, ROLES
from lms.core.models import utcnow
from lms.core.text import clean
from lms.extensions import db
from lms.registry.identifiers import is_valid_mobile, normalize_mobile
from lms.registry.models import Filing


class AccountError(Exception):
    """A rule was broken; the message is for the user."""


def normalize_login(raw: str) -> str:
    """E-mail addresses are case-insensitive; phone numbers lose spaces and +86."""
    text = clean(raw)
    if "@" in text:
        return text.lower()
    return normalize_mobile(text)


def find_user(login: str) -> User | None:
    """The account whose e-mail or phone number is login."""
    key = normalize_login(login)
    if not key:
        return None
    return db.session.scalar(
        select(User).where(or_(func.lower(User.email) == key, User.phone == key))
    )


def authenticate(login: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong, nor,
    by taking less time, that no such account exists: a password is checked either way)."""
    user = find_user(login)
    if user is None:
        check_password_hash(_stand_in_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    # The password first, whatever the account's state: a disabled account answering in a
    # tenth of the time would tell that it exists.
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


@cache
def _stand_in_hash(method: str) -> str:
    """A hash of nothing anyone knows, checked when the account does not exist."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_NAME = 80  # the admin form's limit (registering allows 50)
# Passwords tried first by anyone guessing: the most common ones in Chinese password leaks.
_COMMON_PASSWORDS = frozenset({
    "password", "password1", "passw0rd", "qwertyui", "qwerty123", "1qaz2wsx", "1q2w3e4r", "qweasdzxc",
    "woaini1314", "iloveyou", "a1234567", "a12345678", "abc12345", "abcd1234", "aa123456", "asdfghjk",
    "zxcvbnm1", "12qwaszx", "admin123", "admin888", "root1234", "test1234", "12341234", "123123123",
    "112233445", "11223344", "1234abcd", "5201314520", "147258369", "159357159", "123654789",
    "qq123456", "woaini520", "a123456789", "1qaz2wsx3edc",
})
_RUNS = "01234567890 abcdefghijklmnopqrstuvwxyz qwertyuiop asdfghjkl zxcvbnm"
# One to four syllables of pinyin with digits before or after: a name and a birthday or a
# year ("lina1234", "zhangwei88", "1990wangfang"), the pattern guessers try right after the list.
_SYLLABLE = ("(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
             "(?:iang|iong|uang|ueng|ang|eng|ong|ing|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er"
             "|ia|ie|iu|in|ua|uo|ui|un|ue|ve|a|o|e|i|u|v)")
_NAME_AND_DIGITS = re.compile(f"(?:{_SYLLABLE}){{1,4}}[0-9]+|[0-9]+(?:{_SYLLABLE}){{1,4}}")


def password_problem(password: str, *, name: str = "", phone: str = "", email: str = "") -> str | None:
    """Why a new password will not do, or None: too short, among the first a guesser tries,
    all digits, a pinyin name with digits, or made of what the account says of its owner (the
    mobile, the e-mail's name, a name written in letters). For every way a password is set:
    forms, the CLI, accounts made by code."""
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD:
        return _("密码至少 8 个字符")
    if len(password) > MAX_PASSWORD:  # the forms' limit, for the CLI too
        return _("密码最多 %(n)s 个字符", n=MAX_PASSWORD)
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(lowered)) <= 2 or lowered in _RUNS or lowered in _RUNS[::-1]:
        return _("这个密码太常见，很容易被猜中，请换一个")
    if problem := _personal_problem(lowered, name, phone, email):
        return problem
    if lowered.isdigit():
        return _("密码不能全是数字：请加上字母或符号")
    if _NAME_AND_DIGITS.fullmatch(lowered):
        return _("“姓名拼音 + 数字”（如 lina1234）这样的密码很容易被猜中：请加上符号，或换一个")
    return None


def _personal_problem(lowered: str, name: str, phone: str, email: str) -> str | None:
    """Why a password made of its owner's mobile, e-mail name or lettered name will not do."""
    from flask_babel import gettext as _

    mobile = normalize_mobile(phone) if phone else ""
    if mobile and mobile in lowered:
        return _("密码不能包含您的手机号码")
    local = email.partition("@")[0].lower() if "@" in email else ""
    # "li.na88@..." and "Li Na" both give "lina": the letters of a name, however written.
    parts = {local, re.sub("[^a-z]", "", local), re.sub("[^a-z]", "", name.lower())}
    if any(len(part) >= 3 and part in lowered for part in parts):
        return _("密码不能包含您的姓名或电子邮箱用户名")
    return None


def account_owner(user: User | None) -> dict[str, str]:
    """What a password is checked against for this account (password_problem's keywords)."""
    if user is None:
        return {}
    return {"name": user.name or "", "phone": user.phone or "", "email": user.email or ""}


def create_user(
    name: str, password: str, *, email: str = "", phone: str = "", role: str = OFFICER
) -> User:
    """Add a user after checking the name, the password and that the login is free; the
    caller commits."""
    from flask_babel import gettext as _

    email = normalize_login(email) if email else ""
    phone = normalize_mobile(phone) if phone else ""
    if role not in ROLES:
        raise AccountError(_("未知角色"))
    if not clean(name):
        raise AccountError(_("请填写姓名"))
    if len(clean(name)) > MAX_NAME:
        raise AccountError(_("姓名最多 %(n)s 个字", n=MAX_NAME))
    if problem := password_problem(password, name=name, phone=phone, email=email):
        raise AccountError(problem)
    if not email and not phone:
        raise AccountError(_("请填写手机号码或电子邮箱"))
    if phone and not is_valid_mobile(phone):
        raise AccountError(_("手机号码格式不正确"))
    if email and find_user(email) or phone and find_user(phone):
        raise AccountError(_("该手机号码或电子邮箱已有账号"))
    user = User(name=clean(name), email=email or None, phone=phone or None, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def change_phone(user: User, phone: str, actor: User) -> bool:
    """Correct the mobile number a user signs in with (a number mistyped at registration, a
    new phone); audited from what to what. Returns whether it changed; the caller commits."""
    from flask_babel import gettext as _

    phone = normalize_mobile(phone) if phone.strip() else ""
    if phone and not is_valid_mobile(phone):
        raise AccountError(_("手机号码格式不正确"))
    if not phone and not user.email:
        raise AccountError(_("这个账号只用手机号码登录，不能清空它。"))
    other = find_user(phone) if phone else None
    if other is not None and other.id != user.id:
        raise AccountError(_("该手机号码已用于另一个账号（%(name)s）。", name=other.name))
    if (phone or None) == user.phone:
        return False
    audit.record("user.phone_changed", f"user:{user.id}", f"{user.phone or '—'} → {phone or '—'}",
                 actor_id=actor.id, details={"from": user.phone, "to": phone or None})
    user.phone = phone or None
    return True


def set_role(user: User, role: str, actor: User) -> bool:
    """Change a user's role, recorded in the audit log; False when it was that role already."""
    old = user.role
    if role not in ROLES or role == old:
        return False
    user.role = role
    audit.record(
        "user.role_changed", f"user:{user.id}", f"{user.login}: {old} → {role}",
        details={"login": user.login, "from": old, "to": role}, actor_id=actor.id,
    )
    db.session.commit()
    return True


# Reset links: signed, expiring, and void once the password has changed, because the
# signature covers the time of the last password change.
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": user.password_changed_at.timestamp()})


def user_for_reset_token(token: str) -> User | None:
    """The user the token was made for, if it is genuine, fresh and unused."""
    max_age = current_app.config["RESET_LINK_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or abs(user.password_changed_at.timestamp() - data.get("p", 0)) > 1e-3:
        return None
    return user


# Invitation codes: 10 characters from an alphabet without look-alikes, shown once,
# stored as an HMAC so that a copy of the database does not reveal them.
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_invite_code(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    normalized = clean(code).replace("-", "").replace(" ", "").upper()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def filing_for_code(code: str) -> Filing:
    """The unclaimed current filing an invitation code was issued for (locked for the claim)."""
    from flask_babel import gettext as _

    filing = db.session.scalar(
        select(Filing).where(Filing.invite_code_hash == hash_invite_code(code)).with_for_update()
    )
    # The same message whether the code is unknown or used (a claim clears it): a wrong guess
    # must not tell whether a filing exists. A code for an ended filing was handed out, so its
    # holder (the predecessor, say) is told what happened: codes are too long to be guessed.
    if filing is None or filing.user_id is not None:
        raise AccountError(_("邀请码无效或已被使用。已经用它注册过的，请直接登录；否则请核对后重试，或联系区市场监管局。"))
    if not filing.is_current:
        raise AccountError(_("这个邀请码的备案已经结束（该企业的首席质量官已变更或已注销），邀请码随之失效。如有疑问，请联系区市场监管局。"))
    return filing


def same_name(given: str, filed: str) -> bool:
    """Whether a name is the one a filing registers, as the roster prints it: full-width
    letters and spaces typed in it do not matter."""
    return "".join(clean(given).split()) == "".join(clean(filed).split())


class PhoneToConfirm(AccountError):
    """The number typed is not the filing's: asked once, since it becomes the login."""


def register_officer(name: str, password: str, code: str, *, phone: str, email: str = "",
                     phone_confirmed: str = "") -> User:
    """A new officer's account, claiming the filing of their invitation code; the caller commits.

    The code is checked first: without one, the form tells nobody whether a mobile number or
    an e-mail address already has an account. The name must be the filing's, as the roster,
    the coverage lists and the certificate will print it.
    """
    from flask_babel import gettext as _

    filing = filing_for_code(code)
    if not same_name(name, filing.officer_name):
        raise AccountError(_("姓名与这个邀请码的备案不一致：请填写备案上登记的姓名。若备案上的姓名有误，请联系区市场监管局更正。"))
    if (email and find_user(email)) or (phone and find_user(phone)):
        raise AccountError(_("该手机号码或电子邮箱已有账号，请直接登录，再在“认领备案”页面输入邀请码"))
    typed, filed = normalize_mobile(phone), normalize_mobile(filing.mobile or "")
    if is_valid_mobile(typed) and filed and typed != filed and normalize_mobile(phone_confirmed) != typed:
        raise PhoneToConfirm(_("您填写的手机号码 %(typed)s 与备案上登记的号码（%(filed)s）不一致。手机号码就是您今后的登录账号，请核对一遍：没有填错的话，再点一次“注册并认领备案”。",
                               typed=typed, filed=_masked(filed)))
    user = create_user(filing.officer_name, password, email=email, phone=phone)
    user.last_login_at = utcnow()  # signed in at once (views.register): an account in use, not one waiting
    claim_filing(user, code, filing)
    return user


def other_filing_mobile(user: User) -> str | None:
    """The mobile on the officer's filing, masked, when it is not the number they sign in with:
    staff look officers up by the filing's number, so the officer should know it still stands."""
    filing = current_filing_of(user)
    mobile = normalize_mobile(filing.mobile or "") if filing else ""
    if not mobile or mobile == user.phone:
        return None
    return _masked(mobile)


def _masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def claim_filing(user: User, code: str, filing: Filing | None = None) -> Filing:
    """Link user to the filing the code was issued for (found already, or now); a code works once,
    for the person the filing names (as registration checks it), and only for an account with
    no current filing: an account stands for one officer of one enterprise (current_filing_of;
    the certificate names one filing's enterprise), so a second one would be counted trained
    on a certificate printed for the other enterprise."""
    from flask_babel import gettext as _

    filing = filing or filing_for_code(code)  # a wrong code says only that, whoever asks
    if not same_name(user.name, filing.officer_name):
        raise AccountError(_("这个邀请码的备案不是以您账号上的姓名（%(name)s）登记的，不能认领：邀请码只能由备案上登记的本人使用。若姓名登记有误，请联系区市场监管局更正。", name=user.name))
    held = current_filing_of(user)
    if held is not None:
        raise AccountError(_("您的账号已关联%(e)s的在任备案，不能再认领另一份备案。如您同时担任另一家企业的首席质量官，请联系区市场监管局。", e=held.enterprise.name))
    filing.user_id = user.id
    filing.claimed_at = utcnow()
    filing.invite_code_hash = None
    audit.record(
        "filing.claimed", f"filing:{filing.id}", f"{filing.officer_name} → {user.login}",
        actor_id=user.id,
    )
    return filing


def end_all_sessions(user: User) -> None:
    """Sign the user out of every browser and device at once: sessions and remember-me cookies
    carry the stamp of password_changed_at (see login_token), which moves now as a new password
    would move it; reset links made before are void too. The caller commits."""
    user.password_changed_at = utcnow()
    audit.record("user.signed_out_everywhere", f"user:{user.id}", user.login, actor_id=user.id)


def password_stamp(moment: datetime) -> int:
    """When a password was set, in microseconds: part of the sign-in token."""
    return round((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1_000_000)


def login_token(user_id: int, password_changed_at: datetime) -> str:
    """What the session and the remember-me cookie keep for a signed-in user: the id and the
    password's stamp, so that a new password (the officer's own, a reset link, an admin's)
    signs out every other session and device."""
    return f"{user_id}.{password_stamp(password_changed_at)}"


def parse_login_token(token: object) -> tuple[int, int] | None:
    """(user id, password stamp) from a login token, or None when it is not one."""
    user_id, _, stamp = str(token or "").partition(".")
    return (int(user_id), int(stamp)) if user_id.isdecimal() and stamp.isdecimal() else None


# What moved a password's stamp, as the audit log names it: the sign-in page tells a device
# signed out by it why.
_STAMP_ACTIONS = ("user.password_changed", "user.password_reset", "user.password_set", "user.signed_out_everywhere")


def why_signed_out(token: object) -> str | None:
    """Why the login token a browser still carries no longer signs it in: "password" (a new
    password since) or "everywhere" (signed out of every device), else None: no token, an
    account disabled or gone, or a token that is still good. The token is signed into the
    session cookie, so only a browser that was signed in as the account has one."""
    parsed = parse_login_token(token)
    user = db.session.get(User, parsed[0]) if parsed else None
    if user is None or not user.is_active_account or password_stamp(user.password_changed_at) == parsed[1]:
        return None
    last = db.session.scalar(select(audit.AuditEntry.action).where(
        audit.AuditEntry.target == f"user:{user.id}", audit.AuditEntry.action.in_(_STAMP_ACTIONS))
        .order_by(audit.AuditEntry.at.desc(), audit.AuditEntry.id.desc()).limit(1))
    return "everywhere" if last == "user.signed_out_everywhere" else "password"


def current_filing_of(user: User) -> Filing | None:
    """The officer's current filing, if they have claimed one."""
    return db.session.scalar(
        select(Filing).where(Filing.user_id == user.id, Filing.status == "current")
    )


def last_ended_filing_of(user: User) -> Filing | None:
    """The officer's most recently ended filing (for one who has no current filing)."""
    return db.session.scalar(select(Filing).where(Filing.user_id == user.id, Filing.status != "current")
                             .order_by(Filing.ended_on.desc()).limit(1))
