"""Officers sit exams here: start, answer (saved as given), submit, result, review."""

from __future__ import annotations

import json
import math

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select

from lms.accounts.service import parse_login_token
from lms.assessment import answer_endpoint, grading, retakes, service
from lms.assessment.models import Attempt, AttemptQuestion, Exam
from lms.assessment.paper import render_navigator, render_questions
from lms.assessment.reports import score_text
from lms.core.auth import per_user
from lms.core.driver_read import DriverRead
from lms.core.i18n import shown_text, shown_title
from lms.core.models import aware, utcnow
from lms.extensions import db, limiter

bp = Blueprint("exams", __name__, url_prefix="/exams", template_folder="templates")
# A valid autosave is answered in front of the request cycle (answer_endpoint.py); the
# view answer() below serves everything else and is the reference for what it does.
bp.record_once(lambda state: answer_endpoint.install(state.app, state.url_prefix or ""))


def _own_attempt(attempt_id: int, *options) -> Attempt:
    """An officer sees only their own attempts; anyone else's does not exist for them."""
    attempt = db.session.get(Attempt, attempt_id, options=options)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/")
@login_required
def index():
    exams = list(db.session.scalars(select(Exam).where(Exam.is_active).order_by(Exam.id)))
    rows = [(exam, service.attempts_of(exam, current_user.id), service.attempts_allowed(exam, current_user.id))
            for exam in exams]
    return render_template("assessment/index.html", rows=rows)


