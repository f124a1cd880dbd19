"""Spreadsheets the roster hands out."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lms.registry.models import Filing


def invitation_workbook(issued: list[tuple[Filing, str]], register_url: str) -> io.BytesIO:
    """One row per new invitation code, ready to print or mail-merge."""
    book = Workbook()
    sheet = book.active
    sheet.title = "邀请码"
    sheet.append(["企业名称", "统一社会信用代码", "所在镇街", "首席质量官姓名", "手机号码", "邀请码", "注册地址"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for filing, code in issued:
        ent = filing.enterprise
        sheet.append([ent.name, ent.uscc, ent.town.name, filing.officer_name, filing.mobile, code, register_url])
    for column, width in zip("ABCDEFG", (36, 22, 14, 14, 14, 16, 40), strict=False):
        sheet.column_dimensions[column].width = width
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream
