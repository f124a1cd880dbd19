"""Staff read an exam's results: item statistics that tell blanks from answers, and a download
in the language of the page."""

import io

from openpyxl import load_workbook

from lms.assessment import service
from lms.assessment.reports import item_statistics
from tests.assessment.exam_factory import add_questions, answer_all, make_exam


def sit(exam, officer_id: int, blank: int = 0) -> None:
    """A finished paper, every answer right but for the first `blank` questions, left unanswered."""
    attempt = service.start_attempt(exam, officer_id)
    answer_all(attempt, correct=True)
    for item in attempt.questions[:blank]:
        service.save_answer(attempt, item.position, None)
    service.submit(attempt)


def test_a_question_left_blank_counts_as_unanswered_and_not_correct(app, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 3, "points": 2}], shuffle_questions=False)
    sit(exam, factory.user().id)
    sit(exam, factory.user().id, blank=3)
    stats = item_statistics(exam.id)
    assert [(s["answered"], s["blank"], s["p"]) for s in stats] == [(1, 1, 0.5)] * 3


def test_results_page_shows_answered_and_blank_and_what_the_rate_is_of(as_staff, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 3, "points": 2}])
    sit(exam, factory.user().id, blank=3)
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert "未作答次数" in page and "答对率（占抽到此题者）" in page
    assert "<td>0</td><td>1</td><td>0%</td>" in page  # none answered, one blank, none right


def test_item_analysis_of_a_handful_of_papers_is_said_to_be_too_early_to_read(as_staff, factory):
    from lms.assessment.reports import ENOUGH_PAPERS

    add_questions("metrology", "single", 3)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 3, "points": 2}])
    sit(exam, factory.user().id)
    page = as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)
    assert "目前只有 1 份答卷" in page and f"约 {ENOUGH_PAPERS} 份答卷" in page
    for _ in range(ENOUGH_PAPERS - 1):
        sit(exam, factory.user().id)
    assert 'id="too-few-papers"' not in as_staff.get(f"/staff/exams/{exam.id}/results").get_data(as_text=True)


def sheets(client, exam) -> dict:
    response = client.get(f"/staff/exams/{exam.id}/results.xlsx")
    assert response.status_code == 200
    return {sheet.title: sheet for sheet in load_workbook(io.BytesIO(response.data)).worksheets}


def test_results_download_is_in_the_language_of_the_page_with_the_rate_as_a_percentage(as_staff, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam([{"topic": "metrology", "kind": "single", "count": 3, "points": 2}])
    sit(exam, factory.user(name="王芳").id, blank=1)
    chinese = sheets(as_staff, exam)
    assert [c.value for c in chinese["试题分析"][1]][2:5] == ["作答次数", "未作答次数", "答对率（占抽到此题者）"]
    as_staff.get("/lang/en")
    english = sheets(as_staff, exam)
    assert list(english) == ["Results", "Item analysis"]
    assert [c.value for c in english["Results"][1]] == ["Name", "Enterprise", "Town", "Best score", "Attempts",
                                                       "Passed"]
    assert english["Results"]["F2"].value == "Yes"  # 4 of 6 points: 66.7%, above the pass mark
    rates = [row[4] for row in english["Item analysis"].iter_rows(min_row=2)]
    assert sorted(cell.value for cell in rates) == [0, 1, 1]
    assert all(cell.number_format == "0.0%" and cell.data_type == "n" for cell in rates)
