"""Staff read a score beside the exam's pass mark in percent, so every staff page and file
shows it with its scale: '4/6 (66.7%)' on pages, '66.7%' in files; never a bare 4."""

import io
from datetime import date

from openpyxl import load_workbook

from lms.assessment import service
from lms.core.clock import local_today
from lms.extensions import db
from lms.programs.models import Program
from tests.assessment.exam_factory import add_questions, make_exam


def sit(exam, officer, right: int) -> None:
    """One sitting with the first `right` questions answered correctly (option 0)."""
    attempt = service.start_attempt(exam, officer.id)
    for item in attempt.questions:
        item.response = 0 if item.position <= right else 1
    db.session.commit()
    service.submit(attempt)


def passed_with_four_of_six(factory):
    add_questions("metrology", "single", 3)
    exam = make_exam(shuffle_options=False)  # 3 questions of 2 points, pass mark 60%
    officer = factory.user("officer", name="王建国")
    filing = factory.filing(officer_name="王建国", user_id=officer.id)
    sit(exam, officer, right=1)
    sit(exam, officer, right=2)  # the best: 4 of 6
    return exam, officer, filing


def test_score_texts():
    from lms.assessment.reports import percent_text, score_text

    assert score_text(52, 60) == "52/60 (86.7%)" and percent_text(52, 60) == "86.7%"
    assert percent_text(6, 6) == "100%" and percent_text(None, 0) == "0%"


def test_results_page_and_its_workbook_show_the_best_score_with_its_scale(as_staff, factory):
    exam, _officer, _filing = passed_with_four_of_six(factory)
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert page.count("4/6 (66.7%)") == 2  # the officer's best, and the town's average
    assert "<td>4</td>" not in page
    book = load_workbook(io.BytesIO(as_staff.get(f"/staff/exams/{exam.id}/results.xlsx").data))
    cell = book["成绩"]["D2"]
    assert book["成绩"]["D1"].value == "最高分" and cell.value == 0.6667 and cell.number_format == "0.0%"


def test_town_average_of_papers_with_different_maxima_is_a_percentage(as_staff, factory):
    exam, _officer, filing = passed_with_four_of_six(factory)
    exam.rules = [{**exam.rules[0], "points": 1}]  # later papers are out of 3
    db.session.commit()
    other = factory.user("officer", name="李娜")
    factory.filing(enterprise=factory.enterprise(town=filing.enterprise.town), officer_name="李娜",
                   user_id=other.id)
    sit(exam, other, right=3)  # 3/3
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert "3/3 (100%)" in page and "83.3%" in page  # the mean of 66.7% and 100%


def test_officer_page_and_registry_export_show_the_score_with_its_scale(as_staff, factory):
    from lms.coverage.exports import HEADER, status_rows

    exam, _officer, filing = passed_with_four_of_six(factory)
    program = Program(name="2026", requirements=[], exam_id=exam.id, starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    page = as_staff.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True)
    assert "2/6 (33.3%)" in page and "4/6 (66.7%)" in page  # each sitting, and the requirement
    assert "4 分" not in page
    (row,) = [r for r in status_rows(program, local_today()) if r[HEADER.index("首席质量官姓名")] == "王建国"]
    assert str(row[HEADER.index("考试成绩")]) == "66.7%"  # as the CSV writes it; the sheet, a number


def test_the_officers_own_list_of_sittings_shows_each_score_with_its_scale(client, factory):
    from tests.conftest import login

    exam, officer, _filing = passed_with_four_of_six(factory)
    login(client, officer)
    page = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert "2/6 (33.3%)" in page and "4/6 (66.7%)" in page  # each sitting beside 及格 60%
