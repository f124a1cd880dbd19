"""Staff retire a question and reinstate it: new papers no longer draw it, papers already
drawn keep it, the audit log records who did it, and the question_bank/ sync respects it."""

import html

from sqlalchemy import select

from lms.assessment import bank, service
from lms.assessment.models import Question
from lms.core.audit import AuditEntry
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.conftest import login


def bank_item(key: str, text: str = "计量法自哪年起施行？") -> dict:
    return {"key": key, "topic": "metrology", "kind": "truefalse", "difficulty": 1, "text": text,
            "options": [], "answer": True, "explanation": "", "lesson_slug": "01-first"}


def test_staff_retire_a_question_from_its_page_and_new_papers_no_longer_draw_it(app, as_staff, factory):
    questions = add_questions("metrology", "single", 4)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 3, "points": 1}])
    drawn = service.start_attempt(exam, factory.user("officer").id)  # drawn before: keeps what it has
    page = html.unescape(as_staff.get(f"/staff/exams/questions/{questions[0].id}").get_data(as_text=True))
    assert "data-confirm=\"停用后新抽的试卷不再包含这道题" in page
    done = as_staff.post(f"/staff/exams/questions/{questions[0].id}/retire", follow_redirects=True)
    assert "已停用试题" in done.get_data(as_text=True) and "重新启用" in done.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "question.retired"))
    assert entry is not None and entry.target == questions[0].key and entry.actor_id is not None
    for _ in range(5):
        paper = service.start_attempt(exam, factory.user("officer").id)
        assert questions[0].id not in {item.question_id for item in paper.questions}
    assert len(drawn.questions) == 3 and service.submit(drawn)
    listed = as_staff.get("/staff/exams/questions").get_data(as_text=True)
    assert questions[0].key not in listed and questions[1].key in listed
    retired = as_staff.get("/staff/exams/questions", query_string={"status": "retired"}).get_data(as_text=True)
    assert questions[0].key in retired and questions[1].key not in retired


def test_a_reinstated_question_is_drawn_again_and_the_log_says_so(app, as_staff, factory):
    question = add_questions("metrology", "single", 1)[0]
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 1, "points": 1}])
    as_staff.post(f"/staff/exams/questions/{question.id}/retire")
    assert "题库中符合条件的试题不足" in str(_refusal(exam, factory))
    done = as_staff.post(f"/staff/exams/questions/{question.id}/reinstate", follow_redirects=True)
    assert "已重新启用试题" in done.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "question.reinstated")) == question.key
    assert service.start_attempt(exam, factory.user("officer").id).questions[0].question_id == question.id


def _refusal(exam, factory):
    try:
        service.start_attempt(exam, factory.user("officer").id)
    except service.ExamError as error:
        return error
    return None


def test_only_staff_retire_questions(app, client, factory):
    question = add_questions("metrology", "single", 1)[0]
    login(client, factory.user("officer"))
    assert client.post(f"/staff/exams/questions/{question.id}/retire").status_code == 403
    db.session.refresh(question)
    assert question.is_active


def test_the_sync_keeps_a_question_staff_retired_until_its_file_changes(app):
    bank.sync_bank([bank_item("metrology-001")])
    db.session.commit()
    question = db.session.scalar(select(Question))
    service.retire_question(question)
    report = bank.sync_bank([bank_item("metrology-001")])  # the same file: it stays retired
    db.session.commit()
    assert not question.is_active and report.unchanged == 1 and not report.changed
    report = bank.sync_bank([bank_item("metrology-001", text="《计量法》自哪年起施行？")])  # edited: back
    db.session.commit()
    assert question.is_active and question.version == 2 and report.changed == ["metrology-001"]


def test_a_question_dropped_from_the_files_comes_back_when_restored(app):
    bank.sync_bank([bank_item("metrology-001")])
    db.session.commit()
    assert bank.sync_bank([]).retired == ["metrology-001"]
    db.session.commit()
    report = bank.sync_bank([bank_item("metrology-001")])
    db.session.commit()
    question = db.session.scalar(select(Question))
    assert question.is_active and question.version == 1 and report.changed == ["metrology-001"]
