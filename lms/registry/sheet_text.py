"""Reading a sheet's text: a cell as clean text, the header row, and the title rows above it."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from lms.core.clock import local_today
from lms.core.downloads import FORMULA_START
from lms.registry import columns as C


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


def find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[int, str], list[str]] | None:
    """(row number, {column index: key}, unknown headers) of the header row, if found."""
    for number, row in enumerate(rows, start=1):
        mapping, unknown = {}, []
        for index, value in enumerate(row):
            name = cell_text(value)
            key = C.HEADER_NAMES.get(name) or C.HEADER_NAMES.get(name.lower()) or C.HEADER_NAMES.get(loose_header(name))
            if key and key not in mapping.values():
                mapping[index] = key
            elif name:
                unknown.append(name)
        if "uscc" in mapping.values() and len(mapping) >= 3:
            return number, mapping, unknown
    return None


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
