"""Staff browse the question bank (kinds and courses by name, a search, one question with its
answer, the lesson it cites and how candidates have done on it) and grant one more attempt to
an officer who has used up an exam's."""

import pytest

from lms.assessment import service
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam


def test_bank_lists_kinds_by_name_and_finds_a_question_by_its_text(as_staff, app):
    add_questions("metrology", "single", 3)
    add_questions("metrology", "truefalse", 1)
    page = as_staff.get("/staff/exams/questions").get_data(as_text=True)
    assert "单选" in page and "判断" in page and ">single<" not in page and "题库文件" in page
    first = add_questions("metrology", "multiple", 1)[0]
    found = as_staff.get("/staff/exams/questions", query_string={"q": first.text}).get_data(as_text=True)
    assert first.key in found and "共 1 题" in found
    nothing = as_staff.get("/staff/exams/questions", query_string={"q": "100%_无此题"}).get_data(as_text=True)
    assert "共 0 题" in nothing and "没有符合条件的试题" in nothing  # % and _ are text, not wildcards


def test_a_question_shows_its_answer_and_how_candidates_did(as_staff, app, factory):
    questions = add_questions("metrology", "single", 3)
    exam = make_exam(rules=[{"topic": "metrology", "kind": "single", "difficulty": None, "count": 3, "points": 2}],
                     shuffle_options=False)
    for correct in (True, False):
        attempt = service.start_attempt(exam, factory.user("officer").id)
        for item in attempt.questions:
            item.response = 0 if correct else 1
        db.session.commit()
        service.submit(attempt)
    page = as_staff.get(f"/staff/exams/questions/{questions[0].id}").get_data(as_text=True)
    assert questions[0].text in page and "正确答案：A. 对的" in page and "解析 " in page
    assert "出现 2 次，完全答对 1 次（50.0%）" in page
    assert "该课时不存在" in page  # it cites 01-first, which no synced course has here
    assert as_staff.get("/staff/exams/questions/99999").status_code == 404


def test_an_officer_cannot_open_a_question_with_its_answer(client, factory, app):
    from tests.conftest import login

    question = add_questions("metrology", "single", 1)[0]
    login(client, factory.user("officer"))
    assert client.get(f"/staff/exams/questions/{question.id}").status_code == 403


def test_staff_grant_one_more_attempt_to_an_officer_who_used_them_all(as_staff, app, factory):
    from sqlalchemy import select

    from lms.core.audit import AuditEntry
    from tests.conftest import login

    add_questions("metrology", "single", 3)
    exam = make_exam(attempts_allowed=2)
    officer = factory.user("officer", name="孙一")
    filing = factory.filing(officer_name="孙一", user_id=officer.id)
    for _ in range(2):
        attempt = service.start_attempt(exam, officer.id)
        service.submit(attempt)  # nothing answered: failed
    with pytest.raises(service.ExamError, match="联系区市场监管局"):
        service.start_attempt(exam, officer.id)

    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert "加考一次" in page and "2 / 2" in page
    assert f"/staff/coverage/filings/{filing.id}" in page  # the name opens the officer's training page
    url = f"/staff/exams/{exam.id}/results/{officer.id}/extra-attempt"
    done = as_staff.post(url, data={"reason": "系统故障，考试中断"}, follow_redirects=True).get_data(as_text=True)
    assert "已为 孙一 加考一次" in done and "2 / 3" in done
    again = as_staff.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    assert "还有考试机会，无需加考" in again  # one grant at a time, used first
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.extra_attempt"))
    assert entry is not None and "系统故障" in entry.summary

    officer_client = app.test_client()
    login(officer_client, officer)
    assert "最多 3 次" in officer_client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert service.start_attempt(exam, officer.id).number == 3


