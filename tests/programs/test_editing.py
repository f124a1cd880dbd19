"""Staff edit programmes: the log says what an edit changed, the courses and the exam included."""

from datetime import date

import pytest
from sqlalchemy import select

from lms.catalog.sync import sync_courses
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.programs.models import Program
from tests.accounts.test_audit_log import log_rows
from tests.assessment.exam_factory import make_exam
from tests.catalog.content_tree import write_course
from tests.conftest import login


@pytest.fixture
def program(app, tmp_path):
    write_course(tmp_path)
    write_course(tmp_path, "02-food", "food-only", title="食品课")
    sync_courses(tmp_path)
    program = Program(name="2026 年培训", requirements=[{"course": "demo", "industries": None}],
                      starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31))
    db.session.add(program)
    db.session.commit()
    return program


def program_form(program, **changed) -> dict:
    form = {"name": program.name, "requirements": "demo", "exam_id": 0, "hours_required": 0,
            "starts_on": "2026-01-01", "deadline": "2026-12-31", "target_percent": 100,
            "certificate_months": 36}
    return {**form, **changed}


def saved_changes(program_id: int | None = None) -> dict:
    query = select(AuditEntry).where(AuditEntry.action == "program.saved")
    if program_id is not None:
        query = query.where(AuditEntry.target == f"program:{program_id}")
    return db.session.scalars(query).one().details["changes"]


def test_a_programme_edit_logs_the_courses_and_the_exam_it_changed(program, client, factory):
    exam = make_exam(title="结业考试 A")
    login(client, factory.user("admin"))
    data = program_form(program, requirements="demo\nfood-only C13,C14", exam_id=exam.id)
    assert client.post(f"/staff/programs/{program.id}", data=data).status_code == 302
    assert saved_changes() == {"requirements": [[], ["food-only C13,C14"]], "exam_id": [None, "结业考试 A"]}
    row = log_rows(client)[0]
    assert row.endswith("2026 年培训：必修课程 （空） → food-only C13,C14；结业考试 （空） → 结业考试 A"), row
    row = log_rows(client, english=True)[0]
    assert row.endswith("Required courses (empty) → food-only C13,C14; Final exam (empty) → 结业考试 A"), row


def test_making_a_programme_current_keeps_the_other_changes_of_the_same_edit(program, client, factory):
    old = Program(name="旧计划", requirements=[], starts_on=date(2025, 1, 1), deadline=date(2025, 12, 31),
                  is_current=True)
    db.session.add(old)
    db.session.commit()
    login(client, factory.user("staff"))
    data = program_form(program, name="2026 年培训（修订）", is_current="y")
    assert client.post(f"/staff/programs/{program.id}", data=data).status_code == 302
    assert saved_changes(program.id) == {"name": ["2026 年培训", "2026 年培训（修订）"], "is_current": [False, True]}
    assert saved_changes(old.id) == {"is_current": [True, False]}  # the log says which one stopped
    admin = client.application.test_client()
    login(admin, factory.user("admin"))
    assert any(row.endswith("旧计划：设为当前培训计划 是 → 否") for row in log_rows(admin)), log_rows(admin)
    assert db.session.scalars(select(Program.name).where(Program.is_current)).all() == ["2026 年培训（修订）"]


def test_making_a_programme_current_issues_the_certificates_it_already_counts_complete(program, client, factory):
    from lms.catalog import service as catalog
    from lms.catalog.models import LessonProgress
    from lms.certificates.models import Certificate

    officer = factory.user("officer", name="王建国")
    factory.filing(officer_name="王建国", user_id=officer.id)
    for lesson in catalog.lesson_by_slugs("demo", "01-first").course.lessons:
        db.session.add(LessonProgress(user_id=officer.id, lesson_id=lesson.id, completed_at=date(2026, 3, 1)))
    db.session.commit()
    assert db.session.scalar(select(Certificate)) is None  # finished while another plan was current
    login(client, factory.user("staff"))
    page = client.post(f"/staff/programs/{program.id}", data=program_form(program, is_current="y"),
                       follow_redirects=True).get_data(as_text=True)
    cert = db.session.scalar(select(Certificate))
    assert cert is not None and cert.user_id == officer.id and cert.program_id == program.id
    assert "1 名首席质量官已完成这个计划的全部要求，已为其发放证书" in page


def test_the_course_list_is_checked_with_the_other_fields_and_its_errors_are_tied_to_it(program, client, factory):
    login(client, factory.user("staff"))
    page = client.post(f"/staff/programs/{program.id}",
                       data=program_form(program, requirements="nosuch\ndemo\ndemo", hours_required="")).get_data(as_text=True)
    assert "未知课程：nosuch" in page and "已在前面列出" in page  # in the same round as the hours' error
    start = page.index('id="requirements"')
    textarea = page[page.rindex("<textarea", 0, start):page.index(">", start)]
    assert 'aria-invalid="true"' in textarea and 'aria-describedby="requirements-error-1' in textarea


def test_an_empty_number_or_an_impossible_date_says_what_to_write(program, client, factory):
    login(client, factory.user("staff"))
    page = client.post(f"/staff/programs/{program.id}", data=program_form(
        program, hours_required="", starts_on="2026-02-30")).get_data(as_text=True)
    assert "请填写应获学时（不要求学时的填 0）" in page and "数值大小必须介于" not in page
    assert "不是有效的日期值" in page and "该字段是必填字段" not in page  # given, but no such day
    assert db.session.get(Program, program.id).hours_required == 0  # nothing saved
