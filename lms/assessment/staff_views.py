"""Staff: exams, results and item statistics, the question bank, imports and exports."""

from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields import SelectChoice

from lms.accounts.models import User
from lms.assessment import editing, grading, importer, reports, service
from lms.assessment.forms import (
    MAX_RULES,
    ExamForm,
    ExtraAttemptForm,
    QuestionImportConfirmForm,
    QuestionImportForm,
    rule_rows,
)
from lms.assessment.models import Attempt, AttemptQuestion, Exam, Question
from lms.assessment.paper import kind_labels
from lms.catalog.models import Course, Lesson
from lms.core.auth import STAFF, guard_blueprint
from lms.core.downloads import send_xlsx
from lms.core.i18n import shown_title
from lms.core.ids import paginate
from lms.core.text import UndecodableText, decode_upload
from lms.core.uploads import forget_stale_uploads, is_upload_token, new_upload_token, upload_dir
from lms.extensions import db

bp = guard_blueprint(Blueprint("exams_staff", __name__, url_prefix="/staff/exams",
                               template_folder="templates"), STAFF)

# Staff pages, coverage's among them, show a score with its scale: a bare 52 beside the
# exam's "及格 60%" reads as a wrong pass.
bp.add_app_template_global(reports.score_text, "score_text")

@bp.get("/")
def exams():
    rows = db.session.execute(select(Exam).order_by(Exam.id.desc())).scalars().all()
    return render_template("assessment/staff_exams.html", exams=rows)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:exam_id>/edit", methods=["GET", "POST"])
def edit_exam(exam_id: int | None = None):
    exam = db.get_or_404(Exam, exam_id) if exam_id else None
    form = ExamForm(obj=exam)
    if request.method == "GET":
        form.rules.process(None, rule_rows(exam.rules) if exam else [])
    if form.validate_on_submit():
        problems = service.check_rules(form.parsed_rules)
        if problems:
            form.rules.errors.extend(problems)
        else:
            exam = editing.save_exam(exam, {name: getattr(form, name).data for name in editing.EXAM_FIELDS},
                                     form.parsed_rules)
            flash(_("考试已保存。") if exam.is_active else
                  _("考试已保存，尚未开放：首席质量官看不到它。核对组卷规则后，勾选“开放”再保存。"), "success")
            return redirect(url_for("exams_staff.exams"))
    topics = _rule_rows_ready(form)
    rows = [entry.form for entry in form.rules if entry.form.count.data and entry.form.points.data]
    totals = (sum(r.count.data for r in rows), sum(r.count.data * r.points.data for r in rows))
    return render_template("assessment/staff_exam_form.html", form=form, exam=exam, topics=topics, totals=totals,
                           kinds=kind_labels())


def _rule_rows_ready(form: ExamForm) -> list[tuple[str, str, dict[str, int]]]:
    """The bank's courses (slug, title, active questions by kind), offered in every rule row,
    which end with a blank row to fill (more come with the page's "add a row" button). A rule
    naming a course the bank no longer has keeps its choice, marked as such."""
    by_kind: dict[str, dict[str, int]] = {}
    for topic, kind, n in db.session.execute(select(Question.topic, Question.kind, func.count(Question.id))
                                             .where(Question.is_active).group_by(Question.topic, Question.kind)):
        by_kind.setdefault(topic, {})[kind] = n
    titles = {slug: shown_title(title, title_en) for slug, title, title_en in db.session.execute(
        select(Course.slug, Course.title, Course.title_en).order_by(Course.position, Course.id))}
    chosen = [entry.form.topic.data for entry in form.rules if entry.form.topic.data]
    slugs = list(dict.fromkeys([*(slug for slug in titles if slug in by_kind), *by_kind, *chosen]))
    topics = [(slug, titles.get(slug, slug), by_kind.get(slug, {})) for slug in slugs]
    choices = [SelectChoice("", _("选择课程"))] + [
        SelectChoice(slug, _("%(title)s（%(n)s 题）", title=title, n=sum(kinds.values())) if kinds else
                     _("%(title)s（题库无题）", title=title)) for slug, title, kinds in topics]
    while len(form.rules) < MAX_RULES and (len(form.rules) < 3 or form.rules[-1].form.used):
        form.rules.append_entry()
    for entry in form.rules:
        entry.form.topic.choices = choices
    return [t for t in topics if t[2]]


