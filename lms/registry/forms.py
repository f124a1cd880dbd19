"""Roster forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TelField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from lms.core.clock import local_today
from lms.core.forms import IntegerField
from lms.registry.columns import END_REASON_LABELS, END_REASONS
from lms.registry.identifiers import is_valid_mobile, normalize_mobile
from lms.registry.reading import SUFFIXES


def _mobile(form, field):
    if not is_valid_mobile(normalize_mobile(field.data or "")):
        raise ValidationError(_l("请输入 11 位大陆手机号码"))


class RosterUploadForm(FlaskForm):
    file = FileField(_l("名册文件（.xlsx、.xls 或 .csv）"), validators=[
        FileRequired(_l("请选择文件")),
        FileAllowed([s[1:] for s in SUFFIXES], _l("只接受 .xlsx、.xls 或 .csv 文件")),
    ])


class RosterConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    fingerprint = HiddenField(validators=[DataRequired()])


def _not_after_today(message):
    def check(form, field):
        if field.data and field.data > local_today():
            raise ValidationError(message)
    return check


class EndFilingForm(FlaskForm):
    ended_on = DateField(_l("离任日期"), validators=[DataRequired(), _not_after_today(_l("离任日期不能晚于今天"))])
    reason = SelectField(_l("变更原因"), choices=[SelectChoice(r, END_REASON_LABELS[r]) for r in END_REASONS])


class SuccessorForm(FlaskForm):
    officer_name = StringField(_l("首席质量官姓名"), validators=[DataRequired(), Length(max=50)])
    position = StringField(_l("现任职务"), validators=[DataRequired(), Length(max=50)],
                           description=_l("应为企业高层管理人员，如副总经理、质量总监。"))
    mobile = TelField(_l("手机号码"), validators=[DataRequired(), _mobile], render_kw={"autocomplete": "off"})
    email = StringField(_l("电子邮箱"), validators=[Optional(), Email(), Length(max=254)])
    title = StringField(_l("职称"), validators=[Optional(), Length(max=50)])
    years_in_quality = IntegerField(_l("质量工作年限"), validators=[Optional(), NumberRange(0, 60)])
    appointed_on = DateField(_l("聘任日期"), validators=[DataRequired(), _not_after_today(_l("聘任日期不能晚于今天"))],
                             description=_l("前任的离任日期取这一天。"))
    filed_on = DateField(_l("备案日期"), validators=[DataRequired(), _not_after_today(_l("备案日期不能晚于今天"))])
    reason = SelectField(_l("前任的变更原因"), choices=[SelectChoice(r, END_REASON_LABELS[r]) for r in END_REASONS])

    def validate_filed_on(self, field):
        if self.appointed_on.data and field.data and field.data < self.appointed_on.data:
            raise ValidationError(_l("备案日期不能早于聘任日期"))


class InviteForm(FlaskForm):
    town_id = SelectField(_l("镇街"), coerce=int, choices=[])
    reissue = BooleanField(_l("也为已发过邀请码的备案重新生成（已发出的邀请码随之作废）"), default=False)


class TownForm(FlaskForm):
    name = StringField(_l("镇街名称"), validators=[DataRequired(), Length(max=60)])
