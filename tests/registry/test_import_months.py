"""The roster imported month after month, as the bureau's data clerk does: successors, leavers,
older files, and the ways office software writes a sheet."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.registry.importer import parse_roster
from lms.registry.models import Filing
from lms.registry.roster_plan import build_preview
from lms.registry.roster_write import commit_preview
from tests.conftest import make_uscc
from tests.registry.roster_files import HEADER, as_csv, as_xlsx, row


def preview_of(data: bytes, name: str = "roster.csv", complete: bool = False):
    return build_preview(parse_roster(io.BytesIO(data), name), complete=complete)


def titled(rows: list[dict], exported: str) -> bytes:
    """A CSV under the registry's title and the date line it was exported on."""
    out = as_csv(rows, title=False).decode("utf-8-sig")
    return f"相山区企业首席质量官备案汇总表\n导出日期：{exported}\n{out}".encode("utf-8-sig")


@pytest.fixture
def towns(factory):
    return factory.town("相南街道"), factory.town("东山街道")


def test_a_successor_under_the_predecessor_s_number_is_refused_not_written_over_him(towns):
    uscc = make_uscc()
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "石杰", 备案编号="XS-94")])), "m1.csv")
    other = row(uscc, "相南街道", "郑新乙", 备案编号="XS-94", 手机号码="13800002222", 聘任日期="2024-10-21",
                备案日期="2024-10-22")
    preview = preview_of(as_csv([other]))
    assert [e.column for e in preview.errors] == ["首席质量官姓名"]
    assert "在平台上是 石杰 的备案（手机号码也不同）" in preview.errors[0].message
    assert db.session.scalar(select(Filing.officer_name)) == "石杰"  # nothing written
    # a misspelt name, same mobile, is a correction and goes through
    fixed = preview_of(as_csv([row(uscc, "相南街道", "石洁", 备案编号="XS-94")]))
    assert not fixed.errors and fixed.counts["filing_changed"] == 1
    # the successor with a number of their own ends the predecessor's filing, which is kept
    commit_preview(preview_of(as_csv([{**other, "备案编号": "XS-95"}])), "m2.csv")
    assert db.session.execute(select(Filing.officer_name, Filing.status).order_by(Filing.id)).all() == [
        ("石杰", "replaced"), ("郑新乙", "current")]


def test_two_rows_of_one_number_for_two_people_say_the_successor_needs_a_number_of_their_own(towns):
    uscc = make_uscc()
    rows = [row(uscc, "相南街道", "王军", 备案编号="XS-1", 状态="已变更", 离任日期="2024-01-31"),
            row(uscc, "相南街道", "曹新", 备案编号="XS-1", 聘任日期="2024-02-01", 备案日期="2024-02-02")]
    preview = preview_of(as_csv(rows))
    assert [(e.row, e.message) for e in preview.errors] == [
        (5, "备案编号与第 4 行（王军）重复：接任者的一行要用自己的备案编号，或者留空")]
    assert preview.names_by_row()[5] == ("企业" + uscc[-4:], "曹新")  # the clerk sees whose row it is


def test_a_row_copied_twice_is_called_a_copy_and_named(towns):
    uscc = make_uscc()
    preview = preview_of(as_csv([row(uscc, "相南街道", "李娜")] * 2))
    assert [(e.row, e.message) for e in preview.errors] == [(5, "与第 4 行完全相同：请删除重复的一行")]
    assert preview.names_by_row()[5] == ("企业" + uscc[-4:], "李娜")


def test_the_preview_shows_each_changed_value_before_and_after(towns):
    uscc = make_uscc()
    commit_preview(preview_of(as_csv([row(uscc, "相南街道", "许杰", 手机号码="13900001111")])), "m1.csv")
    preview = preview_of(as_csv([row(uscc, "东山街道", "许杰", 手机号码="15049417357", 企业规模="中型")]))
    enterprise, = preview.samples["enterprise_changed"]
    assert enterprise.changes == [("企业规模", "小型", "中型"), ("所在镇街", "相南街道", "东山街道")]
    filing, = preview.samples["filing_changed"]
    assert filing.changes == [("手机号码", "13900001111", "15049417357")]


