"""One question added to the bank from a form, for staff who do not write GIFT: checked as an
imported question is (formats.check_question), and kept like one (importer.to_fields)."""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.assessment.formats import MAX_TEXT, Choice, ParsedQuestion, check_question
from lms.assessment.importer import UnknownTopic, _questions_held, check_topic, to_fields
from lms.assessment.models import Question
from lms.catalog.models import Course, Lesson
from lms.core import audit
from lms.core.i18n import shown_title
from lms.extensions import db

MAX_OPTIONS = 8
TRUE_WORDS = ("对", "正确", "√", "✓", "是", "T", "TRUE")
FALSE_WORDS = ("错", "错误", "×", "✗", "否", "F", "FALSE")


class QuestionForm(FlaskForm):
    topic = SelectField(_l("课程"), choices=[], validate_choice=False, validators=[DataRequired(_l("请选择课程"))])
    lesson = SelectField(_l("出自哪一课（可选）"), choices=[], validate_choice=False, validators=[Optional()],
                         description=_l("试题页和考后复习会指向这一课。"))
    kind = SelectField(_l("题型"), choices=[SelectChoice("single", _l("单选")), SelectChoice("multiple", _l("多选")),
                                           SelectChoice("truefalse", _l("判断"))])
    difficulty = SelectField(_l("难度"), default="2", choices=[
        SelectChoice("1", _l("1 易")), SelectChoice("2", _l("2 中")), SelectChoice("3", _l("3 难"))])
    text = TextAreaField(_l("题干"), validators=[DataRequired(_l("请写出题目")), Length(max=MAX_TEXT)],
                         render_kw={"rows": 3})
    options = TextAreaField(_l("选项（每行一个，判断题不填）"), validators=[Optional()],
                            description=_l("不用写 A、B、C：按行的顺序就是 A、B、C……"), render_kw={"rows": 5})
    answer = StringField(_l("正确答案"), validators=[DataRequired(_l("请填写正确答案"))],
                         description=_l("选择题写选项字母，如 B 或 ACD；判断题写“对”或“错”。"))
    explanation = TextAreaField(_l("解析（可选）"), validators=[Optional(), Length(max=MAX_TEXT)], render_kw={"rows": 3})

    def validate_topic(self, field):
        try:
            check_topic(field.data)
        except UnknownTopic as error:  # a forged or stale choice: said with the courses there are
            raise ValidationError(str(error)) from error

    def validate_lesson(self, field):
        if field.data and field.data.split("/", 1)[0] != self.topic.data:
            raise ValidationError(_("这一课不属于所选的课程"))

    def validate_options(self, field):
        if self.kind.data == "truefalse":
            return
        if not 2 <= len(self.option_lines()) <= MAX_OPTIONS:
            raise ValidationError(_("选择题要有 2 至 %(n)s 个选项，每行一个", n=MAX_OPTIONS))

    def validate_answer(self, field):
        self.parsed = None
        if self.kind.data == "truefalse":
            word = unicodedata.normalize("NFKC", field.data).strip().upper()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise ValidationError(_("判断题的答案请写“对”或“错”"))
            return
        letters = self.answer_letters()
        count = len(self.option_lines())
        if not letters or any(not "A" <= c <= "Z" for c in letters):
            raise ValidationError(_("请用选项字母写答案，如 B 或 ACD"))
        if count >= 2 and any(ord(c) - ord("A") >= count for c in letters):
            raise ValidationError(_("只有 %(n)s 个选项（A 至 %(last)s）", n=count, last=chr(ord("A") + count - 1)))
        if self.kind.data == "single" and len(letters) != 1:
            raise ValidationError(_("单选题只有一个正确答案：几个都对的，请选“多选”"))
        if self.kind.data == "multiple" and len(letters) < 2:
            raise ValidationError(_("多选题至少有两个正确答案：只有一个的，请选“单选”"))

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def answer_letters(self) -> str:
        """The letters as typed in any way: b, A C D, Ａ、Ｃ (full width), without repeats."""
        text = unicodedata.normalize("NFKC", self.answer.data or "").upper()
        return "".join(dict.fromkeys(c for c in text if c.isalnum()))


def form_choices(form: QuestionForm) -> None:
    """The courses in use, and their lessons grouped by course, as the selects offer them."""
    courses = db.session.execute(select(Course.slug, Course.title, Course.title_en).where(Course.is_active)
                                 .order_by(Course.position, Course.slug)).all()
    form.topic.choices = [SelectChoice("", _("选择课程"))] + [
        SelectChoice(slug, shown_title(title, title_en)) for slug, title, title_en in courses]
    lessons: dict[str, list[SelectChoice]] = {}
    titles = {slug: shown_title(title, title_en) for slug, title, title_en in courses}
    for course, slug, title in db.session.execute(
            select(Course.slug, Lesson.slug, Lesson.title).join(Lesson.course)
            .where(Course.is_active, Lesson.is_retired.is_(False)).order_by(Course.position, Lesson.position)):
        lessons.setdefault(titles[course], []).append(SelectChoice(f"{course}/{slug}", title))
    form.lesson.choices = {"": [SelectChoice("", _("（不指定）"))], **lessons}


def parsed_question(form: QuestionForm) -> ParsedQuestion:
    kind = form.kind.data
    lesson = form.lesson.data.split("/", 1)[1] if form.lesson.data else ""
    question = ParsedQuestion(kind=kind, text=form.text.data.strip(), lesson=lesson,
                              general_feedback=(form.explanation.data or "").strip())
    if kind == "truefalse":
        question.correct = unicodedata.normalize("NFKC", form.answer.data).strip().upper() in TRUE_WORDS
    else:
        right = {ord(c) - ord("A") for c in form.answer_letters()}
        share = 1 / len(right)
        question.choices = [Choice(text, share if kind == "multiple" and i in right else float(i in right))
                            for i, text in enumerate(form.option_lines())]
    return question


def add_question(form: QuestionForm, actor_id: int) -> Question:
    """The form's question, added to the bank; raises ValueError (for the form) when it cannot be
    graded as written or the bank holds it already."""
    question = parsed_question(form)
    problem = check_question(question)
    if problem:
        raise ValueError(problem)
    fields = to_fields(question, form.topic.data)
    fields["difficulty"] = int(form.difficulty.data)
    if fields["source_hash"] in _questions_held():
        same = db.session.scalar(select(Question.key).where(Question.source_hash == fields["source_hash"]).limit(1))
        raise ValueError(_("题库中已有同样的试题%(key)s", key=f"（{same}）" if same else ""))
    fields["key"] = f"{form.topic.data}-web-{fields['source_hash'][:8]}"
    fields["source"] = "web"
    item = Question(**fields)
    db.session.add(item)
    db.session.flush()
    audit.record("question.added", f"question:{item.id}", f"{item.key} · {item.text[:40]}", actor_id=actor_id)
    db.session.commit()
    return item

