"""Account forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms.accounts.service import account_owner, password_problem


def _not_guessable(form, field):
    problem = password_problem(field.data or "", **form.password_owner())
    if problem:
        raise ValidationError(problem)


class _NewPasswordForm(FlaskForm):
    """A form that sets an account's password, checked against what the account says of its
    owner (their mobile, e-mail, name): the first things a guesser who knows them tries."""

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def password_owner(self) -> dict[str, str]:
        return account_owner(self.owner)


EMAIL_FORMAT = Email(_l("电子邮箱格式不正确"))


class _CodeHelp:
    """The code field's help, its example kept on one line: a phone broke it at a dash, and
    ABCD- / EFGH-JK read as two codes."""

    def __html__(self) -> str:
        example = Markup('<span class="text-nowrap">ABCD-EFGH-JK</span>')
        return Markup(_("区市场监管局为您的备案发放的邀请码，例如 %(example)s。")) % {"example": example}


def _mobile(form, field):
    from lms.registry.identifiers import is_valid_mobile, normalize_mobile

    if field.data and not is_valid_mobile(normalize_mobile(field.data)):
        raise ValidationError(_l("手机号码格式不正确：请填写 11 位手机号码，例如 13912345678。"))


CODE_LENGTH = Length(min=8, max=20, message=_l("邀请码是 10 个字母和数字（可带短横线），例如 ABCD-EFGH-JK：请对照发给您的邀请码再填一次。"))
# Typed from a letter or a message on a phone: capitals as printed, no autocorrect turning
# "JK" into a word, nothing remembered (issued once). Letters and digits, so no number pad.
CODE_INPUT = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def _new_password(label):
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=128), _not_guessable],
        description=_l("至少 8 个字符；不要全用数字，不要含手机号码或姓名拼音，也不要用 12345678 这类常见密码。"),
        render_kw={"autocomplete": "new-password"},  # a password manager offers a strong one
    )


def _confirm(label=None):
    return PasswordField(
        label or _l("再次输入新密码"),
        validators=[DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    login = StringField(_l("手机号码或电子邮箱"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("密码"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("在这台设备上保持登录"))


class ChangePasswordForm(_NewPasswordForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class EmailForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Length(max=254), EMAIL_FORMAT],
                       description=_l("可用于登录和接收培训提醒；留空则不使用电子邮箱。"),
                       render_kw={"autocomplete": "email"})
    # The e-mail is a login: a session left open (or stolen) must not be enough to take it over.
    current = PasswordField(_l("当前密码"), validators=[DataRequired()], description=_l("保存前请输入您的密码确认。"),
                            render_kw={"autocomplete": "current-password"})


class ResetPasswordForm(_NewPasswordForm):
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class RegisterForm(_NewPasswordForm):
    code = StringField(
        _l("邀请码"),
        validators=[DataRequired(), CODE_LENGTH],
        description=_CodeHelp(),
        render_kw=CODE_INPUT,
    )
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=50, message=_l("姓名最多 50 个字。"))],
                       render_kw={"autocomplete": "name"})
    # type="tel" brings up the phone's number pad; "tel" lets the browser offer the officer's own.
    phone = TelField(_l("手机号码"), validators=[DataRequired(), Length(max=20), _mobile], render_kw={"autocomplete": "tel"})
    email = EmailField(_l("电子邮箱（可选）"), validators=[Optional(), Length(max=254), EMAIL_FORMAT],
                       render_kw={"autocomplete": "email"})
    password = _new_password(_l("密码"))
    confirm = _confirm(_l("再次输入密码"))
    phone_confirmed = HiddenField()  # the number the officer confirmed although the filing has another

    def password_owner(self) -> dict[str, str]:
        return {"name": self.name.data or "", "phone": self.phone.data or "", "email": self.email.data or ""}


class PhoneForm(FlaskForm):
    phone = TelField(_l("登录手机号码"), validators=[Optional(), Length(max=20)],
                     description=_l("本人今后用这个号码登录；密码不变。"), render_kw={"autocomplete": "off"})


class ClaimForm(FlaskForm):
    code = StringField(_l("邀请码"), validators=[DataRequired(), CODE_LENGTH], render_kw=CODE_INPUT)


class UserForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=80)])
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Length(max=254), EMAIL_FORMAT])
    # Someone else's number: the number pad, but not the browser's offer of the admin's own.
    phone = TelField(_l("手机号码"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "off"})
    role = SelectField(
        _l("角色"),
        choices=[SelectChoice("staff", _l("工作人员")), SelectChoice("admin", _l("管理员")),
                 SelectChoice("officer", _l("首席质量官"))],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("角色"),
        choices=[SelectChoice("officer", _l("首席质量官")), SelectChoice("staff", _l("工作人员")),
                 SelectChoice("admin", _l("管理员"))],
    )
