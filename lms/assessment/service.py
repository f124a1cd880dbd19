"""Exam rules: drawing a paper, saving answers against a server deadline, grading once."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached

from lms.accounts.service import password_stamp
from lms.assessment import autosave, grading
from lms.assessment.models import Attempt, AttemptQuestion, Exam, ExtraAttempt, Question
from lms.core import audit
from lms.core.i18n import shown_title
from lms.core.models import aware, utcnow
from lms.core.signals import progress_made
from lms.extensions import db

_rng = random.SystemRandom()


class ExamError(Exception):
    """An exam rule was broken; the message is for the user."""


def candidates(rule: dict[str, Any]):
    query = select(Question).where(Question.is_active, Question.topic == rule["topic"])
    if rule.get("kind"):
        query = query.where(Question.kind == rule["kind"])
    if rule.get("difficulty"):
        query = query.where(Question.difficulty == int(rule["difficulty"]))
    return query.order_by(Question.id)


def check_rules(rules: list[dict[str, Any]]) -> list[str]:
    """Why the bank cannot serve these rules, empty when it can. A paper never holds a
    question twice, so rules drawing from the same pool, or from the same course, share it:
    each rule, each pool and each course must have enough questions for all that draw on it."""
    problems = []
    topics = dict(db.session.execute(select(Question.topic, func.count(Question.id))
                                     .where(Question.is_active).group_by(Question.topic)).all())
    wanted: dict[tuple, int] = defaultdict(int)
    per_topic: dict[str, int] = defaultdict(int)
    for rule in rules:
        wanted[(rule["topic"], rule.get("kind"), rule.get("difficulty"))] += int(rule["count"])
        per_topic[rule["topic"]] += int(rule["count"])
    for (topic, kind, difficulty), count in wanted.items():
        if topic not in topics:
            problems.append(_("题库中没有课程“%(topic)s”的试题：请用下方列出的课程代码", topic=topic))
            continue
        rule = {"topic": topic, "kind": kind, "difficulty": difficulty}
        available = db.session.scalar(select(func.count()).select_from(candidates(rule).subquery()))
        if available < count:
            pool = " ".join([topic, kind or _("任意题型")] + ([_("难度 %(d)s", d=difficulty)] if difficulty else []))
            problems.append(_("%(pool)s：需要 %(n)s 题，题库只有 %(have)s 题", pool=pool, n=count, have=available))
    for topic, count in per_topic.items():
        if topic in topics and count > topics[topic] and not any(p.startswith(topic + " ") for p in problems):
            problems.append(_("%(topic)s：各条规则合计需要 %(n)s 题，该课程题库只有 %(have)s 题（同一份试卷不重复出题）",
                              topic=topic, n=count, have=topics[topic]))
    return problems or _overlapping_pools(rules)


def _overlapping_pools(rules: list[dict[str, Any]]) -> list[str]:
    """Rules whose pools overlap (metrology single difficulty 3, and metrology any kind
    difficulty 3) share questions: a paper can be drawn only if every group of rules has, in
    the union of its pools, as many questions as the group asks for (Hall's condition). With
    the few rules an exam has, every group is tried."""
    if not 1 < len(rules) <= 12:
        return []
    pools = [set(db.session.scalars(candidates(rule).with_only_columns(Question.id))) for rule in rules]
    for size in range(2, len(rules) + 1):
        for group in combinations(range(len(rules)), size):
            need = sum(int(rules[i]["count"]) for i in group)
            have = len(set().union(*(pools[i] for i in group)))
            if have < need:
                return [_("第 %(lines)s 条规则从同一批试题中抽题：合计需要 %(n)s 题，符合这些规则的试题只有 %(have)s 题"
                          "（同一份试卷不重复出题）", lines=_("、").join(str(i + 1) for i in group), n=need, have=have)]
    return []


def retire_question(question: Question, actor_id: int | None = None) -> None:
    """Take a question out of new papers; papers already drawn keep their frozen copy. A
    question from question_bank/ stays retired through syncs until its file changes it."""
    _set_question_active(question, False, "question.retired", actor_id)


def reinstate_question(question: Question, actor_id: int | None = None) -> None:
    """Let new papers draw a retired question again."""
    _set_question_active(question, True, "question.reinstated", actor_id)


def _set_question_active(question: Question, active: bool, action: str, actor_id: int | None) -> None:
    if question.is_active == active:
        return
    question.is_active = active
    audit.record(action, question.key, question.text[:200], actor_id=actor_id,
                 details={"question_id": question.id, "topic": question.topic, "source": question.source})
    db.session.commit()


class BankQuestion(NamedTuple):
    """What a paper freezes of a question, kept in the cached pools."""

    id: int
    key: str
    version: int
    kind: str
    text: str
    explanation: str
    topic: str
    lesson_slug: str
    options: Any
    answer: Any


_pools: dict[tuple, list[BankQuestion]] = {}


def _bank_version() -> tuple:
    """Changes whenever a question is added, edited or retired (one cheap aggregate)."""
    return tuple(db.session.execute(select(func.count(Question.id), func.max(Question.updated_at),
                                           func.sum(Question.version))).one())


def _pool(rule: dict[str, Any], version: tuple) -> list[BankQuestion]:
    """The questions a rule may draw from, cached per process and bank version: on an exam
    morning thousands of papers are drawn from the same few pools, with no query but the
    version's."""
    key = (version, rule["topic"], rule.get("kind"), rule.get("difficulty"))
    if key not in _pools:
        if len(_pools) > 200:
            _pools.clear()
        columns = [getattr(Question, name) for name in BankQuestion._fields]
        _pools[key] = [BankQuestion(*row) for row in db.session.execute(candidates(rule).with_only_columns(*columns))]
    return _pools[key]


def draw_paper(exam: Exam, user_id: int, first: bool = False) -> list[tuple[BankQuestion, float]]:
    """Questions for a new paper by the exam's rules, avoiding what this officer has seen
    in earlier attempts while the bank allows, never the same question twice. first: the
    officer has no earlier attempt (nothing seen to look up)."""
    seen = set() if first else set(db.session.scalars(
        select(AttemptQuestion.question_id).join(Attempt)
        .where(Attempt.exam_id == exam.id, Attempt.user_id == user_id)))
    chosen: list[tuple[BankQuestion, float]] = []
    taken: set[int] = set()
    version = _bank_version()
    for rule in exam.rules:
        pool = [q for q in _pool(rule, version) if q.id not in taken]
        fresh = [q for q in pool if q.id not in seen]
        count = int(rule["count"])
        if len(pool) < count:
            raise ExamError(_("题库中符合条件的试题不足，请联系工作人员。"))
        picked = _rng.sample(fresh, min(count, len(fresh)))
        if len(picked) < count:
            picked += _rng.sample([q for q in pool if q.id in seen], count - len(picked))
        taken.update(q.id for q in picked)
        chosen += [(q, float(rule.get("points", 1))) for q in picked]
    if exam.shuffle_questions:
        _rng.shuffle(chosen)
    return chosen


def freeze(question: Question | BankQuestion, points: float, shuffle_options: bool) -> dict[str, Any]:
    """The question as this paper shows it, options in the shown order, answer mapped to it."""
    frozen = {"key": question.key, "version": question.version, "kind": question.kind,
              "text": question.text, "points": points, "explanation": question.explanation,
              "topic": question.topic, "lesson": question.lesson_slug}
    if question.kind in ("single", "multiple"):
        order = list(range(len(question.options)))
        if shuffle_options:
            _rng.shuffle(order)
        frozen["options"] = [question.options[i] for i in order]
        frozen["answer"] = sorted(order.index(i) for i in question.answer)
    elif question.kind == "matching":
        rights = list(question.options["right"])
        if shuffle_options:
            _rng.shuffle(rights)
        frozen["options"] = {"left": question.options["left"], "right": rights}
        frozen["answer"] = question.answer
    else:
        frozen["options"] = question.options
        frozen["answer"] = question.answer
    return frozen


def attempts_of(exam: Exam, user_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user_id).order_by(Attempt.number)))


