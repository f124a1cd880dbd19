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
    assert "将导入 0 题" in page and "已存在 3 题" in page and "可评分的 3 道试题都已在题库中" in page
    assert "确认导入" not in page


def test_an_aiken_file_is_taken_by_its_suffix(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    aiken = "计量单位千克的符号是？\nA. kg\nB. KG\nC. Kg\nANSWER: A\n"
    r = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(aiken.encode()), "bank.aiken"), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")
    assert r.status_code == 302 and "将导入 1 题" in as_staff.get(r.location).get_data(as_text=True)


def test_cli_json_preview_and_a_file_with_errors_imports_nothing(app, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    path = tmp_path / "bad.gift"
    path.write_text(GIFT + "\n::坏::没有收尾{=甲 ~乙\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["questions"] == 3 and data["by_type"] == {"single": 1, "numerical": 1, "truefalse": 1}
    assert data["skipped"][0] == {"line": 5, "kind": "essay", "message": "问答题（essay）无法自动评分，已跳过"}
    assert data["errors"] == [  # the CLI has no request: its messages are Chinese
        {"line": 9, "message": "“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”"}]
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
    assert "第 1 行：“{”开始了答案块，但没有用“}”结束：请在答案后面补上“}”" in page
    assert "匹配题至少需要 2 组配对" in page
    as_staff.get("/lang/en")
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "Line 1: unclosed answer block '{'" in page  # needs the msgids of po_assess.json merged
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
    download = as_staff.get("/staff/exams/questions/export.gift?topic=metrology")
    assert download.headers["Content-Disposition"] == "attachment; filename=questions-metrology.gift"
    sneaky = as_staff.get('/staff/exams/questions/export.gift?topic=x; filename="invoice.html"')
    assert sneaky.status_code == 404  # no second filename smuggled into the header


def test_cli_refuses_a_topic_that_is_no_course_and_names_the_courses(app, tmp_path):
    write_course(tmp_path, slug="metrology")
    write_course(tmp_path, folder="02-haccp", slug="haccp")
    sync_courses(tmp_path)
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "nope"])
    assert result.exit_code != 0 and "没有代码为“nope”的课程" in result.output
    assert "haccp" in result.output and "metrology" in result.output
    assert count() == 0 and db.session.scalar(select(Question.topic).where(Question.topic == "nope")) is None


def test_the_import_form_refuses_a_topic_that_is_no_course_and_names_the_courses(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    r = as_staff.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(GIFT.encode()), "bank.gift"), "format": "auto", "topic": "nope"},
        content_type="multipart/form-data")
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 200 and "没有代码为“nope”的课程" in page and "已有的课程代码：metrology" in page


def test_cli_names_the_kinds_as_the_staff_pages_do(app, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology",
                                                "--dry-run"])
    assert result.exit_code == 0
    assert "可导入 3 题：单选 1，数值 1，判断 1" in result.output and "single" not in result.output


NAMED = """::QA-1::强制检定由谁实施？{=法定计量检定机构 ~企业自己}

::计量 二::计量法自哪年起施行？{#1986}

::metrology-single-1::校准是否判定合格？{F}

::QA 4::检定是否判定合格？{T}

计量单位千克的符号是？{=kg ~KG}
"""


def test_gift_names_become_question_keys_when_they_can(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    taken = add_questions("metrology", "single", 1)[0]  # its key metrology-single-<n> is in use
    text = NAMED.replace("metrology-single-1", taken.key)
    preview = upload(as_staff, text).location
    page = as_staff.get(preview).get_data(as_text=True)
    assert "<code>QA-1</code>" in page and "<code>QA-4</code>" in page  # shown before anything is saved
    as_staff.post(preview, data={"token": preview.rsplit("/", 1)[1]})
    keys = dict(db.session.execute(select(Question.text, Question.key).where(Question.source == "import")).all())
    assert keys["强制检定由谁实施？"] == "QA-1"
    assert keys["检定是否判定合格？"] == "QA-4"  # spaces read as hyphens
    assert keys["计量法自哪年起施行？"] == "计量-二"  # Chinese names are keys too: staff search for them
    assert keys["校准是否判定合格？"].startswith("import-")  # the name is another question's key
    assert keys["计量单位千克的符号是？"].startswith("import-")  # no name at all


def test_a_renamed_copy_of_an_imported_question_is_still_a_duplicate(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    first = upload(as_staff, "::QA-1::校准是否判定合格？{F}\n").location
    as_staff.post(first, data={"token": first.rsplit("/", 1)[1]})
    again = as_staff.get(upload(as_staff, "::QA-2::校准是否判定合格？{F}\n").location).get_data(as_text=True)
    assert "将导入 0 题" in again and "已存在 1 题" in again and count() == 1


def test_no_confirm_button_when_nothing_would_be_imported_but_the_reason(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    essays = as_staff.get(upload(as_staff, "::论述::论述强制检定的意义。{}\n").location).get_data(as_text=True)
    assert "确认导入" not in essays and "文件中的试题都无法自动评分" in essays and "重新上传" in essays
    empty = as_staff.get(upload(as_staff, "// 只有注释\n").location).get_data(as_text=True)
    assert "确认导入" not in empty and "文件中没有题目" in empty


def test_an_overlong_question_or_file_is_refused_with_its_limit(app, as_staff, tmp_path):
    """A 10 MB stem was previewed as one question to import (the paper would carry all of it);
    a file of 200,000 questions took 25 s to preview, near gunicorn's timeout."""
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    result = parse("::长::" + "很" * 6000 + "{=对 ~错}\n\n::短::计量单位的符号？{=m ~M}\n", "gift")
    assert [q.name for q in result.questions] == ["短"]
    assert "试题的文字过长（6000 字，最多 5000 字）" in result.errors[0].message
    big = upload(as_staff, "::q::题{T}\n\n" * 450_000)
    page = big.get_data(as_text=True)
    assert big.status_code == 200 and "试题文件不能超过 5 MB" in page


def test_the_banks_own_questions_exported_as_gift_and_read_back_are_all_duplicates(app, tmp_path):
    from lms.assessment.formats.gift import export_gift
    from lms.assessment.importer import as_parsed, preview_import

    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    bank = add_questions("metrology", "single", 3) + add_questions("metrology", "truefalse", 2) \
        + add_questions("metrology", "multiple", 2)
    gift = export_gift([as_parsed(q) for q in bank])
    preview = preview_import(gift, "bank.gift", "metrology")
    assert preview.duplicates == len(bank) and not preview.fields  # nothing would be added twice
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(bank)


def test_a_long_preview_says_it_lists_only_the_first_hundred(app, as_staff, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)
    many = "\n".join(f"::第{i}题::判断第 {i} 题。{{T}}\n" for i in range(105))
    page = html.unescape(as_staff.get(upload(as_staff, many).location).get_data(as_text=True))
    assert "将导入 105 题" in page and "仅显示前 100 条，共 105 条" in page
    assert "第99题" in page and "第100题" not in page
    few = html.unescape(as_staff.get(upload(as_staff, GIFT).location).get_data(as_text=True))
    assert "仅显示前" not in few
