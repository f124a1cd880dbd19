"""Spreadsheets the roster hands out."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from lms.core.downloads import table_book, write_notes, write_table, xlsx_stream
from lms.registry.columns import COLUMNS, EDUCATIONS, END_REASONS
from lms.registry.importer import RowError
from lms.registry.models import Filing
from lms.registry.roster_plan import FIELD_COLUMNS, KEPT_WHEN_BLANK


def workbook(title: str, header: list[str], rows) -> io.BytesIO:
    """One sheet laid out as every download is (write_table), ready to send."""
    book = table_book()
    write_table(book.create_sheet(title), header, rows)
    return xlsx_stream(book)


def invitation_workbook(issued: list[tuple[Filing, str]], register_url: str, warning: str = "") -> io.BytesIO:
    """One row per new invitation code, ready to print or mail-merge, and a 说明 sheet with the
    registration address and, if the address is one nobody else can open, the warning."""
    rows = ([f.enterprise.name, f.enterprise.uscc, f.enterprise.town.name, f.officer_name, f.mobile, code,
             register_url] for f, code in issued)
    book = table_book()
    write_table(book.create_sheet("邀请码"), ["企业名称", "统一社会信用代码", "所在镇街", "首席质量官姓名", "手机号码",
                                            "邀请码", "注册地址"], rows)
    write_notes(book, [("文件", "首席质量官邀请码"), ("注册地址", register_url), *([("注意", warning)] if warning else []),
                       ("份数", len(issued)), ("生成时间", datetime.now(UTC))])
    return xlsx_stream(book)


# What each column of the template takes; the listed values also become drop-downs.
TEMPLATE_NOTES = {
    "备案编号": "备案登记系统的编号；有编号时，再次导入按编号识别同一备案",
    "企业名称": "与营业执照一致",
    "统一社会信用代码": "18 位，按 GB 32100 校验；不含字母 I、O、S、V、Z",
    "所在镇街": "须是平台“镇街”页面中已启用的名称",
    "行业代码": "GB/T 4754-2017，一个字母加 2 至 4 位数字，如 C1391",
    "所属行业": "行业名称",
    "首席质量官姓名": "",
    "身份证号": "可不填；填写时只保存遮盖后的号码",
    "职称": "如 高级工程师、质量工程师",
    "现任职务": "应为企业高层管理人员，如 副总经理、质量总监",
    "质量工作年限": "0 至 60 的整数",
    "手机号码": "11 位大陆手机号码",
    "电子邮箱": "",
    "聘任日期": "如 2024-03-05，不晚于今天",
    "备案日期": "如 2024-03-12，不早于聘任日期，不晚于今天",
    "离任日期": "状态不是“在任”时必填，不晚于今天",
}
TEMPLATE_CHOICES = {
    "企业规模": ("大型", "中型", "小型", "微型"), "是否规上企业": ("是", "否"), "性别": ("男", "女"),
    "学历": EDUCATIONS, "状态": ("在任", "已变更", "已注销"), "变更原因": END_REASONS,
}
# 是否必填 of the optional columns that are not simply kept when blank: as the import reads them.
TEMPLATE_WHEN = {"状态": "选填：留空即“在任”", "离任日期": "状态不是“在任”时必填"}
TEMPLATE_ROWS = 5000  # rows the drop-downs cover


TEXT_COLUMNS = ("备案编号", "统一社会信用代码", "行业代码", "手机号码", "身份证号")


def roster_template(towns: list[str] = ()) -> io.BytesIO:
    """An empty roster with every column of the filing form, the required ones first, for an
    office that keeps its own list rather than the registry's export; drop-downs for the
    columns with a fixed set of values and for the district's towns (the column most often
    mistyped), and a second sheet that says what each column takes."""
    columns = [c for c in COLUMNS if c.required] + [c for c in COLUMNS if not c.required]
    names = [c.zh for c in columns]
    book = load_workbook(workbook("备案汇总", names, ()))
    sheet = book.active
    for index, name in enumerate(names, start=1):
        if name in TEXT_COLUMNS:  # typed as text, so that Excel keeps every digit and leading zero
            sheet.column_dimensions[get_column_letter(index)].number_format = "@"
        if name in TEMPLATE_CHOICES:
            letter = get_column_letter(index)
            check = DataValidation(type="list", formula1='"' + ",".join(TEMPLATE_CHOICES[name]) + '"',
                                   allow_blank=True, showErrorMessage=True, errorTitle=name,
                                   error="请从下拉列表中选择：" + "、".join(TEMPLATE_CHOICES[name]))
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.add_data_validation(check)
    if towns:  # a list on a sheet of its own: an inline list is limited to 255 characters
        listed = book.create_sheet("镇街")
        for name in towns:
            listed.append([name])
        letter = get_column_letter(names.index("所在镇街") + 1)
        check = DataValidation(type="list", formula1=f"镇街!$A$1:$A${len(towns)}", allow_blank=True,
                               showErrorMessage=True, errorTitle="所在镇街", error="请从下拉列表中选择镇街")
        check.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        sheet.add_data_validation(check)
    kept = {FIELD_COLUMNS.get(f, f) for f in KEPT_WHEN_BLANK}
    write_table(book.create_sheet("填写说明"), ["列名", "是否必填", "填写要求"], (
        [column.zh, "必填" if column.required else "选填：留空不改已有备案的此项" if column.key in kept
         else TEMPLATE_WHEN.get(column.zh, "选填"),
         TEMPLATE_NOTES.get(column.zh) or "、".join(TEMPLATE_CHOICES.get(column.zh, ()))] for column in columns))
    return xlsx_stream(book)


def error_workbook(errors: list[RowError], names: dict[int, tuple[str, str]], labels: tuple[str, ...]) -> io.BytesIO:
    """Every error of a roster preview (the page lists the first 1,000), to fix the file by:
    row, enterprise, officer, column, problem."""
    rows = ([e.row, *names.get(e.row, ("", "")), e.column, e.message] for e in errors)
    return workbook("错误", list(labels), rows)
