"""Roster import: reading real-world files, validating rows, previewing and committing."""

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.core.audit import AuditEntry
from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.importer import RosterFileError, parse_roster
from lms.registry.models import Enterprise, Filing
from lms.registry.roster_plan import (
    ENTERPRISE_FIELDS,
    FILING_FIELDS,
    Change,
    build_preview,
)
from lms.registry.roster_write import commit_preview
from tests.conftest import make_uscc
from tests.registry.roster_files import HEADER, as_csv, as_xlsx, row


def preview_of(data: bytes, name: str = "roster.csv"):
    return build_preview(parse_roster(io.BytesIO(data), name))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def town(factory):
    return factory.town("相南街道")


def test_csv_with_title_rows_is_previewed_and_committed(town):
    rows = [row(make_uscc(), "相南街道", f"officer{i}") for i in range(3)]
    preview = preview_of(as_csv(rows))
    assert preview.parsed.header_row == 3
    assert preview.valid_rows == 3 and not preview.errors
    assert preview.counts["filing_added"] == 3 and preview.counts["enterprise_added"] == 3
    assert count(Filing) == 0  # a preview writes nothing
    commit_preview(preview, "roster.csv")
    assert count(Filing) == 3 and count(Enterprise) == 3
    assert db.session.scalar(select(AuditEntry.action)) == "roster.imported"


def test_xlsx_with_merged_title_excel_dates_and_full_width_text(town):
    uscc = make_uscc()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in uscc)
    rows = [row(full_width, " 相南街道 ", "李 娜", 聘任日期=date(2022, 5, 6), 备案日期="2022年5月20日",
                手机号码="+86 139 1234 5678")]
    preview = preview_of(as_xlsx(rows), "roster.xlsx")
    assert preview.parsed.header_row == 2 and not preview.errors
    commit_preview(preview, "roster.xlsx")
    filing = db.session.scalar(select(Filing))
    assert filing.enterprise.uscc == uscc
    assert filing.appointed_on == date(2022, 5, 6) and filing.filed_on == date(2022, 5, 20)
    assert filing.mobile == "13912345678" and filing.officer_name == "李娜"  # as searched for


