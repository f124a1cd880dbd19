"""What an import of questions says when it imports nothing, or not everything, in the file."""

import html
import io

import pytest
from sqlalchemy import func, select

from lms.assessment.models import Question
from lms.catalog.sync import sync_courses
from lms.core.audit import AuditEntry
from lms.extensions import db
from tests.catalog.content_tree import write_course


@pytest.fixture
def metrology(app, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)


def questions() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def imports_audited() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "questions.imported"))


def run_import(app, path, *options):
    return app.test_cli_runner().invoke(args=["lms", "import-questions", str(path), "--topic", "metrology",
                                              *options])


@pytest.mark.parametrize("text", ["", "// 只有注释\n// 第二行注释\n"], ids=["empty", "comments-only"])
def test_cli_a_file_without_questions_says_so_and_fails(app, metrology, tmp_path, text):
    path = tmp_path / "bank.gift"
    path.write_text(text, encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "文件中没有题目" in result.stderr and "::名称:: 题干 {=正确答案 ~错误答案}" in result.stderr
    assert "未导入任何试题" in result.stderr and "已导入" not in result.output
    assert questions() == 0 and imports_audited() == 0


def test_cli_json_of_a_file_without_questions_carries_the_reason(app, metrology, tmp_path):
    import json

    path = tmp_path / "bank.gift"
    path.write_text("// 只有注释\n", encoding="utf-8")
    result = run_import(app, path, "--json")
    assert result.exit_code == 1
    assert "文件中没有题目" in json.loads(result.stdout)["errors"][0]["message"]
    assert imports_audited() == 0


def test_cli_a_file_of_ungradable_questions_only_imports_nothing(app, metrology, tmp_path):
    path = tmp_path / "essays.gift"
    path.write_text("::论述::论述强制检定的意义。{}\n", encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 1 and "都无法自动评分，未导入任何试题" in result.stderr
    assert questions() == 0 and imports_audited() == 0


def test_cli_a_reimport_counts_what_the_bank_already_has(app, metrology, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text("::q1:: 题干 {=对 ~错}\n", encoding="utf-8")
    assert run_import(app, path).exit_code == 0 and imports_audited() == 1
    again = run_import(app, path)
    assert again.exit_code == 0  # the bank already holds the file: nothing is wrong
    assert "可导入 0 题；1 题题库中已有，跳过" in again.output and "单选" not in again.output
    assert "没有新的试题，未导入任何试题" in again.output
    assert questions() == 1 and imports_audited() == 1  # no entry for an import of nothing


def test_cli_breakdown_by_type_counts_only_the_new_questions(app, metrology, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text("::q1:: 题干 {=对 ~错}\n", encoding="utf-8")
    run_import(app, path)
    path.write_text("::q1:: 题干 {=对 ~错}\n\n::q2:: 校准不判定合格与否。{T}\n", encoding="utf-8")
    result = run_import(app, path, "--dry-run")
    assert "可导入 1 题：判断 1；1 题题库中已有，跳过" in result.output


def test_cli_a_file_with_errors_says_nothing_was_imported_after_the_errors(app, metrology, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text("::q0:: 校准不判定合格与否。{T}\n\n::q1:: 题干 {=对 ~错\n", encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "bad.gift:3" in result.stderr and "文件有 1 处错误，未导入任何试题" in result.stderr
    assert result.stderr.index("文件有 1 处错误") > result.stderr.index("bad.gift:3")  # after the errors
    assert "可导入" not in result.output  # it promises nothing it will not do
    assert questions() == 0 and imports_audited() == 0


def upload(client, text: str, filename: str = "bank.gift"):
    return client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(text.encode()), filename), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")


def test_uploading_a_file_without_questions_shows_an_error_and_records_nothing(app, as_staff, metrology):
    preview = upload(as_staff, "// 只有注释\n").location
    page = html.unescape(as_staff.get(preview).get_data(as_text=True))
    assert "alert-danger" in page and "文件中没有题目" in page and "::名称::" in page
    assert "将导入 0 题" not in page and "确认导入" not in page
    confirmed = as_staff.post(preview, data={"token": preview.rsplit("/", 1)[1]}, follow_redirects=True)
    assert "已导入" not in confirmed.get_data(as_text=True)  # a stale or forged confirm imports nothing
    assert questions() == 0 and imports_audited() == 0


def test_confirming_a_file_the_bank_already_holds_records_nothing(app, as_staff, metrology):
    first = upload(as_staff, "::q1:: 校准不判定合格与否。{T}\n").location
    as_staff.post(first, data={"token": first.rsplit("/", 1)[1]})
    again = upload(as_staff, "::q1:: 校准不判定合格与否。{T}\n").location
    page = as_staff.post(again, data={"token": again.rsplit("/", 1)[1]}, follow_redirects=True)
    assert "没有可导入的新试题" in page.get_data(as_text=True)
    assert questions() == 1 and imports_audited() == 1
