"""Spreadsheet downloads: one place for the XLSX media type, the attachment headers, and the
rule that no exported cell is ever a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import IO

from flask import Response, send_file
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What makes a spreadsheet read a cell as a formula (OWASP's list): a name the registry sent as
# =HYPERLINK("http://…","点击") would otherwise run on the desk of whoever opens the export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_stream(book: Workbook) -> io.BytesIO:
    """The workbook saved, ready to send; every cell openpyxl took for a formula (any text
    starting with '=') is stored as the text it is, so it shows as typed and never runs."""
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
    leading apostrophe, the mark spreadsheets use for "this is text"; numbers stay numbers."""
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
