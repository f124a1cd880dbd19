"""Workshop forms. Times are typed in the bureau's local time (Asia/Shanghai) and stored as UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.core.clock import local_zone
from lms.core.forms import FloatField, IntegerField, one_line

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
INDUSTRY_PREFIX = re.compile(r"^[A-T]\d{0,4}$")


def to_utc(local: datetime | None) -> datetime | None:
    """A naive local time from a form, as an aware UTC time."""
    return local.replace(tzinfo=local_zone()).astimezone(UTC) if local else None


def to_local(moment: datetime | None) -> datetime | None:
    """A stored time as a naive local time, for a form field."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone()).replace(tzinfo=None)


def parse_industries(text: str) -> list[str]:
    return [p.strip().upper() for p in re.split(r"[,，、\s]+", text or "") if p.strip()]


class WorkshopForm(FlaskForm):
    title = StringField(_l("名称"), filters=[one_line], validators=[DataRequired(), Length(max=120)])
    topic = StringField(_l("主题"), filters=[one_line], validators=[Optional(), Length(max=120)],
                        description=_l("例如：HACCP 体系建立、计量器具管理"))
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])
    program_id = SelectField(_l("所属培训计划"), coerce=int, choices=[])
    trainer = StringField(_l("授课人"), filters=[one_line], validators=[Optional(), Length(max=120)])
    venue = StringField(_l("地点"), filters=[one_line], validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=LOCAL_FORMAT, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=LOCAL_FORMAT, validators=[InputRequired()])
    capacity = IntegerField(_l("名额"), validators=[InputRequired(), NumberRange(1, 5000, _l("名额应在 1 至 5000 之间"))])
    hours = FloatField(_l("认定学时"), default=0, validators=[NumberRange(0, 40)])
    enrol_opens_at = DateTimeLocalField(_l("报名开始"), format=LOCAL_FORMAT, validators=[Optional()],
                                        description=_l("留空表示立即开放报名"))
    enrol_closes_at = DateTimeLocalField(_l("报名截止"), format=LOCAL_FORMAT, validators=[Optional()],
                                         description=_l("留空表示开课前均可报名"))
    audience_industries = StringField(_l("面向行业"), validators=[Optional(), Length(max=200)], description=_l(
        "行业代码前缀，逗号分隔，例如 C13,C14,C15,H62 表示只面向食品相关企业；留空表示不限行业"))
    audience_town_id = SelectField(_l("面向镇街"), coerce=int, choices=[])

    def validate_ends_at(self, field):
        start, end = self.starts_at.data, field.data
        if not (start and end and end <= start):
            return
        if end.date() == start.date():  # 19:00 to 01:00 typed on one date: the session runs past midnight
            raise ValidationError(_l("结束时间应晚于开始时间；培训跨过午夜的，结束日期请选第二天"))
        raise ValidationError(_l("结束时间应晚于开始时间"))

    def validate_enrol_closes_at(self, field):
        if field.data and self.enrol_opens_at.data and field.data <= self.enrol_opens_at.data:
            raise ValidationError(_l("报名截止应晚于报名开始"))
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_l("报名截止不能晚于开始时间"))

    def validate_audience_industries(self, field):
        bad = [p for p in parse_industries(field.data) if not INDUSTRY_PREFIX.match(p)]
        if bad:
            raise ValidationError(_l("行业代码前缀应为一个字母加 0 到 4 位数字，例如 C13：%(bad)s",
                                     bad=_l("、").join(bad)))


class CancelForm(FlaskForm):
    reason = StringField(_l("取消原因"), validators=[DataRequired(), Length(max=200)])


class CopyForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("新的开始时间"), format=LOCAL_FORMAT, validators=[InputRequired()])


class CheckinForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[DataRequired(), Length(max=300)])