def test_xlsx_rows_keep_their_spreadsheet_numbers_when_the_sheet_starts_lower(town):
    """Two empty rows, the table from column C, numbers typed as numbers, a blank row inside."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    good = row(make_uscc(), "相南街道")
    for offset, values in ((3, HEADER), (4, [good[h] for h in HEADER]), (6, [good[h] for h in HEADER])):
        for column, value in enumerate(values, start=3):
            sheet.cell(offset, column, value)
    sheet.cell(4, 3 + HEADER.index("手机号码"), 13912345678)  # a number, as Excel keeps it
    sheet.cell(6, 3 + HEADER.index("统一社会信用代码"), "91340603MA2U0A1B10")  # wrong check character
    stream = io.BytesIO()
    book.save(stream)
    preview = preview_of(stream.getvalue(), "roster.xlsx")
    assert preview.parsed.header_row == 3 and preview.parsed.total_rows == 2
    assert [(e.row, e.column) for e in preview.errors] == [(6, "统一社会信用代码")]
    assert preview.parsed.rows[0].mobile == "13912345678" and preview.parsed.rows[0].row == 4


def test_an_excel_97_2003_workbook_is_read(town):
    """fixtures/roster.xls: written by xlwt 1.3.0 (BIFF8, as WPS and old Excel save), a merged title,
    numbers and date cells; its second row has a wrong USCC check character."""
    data = (Path(__file__).parent / "fixtures" / "roster.xls").read_bytes()
    preview = preview_of(data, "roster.xls")
    assert preview.parsed.header_row == 2 and preview.parsed.total_rows == 2
    assert [(e.row, e.column) for e in preview.errors] == [(4, "统一社会信用代码")]
    record = preview.parsed.rows[0]
    assert (record.officer_name, record.mobile, record.appointed_on) == ("赵敏", "13912345678", date(2022, 5, 6))


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b",,,\r\n,,\r\n\r\n"])
def test_an_empty_file_is_called_empty(town, data):
    with pytest.raises(RosterFileError, match="文件是空的"):
        preview_of(data, "roster.csv")


def test_a_damaged_xlsx_is_explained(town):
    with pytest.raises(RosterFileError, match="无法读取 Excel 文件"):
        preview_of(b"PK\x03\x04 this is no workbook", "roster.xlsx")


def test_a_workbook_with_one_cell_far_out_is_refused_before_it_is_read(tmp_path):
    """A1 and XFD1048576: read whole, that grid would ask for 512 GiB and abort the process
    (no except can catch it), so the check runs in a process of its own here."""
    import subprocess
    import sys

    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"], book.active["XFD1048576"] = "备案编号", "一个误填的单元格"
    book.save(tmp_path / "roster.xlsx")
    assert (tmp_path / "roster.xlsx").stat().st_size < 10_000
    code = ("import sys; from lms.registry.importer import parse_roster, RosterFileError\n"
            "try: parse_roster(open(sys.argv[1], 'rb'), 'roster.xlsx')\n"
            "except RosterFileError as error: print(error)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "roster.xlsx")], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-500:]
    assert "工作表的范围太大（1048576 行 × 16384 列）" in done.stdout and "删除名册以外的行和列" in done.stdout


def test_a_stray_note_beside_the_roster_does_not_stop_it(town):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(as_xlsx([row(make_uscc(), "相南街道")])))
    book.active["AB40"] = "备注：核对人 张三"  # columns and rows beyond the table, within reason
    out = io.BytesIO()
    book.save(out)
    preview = preview_of(out.getvalue(), "roster.xlsx")
    assert not preview.errors and preview.counts["filing_added"] == 1


def test_a_csv_cell_swallowed_by_an_open_quote_is_explained(town):
    data = ("\n".join([",".join(HEADER), '"' + "甲" * 140_000, "x"])).encode("utf-8")
    with pytest.raises(RosterFileError, match="CSV 文件第 .* 行附近有一个过长的单元格，多半是引号没有配对"):
        preview_of(data)


def test_english_headers_and_dotted_dates_are_accepted(town):
    english = ["enterprise_name", "uscc", "town", "size", "above_scale", "officer_name", "position",
               "mobile", "appointed_on", "filed_on"]
    data = ("\n".join([",".join(english),
                       f"Acme,{make_uscc()},相南街道,中型,是,Wang,质量总监,13900001111,2021.3.5,2021.3.15"])).encode()
    preview = preview_of(data)
    assert not preview.errors and preview.valid_rows == 1


def test_bad_rows_are_reported_by_spreadsheet_row_and_nothing_is_written(town, factory):
    good = row(make_uscc(), "相南街道")
    bad = [
        row("91340603MA2U0A1B10", "相南街道"),  # wrong check character
        row(make_uscc(), "相南街道", 手机号码="12345"),
        row(make_uscc(), "相南街道", 聘任日期="2021-02-30"),
        row(make_uscc(), "不存在的镇"),
        row(make_uscc(), "相南街道", 首席质量官姓名=""),
    ]
    preview = preview_of(as_csv([good, *bad]))
    by_row = {e.row: e for e in preview.errors}
    # Two title rows and the header: the first data row is row 4.
    assert set(by_row) == {5, 6, 7, 8, 9}
    assert by_row[5].column == "统一社会信用代码" and "校验位" in by_row[5].message
    assert by_row[6].column == "手机号码"
    assert by_row[7].column == "聘任日期"
    assert by_row[8].column == "所在镇街" and "不存在的镇" in by_row[8].message
    assert by_row[9].column == "首席质量官姓名"
    assert preview.valid_rows == 1 and not preview.can_commit
    with pytest.raises(ValueError):
        commit_preview(preview, "roster.csv")
    assert count(Filing) == 0 and count(Enterprise) == 0


def test_an_unknown_town_is_reported_on_a_row_with_other_errors_too(town):
    preview = preview_of(as_csv([row(make_uscc(), "不存在的镇", 手机号码="12345"), row(make_uscc(), "相南街道")]))
    assert [(e.row, e.column) for e in preview.errors] == [(4, "手机号码"), (4, "所在镇街")]
    assert "不存在的镇" in preview.errors[1].message and preview.valid_rows == 1


def test_two_current_officers_of_one_enterprise_in_a_file_rejects_the_second(town):
    uscc = make_uscc()
    preview = preview_of(as_csv([row(uscc, "相南街道", "甲"), row(uscc, "相南街道", "乙")]))
    assert [(e.row, e.column) for e in preview.errors] == [(5, "状态")]
    assert "第 4 行" in preview.errors[0].message


def test_duplicate_filing_numbers_in_a_file_are_rejected(town):
    rows = [row(make_uscc(), "相南街道", 备案编号="B-1"), row(make_uscc(), "相南街道", 备案编号="B-1")]
    preview = preview_of(as_csv(rows))
    assert [(e.row, e.column) for e in preview.errors] == [(5, "备案编号")]


def test_missing_required_column_rejects_the_file(town):
    header = [h for h in HEADER if h != "手机号码"]
    with pytest.raises(RosterFileError, match="手机号码"):
        preview_of(as_csv([row(make_uscc(), "相南街道")], header=header))


def test_gbk_encoded_csv_is_read(town):
    preview = preview_of(as_csv([row(make_uscc(), "相南街道")], encoding="gb18030"))
    assert preview.valid_rows == 1 and not preview.errors


def test_unknown_columns_are_named_in_the_preview(town):
    header = [*HEADER, "备注"]
    preview = preview_of(as_csv([row(make_uscc(), "相南街道", 备注="x")], header=header))
    assert preview.parsed.unknown_columns == ["备注"]


def test_reimporting_the_same_file_changes_nothing(town):
    data = as_csv([row(make_uscc(), "相南街道", f"o{i}", 备案编号=f"N{i}") for i in range(4)])
    commit_preview(preview_of(data), "a.csv")
    again = preview_of(data)
    assert sum(again.counts.values()) == 0 and not again.errors


def test_a_roster_without_some_columns_leaves_what_they_hold_alone(town):
    uscc = make_uscc()
    full = HEADER + ["学历", "职称"]
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "郭娟", 性别="女", 学历="本科", 职称="高级工程师",
                                          行业代码="C1441")], header=full)), "full.csv")
    # another office's list: no 性别, 学历, 职称 or 行业代码 columns at all
    narrow = [h for h in HEADER if h not in ("性别", "行业代码")]
    same = preview_of(as_csv([row(uscc, "相南街道", "郭娟")], header=narrow))
    assert sum(same.counts.values()) == 0 and not same.errors  # nothing to change, nothing cleared
    moved = preview_of(as_csv([row(uscc, "相南街道", "郭娟", 手机号码="13800001111")], header=narrow))
    assert moved.counts["filing_changed"] == 1 and moved.samples["filing_changed"][0].columns == ["手机号码"]
    commit_preview(moved, "narrow.csv")
    filing = db.session.scalar(select(Filing))
    assert (filing.gender, filing.education, filing.title, filing.mobile) == ("女", "本科", "高级工程师", "13800001111")
    assert filing.enterprise.industry_code == "C1441"



def test_an_empty_optional_cell_keeps_what_is_stored_unless_the_file_is_the_complete_roster(town):
    """The bureau's template filled for one change leaves 学历, 职称, 所属行业 empty: that erases
    nothing. Imported as the district's complete roster, the registry's word, it does."""
    uscc = make_uscc()
    full = HEADER + ["学历", "职称", "所属行业"]
    values = {"性别": "女", "学历": "本科", "职称": "高级工程师", "行业代码": "C1441", "所属行业": "肉制品及副产品加工"}
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "郭娟", **values)], header=full)), "full.csv")
    blanks = {"性别": "", "学历": "", "职称": "", "行业代码": "", "所属行业": ""}
    one_change = as_csv([row(uscc, "相南街道", "郭娟", 手机号码="13800001111", **blanks)], header=full)
    kept = preview_of(one_change)
    assert kept.counts["enterprise_changed"] == 0 and kept.counts["filing_changed"] == 1
    assert kept.samples["filing_changed"][0].columns == ["手机号码"]
    commit_preview(kept, "one.csv")
    filing = db.session.scalar(select(Filing))
    assert (filing.gender, filing.education, filing.title) == ("女", "本科", "高级工程师")
    assert (filing.enterprise.industry_code, filing.enterprise.industry_name) == ("C1441", "肉制品及副产品加工")
    # a new industry code with its name left empty: the old name, another industry's, goes
    recoded = preview_of(as_csv([row(uscc, "相南街道", "郭娟", 手机号码="13800001111", **{**blanks, "行业代码": "C1391"})],
                                header=full))
    assert [change.columns for change in recoded.samples["enterprise_changed"]] == [["行业代码", "所属行业"]]
    cleared = build_preview(parse_roster(io.BytesIO(one_change), "roster.csv"), complete=True)
    assert cleared.samples["filing_changed"][0].columns == ["性别", "学历", "职称"]
    assert cleared.samples["enterprise_changed"][0].columns == ["行业代码", "所属行业"]


def test_changed_fields_are_listed_as_changes(town):
    uscc = make_uscc()
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "王明")])), "a.csv")
    preview = preview_of(as_csv([row(uscc, "相南街道", "王明", 手机号码="13800001111", 企业名称="新名称")]))
    assert preview.counts["filing_changed"] == 1 and preview.counts["enterprise_changed"] == 1
    assert preview.samples["filing_changed"][0].columns == ["手机号码"]
    assert preview.samples["enterprise_changed"][0].columns == ["企业名称"]
    every = Change(0, "filing_changed", "", [*ENTERPRISE_FIELDS, *FILING_FIELDS]).columns
    assert len(set(every)) == len(ENTERPRISE_FIELDS) + len(FILING_FIELDS)  # each field has its own column
    commit_preview(preview, "b.csv")
    filing = db.session.scalar(select(Filing))
    assert filing.mobile == "13800001111" and filing.enterprise.name == "新名称"


def test_a_new_current_officer_ends_the_old_filing_and_keeps_history(town):
    uscc = make_uscc()
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "王明")])), "a.csv")
    preview = preview_of(as_csv([row(uscc, "相南街道", "李强", 聘任日期="2024-06-01", 备案日期="2024-06-05")]))
    assert preview.counts["filing_added"] == 1 and preview.counts["filing_ended"] == 1
    [ended] = preview.samples["filing_ended"]  # the preview says whose, where, and to what
    assert ended.label.endswith(" · 王明（由 李强 接任）") and ended.label != " · 王明（由 李强 接任）"
    assert ("在任", "已变更") in ended.values and ("（空）", "2024-06-01") in ended.values
    commit_preview(preview, "b.csv")
    old, new = db.session.scalars(select(Filing).order_by(Filing.appointed_on)).all()
    assert (old.officer_name, old.status, old.ended_on) == ("王明", "replaced", date(2024, 6, 1))
    assert (new.officer_name, new.status) == ("李强", "current")


def test_a_succession_written_as_two_rows_in_one_file(town):
    uscc = make_uscc()
    rows = [row(uscc, "相南街道", "王明", 状态="已变更", 离任日期="2024-01-31", 变更原因="离职"),
            row(uscc, "相南街道", "李强", 聘任日期="2024-02-01", 备案日期="2024-02-03")]
    preview = preview_of(as_csv(rows))
    assert not preview.errors
    commit_preview(preview, "a.csv")
    statuses = dict(db.session.execute(select(Filing.officer_name, Filing.status)).all())
    assert statuses == {"王明": "replaced", "李强": "current"}


def test_industry_codes_are_checked_against_the_classification(town):
    rows = [row(make_uscc(), "相南街道", 行业代码=code) for code in ("X99", "C99", "c1391", "C", "H62")]
    preview = preview_of(as_csv(rows))
    assert [(e.row, e.message) for e in preview.errors] == [
        (4, "行业代码应为门类字母（A 至 T）加 2 至 4 位数字，如 C1391"),
        (5, "行业代码 C99 不在国民经济行业分类（GB/T 4754-2017）中：C 门类没有第 99 大类")]


def test_ended_status_requires_an_end_date(town):
    preview = preview_of(as_csv([row(make_uscc(), "相南街道", 状态="已注销")]))
    assert [(e.row, e.column) for e in preview.errors] == [(4, "离任日期")]
    later = (local_today() + timedelta(days=30)).isoformat()
    preview = preview_of(as_csv([row(make_uscc(), "相南街道", 状态="已注销", 离任日期=later)]))
    assert [(e.row, e.message) for e in preview.errors] == [(4, "离任日期不能晚于今天")]


def test_id_numbers_are_stored_masked_only(town):
    header = [*HEADER, "身份证号"]
    data = as_csv([row(make_uscc(), "相南街道", 身份证号="34060319850712451X")], header=header)
    commit_preview(preview_of(data), "a.csv")
    assert db.session.scalar(select(Filing.id_number_masked)) == "3406**********451X"


def test_cli_json_preview_reports_errors_with_spreadsheet_rows(app, town, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(as_csv([row(make_uscc(), "相南街道"), row(make_uscc(), "相南街道", 手机号码="1")]))
    result = app.test_cli_runner().invoke(args=["lms", "import-roster", str(path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["header_row"] == 3 and data["valid_rows"] == 1
    assert data["errors"] == [{"row": 5, "column": "手机号码", "message": data["errors"][0]["message"]}]
    assert count(Filing) == 0


def test_cli_dry_run_writes_nothing_and_real_run_imports(app, town, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(as_xlsx([row(make_uscc(), "相南街道")]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["lms", "import-roster", str(path), "--dry-run", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["counts"]["filing_added"] == 1
    assert count(Filing) == 0
    real = runner.invoke(args=["lms", "import-roster", str(path)])
    assert real.exit_code == 0, real.output
    assert count(Filing) == 1
    assert "新增备案：1" in real.output and "filing_added" not in real.output  # the kinds by name


def test_cli_refuses_a_file_with_a_header_and_no_rows(app, town, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(as_csv([]))
    result = app.test_cli_runner().invoke(args=["lms", "import-roster", str(path)])
    assert result.exit_code == 1 and "没有数据行" in result.output


def test_rows_checked_column_by_column_match_the_row_by_row_validator(town, monkeypatch):
    from lms.registry import column_checks

    uscc = make_uscc()
    rows = [row(make_uscc(), "相南街道", f"o{i}", 备案编号=f"N{i}") for i in range(30)] + [
        row(make_uscc().lower(), "相南街道", 手机号码="+86 139-1234-5678", 聘任日期="2021年3月5日"),
        row(make_uscc(), " 相南街道 ", "李  娜", 企业规模="Large", 是否规上企业="YES", 性别="F"),
        row(uscc, "相南街道", "王明", 状态="已变更", 离任日期="2024-01-31", 变更原因="离职"),
        row(uscc, "相南街道", "李强", 聘任日期="2024-02-01", 备案日期="2024-02-03"),
        row("91340603MA2U0A1B10", "相南街道", 备案日期="2099-01-01", 行业代码="c1391"),
        row(make_uscc(), "相南街道", 备案编号="N3", 聘任日期="2023-03-11", 变更原因="调岗"),
        row(make_uscc(), "不存在的镇", 企业规模="巨型", 手机号码="12345"),
    ]
    data = as_csv(rows)
    fast = parse_roster(io.BytesIO(data), "a.csv")

    class AllSuspect(column_checks.FastRows):
        def records(self, first, record):
            out = super().records(first, record)
            self.suspects.update(range(self.size))
            return out

    monkeypatch.setattr("lms.registry.importer.FastRows", AllSuspect)
    slow = parse_roster(io.BytesIO(data), "a.csv")
    assert fast.rows == slow.rows and len(fast.rows) == 34
    assert [e.as_dict() for e in fast.errors] == [e.as_dict() for e in slow.errors] and len(fast.errors) == 5


def test_quoted_cells_and_line_ends_read_the_same_as_plain_csv(town):
    plain = as_csv([row(make_uscc(), "相南街道", 企业名称="甲公司")])
    quoted = plain.replace("甲公司".encode(), '"甲,公司"'.encode())
    lf = plain.replace(b"\r\n", b"\n")
    assert preview_of(lf).parsed.rows == preview_of(plain).parsed.rows
    assert preview_of(quoted).parsed.rows[0].enterprise_name == "甲,公司"


def test_an_import_larger_than_one_statement_is_committed_whole(town, monkeypatch):
    monkeypatch.setattr("lms.core.bulk.MAX_PARAMETERS", {"sqlite": 40, "postgresql": 40})
    rows = [row(make_uscc(), "相南街道", f"o{i}", 聘任日期=f"2023-03-{i + 1:02d}") for i in range(9)]
    commit_preview(preview_of(as_csv(rows)), "a.csv")
    stored = db.session.execute(select(Enterprise.uscc, Filing.officer_name, Filing.appointed_on)
                                .join(Filing.enterprise).order_by(Filing.appointed_on)).all()
    assert [tuple(s) for s in stored] == [(r["统一社会信用代码"], r["首席质量官姓名"], date(2023, 3, i + 1))
                                          for i, r in enumerate(rows)]


def _stored(uscc: str, *rows: dict) -> None:
    commit_preview(preview_of(as_csv(list(rows))), "before.csv")


def _errors(preview) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in preview.errors]


def test_a_stored_officer_succeeded_in_two_rows_is_ended_once_with_the_row_s_date(town):
    uscc = make_uscc()
    _stored(uscc, row(uscc, "相南街道", "王明", 备案编号="XS-1"))
    rows = [row(uscc, "相南街道", "王明", 备案编号="XS-1", 状态="已变更", 离任日期="2024-01-31", 变更原因="离职"),
            row(uscc, "相南街道", "李强", 备案编号="XS-2", 聘任日期="2024-02-01", 备案日期="2024-02-03")]
    for ordered in (rows, rows[::-1]):  # the successor's row may come first
        preview = preview_of(as_csv(ordered))
        assert not preview.errors and preview.counts["filing_ended"] == 1 and preview.counts["filing_added"] == 1
    commit_preview(preview, "b.csv")
    ended = db.session.scalar(select(Filing).where(Filing.filing_no == "XS-1"))
    assert (ended.status, ended.ended_on, ended.end_reason) == ("replaced", date(2024, 1, 31), "离职")


def test_a_file_without_a_status_column_changes_a_past_filing_and_ends_nobody(town):
    uscc = make_uscc()
    _stored(uscc, row(uscc, "相南街道", "王明", 备案编号="XS-1", 状态="已变更", 离任日期="2024-01-31", 变更原因="离职"),
            row(uscc, "相南街道", "李强", 备案编号="XS-2", 聘任日期="2024-02-01", 备案日期="2024-02-03"))
    header = [h for h in HEADER if h not in ("状态", "离任日期", "变更原因")]
    preview = preview_of(as_csv([row(uscc, "相南街道", "王明", 备案编号="XS-1", 手机号码="13800001111")], header=header))
    assert not preview.errors and preview.counts["filing_changed"] == 1 and preview.counts["filing_ended"] == 0
    commit_preview(preview, "c.csv")
    rows = db.session.execute(select(Filing.filing_no, Filing.status, Filing.mobile).order_by(Filing.filing_no)).all()
    assert rows == [("XS-1", "replaced", "13800001111"), ("XS-2", "current", "13912345678")]


def test_a_filing_number_of_another_enterprise_is_refused_and_nothing_changes(town):
    first, second = make_uscc(), make_uscc()
    _stored(first, row(first, "相南街道", "王明", 备案编号="XS-1"), row(second, "相南街道", "杨芳", 备案编号="XS-2"))
    preview = preview_of(as_csv([row(second, "相南街道", "王明", 备案编号="XS-1", 手机号码="13800001111")]))
    assert _errors(preview) == [(4, "备案编号", f"备案编号 XS-1 是另一企业（统一社会信用代码 {first}）的备案，"
                                              "与本行的统一社会信用代码不符")]
    assert not preview.can_commit
    new = make_uscc()  # nor may a new enterprise take a stored filing
    assert [e.column for e in preview_of(as_csv([row(new, "相南街道", "王明", 备案编号="XS-2")])).errors] == ["备案编号"]


def test_a_successor_appointed_before_the_current_officer_is_refused(town):
    uscc = make_uscc()
    _stored(uscc, row(uscc, "相南街道", "郭娟", 聘任日期="2022-06-11", 备案日期="2022-06-20"))
    preview = preview_of(as_csv([row(uscc, "相南街道", "老王", 聘任日期="2020-01-01", 备案日期="2020-01-05")]))
    assert _errors(preview) == [(4, "聘任日期", "聘任日期 2020-01-01 早于该企业在任首席质量官 郭娟 的聘任日期 2022-06-11："
                                              "旧的任职请标为“已变更”并填写离任日期")]
    # the same old appointment written as past is history, and changes nobody in office
    past = preview_of(as_csv([row(uscc, "相南街道", "老王", 聘任日期="2020-01-01", 备案日期="2020-01-05",
                                  状态="已变更", 离任日期="2022-06-10", 变更原因="离职")]))
    assert not past.errors and past.counts["filing_added"] == 1 and past.counts["filing_ended"] == 0


def test_a_claimed_filing_cannot_be_handed_to_another_person_by_an_import(town, factory):
    uscc = make_uscc()
    _stored(uscc, row(uscc, "相南街道", "王明", 备案编号="XS-1"))
    filing = db.session.scalar(select(Filing))
    filing.user_id = factory.user("officer").id
    db.session.commit()
    renamed = preview_of(as_csv([row(uscc, "相南街道", "张三", 备案编号="XS-1")]))
    assert [(e.column, e.message.split("，")[0]) for e in renamed.errors] == [
        ("首席质量官姓名", "备案编号 XS-1 在平台上是 王明 的备案（已由其账号认领）")]
    assert "接任者的一行请用新的备案编号或留空" in renamed.errors[0].message  # what to do instead, and it works:
    successor = preview_of(as_csv([row(uscc, "相南街道", "张三", 聘任日期="2024-05-01", 备案日期="2024-05-02")]))
    assert not successor.errors and successor.counts["filing_added"] == successor.counts["filing_ended"] == 1
    moved = preview_of(as_csv([row(uscc, "相南街道", "王明", 备案编号="XS-1", 手机号码="13800001111")]))
    assert not moved.errors and moved.counts["filing_changed"] == 1  # the same person's new number is fine


def test_text_longer_than_the_database_holds_is_an_error_on_its_row_on_both_databases(town):
    from lms.registry import columns as C
    from lms.registry.models import Enterprise as E
    from lms.registry.models import Filing as F

    stored = {"filing_no": F.filing_no, "enterprise_name": E.name, "officer_name": F.officer_name,
              "title": F.title, "position": F.position, "email": F.email}
    assert {k: c.type.length for k, c in stored.items()} == C.MAX_LENGTHS
    rows = [row(make_uscc(), "相南街道", "王" * 51), row(make_uscc(), "相南街道", 企业名称="企" * 201),
            row(make_uscc(), "相南街道", "王" * 50, 企业名称="企" * 200)]
    preview = preview_of(as_csv(rows))
    assert _errors(preview) == [(4, "首席质量官姓名", "不能超过 50 个字，此处有 51 个"),
                                (5, "企业名称", "不能超过 200 个字，此处有 201 个")]
    fine = preview_of(as_csv(rows[2:]))
    commit_preview(fine, "long.csv")  # the longest allowed is stored, PostgreSQL included
    assert db.session.scalar(select(func.length(Filing.officer_name))) == 50


def test_invisible_control_characters_are_dropped_from_cells(town):
    uscc = make_uscc()
    preview = preview_of(as_csv([row(uscc, "相南街道", "王\x00明\u200b", 企业名称="\ufeff淮北\x07食品")]))
    assert not preview.errors
    commit_preview(preview, "nul.csv")
    assert db.session.execute(select(Filing.officer_name, Enterprise.name).join(Enterprise)).one() == ("王明", "淮北食品")


@pytest.mark.parametrize("written", ["1.5", "0001-01-01", "1899-12-31", "1989-12-31"])
def test_a_date_before_1990_is_taken_for_a_misreading(town, written):
    preview = preview_of(as_csv([row(make_uscc(), "相南街道", 聘任日期=written, 备案日期="2023-03-10")]))
    [(number, column, message)] = _errors(preview)
    assert (number, column) == (4, "聘任日期") and "早于 1990-01-01" in message


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030"])
def test_a_tab_separated_text_file_saved_by_excel_is_read(town, encoding):
    rows = [row(make_uscc(), "相南街道", f"王{i}", 企业名称=f"淮北食品{i}, 有限公司") for i in range(2)]
    out = io.StringIO()
    for values in [["相山区企业首席质量官备案汇总表"], HEADER, *([r[h] for h in HEADER] for r in rows)]:
        out.write("\t".join(values) + "\r\n")
    preview = preview_of(out.getvalue().encode(encoding), "名册.txt")
    assert not preview.errors and preview.counts["filing_added"] == 2 and preview.parsed.header_row == 2
    assert preview.samples["enterprise_added"][0].label.startswith("淮北食品0, 有限公司")


def test_codes_excel_stored_as_numbers_are_explained_not_failed_on_their_checksum(town):
    good = make_uscc()
    rows = [row(good, "相南街道", "王明", 身份证号="34060319800101001X"), row(make_uscc(), "相南街道", "李强")]
    data = as_xlsx(rows, header=[*HEADER, "身份证号"])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    column = {c.value: c.column for c in sheet[2]}
    sheet.cell(row=3, column=column["统一社会信用代码"]).value = 523406005088237960  # what typing the digits gives
    sheet.cell(row=3, column=column["身份证号"]).value = 340603198001010017
    stream = io.BytesIO()
    book.save(stream)
    preview = preview_of(stream.getvalue(), "roster.xlsx")
    assert [(e.row, e.column) for e in preview.errors] == [(3, "统一社会信用代码"), (3, "身份证号")]
    assert all("被 Excel 存成了数字" in e.message for e in preview.errors)
    assert not any("校验位" in e.message for e in preview.errors)


def test_a_chinese_name_padded_with_spaces_is_stored_as_searched_for(town, as_staff):
    rows = [row(make_uscc(), "相南街道", "李　娜"), row(make_uscc(), "相南街道", "欧阳 明 辉"),
            row(make_uscc(), "相南街道", "Anna Lee")]
    suspect = [{**rows[0], "手机号码": "+86 139 1234 5678"}]  # checked row by row, by the validator that words errors
    for data in (as_csv(rows), as_csv(suspect)):
        names = [c.label.split(" · ")[1] for c in preview_of(data).samples["filing_added"]]
        assert names == ["李娜", "欧阳明辉", "Anna Lee"][:len(names)]
    commit_preview(preview_of(as_csv(rows)), "names.csv")
    assert "李娜" in as_staff.get("/staff/registry/filings?q=李娜").get_data(as_text=True)


def _workbook_with_sheet(sheet_rows: bytes, sheet_path: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A one-sheet workbook whose sheet's rows are written as given (openpyxl's own parts
    otherwise), the sheet stored at sheet_path with the relations pointing there."""
    import zipfile

    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start, end = data.index(b"<sheetData"), data.index(b"</worksheet>")
                data = data[:start] + b"<sheetData>" + sheet_rows + b"</sheetData>" + data[end:]
                book.writestr(sheet_path, data)
                continue
            name = sheet_path.removeprefix("xl/")
            book.writestr(info, data.replace(b"worksheets/sheet1.xml", name.encode()))
    return out.getvalue()


