"""Exam and question-bank forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.core.forms import IntegerField, none_if_blank, one_line

RULES_HELP = _l("每行一条规则：课程 题型 难度 题数 每题分值。题型为 single/multiple/truefalse 或 *（不限），"
                "难度为 1/2/3 或 *。例如：metrology single * 5 2")


def parse_rules(text: str) -> list[dict]:
    """'topic kind difficulty count points' per line into rule dicts; raises ValueError."""
    rules = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        parts = line.split()
        if not parts or line.strip().startswith("#"):
            continue
        if len(parts) != 5:
            raise ValueError(_l("第 %(n)s 行应有 5 项：课程 题型 难度 题数 分值", n=number))
        topic, kind, difficulty, count, points = parts
        if kind not in ("single", "multiple", "truefalse", "*"):
            raise ValueError(_l("第 %(n)s 行：未知题型 %(k)s", n=number, k=kind))
        if difficulty not in ("1", "2", "3", "*"):
            raise ValueError(_l("第 %(n)s 行：难度应为 1、2、3 或 *", n=number))
        if not count.isdecimal() or not 1 <= int(count) <= 200:
            raise ValueError(_l("第 %(n)s 行：题数应为 1 至 200 的整数", n=number))
        try:
            value = float(points)
        except ValueError as error:
            raise ValueError(_l("第 %(n)s 行：分值应为数字", n=number)) from error
        if not 0 < value <= 100:  # zero or negative points make a blank paper score, or nothing count
            raise ValueError(_l("第 %(n)s 行：每题分值应大于 0，不超过 100", n=number))
        rules.append({"topic": topic, "kind": None if kind == "*" else kind,
                      "difficulty": None if difficulty == "*" else int(difficulty),
                      "count": int(count), "points": value})
    if not rules:
        raise ValueError(_l("至少需要一条规则"))
    return rules


def format_rules(rules: list[dict]) -> str:
    return "\n".join(f"{r['topic']} {r.get('kind') or '*'} {r.get('difficulty') or '*'} {r['count']} {r['points']:g}"
                     for r in rules)


class ExamForm(FlaskForm):
    title = StringField(_l("考试名称"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("英文考试名称（可选，英文界面显示）"), filters=[one_line, none_if_blank],
                           validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("英文说明（可选，英文界面显示）"), filters=[none_if_blank],
                                   validators=[Optional(), Length(max=2000)])
    rules = TextAreaField(_l("组卷规则"), validators=[DataRequired()], description=RULES_HELP)
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
        try:
            self.parsed_rules = parse_rules(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


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
