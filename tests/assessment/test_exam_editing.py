"""Staff create and edit exams: a new exam starts closed, and the log says what an edit changed."""

from sqlalchemy import select

from lms.core.audit import AuditEntry
from lms.extensions import db
from tests.accounts.test_audit_log import log_rows
from tests.assessment.exam_factory import add_questions, exam_post, make_exam
from tests.conftest import login


def exam_form(exam, **changed) -> dict:
    form = {"title": exam.title, "description": exam.description, "rules": "metrology single * 3 2",
            "time_limit_minutes": exam.time_limit_minutes, "pass_percent": exam.pass_percent,
            "attempts_allowed": exam.attempts_allowed, "wait_minutes": exam.wait_minutes,
            "shuffle_questions": "y", "shuffle_options": "y", "review_allowed": "y", "is_active": "y"}
    return exam_post({**form, **changed})


def test_an_exam_edit_is_logged_with_the_fields_and_the_rule_it_changed(client, factory):
    add_questions("metrology", "single", 8)
    exam = make_exam(title="计量考试", pass_percent=60)
    login(client, factory.user("admin"))
    data = exam_form(exam, pass_percent=70, rules="metrology single * 3 2\nmetrology single * 5 1")
    del data["review_allowed"]
    assert client.post(f"/staff/exams/{exam.id}/edit", data=data).status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exam.saved")).one()
    assert entry.details["changes"] == {"pass_percent": [60, 70], "review_allowed": [True, False],
                                        "rules": [[], ["metrology single * 5 1"]]}
    (row,) = log_rows(client)
    assert row.endswith("计量考试：组卷规则 （空） → metrology single * 5 1；及格线（%） 60 → 70；"
                        "交卷后允许查看答案和解析 是 → 否"), row
    (row,) = log_rows(client, english=True)
    assert "Pass mark (%) 60 → 70" in row and "Composition rules (empty) → metrology single * 5 1" in row, row


def test_an_exam_saved_unchanged_logs_no_changes(client, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam(title="计量考试")
    login(client, factory.user("staff"))
    assert client.post(f"/staff/exams/{exam.id}/edit", data=exam_form(exam)).status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exam.saved")).one()
    assert entry.details == {}


def test_a_new_exam_starts_closed_and_the_list_says_officers_cannot_see_it(as_staff, app, factory):
    import re

    from lms.assessment.models import Exam

    add_questions("metrology", "single", 3)
    form = as_staff.get("/staff/exams/new").get_data(as_text=True)
    assert not re.search(r'<input[^>]*\bchecked\b[^>]*name="is_active"|<input[^>]*name="is_active"[^>]*\bchecked\b', form)
    data = {"title": "新考试", "rules": "metrology single * 3 2", "time_limit_minutes": 30,
            "pass_percent": 60, "attempts_allowed": 2, "wait_minutes": 0}
    saved = as_staff.post("/staff/exams/new", data=exam_post(data), follow_redirects=True).get_data(as_text=True)
    assert "尚未开放" in saved and "未开放" in saved and "首席质量官看不到" in saved
    assert db.session.scalars(select(Exam.is_active)).one() is False
    officer = app.test_client()
    login(officer, factory.user("officer"))
    assert "新考试" not in officer.get("/exams/").get_data(as_text=True)


def test_the_exam_form_shows_its_rules_as_rows_of_choices_and_totals_the_paper(as_staff):
    """Staff compose a paper from rows (course by title, kind, difficulty, count, points), not
    from a line of codes; an existing exam's rows come back as saved, with a blank row to add."""
    import re

    add_questions("metrology", "single", 6)
    add_questions("metrology", "truefalse", 4)
    exam = make_exam(rules=[{"topic": "metrology", "kind": "single", "difficulty": 2, "count": 5, "points": 2},
                            {"topic": "metrology", "kind": None, "difficulty": None, "count": 4, "points": 1.5}])
    html = as_staff.get(f"/staff/exams/{exam.id}/edit").get_data(as_text=True)

    def selected(name):
        match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
        chosen = re.search(r'<option selected value="([^"]*)"', match.group(1))
        return chosen.group(1) if chosen else ""  # none selected: the browser shows the first, "选择课程"

    assert [selected(f"rules-0-{f}") for f in ("topic", "kind", "difficulty")] == ["metrology", "single", "2"]
    assert [selected(f"rules-1-{f}") for f in ("topic", "kind", "difficulty")] == ["metrology", "", ""]
    assert re.search(r'name="rules-1-points"[^>]*value="1.5"|value="1.5"[^>]*name="rules-1-points"', html)
    assert selected("rules-2-topic") == "" and 'name="rules-3-topic"' not in html  # one blank row to fill
    assert "共 9 题，满分 16 分" in html
    assert "（10 题）" in html  # the course offered with its questions in the bank


def test_a_rule_row_left_half_filled_is_explained_and_keeps_what_was_typed(as_staff):
    add_questions("metrology", "single", 5)
    data = exam_post({"title": "计量考试", "rules": "metrology single * 3 2\nmetrology * 1 *  *",
                      "time_limit_minutes": 30, "pass_percent": 60, "attempts_allowed": 2, "wait_minutes": 0})
    html = as_staff.post("/staff/exams/new", data=data).get_data(as_text=True)
    assert "请填写题数" in html and "请填写每题分值" in html and "考试已保存" not in html
    assert 'value="计量考试"' in html and "共 3 题，满分 6 分" in html