FIRST = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.mark.parametrize("rows, path", [
    (FIRST + b"<row r='200000'><c r='Z200000' t='inlineStr'><is><t>x</t></is></c></row>", None),  # single quotes
    (FIRST + b'<row><c r="Z1000000" t="inlineStr"><is><t>x</t></is></c></row>', None),  # a row without r
    (FIRST + b'<row r="1000000"><c r="Z1000000" t="inlineStr"><is><t>x</t></is></c></row>', "xl/other/sheet1.xml"),
    (FIRST + b'<row r="1000000"><c r="Z1000000" t="inlineStr"><is><t>x</t></is></c></row>', "xl/worksheets/sheet1.dat"),
    (FIRST + b'<row  r = "1000000" ><c  r = "Z1000000"/></row>', None),  # spaces around =
    (b'<row r="1">' + b"<c/>" * 300 + b"</row>" + b"<row/>" * 20000, None),  # cells and rows without r
], ids=["single-quotes", "row-without-r", "sheet-elsewhere", "sheet-not-named-xml", "spaces", "no-r-at-all"])
def test_a_far_reference_written_any_way_calamine_reads_is_refused(rows, path):
    """The extent check once read only <row r="N"> in double quotes under xl/worksheets/: a
    5 KB workbook written otherwise passed it and made calamine build a grid of 26 million
    cells (1 GB)."""
    from lms.registry.reading import _check_extent

    data = _workbook_with_sheet(rows, path or "xl/worksheets/sheet1.xml")
    assert len(data) < 20_000
    with pytest.raises(RosterFileError, match="工作表的范围太大"):
        _check_extent(io.BytesIO(data))


