"""Validating a chunk of roster rows column by column, at C speed where the cells are plain.

A row passes here only when every cell is already in its plain form (a valid USCC in capitals,
an 11-digit mobile, ISO dates, a known size...). Any other row is a *suspect* and goes to the
row-by-row validator in importer.py, which normalises what it can and words the errors. So
this module never reports an error itself, and a row it passes is exactly the record the row
validator would have built (tests/registry/test_import.py checks both paths agree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress, repeat, zip_longest
from operator import le
from typing import Any

from lms.registry import columns as C
from lms.registry.identifiers import id_number_error, invalid_usccs, mask_id_number
from lms.registry.industries import division_name

_BAD = object()  # a cell the fast path does not accept: its row is a suspect
_ISO_DATES = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\n)*[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOBILES = re.compile(r"(?:1[3-9][0-9]{9}\n)*1[3-9][0-9]{9}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_EARLIEST = C.EARLIEST_DATE.isoformat()
_EMAILS = re.compile(f"(?:{C.EMAIL.pattern})?(?:\n(?:{C.EMAIL.pattern})?)*")  # each line empty or an address


@dataclass
class Chunk:
    positions: list[int]  # indexes into the chunk's raw rows of the rows that are not blank
    clean: dict[str, Sequence[str]]  # key: cleaned text of each such row
    raw: dict[str, Sequence[Any]]  # key: the cell values as read (dates are parsed from these)


def read_columns(raw_rows: list[Sequence[Any]], mapping: dict[int, str], cell: Callable[[Any], str]) -> Chunk:
    """The mapped columns of the rows, cleaned by cell(); blank rows left out."""
    columns = list(zip_longest(*raw_rows))
    blank = (None,) * len(raw_rows)
    raw = {key: columns[i] if i < len(columns) else blank for i, key in mapping.items()}
    clean = {key: _clean_column(values, cell) for key, values in raw.items()}
    positions = list(range(len(raw_rows)))
    if not all(clean["uscc"]):  # USCC is required: a row that has one is not blank
        keep = list(map(any, zip(*clean.values(), strict=True)))
        if not all(keep):
            positions = list(compress(positions, keep))
            raw = {key: list(compress(values, keep)) for key, values in raw.items()}
            clean = {key: list(compress(values, keep)) for key, values in clean.items()}
    return Chunk(positions, clean, raw)


def _clean_column(values: Sequence[Any], cell: Callable[[Any], str]) -> Sequence[str]:
    """cell() of every value, skipping the work cell() would find nothing to do for.

    The joined text is NFKC when every cell is: "," is a stable code point (UAX #15), so
    normalisation never reaches across it.
    """
    if set(map(type, values)) != {str}:
        return list(map(cell, values))
    joined = ",".join(values)
    if "'" in joined or (not joined.isascii() and not unicodedata.is_normalized("NFKC", joined)):
        return list(map(cell, values))  # an apostrophe may be an export's formula guard
    printable = joined.isprintable()
    if " " not in joined and printable:  # no whitespace at all: nothing to strip
        return values
    if not printable and C.CONTROL.search(joined):
        return list(map(cell, values))
    stripped = list(map(str.strip, values))
    joined = "\0".join(stripped)
    if "  " in joined or "\t" in joined or "\n" in joined or "\u3000" in joined:
        return list(map(cell, values))
    return stripped


class FastRows:
    """The records of the rows whose every cell is plain, and the positions of the others."""

    def __init__(self, chunk: Chunk, today: date) -> None:
        self.chunk = chunk
        self.size = len(chunk.positions)
        self.suspects: set[int] = set()
        self.today = today

    def column(self, key: str) -> Sequence[str]:
        return self.chunk.clean.get(key) or ("",) * self.size

    def required(self, key: str) -> Sequence[str]:
        values = self.column(key)
        if not all(values):
            self.suspects.update(i for i, v in enumerate(values) if not v)
        return values

    def by_value(self, key: str, convert: Callable[[str], Any]) -> list[Any]:
        """convert() of each cell, computed once per distinct value; _BAD marks a suspect."""
        values = self.column(key)
        converted = {v: convert(v) for v in set(values)}
        out = list(map(converted.__getitem__, values))
        if _BAD in converted.values():
            self.suspects.update(i for i, v in enumerate(out) if v is _BAD)
        return out

    def only_empty(self, key: str) -> None:
        """Cells that must be empty on the fast path (they need the row validator's rules)."""
        values = self.column(key)
        if any(values):
            self.suspects.update(i for i, v in enumerate(values) if v)

    def dates(self, key: str) -> list[date | None]:
        raw, clean = self.chunk.raw[key], self.chunk.clean[key]
        if self.size and set(map(type, raw)) == {str} and _ISO_DATES.fullmatch("\n".join(raw)) \
                and min(raw) >= _EARLIEST:
            try:
                return list(map(date.fromisoformat, raw))
            except ValueError:  # 2021-02-30: the row validator words it
                pass
        found = [C.parse_date(r) if c else None for r, c in zip(raw, clean, strict=True)]
        self.suspects.update(i for i, v in enumerate(found) if v is None or v < C.EARLIEST_DATE)
        return found

    def records(self, first: int, record: Callable[..., Any]) -> list[Any]:
        """One record per row (suspects' records are placeholders); first is the first row's number."""
        rows = [first + p for p in self.chunk.positions]
        filing_no = [v or None for v in self.column("filing_no")]
        uscc = self.required("uscc")
        self.suspects.update(invalid_usccs(uscc))
        for key in ("uscc", "id_number"):  # a code Excel stored as a number lost its last digits
            raw = self.chunk.raw.get(key, ())
            if set(map(type, raw)) - {str, type(None)}:
                self.suspects.update(i for i, v in enumerate(raw) if isinstance(v, int | float))
        for key in C.REQUIRED:
            self.required(key)
        scale = self.by_value("size", lambda v: C.SIZES.get(v.lower(), _BAD) if v else _BAD)
        above = self.by_value("above_scale", lambda v: C.YES_NO.get(v.lower(), _BAD) if v else _BAD)
        mobile = self.column("mobile")
        if not _MOBILES.fullmatch("\n".join(mobile)):
            self.suspects.update(i for i, v in enumerate(mobile) if not _MOBILE.fullmatch(v))
        # Successions, removals and end dates follow row rules: the row validator takes them.
        status = self.by_value("status", lambda v: "current" if C.STATUSES.get((v or "在任").lower()) == "current"
                               else _BAD)
        self.only_empty("ended_on")
        self.only_empty("end_reason")
        appointed, filed = self.dates("appointed_on"), self.dates("filed_on")
        self._check_order(appointed, filed)
        industry = self.column("industry")
        if max(map(len, industry), default=0) > 100:
            industry = [v[:100] for v in industry]
        industry_code = self.by_value("industry_code", _industry_code)
        gender = self.by_value("gender", lambda v: C.GENDERS.get(v.lower()) or _BAD if v else "")
        education = self.by_value("education", lambda v: v if not v or v in C.EDUCATIONS else _BAD)
        years = self.by_value("years_in_quality", _years)
        email = self.column("email")
        if not _EMAILS.fullmatch("\n".join(email)):  # cells hold no line breaks (cell() folds them)
            self.suspects.update(i for i, v in enumerate(email) if v and not C.EMAIL.fullmatch(v))
        masked = self._id_numbers()
        officer = self.column("officer_name")
        if any(map(str.__contains__, officer, repeat(" "))):
            officer = list(map(C.fold_name, officer))
        for key, limit in C.MAX_LENGTHS.items():
            values = self.column(key)
            if max(map(len, values), default=0) > limit:
                self.suspects.update(i for i, v in enumerate(values) if len(v) > limit)
        # tuple.__new__ builds each NamedTuple record in C, without a Python call per row.
        return list(map(tuple.__new__, repeat(record), zip(
            rows, filing_no, self.column("enterprise_name"), uscc, self.column("town"), industry_code,
            industry, scale, above, officer, gender, masked, education,
            self.column("title"), self.column("position"), years, mobile, map(str.lower, email),
            appointed, filed, status, repeat(None), repeat(""),
        )))

    def _check_order(self, appointed: list, filed: list) -> None:
        """Filed no later than today and no earlier than the appointment."""
        if None not in appointed and None not in filed and (not filed or max(filed) <= self.today) \
                and all(map(le, appointed, filed)):
            return
        self.suspects.update(i for i, (a, f) in enumerate(zip(appointed, filed, strict=True))
                             if a is None or f is None or f > self.today or f < a)

    def _id_numbers(self) -> Sequence[str]:
        values = self.column("id_number")
        if not any(values):
            return values
        self.suspects.update(i for i, v in enumerate(values) if v and id_number_error(v))
        return [mask_id_number(v) if v else "" for v in values]


def _industry_code(value: str) -> Any:
    code = value.upper()
    if not code or (C.INDUSTRY_CODE.fullmatch(code) and (len(code) == 1 or division_name(code))):
        return code
    return _BAD


def _years(value: str) -> Any:
    if not value:
        return None
    return int(value) if value.isdecimal() and int(value) <= 60 else _BAD