def attempts_allowed(exam: Exam, user_id: int) -> int:
    """The exam's attempts plus those staff have granted this officer."""
    extra = db.session.scalar(select(func.count(ExtraAttempt.id)).where(
        ExtraAttempt.exam_id == exam.id, ExtraAttempt.user_id == user_id))
    return exam.attempts_allowed + (extra or 0)


def attempts_allowed_by_user(exam: Exam) -> defaultdict[int, int]:
    """attempts_allowed for every officer at once (results page): user id -> attempts."""
    allowed = defaultdict(lambda: exam.attempts_allowed)
    for user_id, extra in db.session.execute(select(ExtraAttempt.user_id, func.count(ExtraAttempt.id))
                                             .where(ExtraAttempt.exam_id == exam.id).group_by(ExtraAttempt.user_id)):
        allowed[user_id] = exam.attempts_allowed + extra
    return allowed


def grant_extra_attempt(exam: Exam, user, reason: str, actor_id: int | None = None) -> None:
    """One more sitting for an officer who has used up the exam's attempts without passing."""
    if user.role != "officer":
        raise ExamError(_("%(name)s 不是首席质量官账号，无需加考。", name=user.name))
    attempts = attempts_of(exam, user.id)
    if any(a.passed for a in attempts):
        raise ExamError(_("%(name)s 已通过该考试，无需加考。", name=user.name))
    if len(attempts) < attempts_allowed(exam, user.id):
        raise ExamError(_("%(name)s 还有考试机会，无需加考。", name=user.name))
    db.session.add(ExtraAttempt(exam_id=exam.id, user_id=user.id, granted_by_id=actor_id, reason=reason))
    audit.record("exam.extra_attempt", exam.title, f"{user.name}：{reason}" if reason else user.name,
                 details={"exam_id": exam.id, "user_id": user.id}, actor_id=actor_id)
    db.session.commit()