def test_a_cell_reference_written_with_entities_is_refused():
    from lms.registry.reading import _check_extent

    data = _workbook_with_sheet(FIRST + b'<row r="2"><c r="&#90;1000000"/></row>')
    with pytest.raises(RosterFileError, match="字符实体"):
        _check_extent(io.BytesIO(data))


def test_our_csv_exports_formula_guard_is_read_back_as_the_text_it_guards(town):
    """The CSV export writes '=… so that Excel shows text, not a formula: imported again
    (the registry sends it back), the apostrophe is not part of the name."""
    rows = [row(make_uscc(), "相南街道", officer="'-李四", 企业名称="'=HYPERLINK(\"x\",\"点击\")"),
            row(make_uscc(), "相南街道", 企业名称="'T Quality Co.")]
    preview = preview_of(as_csv(rows), "training-status.csv")
    assert not preview.errors
    names = {r.enterprise_name: r.officer_name for r in preview.parsed.rows}
    assert names == {'=HYPERLINK("x","点击")': "-李四", "'T Quality Co.": "王明"}  # only a guard goes


def test_many_dotted_e_mail_addresses_and_one_bad_one_are_checked_at_once(town):
    """The e-mail column is checked in one pass: addresses with many dots beside a bad one
    once made that pass try every way of splitting them (hours for a dozen rows)."""
    import signal

    rows = [row(make_uscc(), "相南街道", f"officer{i}", 电子邮箱="a@b.c.d.e.f.g.h.i.j") for i in range(40)]
    rows.append(row(make_uscc(), "相南街道", "坏邮箱", 电子邮箱="bad@"))
    header = HEADER if "电子邮箱" in HEADER else [*HEADER, "电子邮箱"]
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the e-mail check backtracked"))
    signal.alarm(20)
    try:
        preview = preview_of(as_csv(rows, header=header))
    finally:
        signal.alarm(0)
    assert [(e.row, e.column) for e in preview.errors] == [(3 + 41, "电子邮箱")]  # two title rows, the header, 41 rows
    assert preview.valid_rows == 40


