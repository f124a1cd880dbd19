"""Validating every row of the registry's roster export (reading.py reads the file).

The result is a list of clean RosterRow records plus row-by-row errors; nothing touches the
database here. roster_plan.py compares the rows with the database and writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, islice
from operator import attrgetter
from typing import IO, Any, NamedTuple

from flask_babel import gettext as _

from lms.core.bulk import gc_paused
from lms.core.clock import local_today
from lms.registry import columns as C
from lms.registry.column_checks import FastRows, read_columns
from lms.registry.identifiers import (
    id_number_error,
    is_valid_mobile,
    mask_id_number,
    normalize_mobile,
    normalize_uscc,
    uscc_error,
)
from lms.registry.industries import division_name
from lms.registry.reading import RosterFileError, read_tables
from lms.registry.sheet_text import cell_text as _cell
from lms.registry.sheet_text import export_date, header_table

# One cell under the table that is a note, not a filing: 合计：200 家, 制表人：…, 注：…
_NOTE = re.compile(r"(合计|总计|小计|共计|制表|填表|审核|备注|说明|注[:：0-9])")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
CHUNK_ROWS = 5000  # rows validated column by column at a time; progress is reported per chunk


@dataclass
class RowError:
    row: int  # the row number as the spreadsheet shows it
    column: str  # the header as written in the file, or "" for the whole row
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RosterRow(NamedTuple):
    row: int
    filing_no: str | None
    enterprise_name: str
    uscc: str
    town: str
    industry_code: str
    industry_name: str
    scale: str
    is_above_scale: bool
    officer_name: str
    gender: str
    id_number_masked: str
    education: str
    title: str
    position: str
    years_in_quality: int | None
    mobile: str
    email: str
    appointed_on: date
    filed_on: date
    status: str
    ended_on: date | None
    end_reason: str


@dataclass
class ParsedRoster:
    header_row: int
    total_rows: int = 0
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rejected_towns: dict[int, str] = field(default_factory=dict)  # row: town, of rows with errors
    rejected_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # row: (enterprise, officer), likewise
    headers: dict[str, str] = field(default_factory=dict)  # column key: its header as the file writes it
    exported_on: date | None = None  # the date a title row above the header gives (导出日期：…)
    skipped: dict[int, str] = field(default_factory=dict)  # row: its text, of notes under the table (合计…)
    # A file's empty cell in an optional column keeps what a stored record holds there: the
    # bureau's template filled for a few changes leaves 学历 or 所属行业 empty without meaning
    # "erase it". The registry API's explicit empty or null clears (lms/api/push.py), as does
    # a file imported as the complete roster (roster_plan.build_preview).
    blank_keeps: bool = True
    sheet: str | None = None  # the workbook sheet read, when the roster is not on the first one


def parse_roster(
    stream: IO[bytes], filename: str, progress: Callable[[int], None] | None = None
) -> ParsedRoster:
    """Read and validate every row; errors are collected row by row, never raised."""
    with gc_paused():
        return _parse_roster(stream, filename, progress)


def _parse_roster(stream: IO[bytes], filename: str, progress: Callable[[int], None] | None) -> ParsedRoster:
    table, head, header, passed = header_table(read_tables(stream, filename))
    header_row, mapping = header.row, header.mapping
    headers = {key: _cell(head[header_row - 1][i]) for i, key in mapping.items()}
    result = ParsedRoster(header_row=header_row, unknown_columns=header.unknown, headers=headers,
                          exported_on=export_date(head[:header_row - 1]), sheet=table.sheet if passed else None)
    missing = [C.BY_KEY[k].zh for k in C.REQUIRED if k not in headers]
    if missing:
        seen = [name for name in map(_cell, head[header_row - 1]) if name]
        raise RosterFileError(_("缺少必填列：%(cols)s。第 %(row)s 行的表头是：%(seen)s", cols=_("、").join(missing),
                                row=header_row, seen=_("、").join(seen)))
    validator = _RowValidator(headers, result)
    number = header_row + 1
    records: list[RosterRow] = []
    for chunk in _chunks(_chain(head[header_row:], table.rows), CHUNK_ROWS):
        seen = result.total_rows
        records += validator.check_chunk(number, chunk, mapping)
        number += len(chunk)
        if progress:
            progress(result.total_rows - seen)
    validator.remember(records)
    validator.check_duplicates()
    return result


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


class _RowValidator:
    """Turns one row's cells into a RosterRow or errors; remembers rows for duplicate checks."""

    def __init__(self, headers: dict[str, str], result: ParsedRoster) -> None:
        self.headers = headers
        self.result = result
        self.current_row_of: dict[str, int] = {}
        self.filing_no_row: dict[str, int] = {}

    def error(self, number: int, key: str, message: str) -> None:
        self.result.errors.append(RowError(number, self.headers.get(key, C.BY_KEY[key].zh), message))

    def check_chunk(self, first: int, raw_rows: list, mapping: dict[int, str]) -> list[RosterRow]:
        """The valid records of a chunk of rows; first is the first row's spreadsheet number.

        Rows whose cells are all plain are checked column by column (column_checks.py); the
        others go through check(), which normalises and words every error.
        """
        chunk = read_columns(raw_rows, mapping, _cell)
        self.result.total_rows += len(chunk.positions)
        fast = FastRows(chunk, local_today())
        records: list[RosterRow | None] = fast.records(first, RosterRow)
        if not fast.suspects:
            return records
        for i in sorted(fast.suspects):
            position = chunk.positions[i]
            values = {key: chunk.clean[key][i] for key in mapping.values()}
            records[i] = self.check(first + position, values, raw_rows[position], mapping)
        return [r for r in records if r is not None]

    def check(self, number: int, v: dict[str, str], raw: tuple, mapping: dict[int, str]) -> RosterRow | None:
        """One row's record, or None after noting its errors (or the note under the table it is)."""
        if self._is_note(number, v):
            return None
        before = len(self.result.errors)
        for key in C.REQUIRED:
            if not v.get(key):
                self.error(number, key, _("必填项为空"))
        uscc = normalize_uscc(v["uscc"])
        stored_as_numbers = self._numbers(number, raw, mapping)
        if v["uscc"] and "uscc" not in stored_as_numbers and (problem := uscc_error(uscc)):
            self.error(number, "uscc", _("统一社会信用代码 %(code)s 无效：%(why)s", code=uscc, why=problem))
        scale = C.SIZES.get(v["size"].lower()) if v["size"] else ""
        if v["size"] and scale is None:
            self.error(number, "size", _("企业规模“%(v)s”无法识别：应为 大型/中型/小型/微型", v=v["size"]))
        above = C.YES_NO.get(v["above_scale"].lower()) if v["above_scale"] else False
        if v["above_scale"] and above is None:
            self.error(number, "above_scale", _("“%(v)s”无法识别：应填写“是”或“否”", v=v["above_scale"]))
        mobile = normalize_mobile(v["mobile"])
        if v["mobile"] and "mobile" not in stored_as_numbers and not is_valid_mobile(mobile):
            self.error(number, "mobile", _("手机号码 %(m)s 不是有效的大陆手机号", m=v["mobile"]))
        status = C.STATUSES.get((v.get("status") or "在任").lower())
        if status is None:
            self.error(number, "status", _("状态“%(v)s”无法识别：应为 在任/已变更/已注销", v=v.get("status")))
        dates = self._dates(number, v, raw, mapping, status)
        optional = self._optional(number, {**v, "id_number": ""} if "id_number" in stored_as_numbers else v)
        for key, limit in C.MAX_LENGTHS.items():
            if len(v.get(key, "")) > limit:
                self.error(number, key, _("不能超过 %(n)s 个字，此处有 %(have)s 个", n=limit, have=len(v[key])))
        if len(self.result.errors) > before:
            if v["town"]:  # checked against the town list with the valid rows (roster_plan.py)
                self.result.rejected_towns[number] = v["town"]
            self.result.rejected_names[number] = (v["enterprise_name"], C.fold_name(v["officer_name"]))
            return None
        return RosterRow(
            row=number, filing_no=v.get("filing_no") or None, enterprise_name=v["enterprise_name"],
            uscc=uscc, town=v["town"], scale=scale, is_above_scale=above,
            officer_name=C.fold_name(v["officer_name"]), position=v["position"], mobile=mobile, status=status,
            appointed_on=dates[0], filed_on=dates[1], ended_on=dates[2], **optional,
        )

    def _is_note(self, number: int, v: dict[str, str]) -> bool:
        """A line such as 合计：200 家 or 制表人：… under the table, in one cell: noted as skipped
        (the preview lists it), neither a filing nor an error."""
        filled = [text for text in v.values() if text]
        if len(filled) != 1 or not _NOTE.match(filled[0]):
            return False
        self.result.skipped[number] = filled[0][:60]
        self.result.total_rows -= 1
        return True

    def _numbers(self, number: int, raw: tuple, mapping: dict[int, str]) -> set[str]:
        """The code columns whose cell Excel stored as a number, each noted as an error: an
        18-digit number keeps only about 16 of its digits, so the code cannot be read back. In a
        CSV, Excel writes such a number as it shows it, often as 9.13406E+17."""
        found = set()
        for index, key in mapping.items():
            cell = raw[index] if index < len(raw) else None
            if key in ("uscc", "id_number", "mobile") and isinstance(cell, str) and _SCIENTIFIC.fullmatch(cell.strip()):
                self.error(number, key, _("这一格是科学计数法写的数字（%(v)s），号码的位数已经丢失：请在 Excel 中把这一列设为"
                                          "“文本”格式，重新填写后再另存为 CSV", v=cell.strip()))
                found.add(key)
                continue
            if key in ("uscc", "id_number") and isinstance(cell, int | float) and not isinstance(cell, bool) \
                    and (key == "uscc" or cell >= 1e15):
                self.error(number, key, _("这一格被 Excel 存成了数字，末几位已经丢失：请把这一列设为“文本”格式，重新填写后再上传"))
                found.add(key)
        return found

    def _dates(self, number, v, raw, mapping, status):
        index = {key: i for i, key in mapping.items()}
        found = []
        for key in ("appointed_on", "filed_on", "ended_on"):
            cell = raw[index[key]] if key in index and index[key] < len(raw) else None
            value = C.parse_date(cell) if v.get(key) else None
            if v.get(key) and value is None:
                self.error(number, key, _unreadable_date(v[key]))
            elif value and value < C.EARLIEST_DATE:
                self.error(number, key, _("日期 %(d)s 早于 %(earliest)s，不会是真实的日期：被当作数字的单元格会变成 1900 年前后的日期",
                                          d=value.isoformat(), earliest=C.EARLIEST_DATE.isoformat()))
                value = None
            found.append(value)
        appointed, filed, ended = found
        today = local_today()
        if appointed and appointed > today:
            self.error(number, "appointed_on", _("聘任日期不能晚于今天"))
        if filed and filed > today:
            self.error(number, "filed_on", _("备案日期不能晚于今天"))
        if appointed and filed and filed < appointed:
            self.error(number, "filed_on", _("备案日期早于聘任日期"))
        if status and status != "current" and not ended and not v.get("ended_on"):
            self.error(number, "ended_on", _("状态不是“在任”时必须填写离任日期"))
        if ended and appointed and ended < appointed:
            self.error(number, "ended_on", _("离任日期早于聘任日期"))
        if ended and ended > today:
            self.error(number, "ended_on", _("离任日期不能晚于今天"))
        if status == "current" and ended:
            self.error(number, "ended_on", _("状态为“在任”时不应填写离任日期"))
        return found

    def _optional(self, number: int, v: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {"industry_name": v.get("industry", "")[:100], "title": v.get("title", "")}
        code = v.get("industry_code", "").upper()
        if code and not C.INDUSTRY_CODE.fullmatch(code):
            self.error(number, "industry_code", _("行业代码应为门类字母（A 至 T）加 2 至 4 位数字，如 C1391"))
        elif len(code) >= 3 and not division_name(code):
            self.error(number, "industry_code", _("行业代码 %(code)s 不在国民经济行业分类（GB/T 4754-2017）中："
                                                 "%(letter)s 门类没有第 %(n)s 大类", code=code, letter=code[0], n=code[1:3]))
        out["industry_code"] = code
        gender = v.get("gender", "")
        out["gender"] = C.GENDERS.get(gender.lower(), "") if gender else ""
        if gender and not out["gender"]:
            self.error(number, "gender", _("性别应为 男 或 女"))
        id_number = v.get("id_number", "")
        if id_number and (problem := id_number_error(id_number)):
            self.error(number, "id_number", problem)
        out["id_number_masked"] = mask_id_number(id_number) if id_number else ""
        education = v.get("education", "")
        if education and education not in C.EDUCATIONS:
            self.error(number, "education", _("学历应为 中专/大专/本科/硕士/博士"))
        out["education"] = education
        years = v.get("years_in_quality", "")
        out["years_in_quality"] = int(years) if years.isdecimal() and int(years) <= 60 else None
        if years and out["years_in_quality"] is None:
            self.error(number, "years_in_quality", _("质量工作年限应为 0 至 60 的整数"))
        email = v.get("email", "")
        if email and not C.EMAIL.fullmatch(email):
            self.error(number, "email", _("电子邮箱格式不正确"))
        out["email"] = email.lower()
        reason = v.get("end_reason", "")
        if reason and reason not in C.END_REASONS:
            self.error(number, "end_reason", _("变更原因应为 离职/调岗/退出/其他"))
        out["end_reason"] = reason
        return out

    def remember(self, records: list[RosterRow]) -> None:
        """Keep the records that do not repeat an earlier row of the file."""
        numbers = list(filter(None, map(attrgetter("filing_no"), records)))
        current = list(compress(map(attrgetter("uscc"), records),
                                map("current".__eq__, map(attrgetter("status"), records))))
        if len(set(numbers)) == len(numbers) and len(set(current)) == len(current):
            self.result.rows = records
            return
        for record in records:
            self._remember(record)

    def _remember(self, record: RosterRow) -> None:
        """Duplicates within the file: a filing number twice, two current CQOs of one enterprise."""
        if record.filing_no:
            first = self.filing_no_row.setdefault(record.filing_no, record)
            if first.row != record.row:
                if first.officer_name != record.officer_name:
                    message = _("备案编号与第 %(row)s 行（%(name)s）重复：接任者的一行要用自己的备案编号，或者留空",
                                row=first.row, name=first.officer_name)
                else:
                    message = _("备案编号与第 %(row)s 行重复", row=first.row)
                self._reject_repeat(first, record, "filing_no", message)
                return
        if record.status == "current":
            first = self.current_row_of.setdefault(record.uscc, record)
            if first.row != record.row:
                self._reject_repeat(first, record, "status", _(
                    "同一企业在第 %(row)s 行已有在任首席质量官；变更应写成一行“已变更”（含离任日期）加一行“在任”",
                    row=first.row))
                return
        self.result.rows.append(record)

    def _reject_repeat(self, first: RosterRow, record: RosterRow, key: str, conflict: str) -> None:
        """An error on a row that repeats an earlier one, with its names for the clerk to find it.
        An exact copy is said to be one, of the whole row (no column): blaming the column whose
        rule caught it would send the clerk to look for a wrong cell that is not there."""
        if first[1:] == record[1:]:
            self.result.errors.append(RowError(record.row, "", _("与第 %(row)s 行完全相同：请删除重复的一行",
                                                                 row=first.row)))
        else:
            self.error(record.row, key, conflict)
        self.result.rejected_names[record.row] = (record.enterprise_name, record.officer_name)

    def check_duplicates(self) -> None:
        """The same person and appointment twice without a filing number."""
        keys = list(zip(*(map(attrgetter(f), self.result.rows) for f in ("uscc", "officer_name", "appointed_on")),
                        strict=True))
        if len(set(keys)) == len(keys):
            self.result.errors.sort(key=lambda e: e.row)
            return
        seen: dict[tuple, RosterRow] = {}
        kept = []
        for record in self.result.rows:
            key = (record.uscc, record.officer_name, record.appointed_on)
            first = seen.setdefault(key, record)
            if first.row != record.row and not record.filing_no:
                self._reject_repeat(first, record, "officer_name", _("与第 %(row)s 行是同一人的同一次聘任", row=first.row))
                continue
            kept.append(record)
        self.result.rows = kept
        self.result.errors.sort(key=lambda e: e.row)


def _unreadable_date(text: str) -> str:
    """Why a date cell was not taken: a day that does not exist (2026-02-30), or no date at all."""
    parts = C.date_parts(text)
    if parts and not 1 <= parts[1] <= 12:
        return _("日期“%(v)s”的月份 %(m)s 不存在：请写成 2021-03-05 这样的年-月-日", v=text, m=parts[1])
    if parts:
        return _("日期“%(v)s”不存在：%(y)s 年 %(m)s 月没有 %(d)s 日", v=text, y=parts[0], m=parts[1], d=parts[2])
    return _("无法识别的日期“%(v)s”，请写成 2021-03-05", v=text)