def retake_opens_at(exam: Exam, attempts: list[Attempt]) -> datetime | None:
    """When the exam's waiting time after the last of these attempts is over, if it is not
    yet (None when another attempt may start now, as far as waiting goes)."""
    if not attempts or not exam.wait_minutes or attempts[-1].is_open:
        return None
    last = attempts[-1]
    ready = aware(last.submitted_at or last.deadline_at) + timedelta(minutes=exam.wait_minutes)
    return ready if utcnow() < ready else None


def open_attempt(exam: Exam, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user_id, Attempt.status == "open"))


def attempts_in_progress(user_id: int) -> list[tuple[Attempt, int]]:
    """The officer's open attempts still before their deadline, soonest first, with their
    exams and the minutes left (rounded up: one while any second is): the dashboard offers
    to go back to them."""
    attempts = db.session.scalars(select(Attempt).options(joinedload(Attempt.exam)).where(
        Attempt.user_id == user_id, Attempt.status == "open", Attempt.deadline_at > utcnow())
        .order_by(Attempt.deadline_at))
    return [(attempt, math.ceil(seconds_left(attempt) / 60)) for attempt in attempts]


def start_attempt(exam: Exam, user_id: int) -> Attempt:
    """Resume the open attempt, or draw and freeze a new paper with a server-side deadline;
    refused once the officer has passed (a retake could only add a fail to their record)."""
    past = attempts_of(exam, user_id)
    current = next((a for a in past if a.is_open), None)
    if current is not None and not finalize_if_expired(current):
        return current
    if any(a.passed for a in past):  # a pass ends the exam, granted attempts or not
        raise ExamError(_("您已通过本考试，无需再考。"))
    if not exam.is_active:
        raise ExamError(_("该考试未开放。"))
    # Granted attempts are counted only once the exam's own are used up: an exam morning's
    # first starts cost no query for them.
    if len(past) >= exam.attempts_allowed and len(past) >= (allowed := attempts_allowed(exam, user_id)):
        raise ExamError(ngettext("您已用完本考试的 %(num)s 次机会。如需再考，请联系区市场监管局。",
                                  "您已用完本考试的 %(num)s 次机会。如需再考，请联系区市场监管局。", allowed))
    ready = retake_opens_at(exam, past)
    if ready is not None:
        minutes = int((ready - utcnow()).total_seconds() // 60) + 1
        raise ExamError(ngettext("距离下次可以参加考试还有约 %(num)s 分钟。", "距离下次可以参加考试还有约 %(num)s 分钟。", minutes))
    paper = draw_paper(exam, user_id, first=not past)
    now = utcnow()
    values = {"exam_id": exam.id, "user_id": user_id, "number": len(past) + 1, "status": "open",
              "started_at": now, "deadline_at": now + timedelta(minutes=exam.time_limit_minutes),
              "max_score": sum(points for _q, points in paper),
              "pass_percent": exam.pass_percent, "partial_credit": exam.partial_credit}
    # Core INSERTs, not the unit of work, which cost more than the inserts themselves; the
    # unique (exam, user, number) stops a double start at the first.
    table = Attempt.__table__
    attempt = Attempt(id=db.session.execute(insert(table).values(values).returning(table.c.id)).scalar_one(),
                      **values)
    make_transient_to_detached(attempt)  # as if loaded: its other columns load if asked for
    db.session.add(attempt)
    db.session.execute(insert(AttemptQuestion.__table__), [
        {"attempt_id": attempt.id, "position": i, "question_id": q.id, "flagged": False,
         "frozen": freeze(q, points, exam.shuffle_options)}
        for i, (q, points) in enumerate(paper, start=1)])
    db.session.commit()
    return attempt


def seconds_left(attempt: Attempt) -> int:
    return max(0, math.ceil((aware(attempt.deadline_at) - utcnow()).total_seconds()))  # see views.paper


def save_answer(attempt: Attempt, position: int, response: Any, flagged: bool | None = None) -> int:
    """Save one answer of an attempt (see record_answer); returns the seconds left."""
    return record_answer(attempt.id, attempt.user_id, position, response, flagged)


def record_answer(attempt_id: int, user_id: int, position: int, response: Any,
                  flagged: bool | None = None, session_stamp: int | None = None,
                  seen: list | None = None) -> int:
    """Save one answer now; refused after the deadline or once the attempt is closed.

    This is the hot path of an exam day: one read of the question and its attempt (which
    also checks the owner and that the account is active) and one guarded UPDATE, on a
    driver connection in autocommit (see autosave.py). Returns the seconds left. Callers that
    read the user from the session cookie themselves pass the stamp it carries: a session from
    before the password last changed saves nothing, as it is signed out everywhere else.

    seen lists the answers the sending page believes the server may hold (see
    _check_not_overtaken): an answer given offline on one phone must not overwrite the
    newer one saved meanwhile from another device.
    """
    with autosave.Connection() as connection:
        target = connection.find_target(attempt_id, position, user_id)
        if target is None:
            raise grading.ResponseError("no such question")
        if session_stamp is not None and session_stamp != password_stamp(target.password_changed_at):
            raise grading.ResponseError("signed out")  # the page says so: waiting will not save it
        now = utcnow()
        left = max(0, math.ceil((target.deadline_at - now).total_seconds()))
        if response is not ...:
            response = grading.clean_response(target.frozen, response)
        if response is ... and flagged is None:
            return left
        is_open = target.status == "open" and target.deadline_at > now
        if is_open and seen is not None and response is not ...:
            _check_not_overtaken(target, response, seen)
        if is_open and connection.save(target, now, response, flagged):
            if db.session.registry.has():  # objects the caller holds were read before this write
                db.session.expire_all()
            return left
    attempt = db.session.get(Attempt, attempt_id)
    db.session.refresh(attempt)
    finalize_if_expired(attempt)
    raise ExamError(_("考试已结束，答案未能保存。"))


class AnswerOvertaken(Exception):
    """The answer on the server is not one the sending page knew of: it was changed from
    another device since. Carries what the server holds, for the page to show."""

    def __init__(self, response: Any, flagged: bool) -> None:
        super().__init__("overtaken")
        self.response = response
        self.flagged = flagged


def _check_not_overtaken(target: autosave.Target, response: Any, seen: list) -> None:
    """Refuse the save when the server holds an answer the page never knew of (not in seen).

    A page sends, with each answer, every answer it knows the server may hold: the one it
    was shown, and any it sent whose reply never came. Resending what the server already
    holds is always fine (a retry after a lost reply).
    """
    if not isinstance(seen, list) or len(seen) > 50:
        raise grading.ResponseError("seen must be a list of at most 50 answers")
    if response == target.response:
        return
    for known in seen:
        try:
            if grading.clean_response(target.frozen, known) == target.response:
                return
        except grading.ResponseError:
            continue
    raise AnswerOvertaken(target.response, target.flagged)


def submit(attempt: Attempt) -> bool:
    """Close and grade the attempt; True if this call did it (a second submit grades nothing)."""
    return _close(attempt, "submitted")


def finalize_if_expired(attempt: Attempt) -> bool:
    """After the deadline the server grades what was saved."""
    if attempt.status == "open" and utcnow() >= aware(attempt.deadline_at):
        return _close(attempt, "expired")
    return False


def _close(attempt: Attempt, status: str) -> bool:
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status=status, submitted_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # someone else (another tab, the other request) closed it
        db.session.rollback()
        db.session.refresh(attempt)
        return False
    total = 0.0
    # populate_existing: grade the answers as saved, even if this session read them earlier.
    for item in db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id)
                                   .execution_options(populate_existing=True)):
        item.score = round(grading.fraction(item.frozen, item.response, attempt.gives_partial_credit)
                           * float(item.frozen["points"]), 4)
        total += item.score
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        score=round(total, 2), passed=attempt.max_score > 0 and 100 * total / attempt.max_score >= attempt.pass_mark)
        .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(attempt)
    if attempt.passed:
        progress_made.send("assessment", user_id=attempt.user_id)
    return True


