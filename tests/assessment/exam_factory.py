"""Questions and exams built in the test that needs them."""

from __future__ import annotations

import itertools

from lms.assessment.models import Exam, Question
from lms.extensions import db

_seq = itertools.count(1)


def add_questions(topic: str, kind: str = "single", n: int = 5, difficulty: int = 2) -> list[Question]:
    questions = []
    for _ in range(n):
        i = next(_seq)
        if kind == "truefalse":
            options, answer = [], i % 2 == 0
        elif kind == "multiple":
            options, answer = ["甲", "乙", "丙", "丁"], [0, 2]
        else:
            options, answer = ["对的", "错的一", "错的二", "错的三"], [0]
        q = Question(key=f"{topic}-{kind}-{i}", topic=topic, kind=kind, difficulty=difficulty,
                     text=f"第 {i} 题（{topic}）", options=options, answer=answer,
                     explanation=f"解析 {i}", lesson_slug="01-first")
        db.session.add(q)
        questions.append(q)
    db.session.commit()
    return questions


def make_exam(rules=None, **kw) -> Exam:
    values = {"title": "测试考试", "rules": rules or [{"topic": "metrology", "kind": "single",
                                                    "difficulty": None, "count": 3, "points": 2}],
              "time_limit_minutes": 30, "pass_percent": 60, "attempts_allowed": 3, "is_active": True}
    values.update(kw)
    exam = Exam(**values)
    db.session.add(exam)
    db.session.commit()
    return exam


def answer_all(attempt, correct: bool = True) -> None:
    """Save the right (or a wrong) answer to every question of an attempt."""
    from lms.assessment import service

    for item in attempt.questions:
        f = item.frozen
        if f["kind"] == "single":
            value = f["answer"][0] if correct else (f["answer"][0] + 1) % len(f["options"])
        elif f["kind"] == "multiple":
            value = f["answer"] if correct else [i for i in range(len(f["options"])) if i not in f["answer"]]
        else:
            value = f["answer"] if correct else not f["answer"]
        service.save_answer(attempt, item.position, value)


def exam_post(data: dict) -> dict:
    """An exam form's data with its "rules" given as lines ('metrology single * 3 2': course,
    kind, difficulty, count, points; * for any) sent as the form's rule rows."""
    data = dict(data)
    for i, line in enumerate(data.pop("rules", "").splitlines()):
        topic, kind, difficulty, count, points = (part.replace("*", "") for part in line.split())
        data.update({f"rules-{i}-topic": topic, f"rules-{i}-kind": kind, f"rules-{i}-difficulty": difficulty,
                     f"rules-{i}-count": count, f"rules-{i}-points": points})
    return data