def test_a_part_of_unclosed_row_tags_is_checked_in_one_pass():
    """<row <row <row ... with no ">" once made every tag's pattern scan to the end of the
    part: a 5 KB upload held a worker for 77 s."""
    import signal

    from lms.registry.reading import _check_extent

    data = _workbook_with_sheet(FIRST + b"<row " * 150_000)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the extent check went quadratic"))
    signal.alarm(20)
    try:
        _check_extent(io.BytesIO(data))  # nothing far out: it passes, and quickly
    finally:
        signal.alarm(0)


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_unread(monkeypatch):
    """A few MB of zip can unpack to gigabytes in one cell, which calamine would hold in memory."""
    from lms.registry import reading

    monkeypatch.setattr(reading, "MAX_XML_BYTES", 200_000)  # the same rule, at a size a test can build
    big = _workbook_with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 300_000 + b"</t></is></c></row>")
    assert len(big) < 10_000
    with pytest.raises(RosterFileError, match="工作簿解压后超过"):
        reading._check_extent(io.BytesIO(big))
    reading._check_extent(io.BytesIO(_workbook_with_sheet(FIRST)))  # a small one still passes


def test_a_part_longer_than_its_header_says_is_called_damaged():
    from lms.registry.reading import _check_extent

    data = bytearray(_workbook_with_sheet(FIRST))
    at = 0
    while (at := data.find(b"PK\x01\x02", at + 1)) != -1:  # the central directory, which ZipFile trusts
        name_length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            data[at + 24:at + 28] = (10).to_bytes(4, "little")  # "unpacks to 10 bytes"
    with pytest.raises(RosterFileError, match="文件已损坏"):
        _check_extent(io.BytesIO(bytes(data)))