@bp.get("/<int:exam_id>/results")
def results(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    items = reports.item_statistics(exam.id)
    ids = dict(db.session.execute(select(Question.key, Question.id).where(
        Question.key.in_([i["key"] for i in items]))).all())
    return render_template("assessment/staff_results.html", exam=exam, rows=reports.results(exam.id),
                           towns=reports.by_town(exam.id), items=items, question_ids=ids,
                           fast=reports.fast_sittings(exam.id), duration_text=reports.duration_text,
                           fast_limit=reports.FAST_SECONDS_PER_QUESTION,
                           allowed=service.attempts_allowed_by_user(exam), min_group=reports.MIN_GROUP,
                           papers=reports.finished_papers(exam.id), enough_papers=reports.ENOUGH_PAPERS)


@bp.post("/<int:exam_id>/results/<int:user_id>/extra-attempt")
def extra_attempt(exam_id: int, user_id: int):
    """One more sitting for an officer who has used up the exam's attempts without passing."""
    exam = db.get_or_404(Exam, exam_id)
    officer = db.get_or_404(User, user_id)
    form = ExtraAttemptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.grant_extra_attempt(exam, officer, (form.reason.data or "").strip(), actor_id=current_user.id)
    except service.ExamError as error:
        flash(str(error), "warning")
    else:
        flash(_("已为 %(name)s 加考一次。", name=officer.name), "success")
    return redirect(url_for("exams_staff.results", exam_id=exam.id) + "#officers")


@bp.get("/<int:exam_id>/results.xlsx")
def results_xlsx(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    return send_xlsx(reports.results_workbook(exam.title, exam.id), f"exam-{exam.id}-results.xlsx")


# --- question bank ---------------------------------------------------------------------


@bp.get("/questions")
def questions():
    topic = request.args.get("topic", "")
    q = request.args.get("q", "").strip()[:100]
    retired = request.args.get("status") == "retired"
    query = select(Question).where(Question.is_active.is_(not retired)).order_by(Question.topic, Question.key)
    if topic:
        query = query.where(Question.topic == topic)
    for word in q.split():  # each word somewhere in the stem or the key: "强制 检定" finds "强制周期检定"
        query = query.where(Question.text.contains(word, autoescape=True)
                            | Question.key.contains(word, autoescape=True))
    page = paginate(query, per_page=50)
    topics = db.session.scalars(select(Question.topic).distinct().order_by(Question.topic)).all()
    return render_template("assessment/staff_questions.html", page=page, topic=topic, topics=topics, q=q,
                           retired=retired, kinds=kind_labels(), course_titles=_course_titles())


@bp.route("/questions/new", methods=["GET", "POST"])
def new_question():
    """One question typed in, for staff who do not write GIFT; checked as an import is."""
    from lms.assessment import question_editor

    form = question_editor.QuestionForm(topic=request.args.get("topic", ""))
    question_editor.form_choices(form)
    if form.validate_on_submit():
        try:
            item = question_editor.add_question(form, current_user.id)
        except ValueError as error:
            form.text.errors.append(str(error))
        else:
            flash(_("已添加试题 %(key)s：新抽的试卷会包含它。", key=item.key), "success")
            return redirect(url_for("exams_staff.question", question_id=item.id))
    return render_template("assessment/staff_question_form.html", form=form)


@bp.get("/questions/<int:question_id>")
def question(question_id: int):
    """One question as staff check it: options with the answer marked, explanation, the
    lesson it cites, and how candidates have done on it."""
    item = db.get_or_404(Question, question_id)
    frozen = service.freeze(item, 1, shuffle_options=False)
    drawn, right = db.session.execute(
        select(func.count(AttemptQuestion.id),
               func.count(AttemptQuestion.id).filter(AttemptQuestion.score >= 1 - 1e-9))
        .join(Attempt).where(AttemptQuestion.question_id == item.id, Attempt.status != "open")).one()
    lesson = None
    if item.lesson_slug:
        lesson = db.session.execute(select(Course.slug, Lesson.slug, Lesson.title).join(Lesson.course).where(
            Course.slug == item.topic, Lesson.slug == item.lesson_slug)).first()
    return render_template("assessment/staff_question.html", item=item, frozen=frozen, kinds=kind_labels(),
                           answer=grading.describe(frozen, grading.correct_response(frozen)),
                           drawn=drawn, right=right, lesson=lesson, course_titles=_course_titles())


@bp.post("/questions/<int:question_id>/retire")
def retire_question(question_id: int):
    return _set_question_active(question_id, "retire")


@bp.post("/questions/<int:question_id>/reinstate")
def reinstate_question(question_id: int):
    return _set_question_active(question_id, "reinstate")


def _set_question_active(question_id: int, action: str):
    """Retire a question from new papers, or let them draw it again."""
    question = db.get_or_404(Question, question_id)
    if action == "retire":
        service.retire_question(question, actor_id=current_user.id)
        flash(_("已停用试题 %(key)s：新抽的试卷不再包含它。", key=question.key), "success")
    else:
        service.reinstate_question(question, actor_id=current_user.id)
        flash(_("已重新启用试题 %(key)s。", key=question.key), "success")
    return redirect(url_for("exams_staff.question", question_id=question.id))


def _course_titles() -> dict[str, str]:
    return {slug: shown_title(title, title_en)
            for slug, title, title_en in db.session.execute(select(Course.slug, Course.title, Course.title_en))}


@bp.get("/questions/export.<fmt>")
def export_questions(fmt: str):
    topic = request.args.get("topic", "")
    if topic and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", topic):  # a slug: it goes into the file name
        abort(404)
    query = select(Question).where(Question.is_active).order_by(Question.key)
    if topic:
        query = query.where(Question.topic == topic)
    items = list(db.session.scalars(query))
    if fmt == "gift":
        return Response(importer.export_bank_gift(items), content_type="text/plain; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=questions-{topic or 'all'}.gift"})
    if fmt == "yaml":
        return Response(importer.export_bank_yaml(topic, items), content_type="text/yaml; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={topic or 'all'}.yaml"})
    abort(404)


