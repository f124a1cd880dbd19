"""Roster import: files as staff actually send them (a workbook under a .csv name, a cover
sheet before the roster, a column given twice, a row copied, no extension), as the preview,
the command line and the database show them."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from lms.registry.importer import RosterFileError
from lms.registry.models import Filing
from tests.conftest import make_uscc
from tests.registry.roster_files import HEADER, as_csv, as_xlsx, row
from tests.registry.test_import import count, preview_of

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def town(factory):
    return factory.town("相南街道")


@pytest.fixture
def import_roster(app, tmp_path):
    """`flask lms import-roster` on a file of the given bytes and name."""
    def run(data: bytes, name: str, *args: str):
        path = tmp_path / name
        path.write_bytes(data)
        return app.test_cli_runner().invoke(args=["lms", "import-roster", str(path), *args])
    return run


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    """A workbook of the given (name, rows) sheets, in that order."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def table(*records: dict, header: list[str] = HEADER) -> list[list]:
    return [header, *([r.get(h, "") for h in header] for r in records)]


# --- a workbook saved under a .csv name -----------------------------------------------------

def test_an_xlsx_saved_under_a_csv_name_is_imported_as_the_workbook_it_is(town, import_roster):
    data = as_xlsx([row(make_uscc(), "相南街道", "甲"), row(make_uscc(), "相南街道", "乙")])
    result = import_roster(data, "名册.csv")
    assert result.exit_code == 0, result.output
    assert "Word" not in result.output and count(Filing) == 2


def test_an_excel_97_2003_workbook_under_a_csv_name_is_read_as_one(town):
    preview = preview_of((FIXTURES / "roster.xls").read_bytes(), "roster.csv")
    assert preview.parsed.header_row == 2 and preview.parsed.total_rows == 2  # as under its own name


def test_a_zip_under_a_csv_name_that_no_workbook_reader_takes_says_rename_or_save_as_csv(town):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as book:
        book.writestr("word/document.xml", "<w:document/>")  # a Word file, say
    with pytest.raises(RosterFileError) as refused:
        preview_of(stream.getvalue(), "roster.csv")
    assert "改名为 .xlsx" in str(refused.value) and "另存为 CSV" in str(refused.value)
    assert "Word 中“另存为”纯文本" not in str(refused.value)


# --- the sheet the roster is on -------------------------------------------------------------

def test_a_roster_after_a_cover_sheet_is_found_and_the_preview_names_its_sheet(town, import_roster):
    data = workbook(("封面", [["相山区企业首席质量官备案汇总表"], ["2026年11月"]]),
                    ("备案汇总", table(row(make_uscc(), "相南街道"))))
    preview = preview_of(data, "roster.xlsx")
    assert not preview.errors and preview.parsed.header_row == 1 and preview.counts["filing_added"] == 1
    assert preview.as_dict()["sheet"] == "备案汇总"
    result = import_roster(data, "roster.xlsx")
    assert result.exit_code == 0 and "表头在工作表“备案汇总”第 1 行" in result.output and count(Filing) == 1


def test_a_roster_on_the_first_sheet_names_no_sheet(town):
    data = workbook(("备案汇总", table(row(make_uscc(), "相南街道"))), ("说明", [["填表说明"]]))
    assert "sheet" not in preview_of(data, "roster.xlsx").as_dict()


def test_a_workbook_with_the_header_on_no_sheet_names_the_sheets_looked_at(town):
    data = workbook(("封面", [["相山区企业首席质量官备案汇总表"]]), ("说明", [["填表说明"]]))
    with pytest.raises(RosterFileError, match="找不到表头.*查看过的工作表：封面、说明"):
        preview_of(data, "roster.xlsx")


# --- a column given twice -------------------------------------------------------------------

def test_a_column_named_twice_refuses_the_file_naming_both_columns(town, import_roster):
    header = [*HEADER, "企业名称"]  # B and Q
    data = as_csv([row(make_uscc(), "相南街道")], header=header)
    result = import_roster(data, "roster.csv")
    assert result.exit_code == 2 and "“企业名称”出现了两次（B 列和 Q 列）" in result.output
    assert "忽略的列" not in result.output and count(Filing) == 0


