"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

MIN_PASSWORD = 8


# Passwords tried first by anyone guessing: the most common ones in Chinese password leaks.
_COMMON = frozenset({
    "password", "password1", "passw0rd", "qwertyui", "qwerty123", "1qaz2wsx", "1q2w3e4r", "qweasdzxc",
    "woaini1314", "iloveyou", "a1234567", "a12345678", "abc12345", "abcd1234", "aa123456", "asdfghjk",
    "zxcvbnm1", "12qwaszx", "admin123", "admin888", "root1234", "test1234", "12341234", "123123123",
    "112233445", "11223344", "1234abcd", "5201314520", "147258369", "159357159", "123654789",
})
_RUNS = "01234567890 abcdefghijklmnopqrstuvwxyz qwertyuiop asdfghjkl zxcvbnm"


def _not_guessable(form, field):
    password = (field.data or "").lower()
    if password in _COMMON or len(set(password)) <= 2 or password in _RUNS or password in _RUNS[::-1]:
        raise ValidationError(_l("这个密码太常见，很容易被猜中，请换一个"))


def _new_password(label):
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=128, message=_l("密码至少 8 个字符")),
                    _not_guessable],
        description=_l("至少 8 个字符，不要用 12345678 这类常见密码。"),
    )


def _confirm(label=None):
    return PasswordField(
        label or _l("再次输入新密码"),
        validators=[DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致"))],
    )


class LoginForm(FlaskForm):
    login = StringField(_l("手机号码或电子邮箱"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired()])
    remember = BooleanField(_l("在这台设备上保持登录"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()])
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("新密码"))
    confirm = _confirm()


class RegisterForm(FlaskForm):
    code = StringField(
        _l("邀请码"),
        validators=[DataRequired(), Length(min=8, max=20)],
        description=_l("区市场监管局为您的备案发放的邀请码，例如 ABCD-EFGH-JK。"),
    )
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=50)])
    phone = StringField(_l("手机号码"), validators=[DataRequired(), Length(max=20)])
    email = EmailField(_l("电子邮箱（可选）"), validators=[Optional(), Length(max=254)])
    password = _new_password(_l("密码"))
    confirm = _confirm(_l("再次输入密码"))


class ClaimForm(FlaskForm):
    code = StringField(_l("邀请码"), validators=[DataRequired(), Length(min=8, max=20)])


class UserForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=80)])
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("手机号码"), validators=[Optional(), Length(max=20)])
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
