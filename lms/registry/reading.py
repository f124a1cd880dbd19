"""Reading a roster file: each sheet of a workbook (calamine) or a CSV / tab-separated text
file in the encodings office software saves, as rows of cell values."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _

from lms.core.text import UndecodableText, decode_upload

# Excel 2007+ and Excel 97-2003 (still what many office PCs and WPS save), both read by calamine.
WORKBOOKS = (".xlsx", ".xlsm", ".xls")
SUFFIXES = (*WORKBOOKS, ".csv", ".txt")
# A workbook's first bytes: a zip (.xlsx, .xlsm) or an OLE compound file (.xls).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class RosterFileError(Exception):
    """The file as a whole cannot be read (format, missing header); nothing was imported."""


@dataclass
class Table:
    """Rows of cell values as read: one sheet of a workbook, or the one table of a text file."""

    rows: Iterator[Sequence[Any]]
    sheet: str | None = None  # the sheet's name; None for a text file
    first_column: int = 0  # the column (A = 0) of each row's first cell: calamine starts at the first one used


def read_tables(stream: IO[bytes], filename: str) -> Iterator[Table]:
    """The worksheets of a workbook in order, each read only when reached, or the CSV file's one
    table. A workbook saved under a .csv name is read as the workbook it is."""
    suffix = Path(filename).suffix.lower()
    if suffix in WORKBOOKS:
        return _read_sheets(stream)
    if suffix in (".csv", ".txt"):
        data = stream.read()
        if data.startswith(_WORKBOOK_MAGIC):
            # Typing roster.csv into Excel's "save as" box keeps the name and writes a workbook.
            return _read_sheets(io.BytesIO(data), _("这是一个 Word 或 Excel 文件，文件名却是 %(suffix)s，无法按名册读取："
                                                    "Excel 名册请把文件改名为 .xlsx（旧版 Excel 为 .xls），"
                                                    "或在 Excel 中另存为 CSV 后再上传", suffix=suffix))
        return iter([Table(_read_csv(data))])
    if not suffix:
        raise RosterFileError(_("文件没有扩展名，无法判断它的类型：请上传 .xlsx、.xls 或 .csv 文件"))
    raise RosterFileError(_("不支持的文件类型 %(suffix)s：请上传 .xlsx、.xls 或 .csv 文件", suffix=suffix))


def _open_workbook(source: IO[bytes] | Path, unreadable: str | None = None) -> Any:
    """The workbook, opened by calamine (Rust), which reads a sheet whole: 100,000 rows in about
    a second, where openpyxl's read-only mode takes half a minute, longer than a request may.
    unreadable: what to say when calamine cannot read it, instead of calling it damaged."""
    from python_calamine import CalamineWorkbook

    _check_extent(source)
    try:
        if isinstance(source, Path):
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(source)
    except Exception as error:  # calamine raises several kinds for a damaged or foreign file
        raise RosterFileError(unreadable or _unreadable_workbook()) from error


def _worksheets(book: Any, unreadable: str | None = None) -> Iterator[tuple[str, Any]]:
    """(name, sheet) of each worksheet in the workbook's order, each read whole when reached;
    chart and macro sheets hold no cells."""
    from python_calamine import SheetTypeEnum

    for index, meta in enumerate(book.sheets_metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = book.get_sheet_by_index(index)
        except Exception as error:  # noqa: BLE001 - as in _open_workbook
            raise RosterFileError(unreadable or _unreadable_workbook()) from error
        yield meta.name, sheet


def _unreadable_workbook() -> str:
    return _("无法读取 Excel 文件：文件可能已损坏，或者并不是 Excel 文件。请用 Excel 或 WPS "
             "打开它，另存为 .xlsx 后再上传")


# calamine holds the sheet as a full grid, 32 bytes a cell, from A1 to the farthest cell used:
# one stray cell at XFD1048576 would ask for 512 GiB and abort the process, past any except.
MAX_CELLS = 5_000_000  # 160 MB; a 100,000-row roster of 19 columns is 1.9 million
# What the workbook's XML may unpack to, in all: a 100,000-row roster is about 100 MB. A few
# MB of zip can unpack to gigabytes (one cell of 2 GiB of "A"), which calamine would hold.
MAX_XML_BYTES = 300 * 1024 * 1024
# Excel, WPS and openpyxl write <row r="12"> and <c r="B12">: read with two quick patterns.
_ROW_NUMBER = re.compile(rb' r="(\d+)"')  # a cell's r="B12" starts with letters
_LONG_COLUMN = re.compile(rb' r="([A-Z]{2,3})\d')  # a cell beyond column Z
# calamine reads other forms too: r in single quotes or with spaces around "=", anywhere in
# the tag, a namespace prefix (x:row), or no r at all (the row after the last, the cell after
# the last). A part with any of them is read with thorough (slower) patterns; a reference
# written with character entities (r="&#90;9") is refused, as nothing writes one.
# No pattern scans past a "<": XML allows none inside a tag, and a part of "<row <row <row ..."
# with no ">" would otherwise have every start scan to the piece's end (quadratic: a 5 KB
# upload took 77 s).
_TAG = rb"<(?:[\w.-]+:)?"
_ANY_ROW = re.compile(_TAG + rb"row[\s/>]")
_ANY_ROW_NUMBER = re.compile(_TAG + rb"row\s[^<>]*?\br\s*=\s*[\"'](\d+)")
_ANY_LONG_COLUMN = re.compile(_TAG + rb"c\s[^<>]*?\br\s*=\s*[\"']([A-Za-z]{2,})\d")
_ANY_CELL_ROW = re.compile(_TAG + rb"c\s[^<>]*?\br\s*=\s*[\"'][A-Za-z]*(\d+)")
_ANY_CELL = re.compile(_TAG + rb"c[\s/>]")
_ENTITY_REFERENCE = re.compile(rb"\br\s*=\s*[\"'][^\"'<>]*&")
_UNUSUAL = (b":row", b":c ", b"r='", b"r =", b"r= ", b"<c>", b"<c/>", b"<row>", b"<row/>", b"&#")


def _check_extent(source: IO[bytes] | Path) -> None:
    """Refuse, before calamine reads it, a workbook whose sheets span more than MAX_CELLS. Every
    XML part is read, wherever the workbook's relations put its sheets."""
    import zipfile

    try:
        book = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        book = None  # an .xls, or not a workbook at all: calamine says which
    try:
        if book is not None:
            with book:
                if sum(i.file_size for i in book.infolist()) > MAX_XML_BYTES:  # every part: calamine follows the relations
                    raise RosterFileError(_("工作簿解压后超过 %(mb)s MB，不像是一份名册：请删除名册以外的内容后另存，或把名册分成几个文件",
                                            mb=MAX_XML_BYTES // (1024 * 1024)))
                for info in book.infolist():
                    if info.filename.lower().endswith(".bin"):  # an .xlsb's binary sheets
                        raise RosterFileError(_("不支持 Excel 二进制工作簿（.xlsb）：请另存为 .xlsx 后再上传"))
                    # Every part, whatever its name: calamine follows the relations to a sheet
                    # called sheet1.dat as readily as to sheet1.xml.
                    if not info.is_dir():
                        try:
                            with book.open(info) as part:
                                rows, columns = _extent(part)
                        except zipfile.BadZipFile:  # a part longer than its header says fails its CRC
                            raise RosterFileError(_("文件已损坏，无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")) from None
                        if rows * columns > MAX_CELLS:
                            raise RosterFileError(_("工作表的范围太大（%(rows)s 行 × %(columns)s 列）：表格外的远处可能有"
                                                    "零散的内容，请删除名册以外的行和列后另存，或把名册分成几个文件",
                                                    rows=rows, columns=columns))
    finally:
        if not isinstance(source, Path):
            source.seek(0)


def _extent(part: IO[bytes]) -> tuple[int, int]:
    """The last row and (at least 26) the last column an XML part names, read in pieces: an
    upper bound of the grid calamine would build for it."""
    rows, columns, tail = 0, 26, b""
    while chunk := part.read(1 << 23):
        data = tail + chunk  # a tag cut by the piece's end is whole in the next one
        cut = data.rfind(b"<")
        data, tail = (data[:cut], data[cut:]) if cut > 0 and len(data) - cut < 4096 else (data, b"")
        numbered = _ROW_NUMBER.findall(data)
        if (any(mark in data for mark in _UNUSUAL) or data.count(b"<row ") != len(numbered)
                or data.count(b"<c ") != data.count(b'<c r="')):
            part_rows, part_columns = _thorough_extent(data)
        else:
            part_rows = max(map(int, numbered), default=0)
            part_columns = max((column_number(m.decode()) for m in _LONG_COLUMN.findall(data)), default=0)
        rows, columns = max(rows, part_rows), max(columns, part_columns)
    return rows, columns


def _thorough_extent(data: bytes) -> tuple[int, int]:
    """_extent's bound for XML written unlike a spreadsheet program's: rows without a number
    follow the last (or take their cells' row), cells without one follow the row's last."""
    if _ENTITY_REFERENCE.search(data):
        raise RosterFileError(_("工作表的写法少见（单元格位置用了字符实体），无法安全读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"))
    numbered = list(map(int, _ANY_ROW_NUMBER.findall(data)))
    unnumbered = len(_ANY_ROW.findall(data)) - len(numbered)
    rows = max([*numbered, *map(int, _ANY_CELL_ROW.findall(data))], default=0) + max(unnumbered, 0)
    columns = max((column_number(m.decode().upper()) for m in _ANY_LONG_COLUMN.findall(data)), default=0)
    columns = max(columns, max((len(_ANY_CELL.findall(row)) for row in _ANY_ROW.split(data)), default=0))
    return rows, columns


def column_number(letters: str) -> int:
    """A=1, Z=26, AA=27, XFD=16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(index: int) -> str:
    """0=A, 25=Z, 26=AA: a column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_sheets(stream: IO[bytes], unreadable: str | None = None) -> Iterator[Table]:
    for name, sheet in _worksheets(_open_workbook(stream, unreadable), unreadable):
        yield Table(_sheet_rows(sheet), name, sheet.start[1] if sheet.start else 0)


def _sheet_rows(sheet: Any) -> Iterator[Sequence[Any]]:
    # From the sheet's first row, so that row numbers are the spreadsheet's (a test holds this);
    # empty cells are "", numbers float, dates date or datetime.
    filled = _merged_down(sheet)
    if not filled:
        yield from sheet.iter_rows()
        return
    for number, row in enumerate(sheet.iter_rows()):
        if number in filled:
            row = list(row)
            for column, value in filled[number]:
                if column < len(row):
                    row[column] = value
        yield row


def _merged_down(sheet: Any) -> dict[int, list[tuple[int, Any]]]:
    """{row index: [(column index, value)]} of the cells under the top of a merge down one column
    (所在镇街 merged over a town's rows, an enterprise's name over its two filings): each holds
    the merge's value, as the reader of the sheet sees it. Merges across columns (a title over
    the table) are left as they are: filling those would put one cell's text into other columns."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - calamine reads merges of .xlsx only; an .xls has none to give
        return {}
    down = [(top, bottom, column) for (top, column), (bottom, right) in ranges if bottom > top and right == column]
    if not down:
        return {}
    first_column = sheet.start[1] if sheet.start else 0
    wanted = {top for top, _bottom, _column in down}
    values = {number: row for number, row in enumerate(sheet.iter_rows()) if number in wanted}
    filled: dict[int, list[tuple[int, Any]]] = {}
    for top, bottom, column in down:
        index = column - first_column
        value = values[top][index] if top in values and 0 <= index < len(values[top]) else ""
        for number in range(top + 1, bottom + 1):
            filled.setdefault(number, []).append((index, value))
    return filled


def _read_csv(data: bytes) -> Iterator[Sequence[Any]]:
    # Excel in China saves CSV as GB18030 (GBK); UTF-8 with or without BOM is also common, and
    # its "Unicode text" (.txt, tab-separated) is UTF-16 with a BOM.
    try:
        text = decode_upload(data)
    except UndecodableText as error:
        raise RosterFileError(str(error)) from error
    head = text[:4096]  # a text file saved by Excel or WPS separates cells with tabs
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    if '"' not in text and "\0" not in text and "\r" not in (text := text.replace("\r\n", "\n")):
        # Nothing quoted and one kind of line end: exactly what csv.reader would make of it.
        yield from (line.split(delimiter) for line in text.split("\n"))
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)  # lists: rows are only indexed
        try:
            yield from reader
        except csv.Error as error:  # a cell over 128 KB: an unclosed quote swallowed the rest
            raise RosterFileError(_("CSV 文件第 %(line)s 行附近有一个过长的单元格，多半是引号没有配对：请检查该处的引号",
                                    line=reader.line_num)) from error


def estimate_rows(path: Path) -> int:
    """Roughly how many rows a file holds, for a progress bar: a workbook's longest sheet."""
    if path.suffix.lower() in WORKBOOKS or _starts_as_workbook(path):
        try:
            ends = [sheet.end[0] + 1 for _name, sheet in _worksheets(_open_workbook(path)) if sheet.end]
        except RosterFileError:
            return 1
        return max(ends, default=1)  # the last row in use (0-based) + 1
    with path.open("rb") as stream:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")), 1)


def _starts_as_workbook(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4).startswith(_WORKBOOK_MAGIC)