def test_an_export_older_than_the_last_one_imported_is_called_older(towns, as_staff):
    uscc = make_uscc()
    commit_preview(preview_of(titled([row(uscc, "相南街道", "许杰", 手机号码="15049417357")], "2026年11月5日")),
                   "november.csv")
    old = titled([row(uscc, "相南街道", "许杰", 手机号码="13900001111")], "2026年10月8日")
    preview = preview_of(old)
    assert preview.parsed.exported_on.isoformat() == "2026-10-08"
    assert preview.newer_import.exported_on.isoformat() == "2026-11-05"
    token = _last_token(as_staff, old)
    page = as_staff.get(f"/staff/registry/import/{token}").get_data(as_text=True)
    assert "这份名册比上次导入的旧。" in page and "13900001111 → " not in page and "15049417357 → 13900001111" in page
    newer = preview_of(titled([row(uscc, "相南街道", "许杰", 手机号码="15049417357")], "2026年12月1日"))
    assert newer.newer_import is None


def _last_token(client, data: bytes) -> str:
    response = client.post("/staff/registry/import", data={"file": (io.BytesIO(data), "roster.csv")},
                           content_type="multipart/form-data")
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_filings_the_file_leaves_out_are_counted_by_town_and_ended_only_when_asked(towns, as_staff):
    kept, left = make_uscc(), make_uscc()
    commit_preview(preview_of(as_csv([row(kept, "相南街道", "甲"), row(left, "东山街道", "乙")])), "m1.csv")
    month2 = titled([row(kept, "相南街道", "甲", 手机号码="13911112222")], "2026年11月30日")
    partial = preview_of(month2)
    assert [f[2] for f in partial.absent.filings] == ["乙"] and partial.counts["filing_ended"] == 0
    assert partial.as_dict()["not_in_file"] == {"current_filings": 1, "complete": False, "by_town": {"东山街道": 1}}
    token = _last_token(as_staff, month2)
    page = as_staff.get(f"/staff/registry/import/{token}").get_data(as_text=True)
    assert "平台上另有 1 份在任备案，其企业不在这份名册中（东山街道 1）" in page
    complete = as_staff.get(f"/staff/registry/import/{token}?complete=1").get_data(as_text=True)
    assert "企业" + left[-4:] + " · 乙（不在名册中）" in complete and "离任日期 2026-11-30" in complete
    # confirming the complete preview ends the leaver on the export's date, and says so in the log
    preview = preview_of(month2, complete=True)
    form = {"token": token, "fingerprint": preview.fingerprint()}
    as_staff.post(f"/staff/registry/import/{token}?complete=1", data=form)
    ended = db.session.execute(select(Filing.officer_name, Filing.status, Filing.ended_on)
                               .where(Filing.officer_name == "乙")).one()
    assert (ended[1], ended[2].isoformat()) == ("removed", "2026-11-30")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.imported")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.details["complete"] is True and entry.details["exported_on"] == "2026-11-30"


def test_a_complete_import_keeps_filings_appointed_after_the_file_was_exported(towns):
    kept, newer = make_uscc(), make_uscc()
    commit_preview(preview_of(as_csv([row(kept, "相南街道", "甲"),
                                       row(newer, "东山街道", "乙", 聘任日期="2026-11-20", 备案日期="2026-11-21")])),
                   "m1.csv")
    preview = preview_of(titled([row(kept, "相南街道", "甲")], "2026年11月1日"), complete=True)
    assert preview.absent.newer == 1 and preview.counts["filing_ended"] == 0


def test_a_total_line_under_the_table_is_skipped_and_said(towns):
    rows = [row(make_uscc(), "相南街道", "甲"), {"备案编号": "合计：1 家"}]
    preview = preview_of(as_csv(rows))
    assert not preview.errors and preview.parsed.total_rows == 1 and preview.parsed.skipped == {5: "合计:1 家"}  # as NFKC writes it
    assert preview.as_dict()["skipped_rows"] == [{"row": 5, "text": "合计:1 家"}]


def test_headers_with_a_required_mark_or_a_hint_in_brackets_are_recognised(towns):
    header = [h + "*" if h in ("企业名称", "统一社会信用代码") else h for h in HEADER]
    header[header.index("手机号码")] = "手机号码\n（11位）"
    preview = preview_of(as_xlsx([{**row(make_uscc(), "相南街道"), "企业名称*": "某厂", "统一社会信用代码*": None}],
                                 header=header), "r.xlsx")
    assert preview.parsed.headers["mobile"] == "手机号码 (11位)" and "uscc" in preview.parsed.headers


