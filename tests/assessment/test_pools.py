"""The question pools are cached per process and bank version: a change to the bank shows
in the very next paper drawn."""

from lms.assessment import service
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam


def test_a_paper_drawn_after_an_edit_shows_the_edited_question(app, factory):
    questions = add_questions("metrology", "single", 3)
    exam = make_exam()
    service.start_attempt(exam, factory.user().id)  # fills the cache
    questions[0].text = "改过的题干"
    db.session.commit()
    later = service.start_attempt(exam, factory.user().id)
    assert "改过的题干" in {item.frozen["text"] for item in later.questions}


def test_a_retired_question_is_never_drawn_again(app, factory):
    questions = add_questions("metrology", "single", 4)
    exam = make_exam()
    service.start_attempt(exam, factory.user().id)
    questions[0].is_active = False
    db.session.commit()
    for _ in range(6):
        paper = service.start_attempt(exam, factory.user().id)
        assert questions[0].key not in {item.frozen["key"] for item in paper.questions}
