"""Reading a sheet's text: a cell as clean text, the header row (and the sheet that has it), and
the title rows above it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from typing import Any, NamedTuple

from flask_babel import gettext as _

from lms.core.clock import local_today
from lms.core.downloads import FORMULA_START
from lms.registry import columns as C
from lms.registry.reading import RosterFileError, Table, column_letters

HEADER_SEARCH_ROWS = 10  # rows from the top of a sheet where its header may be, under title rows


def cell_text(value: Any) -> str:
    """A cell as clean text: NFKC (full-width to half-width), trimmed, inner runs of space folded,
    without the apostrophe our CSV exports put before text a spreadsheet would take for a formula."""
    if value is None:
        return ""
    if type(value) is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if not value.isascii() and not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    if not value.isprintable():
        value = C.CONTROL.sub("", value)
    value = value.strip()
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        value = value[1:]  # our own CSV export's guard against formulas ('=…), read back
    if "  " in value or "\t" in value or "\n" in value or "\u3000" in value:
        value = " ".join(value.split())
    return value


_HEADER_MARKS = re.compile(r"[*※△#]|\([^)]*\)|\[[^\]]*\]|【[^】]*】|\s")


def loose_header(name: str) -> str:
    """A header without what templates add to it: a required mark (企业名称*), a hint in
    brackets (手机号码（11位）, after NFKC 手机号码(11位)) or a line break."""
    return _HEADER_MARKS.sub("", name).lower()


class Header(NamedTuple):
    row: int  # its number as the spreadsheet shows it, from 1
    mapping: dict[int, str]  # column index: key
    unknown: list[str]  # headers of columns we do not know
    repeated: list[tuple[int, int]]  # (first, again) column indexes of a key given twice


def find_header(rows: list[tuple[Any, ...]]) -> Header | None:
    """The header row among rows, if there is one: the first to name the USCC and two more columns."""
    for number, row in enumerate(rows, start=1):
        mapping, unknown, repeated = {}, [], []
        column_of: dict[str, int] = {}
        for index, value in enumerate(row):
            name = cell_text(value)
            key = C.HEADER_NAMES.get(name) or C.HEADER_NAMES.get(name.lower()) or C.HEADER_NAMES.get(loose_header(name))
            if key in column_of:
                repeated.append((column_of[key], index))  # which one holds the data is anyone's guess
            elif key:
                mapping[index], column_of[key] = key, index
            elif name:
                unknown.append(name)
        if "uscc" in column_of and len(mapping) >= 3:
            return Header(number, mapping, unknown, repeated)
    return None


def header_table(tables: Iterator[Table]) -> tuple[Table, list, Header, list[str | None]]:
    """The first table (a workbook's sheet) with the roster's header in its top rows: the table,
    those rows, the header, and the names of the sheets passed over before it (a cover sheet).
    Raises RosterFileError when no table has one, or when it gives a column twice."""
    passed: list[str | None] = []
    filled = False
    for table in tables:
        head = list(islice(table.rows, HEADER_SEARCH_ROWS))
        if header := find_header(head):
            if header.repeated:
                raise RosterFileError(_repeated_columns(header, head[header.row - 1], table.first_column))
            return table, head, header, passed
        passed.append(table.sheet)
        filled = filled or any(map(cell_text, chain.from_iterable(head)))
    if not filled:
        raise RosterFileError(_("文件是空的：其中没有任何内容。请检查上传的是否是导出的名册"))
    if sheets := [name for name in passed if name is not None]:  # a workbook's: the roster may be on none of them
        raise RosterFileError(_("前 %(n)s 行中找不到表头：表头应包含“统一社会信用代码”“企业名称”等列名。"
                                "查看过的工作表：%(sheets)s", n=HEADER_SEARCH_ROWS, sheets=_("、").join(sheets)))
    raise RosterFileError(
        _("前 %(n)s 行中找不到表头：表头应包含“统一社会信用代码”“企业名称”等列名", n=HEADER_SEARCH_ROWS)
    )


def _repeated_columns(header: Header, cells: Sequence[Any], first_column: int) -> str:
    """Why a header that gives a column twice is refused: which of the two holds the roster's
    data cannot be told, and taking one silently would import the other's values unseen."""
    problems = []
    for first, again in header.repeated:
        names = cell_text(cells[first]), cell_text(cells[again])
        letters = column_letters(first_column + first), column_letters(first_column + again)
        if names[0] == names[1]:
            problems.append(_("第 %(row)s 行的表头中“%(name)s”出现了两次（%(a)s 列和 %(b)s 列）", row=header.row,
                              name=names[0], a=letters[0], b=letters[1]))
        else:
            problems.append(_("第 %(row)s 行的表头中“%(first)s”（%(a)s 列）和“%(second)s”（%(b)s 列）是同一列“%(column)s”",
                              row=header.row, first=names[0], a=letters[0], second=names[1], b=letters[1],
                              column=C.BY_KEY[header.mapping[first]].zh))
    return _("%(problems)s：同一列只能出现一次，请删除或改名多余的一列后再上传", problems=_("；").join(problems))


_EXPORT_DATE = re.compile(r"(导出|制表|统计|截至|截止|生成|填报|日期)[^0-9]{0,8}([0-9]{4}\s*[.\-/年]\s*[0-9]{1,2}\s*[.\-/月]\s*[0-9]{1,2})")


def export_date(title_rows: list[tuple[Any, ...]]) -> date | None:
    """The date a title row names (导出日期：2026年10月8日, 截至 2026-10-08), if one does."""
    for row in title_rows:
        for value in row:
            if isinstance(value, datetime | date):
                continue  # a bare date cell in a title row says nothing of what it is
            found = _EXPORT_DATE.search(cell_text(value))
            if found and (day := C.parse_date(found.group(2))) and day <= local_today():
                return day
    return None