def _course_choices() -> list[SelectChoice]:
    return [SelectChoice(c.slug, c.shown_title) for c in db.session.scalars(
        select(Course).where(Course.is_active).order_by(Course.position))]


MAX_QUESTION_FILE = 5 * 2**20  # the whole bank of 320 questions is 0.2 MB


@bp.route("/questions/import", methods=["GET", "POST"])
def import_questions():
    form = QuestionImportForm()
    form.topic.choices = _course_choices()
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_QUESTION_FILE + 1)
        if len(raw) > MAX_QUESTION_FILE:  # it is read again at each preview and on confirming
            form.file.errors.append(_("试题文件不能超过 %(mb)s MB（约一万道题）：请分成几个文件导入", mb=MAX_QUESTION_FILE // 2**20))
            return render_template("assessment/staff_import.html", form=form)
        try:
            text = decode_upload(raw)
        except UndecodableText as error:
            form.file.errors.append(str(error))
            return render_template("assessment/staff_import.html", form=form)
        forget_stale_uploads()
        token = new_upload_token()
        (upload_dir() / f"q-{token}.json").write_text(json.dumps({
            "text": text, "filename": form.file.data.filename, "topic": form.topic.data,
            "format": form.format.data}, ensure_ascii=False))
        return redirect(url_for("exams_staff.import_preview", token=token))
    return render_template("assessment/staff_import.html", form=form)


@bp.errorhandler(importer.UnknownTopic)
def unknown_topic(error: importer.UnknownTopic):
    """An upload whose course was retired between the upload and its preview or import."""
    flash(str(error), "error")
    return redirect(url_for("exams_staff.import_questions"))


def _stored(token: str) -> dict:
    path = upload_dir() / f"q-{token}.json"
    if not is_upload_token(token) or not path.exists():
        abort(404)
    return json.loads(path.read_text())


@bp.get("/questions/import/<token>")
def import_preview(token: str):
    data = _stored(token)
    preview = importer.preview_import(data["text"], data["filename"], data["topic"], data["format"])
    form = QuestionImportConfirmForm(token=token)
    form.topic.choices = _course_choices()
    # A file that says which course it belongs to ($CATEGORY) gets that course preselected;
    # staff still see and may change it before confirming.
    suggested = importer.course_for_categories(preview.result)
    form.topic.data = suggested or data["topic"]
    return render_template("assessment/staff_import_preview.html", preview=preview, data=data,
                           form=form, token=token, kinds=kind_labels(), course_titles=_course_titles(),
                           suggested=suggested if suggested != data["topic"] else None,
                           empty_message=importer.empty_file_message(preview.fmt))


@bp.post("/questions/import/<token>")
def import_commit(token: str):
    data = _stored(token)
    form = QuestionImportConfirmForm()
    topic = form.topic.data or data["topic"]
    preview = importer.preview_import(data["text"], data["filename"], topic, data["format"])
    if preview.result.errors:
        flash(_("文件有错误，未导入任何试题。"), "error")
        return redirect(url_for("exams_staff.import_preview", token=token))
    if not preview.fields:  # a stale or repeated confirm: the preview says why there is nothing
        flash(_("没有可导入的新试题，未导入任何试题。"), "error")
        return redirect(url_for("exams_staff.import_preview", token=token))
    count = importer.commit_import(preview, data["filename"])
    (upload_dir() / f"q-{token}.json").unlink(missing_ok=True)
    flash(_("已导入 %(n)s 道试题。", n=count), "success")
    # A file of several categories has filled several courses: the bank is shown unfiltered.
    return redirect(url_for("exams_staff.questions", topic=None if preview.by_category else topic))
