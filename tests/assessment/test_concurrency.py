"""Two requests at once: a double click on 'submit' from two tabs grades once."""

import threading

from sqlalchemy import func, select

from lms.assessment import service
from lms.assessment.models import Attempt
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, answer_all, make_exam


def test_two_concurrent_submits_grade_once(app, factory):
    add_questions("metrology", "single", 5)
    attempt = service.start_attempt(make_exam(), factory.user().id)
    answer_all(attempt)
    attempt_id = attempt.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        with app.app_context():
            mine = db.session.get(Attempt, attempt_id)
            barrier.wait()
            outcomes.append(service.submit(mine))
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [False, True], outcomes
    final = db.session.get(Attempt, attempt_id)
    assert final.status == "submitted" and final.score == 6


def test_concurrent_starts_make_one_attempt(app, factory):
    add_questions("metrology", "single", 5)
    exam_id = make_exam().id
    user_id = factory.user().id
    db.session.remove()
    barrier = threading.Barrier(2)
    ids = []

    def start():
        with app.app_context():
            from lms.assessment.models import Exam

            exam = db.session.get(Exam, exam_id)
            barrier.wait()
            try:
                ids.append(service.start_attempt(exam, user_id).id)
            except Exception:  # the loser of the race hits the unique (exam, user, number)
                db.session.rollback()
                ids.append(service.open_attempt(exam, user_id).id)
            db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(ids)) == 1
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
