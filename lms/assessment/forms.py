"""Exam and question-bank forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.core.forms import FloatField, IntegerField, none_if_blank, one_line

MAX_RULES = 30


class PointsField(FloatField):
    """Points as staff write them: 2, 1.5 (not 2.0)."""

    def _value(self) -> str:
        return f"{self.data:g}" if isinstance(self.data, float) and not self.raw_data else super()._value()


class RuleForm(Form):
    """One row of an exam's composition: so many questions of a course (of one kind and
    difficulty, or any), each worth so many points. A row left blank is left out.
    A plain Form: the exam form's CSRF token covers its rows."""

    topic = SelectField(_l("课程"), choices=[], validate_choice=False)
    kind = SelectField(_l("题型"), choices=[SelectChoice("", _l("不限题型")), SelectChoice("single", _l("单选")),
                                           SelectChoice("multiple", _l("多选")), SelectChoice("truefalse", _l("判断"))])
    difficulty = SelectField(_l("难度"), choices=[SelectChoice("", _l("不限难度")), SelectChoice("1", _l("1 易")),
                                                 SelectChoice("2", _l("2 中")), SelectChoice("3", _l("3 难"))])
    # No Optional(): it would stop the checks below, which ask for what a used row leaves out.
    count = IntegerField(_l("题数"))
    points = PointsField(_l("每题分值"))

    @property
    def used(self) -> bool:
        """Anything typed or chosen in the row but its kind and difficulty (which have defaults)."""
        return bool(self.topic.data) or self.count.data is not None or self.points.data is not None

    def validate_topic(self, field):
        if self.used and not field.data:
            raise ValidationError(_l("请选择课程"))

    def validate_count(self, field):
        if not self.used:
            return
        if field.data is None:
            raise ValidationError(_l("请填写题数"))
        if not 1 <= field.data <= 200:
            raise ValidationError(_l("题数应为 1 至 200"))

    def validate_points(self, field):
        if not self.used:
            return
        if field.data is None:
            raise ValidationError(_l("请填写每题分值"))
        if not 0 < field.data <= 100:  # zero or negative points make a blank paper score, or nothing count
            raise ValidationError(_l("每题分值应大于 0，不超过 100"))


def rule_rows(rules: list[dict]) -> list[dict]:
    """An exam's rules as the rows of the form (any kind or difficulty is the empty choice)."""
    return [{"topic": r["topic"], "kind": r.get("kind") or "", "difficulty": str(r.get("difficulty") or ""),
             "count": int(r["count"]), "points": float(r.get("points", 1))} for r in rules]


def format_rules(rules: list[dict]) -> str:
    """Rules one per line, as the audit log shows an edit of them: 'metrology single * 5 2'."""
    return "\n".join(f"{r['topic']} {r.get('kind') or '*'} {r.get('difficulty') or '*'} {r['count']} {r['points']:g}"
                      for r in rules)


class ExamForm(FlaskForm):
    title = StringField(_l("考试名称"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("英文考试名称（可选，英文界面显示）"), filters=[one_line, none_if_blank],
                           validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("英文说明（可选，英文界面显示）"), filters=[none_if_blank],
                                   validators=[Optional(), Length(max=2000)])
    rules = FieldList(FormField(RuleForm), label=_l("组卷规则"), min_entries=1, max_entries=MAX_RULES)
    time_limit_minutes = IntegerField(_l("时间（分钟）"), default=60, validators=[NumberRange(1, 600)])
    pass_percent = IntegerField(_l("及格线（%）"), default=60, validators=[NumberRange(1, 100)])
    attempts_allowed = IntegerField(_l("允许次数"), default=3, validators=[NumberRange(1, 20)])
    wait_minutes = IntegerField(_l("两次之间至少间隔（分钟）"), default=0, validators=[NumberRange(0, 10080)])
    shuffle_questions = BooleanField(_l("打乱题目顺序"), default=True)
    shuffle_options = BooleanField(_l("打乱选项顺序"), default=True)
    partial_credit = BooleanField(_l("多选题部分得分"), description=_l(
        "不勾选：全部选对才得分。勾选：（选对项数 − 选错项数）÷ 正确项数，不低于 0。"))
    review_allowed = BooleanField(_l("交卷后允许查看答案和解析"), default=True)
    # A new exam starts closed: officers see it only once staff have checked its rules and open it.
    is_active = BooleanField(_l("开放（首席质量官可以看到并参加）"), default=False)

    def validate_rules(self, field):
        self.parsed_rules = [{"topic": row.topic.data, "kind": row.kind.data or None,
                              "difficulty": int(row.difficulty.data) if row.difficulty.data else None,
                              "count": row.count.data, "points": row.points.data}
                             for row in (entry.form for entry in field) if row.used]
        if not self.parsed_rules:
            raise ValidationError(_l("至少需要一条规则：选一门课程，填写题数和每题分值"))


class QuestionImportForm(FlaskForm):
    file = FileField(_l("题目文件（GIFT .gift/.txt、Aiken .aiken/.txt、Moodle XML .xml、题库 YAML .yaml）"),
                     validators=[FileRequired(_l("请选择文件")), FileAllowed(
                         ["gift", "txt", "aiken", "xml", "yaml", "yml"],
                         _l("只接受 .gift、.aiken、.txt、.xml 或 .yaml 文件"))])
    format = SelectField(_l("格式"), choices=[SelectChoice("auto", _l("自动识别")), SelectChoice("gift", "GIFT"),
                                             SelectChoice("aiken", "Aiken"), SelectChoice("moodle_xml", "Moodle XML"),
                                             SelectChoice("yaml", _l("题库 YAML"))])
    # Checked against the courses themselves, so that a forged or stale choice is refused with
    # the courses there are rather than WTForms' bare "Not a valid choice".
    topic = SelectField(_l("归入课程"), choices=[], validate_choice=False)

    def validate_topic(self, field):
        from lms.assessment.importer import UnknownTopic, check_topic

        try:
            check_topic(field.data)
        except UnknownTopic as error:
            raise ValidationError(str(error)) from error


class QuestionImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    # Preselected from the file's $CATEGORY when it names a course; empty keeps the course
    # chosen on upload. Checked against the courses by the import itself (UnknownTopic).
    topic = SelectField(_l("归入课程"), choices=[], validate_choice=False, validators=[Optional()])


class ExtraAttemptForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=200)])
