"""Exporting the bank: GIFT holds every kind we grade; YAML says what it cannot hold."""

import io

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
