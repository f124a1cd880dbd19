"""Importing questions through the browser and the CLI; exporting the bank."""

import html
import io
import json

from sqlalchemy import func, select

from lms.assessment.formats import parse
from lms.assessment.models import Question
from lms.catalog.sync import sync_courses
from lms.extensions import db
from tests.assessment.exam_factory import add_questions
from tests.catalog.content_tree import write_course

GIFT = """::一::强制检定由谁实施？{=法定计量检定机构 ~企业自己 ~任何人}

::二::计量法自哪年起施行？{#1986}

::三::论述题{}

::四::判断：校准不判定合格与否。{T}
"""


def count() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def upload(client, text: str, filename: str = "bank.gift"):
    return client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), filename), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")


def test_upload_preview_and_confirm(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    r = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(GIFT.encode()), "bank.gift"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    preview = as_staff.get(r.location).get_data(as_text=True)
    assert "将导入 3 题" in preview and "第 5 行" in preview and count() == 0
    assert "单选 1" in preview and "[数值]" in preview and "[single]" not in preview  # kinds by name
    token = r.location.rsplit("/", 1)[1]
    as_staff.post(r.location, data={"token": token})
    assert count() == 3
    kinds = dict(db.session.execute(select(Question.text, Question.kind)).all())
    assert kinds == {"强制检定由谁实施？": "single", "计量法自哪年起施行？": "numerical",
                     "判断：校准不判定合格与否。": "truefalse"}
    again = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(GIFT.encode()), "bank.gift"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    page = as_staff.get(again.location).get_data(as_text=True)  # the same file once more: nothing new
    assert "将导入 0 题" in page and "已存在 3 题" in page and "没有可导入的新试题" in page
    assert "disabled>确认导入" in page


def test_an_aiken_file_is_taken_by_its_suffix(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    aiken = "计量单位千克的符号是？\nA. kg\nB. KG\nC. Kg\nANSWER: A\n"
    r = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(aiken.encode()), "bank.aiken"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    assert r.status_code == 302 and "将导入 1 题" in as_staff.get(r.location).get_data(as_text=True)


def test_cli_json_preview_and_a_file_with_errors_imports_nothing(app, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(GIFT + "\n::坏::没有收尾{=甲 ~乙\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["questions"] == 3 and data["by_type"] == {"single": 1, "numerical": 1, "truefalse": 1}
    assert data["skipped"][0] == {"line": 5, "kind": "essay", "message": "问答题（essay）无法自动评分，已跳过"}
    assert data["errors"] == [  # the CLI has no request: its messages are Chinese
        {"line": 9, "message": "第 9 行的“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”"}]
    assert count() == 0
    path.write_text(GIFT, encoding="utf-8")
    ok = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology"])
    assert ok.exit_code == 0 and count() == 3
    again = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology", "--json"])
    assert json.loads(again.stdout)["duplicates"] == 3  # a re-import adds nothing


def test_parse_errors_follow_the_interface_language(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    preview = upload(as_staff, "::坏::没有收尾{=甲 ~乙\n\n::又坏::题{=甲 -> 乙}\n").location
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "第 1 行的“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”" in page
    assert "匹配题至少需要 2 组配对" in page
    as_staff.get("/lang/en")
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "unclosed answer block '{' opened on line 1" in page
    assert "matching needs at least 2 pairs" in page and "匹配题" not in page


def test_bank_exports_to_gift_that_reads_back(app, as_staff):
    add_questions("metrology", "single", 2)
    add_questions("metrology", "truefalse", 2)
    add_questions("metrology", "multiple", 1)
    text = as_staff.get("/staff/exams/questions/export.gift?topic=metrology").get_data(as_text=True)
    result = parse(text, "gift")
    assert not result.errors and result.by_type == {"single": 2, "truefalse": 2, "multiple": 1}
    yaml_text = as_staff.get("/staff/exams/questions/export.yaml?topic=metrology").get_data(as_text=True)
    assert "topic: metrology" in yaml_text and "type: multiple" in yaml_text
