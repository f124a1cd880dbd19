"""Build roster files in the filing-form layout, the way office software writes them."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook

HEADER = ["备案编号", "企业名称", "统一社会信用代码", "所在镇街", "行业代码", "企业规模", "是否规上企业",
          "首席质量官姓名", "性别", "现任职务", "手机号码", "聘任日期", "备案日期", "状态", "离任日期", "变更原因"]


def row(uscc: str, town: str, officer: str = "王明", **kw) -> dict:
    values = {"备案编号": "", "企业名称": f"企业{uscc[-4:]}", "统一社会信用代码": uscc, "所在镇街": town,
              "行业代码": "C1391", "企业规模": "小型", "是否规上企业": "否", "首席质量官姓名": officer,
              "性别": "男", "现任职务": "质量总监", "手机号码": "13912345678", "聘任日期": "2023-03-01",
              "备案日期": "2023-03-10", "状态": "在任", "离任日期": "", "变更原因": ""}
    values.update(kw)
    return values


def as_csv(rows: list[dict], title: bool = True, header: list[str] = HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow(["相山区企业首席质量官备案汇总表"])
        writer.writerow(["导出日期：2026年11月1日"])
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[dict], title: bool = True, header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["相山区企业首席质量官备案汇总表"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(h, "") for h in header])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def excel_date(d: date):
    """A date as Excel stores it: openpyxl writes a real date cell."""
    return d