def best_attempt(exam_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.exam_id == exam_id, Attempt.user_id == user_id, Attempt.status != "open")
        .order_by(Attempt.passed.desc(), Attempt.score.desc()))


def study_advice(attempt: Attempt) -> list[dict[str, Any]]:
    """The lessons behind the questions missed, most missed first, with their titles."""
    from lms.catalog.models import Course, Lesson

    counts: dict[tuple[str, str], int] = {}
    for item in attempt.questions:
        if (item.score or 0) < float(item.frozen["points"]):
            key = (item.frozen.get("topic", ""), item.frozen.get("lesson", ""))
            counts[key] = counts.get(key, 0) + 1
    titles = {(c, l): (shown_title(ct, cte), lt) for c, l, ct, cte, lt in db.session.execute(
        select(Course.slug, Lesson.slug, Course.title, Course.title_en, Lesson.title)
        .join(Lesson, Lesson.course_id == Course.id)
        .where(Course.slug.in_({t for t, _l in counts}), Lesson.is_retired.is_(False)))}
    advice = []
    for (topic, lesson), wrong in sorted(counts.items(), key=lambda kv: -kv[1]):
        course_title, lesson_title = titles.get((topic, lesson), (topic, ""))
        advice.append({"topic": topic, "lesson": lesson if (topic, lesson) in titles else "",
                       "course_title": course_title, "lesson_title": lesson_title, "wrong": wrong})
    return advice
