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


def test_rules_whose_pools_overlap_are_refused_when_together_they_ask_for_too_many(app, factory):
    import pytest

    add_questions("metrology", "single", 7, difficulty=3)
    add_questions("metrology", "truefalse", 5, difficulty=1)  # the course has 12: enough, but not of difficulty 3
    overlapping = [{"topic": "metrology", "kind": "single", "difficulty": 3, "count": 5, "points": 2},
                   {"topic": "metrology", "kind": None, "difficulty": 3, "count": 5, "points": 2}]
    problems = service.check_rules(overlapping)
    assert problems == ["第 1、2 条规则从同一批试题中抽题：合计需要 10 题，符合这些规则的试题只有 7 题（同一份试卷不重复出题）"]
    with pytest.raises(service.ExamError):  # what the check foresaw: no paper can be drawn
        service.start_attempt(make_exam(rules=overlapping), factory.user().id)
    fitting = [{**overlapping[0], "count": 4}, {**overlapping[1], "count": 3}]
    assert service.check_rules(fitting) == []
    assert len(service.start_attempt(make_exam(rules=fitting), factory.user().id).questions) == 7