def test_a_missing_column_is_named_beside_the_headers_the_file_has(towns):
    header = [h for h in HEADER if h != "现任职务"]
    with pytest.raises(Exception, match="缺少必填列：现任职务。第 1 行的表头是：备案编号、企业名称"):
        preview_of(as_csv([row(make_uscc(), "相南街道")], title=False, header=header))


def test_codes_excel_wrote_in_scientific_notation_into_a_csv_are_explained(towns):
    preview = preview_of(as_csv([row("9.13406E+17", "相南街道", 手机号码="1.39E+10")]))
    assert [(e.column, e.message.split("，")[0]) for e in preview.errors] == [
        ("统一社会信用代码", "这一格是科学计数法写的数字（9.13406E+17）"), ("手机号码", "这一格是科学计数法写的数字（1.39E+10）")]


def test_a_town_merged_down_its_rows_belongs_to_every_row(towns):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for officer in ("甲", "乙", "丙"):
        sheet.append([row(make_uscc(), "相南街道" if officer == "甲" else None, officer).get(h) for h in HEADER])
    column = HEADER.index("所在镇街") + 1
    sheet.merge_cells(start_row=2, start_column=column, end_row=4, end_column=column)
    stream = io.BytesIO()
    book.save(stream)
    preview = preview_of(stream.getvalue(), "merged.xlsx")
    assert not preview.errors and [r.town for r in preview.parsed.rows] == ["相南街道"] * 3


def test_the_cli_json_says_what_the_file_leaves_out(towns, app, tmp_path):
    kept, left = make_uscc(), make_uscc()
    commit_preview(preview_of(as_csv([row(kept, "相南街道", "甲"), row(left, "东山街道", "乙")])), "m1.csv")
    path = tmp_path / "m2.csv"
    path.write_bytes(as_csv([row(kept, "相南街道", "甲")]))
    result = app.test_cli_runner().invoke(args=["lms", "import-roster", str(path), "--dry-run", "--json", "--complete"])
    report = json.loads(result.output)
    assert report["not_in_file"]["complete"] is True and report["counts"]["filing_ended"] == 1
    assert report["committed"] is False


def test_a_confirmation_sent_while_another_is_writing_is_told_so_and_writes_nothing(towns, as_staff, monkeypatch):
    from lms.core.uploads import claim_upload
    from lms.registry import views

    data = as_csv([row(make_uscc(), "相南街道", "甲")])
    token = _last_token(as_staff, data)
    form = {"token": token, "fingerprint": preview_of(data).fingerprint()}
    previewed = views._preview_of
    claims = []

    def meanwhile(*args):  # a second tab's confirmation takes the upload while this one previews it
        preview = previewed(*args)
        claims.append(claim_upload(token))
        return preview

    monkeypatch.setattr(views, "_preview_of", meanwhile)
    page = as_staff.post(f"/staff/registry/import/{token}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "这份名册已经在导入（或刚刚导入完）" in page and db.session.scalar(select(Filing.id)) is None
    assert claims[0].exists()  # the other confirmation's claim stands


def test_a_failed_write_is_told_in_a_line_and_the_upload_can_be_confirmed_again(towns, as_staff, monkeypatch, caplog):
    from sqlalchemy.exc import IntegrityError

    from lms.registry import views

    data = as_csv([row(make_uscc(), "相南街道", "甲", 手机号码="13955554444")])
    token = _last_token(as_staff, data)
    form = {"token": token, "fingerprint": preview_of(data).fingerprint()}

    def failing(*args, **kwargs):
        raise IntegrityError("INSERT INTO filing … 13955554444", {}, Exception("duplicate key value"))

    monkeypatch.setattr(views, "commit_preview", failing)
    page = as_staff.post(f"/staff/registry/import/{token}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "写入数据库失败，没有导入任何数据（duplicate key value）" in page
    assert "13955554444" not in caplog.text  # no roster data in the server's log
    monkeypatch.undo()
    done = as_staff.post(f"/staff/registry/import/{token}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "导入完成" in done and db.session.scalar(select(Filing.officer_name)) == "甲"
