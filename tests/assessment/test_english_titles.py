"""An exam's English title and description on English pages, its Chinese ones on Chinese pages
and, where it has no English, on English pages too, marked as Chinese."""

from datetime import date

import pytest
from sqlalchemy import select

from lms.assessment import service
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.programs.models import Program
from tests.assessment.exam_factory import add_questions, exam_post, make_exam
from tests.conftest import login

TITLE, TITLE_EN = "2026 年结业考试", "2026 Final Exam"
ABOUT, ABOUT_EN = "覆盖全部必修课程。", "Covers every required course."


@pytest.fixture
def officer(factory):
    return factory.user("officer")


def page(client, path: str, lang: str) -> str:
    client.get(f"/lang/{lang}")
    return client.get(path).get_data(as_text=True)


def test_an_officer_s_exam_pages_show_the_english_title_and_description_on_english_pages(client, officer):
    exam = make_exam(title=TITLE, title_en=TITLE_EN, description=ABOUT, description_en=ABOUT_EN)
    login(client, officer)
    for path in ("/exams/", f"/exams/{exam.id}"):
        english = page(client, path, "en")
        assert TITLE_EN in english and TITLE not in english, path
    english = page(client, f"/exams/{exam.id}", "en")
    assert f"<title>{TITLE_EN}" in english and ABOUT_EN in english and ABOUT not in english
    chinese = page(client, f"/exams/{exam.id}", "zh_CN")
    assert TITLE in chinese and ABOUT in chinese and TITLE_EN not in chinese and ABOUT_EN not in chinese


def test_an_exam_without_english_is_shown_in_chinese_marked_so_on_english_pages(client, officer):
    exam = make_exam(title=TITLE, description=ABOUT)
    login(client, officer)
    english = page(client, f"/exams/{exam.id}", "en")
    assert f'<h1 class="h3"><span lang="zh-CN">{TITLE}</span></h1>' in english
    assert f'<span lang="zh-CN">{ABOUT}</span>' in english
    assert f"<title>{TITLE}" in english  # a title element holds text, not a marked span
    assert f'<span lang="zh-CN">{TITLE}</span>' in page(client, "/exams/", "en")
    assert 'lang="zh-CN"' not in page(client, f"/exams/{exam.id}", "zh_CN").split("<body")[1]


def test_the_paper_and_the_result_are_headed_with_the_english_title(client, officer):
    add_questions("metrology", "single", 3)
    exam = make_exam(title=TITLE, title_en=TITLE_EN)
    attempt = service.start_attempt(exam, officer.id)
    login(client, officer)
    paper = page(client, f"/exams/attempts/{attempt.id}", "en")
    assert f'title="{TITLE_EN}">{TITLE_EN}</h1>' in paper and TITLE not in paper
    service.submit(attempt)
    result = client.get(f"/exams/attempts/{attempt.id}", follow_redirects=True).get_data(as_text=True)
    assert TITLE_EN in result and TITLE not in result


def test_the_programme_s_exam_requirement_is_named_in_the_page_s_language(client, factory):
    exam = make_exam(title=TITLE, title_en=TITLE_EN)
    db.session.add(Program(name="2026 年培训", requirements=[], exam_id=exam.id, starts_on=date(2026, 1, 1),
                           deadline=date(2026, 12, 31), is_current=True))
    db.session.commit()
    officer = factory.user("officer")
    factory.filing(user_id=officer.id)
    login(client, officer)
    assert TITLE_EN in page(client, "/me", "en")
    assert TITLE in page(client, "/me", "zh_CN")


def exam_form(**changed) -> dict:
    form = {"title": TITLE, "rules": "metrology single * 3 2", "time_limit_minutes": 30,
            "pass_percent": 60, "attempts_allowed": 3, "wait_minutes": 0, "is_active": "y",
            "shuffle_questions": "y", "shuffle_options": "y", "review_allowed": "y"}
    return exam_post({**form, **changed})


def test_staff_give_an_exam_english_text_and_the_log_names_what_changed(as_staff):
    add_questions("metrology", "single", 3)
    exam = make_exam(title=TITLE, rules=[{"topic": "metrology", "kind": "single", "difficulty": None,
                                          "count": 3, "points": 2}])
    form = page(as_staff, f"/staff/exams/{exam.id}/edit", "zh_CN")
    assert "英文考试名称（可选，英文界面显示）" in form and "英文说明（可选，英文界面显示）" in form
    data = exam_form(title_en=f" {TITLE_EN} ", description_en=ABOUT_EN)
    assert as_staff.post(f"/staff/exams/{exam.id}/edit", data=data).status_code == 302
    db.session.refresh(exam)
    assert (exam.title_en, exam.description_en) == (TITLE_EN, ABOUT_EN)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exam.saved")).one()
    assert entry.details["changes"] == {"title_en": [None, TITLE_EN], "description_en": [None, ABOUT_EN]}
    assert TITLE_EN in page(as_staff, "/staff/exams/", "en")
    assert as_staff.post(f"/staff/exams/{exam.id}/edit", data=exam_form(title_en="", description_en=" ")).status_code == 302
    db.session.refresh(exam)
    assert exam.title_en is None and exam.description_en is None  # left empty: the Chinese again