def test_a_column_under_its_chinese_and_english_names_refuses_the_file(town, import_roster):
    header = [*HEADER, "uscc"]
    data = as_csv([{**row(make_uscc(), "相南街道"), "uscc": make_uscc()}], header=header)  # another code
    result = import_roster(data, "roster.csv", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 2 and report["committed"] is False and count(Filing) == 0
    assert "“统一社会信用代码”（C 列）和“uscc”（Q 列）是同一列" in report["errors"][0]["message"]


def test_the_columns_named_twice_are_the_spreadsheet_s_letters_when_the_table_starts_further_right(town):
    book = Workbook()
    for number, values in enumerate(table(row(make_uscc(), "相南街道"), header=[*HEADER, "企业名称"]), start=1):
        for column, value in enumerate(values, start=3):  # from column C
            book.active.cell(number, column, value)
    stream = io.BytesIO()
    book.save(stream)
    with pytest.raises(RosterFileError, match="（D 列和 S 列）"):
        preview_of(stream.getvalue(), "roster.xlsx")


# --- a row copied ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", [{}, {"状态": "已变更", "离任日期": "2024-01-01", "变更原因": "离职"}],
                         ids=["current", "ended"])
def test_a_copied_row_is_an_error_of_the_whole_row_not_of_a_column(town, import_roster, status):
    data = as_csv([row(make_uscc(), "相南街道", **status)] * 2, title=False)
    preview = preview_of(data, "roster.csv")
    assert [e.as_dict() for e in preview.errors] == [
        {"row": 3, "column": "", "message": "与第 2 行完全相同：请删除重复的一行"}]
    text = import_roster(data, "roster.csv")
    assert text.exit_code == 1 and "第 3 行 与第 2 行完全相同" in text.output and "[" not in text.output
    report = json.loads(import_roster(data, "roster.csv", "--json").stdout)
    assert report["errors"][0]["column"] == "" and count(Filing) == 0


# --- no extension, and a header with no rows under --json -----------------------------------

def test_a_file_without_an_extension_is_told_so_and_what_is_accepted(town, import_roster):
    result = import_roster(as_csv([row(make_uscc(), "相南街道")]), "roster")
    assert result.exit_code == 2 and "文件没有扩展名" in result.output and ".xlsx、.xls 或 .csv" in result.output
    assert "?" not in result.output


def test_json_for_a_roster_with_only_a_header_is_all_on_stdout(town, import_roster):
    result = import_roster(as_csv([]), "roster.csv", "--json")
    assert result.exit_code == 1 and result.stderr == ""
    assert [e["message"] for e in json.loads(result.stdout)["errors"]] == ["文件中没有数据行，未导入任何数据"]


# --- the same through the web upload --------------------------------------------------------

def test_a_workbook_uploaded_under_a_csv_name_is_previewed_as_the_workbook(town, as_staff):
    data = as_xlsx([row(make_uscc(), "相南街道", "王明")])
    sent = as_staff.post("/staff/registry/import", data={"file": (io.BytesIO(data), "名册.csv")},
                         content_type="multipart/form-data")
    page = as_staff.get(sent.location, follow_redirects=True).get_data(as_text=True)
    assert "确认导入" in page and "王明" in page and "另存为”纯文本" not in page


def test_the_upload_preview_names_the_sheet_the_roster_was_found_on(town, as_staff):
    data = workbook(("封面", [["相山区企业首席质量官备案汇总表"]]), ("备案汇总", table(row(make_uscc(), "相南街道"))))
    sent = as_staff.post("/staff/registry/import", data={"file": (io.BytesIO(data), "名册.xlsx")},
                         content_type="multipart/form-data")
    page = as_staff.get(sent.location, follow_redirects=True).get_data(as_text=True)
    assert "工作表“备案汇总” · 表头在第 1 行" in page
