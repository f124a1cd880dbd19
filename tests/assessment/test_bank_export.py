"""Exporting the bank: GIFT holds every kind we grade; YAML says what it cannot hold."""

import html
import io
import json
import re

from lms.assessment.formats import parse
from lms.catalog.sync import sync_courses
from tests.assessment.exam_factory import add_questions
from tests.catalog.content_tree import write_course

EVERY_KIND = """::QA-1::强制检定由谁实施？{=法定计量检定机构 ~企业自己}

::QA-2::下列属于 5S 的是{~%50%整理 ~%50%整顿 ~%-50%审计 ~%-50%采购}

::QA-3::校准不判定合格与否。{T}

::QA-4::HACCP 体系有几项基本原则？{#7}

::QA-5::pH 的中性值约为{#6.5..7.5}

::QA-6::请匹配{=GB -> 强制性 =GB/T -> 推荐性}

::QA-7::5S 的第一个S是{=整理 =%50%seiri}
"""


def import_file(client, text: str) -> None:
    r = client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), "bank.gift"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    client.post(r.location, data={"token": r.location.rsplit("/", 1)[1]})


def test_gift_export_holds_numerical_matching_and_short_answer_questions(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    import_file(as_staff, EVERY_KIND)
    text = as_staff.get("/staff/exams/questions/export.gift").get_data(as_text=True)
    again = parse(text, "gift")
    assert again.errors == [] and again.by_type == {
        "single": 1, "multiple": 1, "truefalse": 1, "numerical": 2, "matching": 1, "shortanswer": 1}
    assert "{#7}" not in text and "=%100%7:0" in text and "=%100%7:0.5" in text  # 6.5..7.5 as 7 ± 0.5
    # What it writes is what we hold: the same file imported again adds nothing.
    r = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), "again.gift"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    assert "已存在 7 题" in as_staff.get(r.location).get_data(as_text=True)


def test_yaml_export_says_at_its_top_how_many_questions_it_left_out_and_why(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    import_file(as_staff, EVERY_KIND)
    text = as_staff.get("/staff/exams/questions/export.yaml?topic=metrology").get_data(as_text=True)
    first = text.splitlines()[0]
    assert first.startswith("# 未导出 4 道试题（匹配 1、数值 2、填空 1）") and "导出 GIFT" in first
    assert text.count("type: ") == 3


def test_yaml_export_of_choice_questions_only_has_no_note(app, as_staff):
    add_questions("metrology", "single", 2)
    text = as_staff.get("/staff/exams/questions/export.yaml?topic=metrology").get_data(as_text=True)
    assert text.startswith("topic: metrology") and "未导出" not in text


def two_courses(tmp_path) -> None:
    write_course(tmp_path, folder="01-duties", slug="cqo-duties", title="首席质量官职责")
    write_course(tmp_path, folder="03-metrology", slug="metrology", title="计量基础")
    sync_courses(tmp_path)


def held() -> set[tuple]:
    from sqlalchemy import select

    from lms.assessment.models import Question
    from lms.extensions import db

    columns = (Question.key, Question.topic, Question.kind, Question.difficulty, Question.text,
               Question.options, Question.answer, Question.explanation, Question.lesson_slug)
    return {tuple(json.dumps(v, ensure_ascii=False) for v in row)
            for row in db.session.execute(select(*columns))}


def empty_the_bank() -> None:
    from lms.assessment.models import Question
    from lms.extensions import db

    db.session.execute(Question.__table__.delete())
    db.session.commit()


def reimport(client, text: str, filename: str) -> str:
    """The export uploaded as it is (the course chosen on upload is the first one) and
    confirmed with the course the preview preselects, as a browser posts it."""
    r = client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), filename), "format": "auto", "topic": "cqo-duties"},
        content_type="multipart/form-data")
    page = html.unescape(client.get(r.location).get_data(as_text=True))
    selected = re.search(r'<option selected value="([^"]+)">', page)
    client.post(r.location, data={"token": r.location.rsplit("/", 1)[1],
                                  **({"topic": selected.group(1)} if selected else {})})
    return page


def test_gift_export_read_into_an_empty_bank_gives_back_course_difficulty_key_and_explanation(
        app, as_staff, tmp_path):
    two_courses(tmp_path)
    add_questions("metrology", "single", 2, difficulty=3)
    add_questions("cqo-duties", "truefalse", 1, difficulty=1)
    add_questions("cqo-duties", "multiple", 1, difficulty=2)
    before = held()
    text = as_staff.get("/staff/exams/questions/export.gift").get_data(as_text=True)
    assert "[tag:difficulty-3]" in text
    empty_the_bank()
    reimport(as_staff, text, "questions-all.gift")
    no_lesson = {row[:-1] + ('""',) for row in before}  # GIFT has no place for the cited lesson
    assert held() == no_lesson


def test_yaml_export_of_several_courses_imports_as_it_is_and_gives_back_every_column(app, as_staff, tmp_path):
    two_courses(tmp_path)
    add_questions("metrology", "single", 2, difficulty=3)
    add_questions("cqo-duties", "truefalse", 2, difficulty=1)
    add_questions("cqo-duties", "multiple", 1)
    import_file(as_staff, EVERY_KIND)  # imported: no lesson, no explanation; 4 kinds YAML cannot hold
    before = {row for row in held() if '"single"' in row or '"multiple"' in row or '"truefalse"' in row}
    text = as_staff.get("/staff/exams/questions/export.yaml").get_data(as_text=True)
    again = reimport(as_staff, text, "all.yaml")  # into the bank it came from: nothing new
    assert "已存在 8 题" in again and "确认导入" not in again
    empty_the_bank()
    page = reimport(as_staff, text, "all.yaml")
    assert "将导入 8 题" in page and "错误" not in page
    assert held() == before


def test_a_yaml_export_of_one_course_goes_back_to_that_course(app, as_staff, tmp_path):
    two_courses(tmp_path)
    add_questions("metrology", "single", 2)
    text = as_staff.get("/staff/exams/questions/export.yaml?topic=metrology").get_data(as_text=True)
    empty_the_bank()
    page = reimport(as_staff, text, "metrology.yaml")
    assert "已按文件中的分类" in page
    assert {row[1] for row in held()} == {'"metrology"'}
