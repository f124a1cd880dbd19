"""Spreadsheet downloads: one place for the XLSX media type, the attachment headers, the rule
that no exported cell is ever a formula, and how every exported table is laid out (write_table)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from lms.core.clock import local_zone
from lms.core.models import aware

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What makes a spreadsheet read a cell as a formula (OWASP's list): a name the registry sent as
# =HYPERLINK("http://…","点击") would otherwise run on the desk of whoever opens the export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_stream(book: Workbook) -> io.BytesIO:
    """The workbook saved, ready to send, with no formula in it: write_table stores text that
    starts with '=' as text; a workbook filled otherwise has every cell openpyxl took for a
    formula turned back into the text it is, so it shows as typed and never runs."""
    if not book.write_only:  # a write-only book's rows are in the file already, as write_table wrote them
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def csv_cell(value: object) -> object:
    """A CSV value that a spreadsheet shows as typed: text that would start a formula gets a
    leading apostrophe, the mark spreadsheets use for "this is text"; numbers stay numbers, a
    Percent is its text (86.7%), a date its ISO form."""
    if isinstance(value, Percent):
        return value.text
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV for people who open it in Excel: a BOM (so UTF-8 reads right) and no formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


def send_xlsx(stream: IO[bytes], filename: str) -> Response:
    """The workbook as a download named filename."""
    return send_file(stream, as_attachment=True, download_name=filename, mimetype=XLSX)


# --- tables as people work with them in Excel -----------------------------------------------

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 6, 50  # in characters; a 200-character note wraps rather than fills the screen
_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


@dataclass(frozen=True)
class Percent:
    """A share (0.867) that a sheet stores as a number shown as 86.7% (so that it sorts and
    sums), and a CSV writes as the text staff read beside a pass mark."""

    share: float
    text: str

    def __str__(self) -> str:
        return self.text


def display_width(value: object) -> int:
    """How many columns of a monospaced font the value takes: CJK characters count double."""
    if isinstance(value, datetime):
        return len(TIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    text = value.text if isinstance(value, Percent) else "" if value is None else str(value)
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def _typed(value: object) -> tuple[object, str | None]:
    """The value a cell holds, and the format that shows it as the user expects (None: General)."""
    if isinstance(value, datetime):
        # A stored instant (naive ones are UTC, as SQLite returns them), shown as the pages
        # show it: in the bureau's time; Excel holds no zone, so the zone is dropped.
        return aware(value).astimezone(local_zone()).replace(tzinfo=None), TIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, Percent):
        return value.share, PERCENT_FORMAT
    if isinstance(value, str) and value[:1].isdigit():
        # USCC, ID, mobile and filing numbers: text, so that Excel keeps every digit and leading
        # zero, also once someone edits the cell.
        return value, TEXT_FORMAT
    return value, None


def table_book() -> Workbook:
    """A workbook for write_table that writes each row to the file as it is added (openpyxl's
    write-only mode): a 100,000-row sheet never sits in memory as cells. Add sheets with
    create_sheet; each is written once, by one write_table."""
    return Workbook(write_only=True)


def write_table(sheet: Worksheet | WriteOnlyWorksheet, header: Sequence[str], rows: Iterable[Sequence[object]],
                above: Sequence[Sequence[object]] = ()) -> int:
    """On a new sheet: the lines above (a title), the header (bold) and the rows under it, typed
    (dates as dates, times in the bureau's zone, Percent as a formatted number, digit strings as
    text, text that would start a formula as text), with columns as wide as their content, the
    header frozen and an auto-filter over the table. Returns how many rows it wrote."""
    rows = list(rows)  # the widths come first in the file, before the first row
    top = len(above) + 1
    _lay_out(sheet, _widths(header, rows), top)
    for line in above:
        sheet.append([_cell(sheet, value, None) for value in line])
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, name, bold) for name in header])
    for values in rows:
        sheet.append([_cell(sheet, *_typed(value)) for value in values])
    columns = max([len(header), *map(len, rows), 1])
    sheet.auto_filter.ref = f"A{top}:{get_column_letter(columns)}{top + len(rows)}"
    return len(rows)


def _widths(header: Sequence[str], rows: list[Sequence[object]]) -> list[int]:
    widths = [display_width(name) for name in header]
    for values in rows:
        widths += [0] * (len(values) - len(widths))
        for column, value in enumerate(values):
            width = display_width(value)
            if width > widths[column]:
                widths[column] = width
    return widths


def _lay_out(sheet: Worksheet | WriteOnlyWorksheet, widths: list[int], top: int) -> None:
    """Widths and the frozen header: a write-only sheet writes them before its first row."""
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    sheet.freeze_panes = f"A{top + 1}"


def _header_cell(sheet: Worksheet | WriteOnlyWorksheet, name: str, bold: Font) -> Cell:
    cell = WriteOnlyCell(sheet, name)
    cell.font = bold
    return cell


def _cell(sheet: Worksheet | WriteOnlyWorksheet, value: object, shown: str | None) -> object:
    """What a row hands openpyxl: the bare value where it needs no format (a cell object per
    value is most of the time a large sheet takes), else a cell with its format; text starting
    with '=' is stored as the text it is, so that it shows as typed and never runs."""
    if value == "":
        return None  # an empty cell, as a blank reads back
    formula_like = isinstance(value, str) and value.startswith("=")
    if shown is None and not formula_like:
        return value
    cell = WriteOnlyCell(sheet, value)
    if formula_like:
        cell.data_type = "s"
    if shown:
        cell.number_format = shown
    return cell


def write_notes(book: Workbook, notes: Iterable[tuple[str, object]], title: str = "说明") -> None:
    """A sheet after the data that says what the file is (programme, date, filters, when it
    was made), so that a copy passed on by e-mail still says it; the data sheet stays first."""
    write_table(book.create_sheet(title), ("项目", "内容"), notes)


def filename_part(text: str, limit: int = 40) -> str:
    """Text for a download's name (a town, a filter): without what Windows forbids in a file
    name or what would split the name, spaces folded to '-'. send_file adds the UTF-8 form
    (RFC 6266 filename*) for Chinese, with an ASCII fallback."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f;,]', "", text)
    return "-".join(cleaned.split())[:limit].strip(".-")