def test_no_extra_attempt_for_an_officer_who_passed(as_staff, app, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam(attempts_allowed=1, shuffle_options=False)
    officer = factory.user("officer", name="钱二")
    attempt = service.start_attempt(exam, officer.id)
    for item in attempt.questions:
        item.response = 0
    db.session.commit()
    service.submit(attempt)
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert "加考一次" not in page
    refused = as_staff.post(f"/staff/exams/{exam.id}/results/{officer.id}/extra-attempt", follow_redirects=True)
    assert "已通过该考试" in refused.get_data(as_text=True)


def test_the_program_exam_advises_studying_first_while_required_courses_are_left(app, client, factory):
    from datetime import UTC, date, datetime

    from lms.catalog.models import Course, Lesson, LessonProgress
    from lms.programs.models import Program
    from tests.conftest import login

    add_questions("metrology", "single", 3)
    exam = make_exam()
    course = Course(slug="metrology", folder="m", title="计量", hours=1, required_for="all")
    haccp = Course(slug="haccp", folder="h", title="HACCP", hours=1, required_for="all")  # not in the exam
    db.session.add_all([course, haccp])
    db.session.flush()
    lesson = Lesson(course_id=course.id, slug="01", title="课", source_hash="x", body_html="", plain_text="")
    db.session.add_all([lesson, Program(name="培训", requirements=[{"course": "metrology", "industries": None},
                                                                 {"course": "haccp", "industries": None}],
                                        exam_id=exam.id, starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
                                        is_current=True)])
    db.session.commit()
    officer = factory.user("officer")
    login(client, officer)
    assert "还有 1 / 1 门未学完" in client.get(f"/exams/{exam.id}").get_data(as_text=True)
    db.session.add(LessonProgress(user_id=officer.id, lesson_id=lesson.id, completed_at=datetime(2026, 5, 1, tzinfo=UTC)))
    db.session.commit()
    assert "建议先学完" not in client.get(f"/exams/{exam.id}").get_data(as_text=True)


def test_a_search_of_several_words_finds_questions_holding_every_one(as_staff, app):
    from lms.assessment.models import Question

    for key, text in (("met-a", "强制检定的周期由谁确定？"), ("met-b", "强制性标准"), ("met-c", "检定证书"),
                      ("haccp-a", "检定与校准")):
        db.session.add(Question(key=key, topic="metrology", kind="truefalse", text=text, options=[], answer=True))
    db.session.commit()

    def found(q: str) -> str:
        return as_staff.get("/staff/exams/questions", query_string={"q": q}).get_data(as_text=True)

    page = found("强制  检定")  # in any order, wherever they are in the stem
    assert "met-a" in page and "met-b" not in page and "met-c" not in page and "共 1 题" in page
    by_key = found("haccp　检定")  # a word of the key with a word of the stem; a full-width space splits too
    assert "haccp-a" in by_key and "共 1 题" in by_key


def test_an_imported_question_says_how_to_change_it(as_staff, app):
    from lms.assessment.models import Question

    imported = Question(key="QA-1", topic="metrology", kind="truefalse", text="校准不判定合格与否。",
                        options=[], answer=True, source="import")
    db.session.add(imported)
    db.session.commit()
    page = as_staff.get(f"/staff/exams/questions/{imported.id}").get_data(as_text=True)
    assert "不能在网页上修改" in page and "改好后重新导入" in page and "question_bank/ 中的文件后同步" not in page
    bank = add_questions("metrology", "single", 1)[0]
    own = as_staff.get(f"/staff/exams/questions/{bank.id}").get_data(as_text=True)
    assert "question_bank/ 中的文件后同步" in own and "重新导入" not in own


def test_a_paper_handed_in_faster_than_it_can_be_read_is_flagged_on_the_results(app, as_staff, factory):
    from datetime import timedelta

    from lms.assessment import service
    from lms.extensions import db
    from tests.assessment.exam_factory import add_questions, answer_all, make_exam

    add_questions("metrology", "single", 10)
    exam = make_exam([{"topic": "metrology", "kind": "single", "difficulty": None, "count": 10, "points": 10}])
    for name, minutes in (("快手", 0.5), ("常人", 12)):
        officer = factory.user("officer", name=name)
        attempt = service.start_attempt(exam, officer.id)
        answer_all(attempt, correct=True)
        service.submit(attempt)
        attempt.started_at = attempt.submitted_at - timedelta(minutes=minutes)
    db.session.commit()
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert page.count("用时很短") == 1 and "用时很短：30 秒 答完 10 题" in page
    row = next(r for r in page.split("<tr>") if "快手" in r)
    assert "用时很短" in row
