"""Spreadsheets the roster hands out."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lms.registry.columns import COLUMNS
from lms.registry.importer import RowError
from lms.registry.models import Filing


def workbook(title: str, header: list[str], rows, widths: tuple[int, ...]) -> io.BytesIO:
    """One sheet: a bold header, then the rows; ready to send."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def invitation_workbook(issued: list[tuple[Filing, str]], register_url: str) -> io.BytesIO:
    """One row per new invitation code, ready to print or mail-merge."""
    rows = ([f.enterprise.name, f.enterprise.uscc, f.enterprise.town.name, f.officer_name, f.mobile, code,
             register_url] for f, code in issued)
    return workbook("邀请码", ["企业名称", "统一社会信用代码", "所在镇街", "首席质量官姓名", "手机号码", "邀请码", "注册地址"],
                    rows, (36, 22, 14, 14, 14, 16, 40))


def roster_template() -> io.BytesIO:
    """An empty roster with every column of the filing form, the required ones first, for an
    office that keeps its own list rather than the registry's export."""
    names = [c.zh for c in COLUMNS if c.required] + [c.zh for c in COLUMNS if not c.required]
    return workbook("备案汇总", names, (), tuple(max(10, 2 * len(name) + 4) for name in names))


def error_workbook(errors: list[RowError], labels: tuple[str, str, str]) -> io.BytesIO:
    """Every error of a roster preview (the page lists the first 1,000), to fix the file by."""
    return workbook("错误", list(labels), ([e.row, e.column, e.message] for e in errors), (8, 20, 80))
