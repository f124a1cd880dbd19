"""Staff add one question by form, without learning GIFT: checked as an import is, kept as one."""

import pytest
from sqlalchemy import func, select

from lms.assessment.models import Question
from lms.catalog.sync import sync_courses
from lms.core.audit import AuditEntry
from lms.extensions import db
from tests.catalog.content_tree import write_course


@pytest.fixture
def courses(app, tmp_path):
    write_course(tmp_path, slug="metrology", title="计量基础")
    write_course(tmp_path, folder="02-other", slug="haccp", title="HACCP",
                 lessons=[("01-hazards", "危害分析", 1.0)])
    sync_courses(tmp_path)


def post(client, **values):
    data = {"topic": "metrology", "lesson": "", "kind": "single", "difficulty": "2",
            "text": "强制检定由谁实施？", "options": "法定计量检定机构\n企业自己\n任何人", "answer": "a", **values}
    return client.post("/staff/exams/questions/new", data=data)


def test_the_form_offers_the_courses_and_their_lessons(courses, as_staff):
    page = as_staff.get("/staff/exams/questions/new?topic=haccp").get_data(as_text=True)
    assert '<option selected value="haccp">HACCP</option>' in page
    assert '<optgroup label="计量基础">' in page and 'value="metrology/01-first">第一课</option>' in page
    assert "新建试题" in as_staff.get("/staff/exams/questions").get_data(as_text=True)


@pytest.mark.parametrize("kind, options, answer, stored", [
    ("single", "法定计量检定机构\n企业自己\n任何人", "Ａ", ("single", ["法定计量检定机构", "企业自己", "任何人"], [0])),
    ("multiple", "米\n千克\n颜色\n秒", "a、b d", ("multiple", ["米", "千克", "颜色", "秒"], [0, 1, 3])),
    ("truefalse", "", "错", ("truefalse", [], False)),
])
def test_a_question_typed_in_joins_the_bank_and_the_log(courses, as_staff, kind, options, answer, stored):
    response = post(as_staff, kind=kind, options=options, answer=answer, lesson="metrology/02-second",
                    difficulty="3", explanation="依法管理的计量器具由法定机构检定。")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    item = db.session.scalars(select(Question)).one()
    assert (item.kind, item.options, item.answer) == stored
    assert (item.topic, item.lesson_slug, item.difficulty, item.is_active) == ("metrology", "02-second", 3, True)
    assert item.explanation == "依法管理的计量器具由法定机构检定。"
    page = as_staff.get(response.location).get_data(as_text=True)
    assert "已添加试题" in page and "强制检定由谁实施？" in page and "网页新建" in page
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target == f"question:{item.id}")) == "question.added"


@pytest.mark.parametrize("values, says", [
    ({"answer": "AB"}, "单选题只有一个正确答案"),
    ({"kind": "multiple", "answer": "B"}, "多选题至少有两个正确答案"),
    ({"answer": "D"}, "只有 3 个选项（A 至 C）"),
    ({"answer": "第一个"}, "请用选项字母写答案"),
    ({"options": "只有一个"}, "选择题要有 2 至 8 个选项"),
    ({"kind": "truefalse", "options": "", "answer": "也许"}, "判断题的答案请写“对”或“错”"),
    ({"lesson": "haccp/01-hazards"}, "这一课不属于所选的课程"),
    ({"text": " "}, "请写出题目"),
    ({"topic": "nosuch"}, "没有代码为“nosuch”的课程"),
])
def test_a_question_that_cannot_be_graded_as_typed_is_explained_and_kept_in_the_form(courses, as_staff, values, says):
    page = post(as_staff, **values).get_data(as_text=True)
    assert says in page and db.session.scalar(select(func.count(Question.id))) == 0
    assert "法定计量检定机构" in page or "options" in values  # what was typed stays


def test_a_question_the_bank_holds_already_is_refused(courses, as_staff):
    assert post(as_staff).status_code == 302
    page = post(as_staff, explanation="换了解析，题目相同").get_data(as_text=True)
    assert "题库中已有同样的试题" in page and db.session.scalar(select(func.count(Question.id))) == 1