@bp.get("/<int:exam_id>")
@login_required
def exam(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    attempts = service.attempts_of(exam, current_user.id)
    best = _best_pass(attempts)
    retake_opens_at, retake_opens_in = retakes.retake_times(exam, attempts)
    return render_template("assessment/exam.html", exam=exam, attempts=attempts,
                           allowed=service.attempts_allowed(exam, current_user.id),
                           open_attempt=next((a for a in attempts if a.is_open), None),
                           retake_opens_at=retake_opens_at, retake_opens_in=retake_opens_in,
                           best=best, best_text=score_text(best.score, best.max_score) if best else "",
                           certificate=_certificate_news(exam) if best else None,
                           courses_left=_courses_left(exam))


def _best_pass(attempts: list[Attempt]) -> Attempt | None:
    return max((a for a in attempts if a.passed), key=lambda a: a.score or 0, default=None)


def _certificate_news(exam: Exam) -> dict | None:
    """For an officer who has passed the current program's exam: their certificate of the
    program, or the program's requirements still left before it is issued (None when the exam
    belongs to no current program)."""
    from lms.accounts.service import current_filing_of
    from lms.certificates.service import in_force
    from lms.programs.service import current_program, standing

    program = current_program()
    if program is None or program.exam_id != exam.id:
        return None
    certificate = in_force(current_user.id, program.id)
    if certificate is not None:
        return {"certificate": certificate, "left": []}
    filing = current_filing_of(current_user)
    state = standing(current_user.id, filing.enterprise.industry_code if filing else "", program)
    return {"certificate": None, "left": [r for r in state.requirements if not r.done]}


def _courses_left(exam: Exam) -> tuple[int, int] | None:
    """(required courses not finished, required courses) when this is the current program's
    exam and some are left: the page then advises studying first, attempts being few."""
    from lms.accounts.service import current_filing_of
    from lms.programs.service import course_completion, current_program

    program = current_program()
    if program is None or program.exam_id != exam.id:
        return None
    filing = current_filing_of(current_user)
    slugs = program.required_courses(filing.enterprise.industry_code if filing else "")
    # The courses whose questions this exam draws (a course's slug is its questions' topic);
    # a rule of any topic draws from them all. HACCP, say, counts only if the exam asks it.
    topics = {rule.get("topic") for rule in exam.rules}
    if topics and None not in topics and "" not in topics:
        slugs = [slug for slug in slugs if slug in topics]
    done = sum(1 for d, n, _h in course_completion(current_user.id, slugs).values() if n and d == n)
    return (len(slugs) - done, len(slugs)) if done < len(slugs) else None


@bp.post("/<int:exam_id>/start")
@login_required
@limiter.limit("30 per minute", key_func=per_user)
def start(exam_id: int):
    exam = db.get_or_404(Exam, exam_id)
    try:
        attempt = service.start_attempt(exam, current_user.id)
    except service.ExamError as error:
        flash(str(error), "warning")
        return redirect(url_for("exams.exam", exam_id=exam.id))
    except Exception:  # a double click raced us to the same attempt number
        db.session.rollback()
        attempt = service.open_attempt(exam, current_user.id)
        if attempt is None:
            raise
    # The identity, not attempt.id: that would reload the attempt the commit just expired.
    return redirect(url_for("exams.paper", attempt_id=db.inspect(attempt).identity[0]))


# The paper of an open attempt with its exam's title, in one read on the driver: every
# officer loads it at the start of an exam, and as ORM objects (an attempt, its exam and
# thirty questions) it cost half the page (bench/exam_load.py).
_PAPER = DriverRead(
    select(Attempt.user_id, Attempt.status, Attempt.deadline_at, Exam.title, Exam.title_en,
           AttemptQuestion.position, AttemptQuestion.frozen, AttemptQuestion.response, AttemptQuestion.flagged)
    .join(Exam, Exam.id == Attempt.exam_id)
    .outerjoin(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
    .where(Attempt.id == bindparam("attempt"))
    .order_by(AttemptQuestion.position))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def paper(attempt_id: int):
    rows = _PAPER.all({"attempt": attempt_id})
    if not rows or rows[0].user_id != current_user.id:
        abort(404)
    head = rows[0]
    remaining = (aware(head.deadline_at) - utcnow()).total_seconds()
    if head.status != "open" or remaining <= 0:  # closed, or to be graded now by the server
        service.finalize_if_expired(_own_attempt(attempt_id))
        return redirect(url_for("exams.result", attempt_id=attempt_id))
    # Rounded up, as the server's own seconds_left: the page's time is up no sooner than the
    # server's, whose result page is then ready (rounded down, the result page would still see
    # the paper open and send the page back to it, answers given offline no longer counted).
    seconds_left = math.ceil(remaining)
    questions = [row for row in rows if row.position is not None]
    return render_template("assessment/paper.html", attempt_id=attempt_id,
                           title=shown_title(head.title, head.title_en),
                           heading=shown_text(head.title, head.title_en),
                           questions=questions, seconds_left=seconds_left,
                           questions_html=render_questions(questions),
                           navigator_html=render_navigator(questions))


@bp.post("/attempts/<int:attempt_id>/answer")
@limiter.exempt
def answer(attempt_id: int):
    """Autosave of one answer (JSON): {"position": n, "response": ..., "flagged": bool, "seen": [...]}.

    With seen (the answers the page knows the server may hold), a save that would overwrite
    an answer given since on another device is refused with 412 and what the server holds.

    The hottest request of an exam day: the signed session names the user (and their
    password's stamp) and the query itself checks that the account is active, that the
    password has not changed since, and that it owns the attempt: no separate user load.
    """
    signed_in = parse_login_token(session.get("_user_id"))
    if signed_in is None:
        return jsonify(error=_("请先登录。")), 401
    user_id, stamp = signed_in
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("position"), int):
        return jsonify(error=_("请求格式不正确")), 400
    try:
        left = service.record_answer(attempt_id, user_id, data["position"], data.get("response", ...),
                                     data.get("flagged"), session_stamp=stamp, seen=data.get("seen"))
    except service.AnswerOvertaken as overtaken:
        return jsonify(error=_("这道题已在另一个页面或另一台设备上改过答案，本页已换成那边保存的答案。"), overtaken=True,
                       response=overtaken.response, flagged=overtaken.flagged), 412
    except grading.ResponseError as error:
        # Someone else's attempt looks like no attempt at all; a session from before a
        # password change is signed out, which the page tells the officer.
        if str(error) == "signed out":
            return jsonify(error=_("请先登录。")), 401
        return jsonify(error=str(error)), 404 if str(error) == "no such question" else 400
    except service.ExamError as error:
        return jsonify(error=str(error), closed=True), 409
    return jsonify(saved=True, seconds_left=left)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def save_form(attempt_id: int):
    """The same page without JavaScript: save the answers changed on it, then maybe submit.

    Only what differs from what the page showed is saved: a page left open in another tab,
    or one rendered before answers were saved elsewhere, hands in without blanking them. An
    answer changed here that was also changed elsewhere since keeps the newer one, and the
    paper comes back to be checked instead of being handed in.
    """
    attempt = _own_attempt(attempt_id)
    overtaken = []
    try:
        for item in attempt.questions:
            if not _save_from_form(attempt, item):
                overtaken.append(item.position)
    except (service.ExamError, grading.ResponseError, ValueError) as error:
        flash(str(error), "warning")
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    if overtaken:
        flash(_("第 %(n)s 题在您打开本页之后已在另一个页面或另一台设备上改过答案，保留了那边保存的答案。请核对后再交卷。",
                n="、".join(map(str, overtaken))), "warning")
        return redirect(url_for("exams.paper", attempt_id=attempt.id))
    if request.form.get("action") == "submit":
        return submit(attempt_id)
    flash(_("答案已保存。"), "success")
    return redirect(url_for("exams.paper", attempt_id=attempt.id))


def _save_from_form(attempt, item) -> bool:
    """Save what the plain form changed of one question; False when that answer was changed
    elsewhere since the page was shown (nothing saved: the newer answer stays)."""
    name = f"q{item.position}"
    value = grading.clean_response(item.frozen, _form_response(item))
    flagged = request.form.get(f"{name}_flag") == "1"
    seen = _seen_on_page(item, request.form.get(f"{name}_seen"))
    if seen is None:  # a form that does not say what it showed: add, never erase
        if value is not None and value != item.response:
            service.save_answer(attempt, item.position, value, flagged=flagged)
        return True
    if value != seen[0] and item.response not in (seen[0], value):
        return False
    response = value if value != seen[0] else ...  # a flag ticked here saves the flag only
    flag = flagged if flagged != seen[1] else None
    if response is not ... or flag is not None:
        service.save_answer(attempt, item.position, response, flagged=flag)
    return True


def _form_response(item):
    """One question's answer as the plain form sends it, before grading.clean_response."""
    name, kind = f"q{item.position}", item.frozen["kind"]
    if kind == "multiple":
        return [int(v) for v in request.form.getlist(name)]
    if kind == "matching":
        value = [request.form.get(f"{name}_{i}") or None
                 for i in range(len(item.frozen["options"]["left"]))]
        return value if any(value) else None
    return request.form.get(name)


def _seen_on_page(item, raw: str | None):
    """(response, flagged) as the page showed them (paper.py writes them), or None."""
    try:
        seen = json.loads(raw or "")
        return grading.clean_response(item.frozen, seen["r"]), bool(seen["f"])
    except (ValueError, TypeError, KeyError, grading.ResponseError):
        return None


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not service.finalize_if_expired(attempt):
        service.submit(attempt)
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    service.finalize_if_expired(attempt)
    if attempt.is_open:
        return redirect(url_for("exams.paper", attempt_id=attempt.id))
    attempts = service.attempts_of(attempt.exam, current_user.id)
    best = _best_pass(attempts)
    return render_template("assessment/result.html", attempt=attempt, exam=attempt.exam,
                           advice=service.study_advice(attempt),
                           passed_before=next((a for a in attempts if a.passed), None) if not attempt.passed else None,
                           certificate=_certificate_news(attempt.exam) if best else None,
                           retake=None if best else retakes.next_attempt(attempt.exam, current_user.id, attempts))


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    service.finalize_if_expired(attempt)
    if attempt.is_open or not attempt.exam.review_allowed:
        abort(403)
    # The key and the explanations wait while a retake is still to come: a retake may draw
    # the same questions, and would then test memory, not the course.
    attempts = service.attempts_of(attempt.exam, current_user.id)
    retake_left = not attempt.passed and not any(a.passed for a in attempts) and (
        service.attempts_allowed(attempt.exam, current_user.id) > len(attempts))
    # Thirty questions are a long page on a phone: the ones to go over may be shown alone.
    wrong = [item for item in attempt.questions if (item.score or 0) < item.frozen["points"]]
    only_wrong = request.args.get("wrong") == "1"
    return render_template("assessment/review.html", attempt=attempt, exam=attempt.exam, show_key=not retake_left,
                           describe=grading.describe, correct=grading.correct_response, wrong=wrong,
                           only_wrong=only_wrong, items=wrong if only_wrong else attempt.questions)
