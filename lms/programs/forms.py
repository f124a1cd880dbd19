"""Program form."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.core.forms import FloatField, IntegerField, none_if_blank, one_line

# Industry prefixes after the course, however typed: "C13,C14", "C13, C14", "C13，C14", "C13、C14".
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_PREFIX = re.compile(r"[A-T]\d{0,4}")  # a GB/T 4754 section letter and up to four digits


def parse_requirements(text: str) -> list[dict]:
    """'course [prefix,prefix]' per line: a course for everyone, or only for those industries."""
    rules = []
    for line in text.strip().splitlines():
        course, _, rest = line.strip().partition(" ")
        if not course:
            continue
        industries = [p.upper() for p in _SEPARATORS.split(rest) if p]
        rules.append({"course": course, "industries": industries or None})
    return rules


def requirement_problems(rules: list[dict]) -> list[str]:
    """What is wrong with parsed requirements, line by line: a course twice, a prefix that is
    no industry code (it would match nobody, and the course would be required of no one)."""
    problems, seen = [], set()
    for number, rule in enumerate(rules, start=1):
        if rule["course"] in seen:
            problems.append(_l("第 %(n)s 行：课程 %(c)s 已在前面列出", n=number, c=rule["course"]))
        seen.add(rule["course"])
        bad = [p for p in rule["industries"] or [] if not _PREFIX.fullmatch(p)]
        if bad:
            problems.append(_l("第 %(n)s 行：“%(p)s”不是行业代码前缀（应为一个字母加数字，如 C13、H62）",
                               n=number, p="、".join(bad)))
    return problems


def format_requirements(rules: list[dict]) -> str:
    return "\n".join(r["course"] + (" " + ",".join(r["industries"]) if r.get("industries") else "")
                     for r in rules)


class ProgramForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("英文名称（可选，英文界面显示）"), filters=[one_line, none_if_blank],
                          validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("说明"))
    requirements = TextAreaField(_l("必修课程"), validators=[DataRequired()], description=_l(
        "每行一门课程（课程标识），后面可跟逗号分隔的行业代码前缀，表示只对这些行业必修，例如：haccp C13,C14,C15,H62"))
    exam_id = SelectField(_l("结业考试"), coerce=int, choices=[])
    # InputRequired, with what to write: an empty number read as "must be between 0 and 500",
    # and an impossible date (2026-02-30) as "this field is required".
    hours_required = FloatField(_l("应获学时"), default=0, validators=[
        InputRequired(_l("请填写应获学时（不要求学时的填 0）")), NumberRange(0, 500)])
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期，如 2026-01-01"))])
    deadline = DateField(_l("截止日期"), validators=[InputRequired(_l("请填写截止日期，如 2026-12-31"))])
    target_percent = IntegerField(_l("培训覆盖率目标（%）"), default=100, validators=[
        InputRequired(_l("请填写覆盖率目标（1 至 100）")), NumberRange(1, 100)])
    certificate_months = IntegerField(_l("证书有效期（月）"), default=36, validators=[
        InputRequired(_l("请填写证书有效期（1 至 120 个月）")), NumberRange(1, 120)])
    is_current = BooleanField(_l("设为当前培训计划"))

    def validate_deadline(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("截止日期不能早于开始日期"))
