"""Question files as office PCs in China save them: UTF-8, GBK ("ANSI" in Notepad), UTF-16
("Unicode"), and the Word file picked by mistake, which is named as such."""

import io

import pytest

from lms.catalog.sync import sync_courses
from tests.catalog.content_tree import write_course

AIKEN = "计量单位千克的符号是？\nA. kg\nB. KG\nC. Kg\nANSWER: A\n"


@pytest.fixture
def course(app, tmp_path):
    write_course(tmp_path, slug="metrology")
    sync_courses(tmp_path)


def upload(client, data: bytes, filename: str = "bank.aiken"):
    return client.post("/staff/exams/questions/import", data={
        "file": (io.BytesIO(data), filename), "format": "auto", "topic": "metrology"},
        content_type="multipart/form-data")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_a_file_in_any_encoding_office_software_saves_reads_the_same(course, as_staff, encoding):
    r = upload(as_staff, AIKEN.encode(encoding))
    assert r.status_code == 302
    page = as_staff.get(r.location).get_data(as_text=True)
    assert "将导入 1 题" in page and "计量单位千克的符号是？" in page


@pytest.mark.parametrize(("data", "says"), [
    (b"PK\x03\x04" + b"\x00" * 40, "这是一个 Word 或 Excel 文件"),
    (b"%PDF-1.7\n" + b"\x00\x01" * 20, "这是一个 PDF 文件"),
    (bytes(range(256)) * 4, "无法识别文件的编码"),
])
def test_a_file_that_is_not_text_says_what_it_is(course, as_staff, data, says):
    page = upload(as_staff, data, "bank.txt").get_data(as_text=True)
    assert says in page and "将导入" not in page


def test_the_cli_reads_a_gbk_file_and_names_a_word_file(app, course, tmp_path):
    path = tmp_path / "bank.aiken"
    path.write_bytes(AIKEN.encode("gbk"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "import-questions", str(path), "--topic", "metrology", "--dry-run"])
    assert result.exit_code == 0 and "可导入 1 题" in result.output
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    result = runner.invoke(args=["lms", "import-questions", str(path), "--topic", "metrology"])
    assert result.exit_code != 0 and "Word 或 Excel 文件" in result.output


def test_a_word_file_saved_as_csv_is_named_by_the_roster_import_too(app):
    from lms.registry.importer import RosterFileError, parse_roster

    with pytest.raises(RosterFileError, match="这是一个 Word 或 Excel 文件"):
        parse_roster(io.BytesIO(b"PK\x03\x04" + b"\x00" * 40), "roster.csv")