def test_an_old_file_saying_in_office_does_not_bring_back_a_filing_ended_since(town):
    from lms.registry import service

    uscc, other = make_uscc(), make_uscc()
    old_file = as_csv([row(uscc, "相南街道", "王芳", 备案编号="XS-1"), row(other, "相南街道", "刘洋", 备案编号="XS-2")])
    commit_preview(preview_of(old_file), "before.csv")
    wang = db.session.scalar(select(Filing).where(Filing.filing_no == "XS-1"))
    service.end_filing(wang, date(2026, 3, 1), "调岗")  # ended on the platform
    db.session.commit()
    preview = preview_of(old_file)  # the same file, exported before that, uploaded again
    [error] = preview.errors
    assert (error.row, error.column) == (4, "状态")
    assert "王芳 的这份备案在平台上已于 2026-03-01 结束" in error.message and "调岗" in error.message
    # exported (its title says) on 2026-11-01, after the ending: not an old file, the registry lags
    assert "这份名册 2026-11-01 导出，在结束之后：登记系统可能还没有办理这次变更" in error.message
    assert not preview.can_commit
    undated = preview_of(as_csv([row(uscc, "相南街道", "王芳", 备案编号="XS-1")], title=False)).errors[0]
    assert "文件可能是在结束之前导出的" in undated.message and "这份名册" not in undated.message
    db.session.refresh(wang)
    assert (wang.status, wang.ended_on, wang.end_reason) != ("current", None, "")
    # Appointed again, as a new filing (a new appointment date): filed again, the history kept.
    again = preview_of(as_csv([row(uscc, "相南街道", "王芳", 聘任日期="2026-06-01", 备案日期="2026-06-05")]))
    assert not again.errors and again.counts["filing_added"] == 1


@pytest.mark.parametrize(("written", "says"), [
    ("2026-02-30", "日期“2026-02-30”不存在：2026 年 2 月没有 30 日"),
    ("2026年2月29日", "日期“2026年2月29日”不存在：2026 年 2 月没有 29 日"),
    ("2026.13.01", "日期“2026.13.01”的月份 13 不存在"),
    ("下个月", "无法识别的日期“下个月”，请写成 2021-03-05"),
])
def test_a_date_that_does_not_exist_is_named_as_such(town, written, says):
    preview = preview_of(as_csv([row(make_uscc(), "相南街道", 聘任日期=written)]))
    assert any(says in e.message and e.column == "聘任日期" for e in preview.errors), preview.errors
