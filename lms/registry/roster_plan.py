"""Comparing validated roster rows with the database, and writing them in one transaction.

Matching: a row is the same filing as a stored one when its 备案编号 matches, or, without a
number, when enterprise, officer name and appointment date match. A current row for an
enterprise whose stored current filing is another person ends that filing (succession): its
end date is the successor's appointment date. Filings the file does not mention are left
alone, because an export may cover only part of the district.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.core.bulk import gc_paused
from lms.extensions import db
from lms.registry import columns as C
from lms.registry import roster_scope as scope
from lms.registry.importer import ParsedRoster, RosterRow, RowError
from lms.registry.models import Enterprise, Filing, Town

ENTERPRISE_FIELDS = ("name", "scale", "is_above_scale", "industry_code", "industry_name", "town_id")
FILING_FIELDS = (
    "filing_no", "officer_name", "gender", "id_number_masked", "education", "title", "position",
    "years_in_quality", "mobile", "email", "appointed_on", "filed_on", "ended_on", "end_reason",
    "status",
)
ENTERPRISE_ROW_FIELDS = ("enterprise_name", "scale", "is_above_scale", "industry_code", "industry_name")
# The roster column each stored field comes from, to name a change as the file names it.
FIELD_COLUMNS = {"name": "enterprise_name", "scale": "size", "is_above_scale": "above_scale",
                 "industry_name": "industry", "town_id": "town", "id_number_masked": "id_number"}
# Optional fields whose empty cell in a file keeps the stored value (ParsedRoster.blank_keeps).
KEPT_WHEN_BLANK = frozenset(("industry_code", "industry_name", "filing_no", "gender", "id_number_masked",
                             "education", "title", "years_in_quality", "email"))
SAMPLE = 200  # how many changes of each kind a preview lists; the counts are always complete
CHANGE_LABELS = {"enterprise_added": _l("新增企业"), "enterprise_changed": _l("变更企业"),
                 "filing_added": _l("新增备案"), "filing_changed": _l("变更备案"), "filing_ended": _l("备案结束")}


@dataclass
class Change:
    row: int
    kind: str  # enterprise_added, enterprise_changed, filing_added, filing_changed, filing_ended
    label: str
    fields: list[str] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)  # (before, after) of each field, as shown

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(column in the page's language, before, after) of each changed field."""
        return [(label, *pair) for label, pair in zip(self.column_labels, self.values, strict=False)]

    @property
    def columns(self) -> list[str]:
        """The changed fields as the roster's column headers (企业名称, 手机号码...)."""
        return [C.BY_KEY[FIELD_COLUMNS.get(f, f)].zh for f in self.fields]

    @property
    def column_labels(self) -> list[str]:
        """The same in the page's language."""
        return [str(C.LABELS[FIELD_COLUMNS.get(f, f)]) for f in self.fields]


@dataclass
class Preview:
    parsed: ParsedRoster
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[Change]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    _enterprise_inserts: list[tuple] = field(default_factory=list, repr=False)  # uscc, *ENTERPRISE_FIELDS
    _enterprise_updates: list[dict] = field(default_factory=list, repr=False)
    _filing_inserts: list[RosterRow] = field(default_factory=list, repr=False)
    _filing_updates: list[dict] = field(default_factory=list, repr=False)
    _endings: list[dict] = field(default_factory=list, repr=False)
    town_names: dict[int, str] = field(default_factory=dict, repr=False)
    # Whether an optional cell left empty keeps the stored value: in a file, unless it is
    # imported as the complete roster, the registry's own word on every field.
    blank_keeps: bool = True
    absent: scope.Absent = field(default_factory=scope.Absent)
    newer_import: scope.LastImport | None = None
    complete: bool = False

    @property
    def valid_rows(self) -> int:
        return self.parsed.total_rows - len({e.row for e in self.errors})

    @property
    def can_commit(self) -> bool:
        return not self.errors and self.parsed.total_rows > 0

    def fingerprint(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(self.counts.items()))

    @property
    def absent_columns(self) -> list[str]:
        """The filing form's columns this file does not have: records already stored keep what
        they hold there."""
        return [c.zh for c in C.COLUMNS if c.key not in self.parsed.headers] if self.parsed.header_row else []

    def names_by_row(self) -> dict[int, tuple[str, str]]:
        """(enterprise, officer) as the file writes them, of each row with an error: what a
        clerk looks for in the file beside the row number."""
        wanted = {e.row for e in self.errors}
        names = {n: self.parsed.rejected_names[n] for n in wanted if n in self.parsed.rejected_names}
        names.update((r.row, (r.enterprise_name, r.officer_name)) for r in self.parsed.rows
                     if r.row in wanted and r.row not in names)
        return names

    def error_summary(self, at_least: int = 3) -> list[tuple[str, int, list[int], str]]:
        """(column, errors, first rows, first message) of each column with several errors, the
        most first: one mistake made all down a column (a date format, a column of numbers
        turned into text) reads as one line above the thousand it makes."""
        by_column: dict[str, list] = {}
        for error in self.errors:
            by_column.setdefault(error.column or "", []).append(error)
        groups = [(column, len(found), [e.row for e in found[:5]], found[0].message)
                  for column, found in by_column.items() if len(found) >= at_least]
        return sorted(groups, key=lambda group: -group[1])

    def as_dict(self) -> dict[str, Any]:
        # "sheet" only when the roster is not on a workbook's first sheet: the API's pushes and
        # CSV files have no sheets, and their reports keep the keys they had.
        sheet = {"sheet": self.parsed.sheet} if self.parsed.sheet else {}
        return {
            "header_row": self.parsed.header_row,
            **sheet,
            "total_rows": self.parsed.total_rows,
            "valid_rows": self.valid_rows,
            "can_commit": self.can_commit,
            "counts": self.counts,
            "unknown_columns": self.parsed.unknown_columns,
            "absent_columns": self.absent_columns,
            "errors": [e.as_dict() for e in self.errors],
            "skipped_rows": [{"row": n, "text": text} for n, text in sorted(self.parsed.skipped.items())],
            "exported_on": self.parsed.exported_on.isoformat() if self.parsed.exported_on else None,
            "not_in_file": {"current_filings": len(self.absent.filings), "complete": self.complete,
                            "by_town": dict(self.absent.by_town(self.town_names))},
        }

    def _note(self, kind: str, row: int, label: str, fields: list[str] | None = None,
              values: Callable[[], list[tuple[str, str]]] | None = None) -> None:
        """Count a change, and keep it (with its values before and after) among the first SAMPLE."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        bucket = self.samples.setdefault(kind, [])
        if len(bucket) < SAMPLE:
            bucket.append(Change(row, kind, label, fields or [], values() if values else []))

    def shown_changes(self, fields: tuple[str, ...], old: tuple, new: tuple) -> list[tuple[str, str]]:
        """(before, after) as a clerk reads them, of each field that differs."""
        return [(self._shown(f, a), self._shown(f, b)) for f, a, b in zip(fields, old, new, strict=False) if a != b]

    def _shown(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return _("（空）")
        if name == "town_id":
            return self.town_names.get(value, "?")
        if name == "scale":
            return str(C.SIZE_LABELS.get(value, value))
        if name == "status":
            return str(C.STATUS_LABELS.get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value.isoformat() if isinstance(value, date) else str(value)

    def _note_all(self, kind: str, records: list[RosterRow], label: Callable[[RosterRow], str]) -> None:
        """_note() for each record, labelling only those the sample keeps."""
        self.counts[kind] = self.counts.get(kind, 0) + len(records)
        bucket = self.samples.setdefault(kind, [])
        bucket += [Change(r.row, kind, label(r)) for r in records[:max(SAMPLE - len(bucket), 0)]]


def build_preview(parsed: ParsedRoster, complete: bool = False, look_around: bool = True) -> Preview:
    """What committing these rows would add, change and end; reads the database only.
    complete: the file is the whole district's list of current filings, so that those it does
    not mention end; look_around: say what the file leaves out (roster_scope.py), which a push
    of a few rows through the API has no use for."""
    with gc_paused():
        preview = _build_preview(parsed, parsed.blank_keeps and not complete)
    if look_around and not preview.errors and parsed.total_rows:
        _plan_scope(preview, complete)
    return preview


def _plan_scope(preview: Preview, complete: bool) -> None:
    usccs = {record.uscc for record in preview.parsed.rows}
    in_file = {eid for uscc, eid in db.session.execute(select(Enterprise.uscc, Enterprise.id)) if uscc in usccs}
    preview.absent = scope.absent_filings(in_file, preview.parsed.exported_on)
    preview.newer_import = scope.newer_import_than(preview.parsed.exported_on)
    preview.complete = complete
    if complete:
        ended = scope.endings(preview.absent)
        preview._endings += ended
        names = {f[0]: (f[1], f[2]) for f in preview.absent.filings}
        for update_ in ended:
            enterprise, officer = names[update_["id"]]
            preview._note("filing_ended", 0, _("%(enterprise)s · %(officer)s（不在名册中）", enterprise=enterprise,
                                               officer=officer), ["status", "ended_on"])


def _build_preview(parsed: ParsedRoster, blank_keeps: bool) -> Preview:
    preview = Preview(parsed=parsed, errors=list(parsed.errors), blank_keeps=blank_keeps)
    for kind in ("enterprise_added", "enterprise_changed", "filing_added", "filing_changed", "filing_ended"):
        preview.counts[kind] = 0
    towns = dict(db.session.execute(select(func.trim(Town.name), Town.id).where(Town.is_active)).all())
    preview.town_names = dict(db.session.execute(select(Town.id, Town.name)).all())
    stored = _stored_enterprises()
    rows = parsed.rows
    unknown = [(number, town) for number, town in parsed.rejected_towns.items() if town not in towns]
    if not towns.keys() >= set(map(attrgetter("town"), rows)):
        rows = []
        for record in parsed.rows:
            if record.town not in towns:
                unknown.append((record.row, record.town))
            else:
                rows.append(record)
    if unknown:  # also on rows with other errors, so that one upload shows every problem
        column = parsed.headers.get("town", C.BY_KEY["town"].zh)  # as the file (or the API) names it
        preview.errors += [RowError(number, column, _("未知的镇街“%(town)s”：请在“镇街”页面添加，或改正这一行的镇街",
                                                  town=town)) for number, town in unknown]
        preview.errors.sort(key=lambda e: e.row)
    _plan_enterprises(preview, rows, towns, stored)
    _plan_filings(preview, rows, stored)
    return preview


def _absent(preview: Preview, fields: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Positions of the fields whose column the file does not have, where an existing record
    keeps what it holds (a roster without 学历 says nothing about anyone's education), and of
    the optional fields whose empty cell keeps it too (ParsedRoster.blank_keeps)."""
    present = preview.parsed.headers
    absent = [i for i, f in enumerate(fields) if FIELD_COLUMNS.get(f, f) in C.BY_KEY
              and FIELD_COLUMNS.get(f, f) not in present]
    blank = [i for i, f in enumerate(fields) if f in KEPT_WHEN_BLANK and i not in absent] \
        if preview.blank_keeps else []
    return absent, blank


def _kept(new: tuple, old: tuple, absent: tuple[list[int], list[int]], fields: tuple[str, ...]) -> tuple:
    """new, with old's values where the file has no column or leaves an optional cell empty
    (an industry's name only while its code stays: a new code with no name has none)."""
    missing, blank = absent
    if not missing and not blank:
        return new
    merged = list(new)
    for i in missing:
        merged[i] = old[i]
    for i in blank:
        if new[i] in ("", None) and old[i] not in ("", None):
            merged[i] = old[i]
    if "industry_name" in fields:
        code, name = fields.index("industry_code"), fields.index("industry_name")
        if merged[code] != old[code] and new[name] == "":
            merged[name] = ""
    return tuple(merged)


def _stored_enterprises() -> dict[str, tuple]:
    cols = [Enterprise.uscc, Enterprise.id, *(getattr(Enterprise, f) for f in ENTERPRISE_FIELDS)]
    return {r[0]: tuple(r[1:]) for r in db.session.execute(select(*cols))}


def _plan_enterprises(preview: Preview, rows: list[RosterRow], towns: dict, stored: dict) -> None:
    usccs = list(map(attrgetter("uscc"), rows))
    if len(set(usccs)) == len(usccs):  # each enterprise on one row: that row describes it
        latest = rows
    else:
        by_uscc: dict[str, RosterRow] = {}
        for record in rows:  # the current row describes the enterprise best, else the last one
            if record.status == "current" or record.uscc not in by_uscc or by_uscc[record.uscc].status != "current":
                by_uscc[record.uscc] = record
        latest = list(by_uscc.values())
    # (uscc, *ENTERPRISE_FIELDS) of each, every tuple built in C
    values = list(zip(*(map(attrgetter(f), latest) for f in ("uscc", *ENTERPRISE_ROW_FIELDS)),
                      map(towns.__getitem__, map(attrgetter("town"), latest)), strict=True))
    named = _("%(name)s（%(uscc)s）")  # 某某有限公司（9134…）, translated once for every row
    if stored.keys().isdisjoint(usccs):  # all new: no comparing to do
        preview._enterprise_inserts = values
        preview._note_all("enterprise_added", latest, lambda r: named % {"name": r.enterprise_name, "uscc": r.uscc})
        return
    absent = _absent(preview, ENTERPRISE_FIELDS)
    for record, row in zip(latest, values, strict=True):
        uscc, new = record.uscc, row[1:]
        if uscc not in stored:
            preview._enterprise_inserts.append(row)
            preview._note("enterprise_added", record.row, named % {"name": record.enterprise_name, "uscc": uscc})
            continue
        old = stored[uscc]
        new = _kept(new, old[1:], absent, ENTERPRISE_FIELDS)
        changed = [f for f, a, b in zip(ENTERPRISE_FIELDS, old[1:], new, strict=False) if a != b]
        if changed:
            preview._enterprise_updates.append({"id": old[0], **dict(zip(ENTERPRISE_FIELDS, new, strict=False))})
            preview._note("enterprise_changed", record.row, record.enterprise_name, changed,
                          partial(preview.shown_changes, ENTERPRISE_FIELDS, old[1:], new))


def _stored_filings(enterprise_ids: set[int]) -> list[tuple]:
    """(id, enterprise_id, *FILING_FIELDS, user_id) of the enterprises' filings."""
    cols = [Filing.id, Filing.enterprise_id, *(getattr(Filing, f) for f in FILING_FIELDS), Filing.user_id]
    return [tuple(r) for r in db.session.execute(select(*cols)) if r[1] in enterprise_ids]


# Positions in a stored filing's tuple (_stored_filings).
_VALUES = slice(2, 2 + len(FILING_FIELDS))
_AT = {name: 2 + i for i, name in enumerate(FILING_FIELDS)}
_OFFICER, _APPOINTED, _STATUS, _USER = _AT["officer_name"], _AT["appointed_on"], _AT["status"], _VALUES.stop
_MOBILE = _AT["mobile"]
_ENDED, _REASON = _AT["ended_on"], _AT["end_reason"]


def _plan_filings(preview: Preview, rows: list[RosterRow], stored: dict) -> None:
    enterprise_id = {uscc: values[0] for uscc, values in stored.items()}
    existing = _stored_filings(set(enterprise_id.values())) if enterprise_id else []
    if not existing:  # nothing to match, change or end: every row is a new filing
        preview._filing_inserts = list(rows)
        preview._note_all("filing_added", rows, lambda r: f"{r.enterprise_name} · {r.officer_name}")
        return
    errors = len(preview.errors)
    by_no = {f[2]: f for f in existing if f[2]}
    by_person = {(f[1], f[_OFFICER], f[_APPOINTED]): f for f in existing}
    current_of = {f[1]: f for f in existing if f[_STATUS] == "current"}
    uscc_of = {eid: uscc for uscc, eid in enterprise_id.items()}
    # Without a 状态 column a row says nothing of a stored filing's status: it keeps its own.
    status_sent = "status" in preview.parsed.headers
    settled: set[int] = set()  # current filings a row keeps in office or ends itself: no succession ends them
    matched: list[tuple[RosterRow, tuple | None, str]] = []
    for record in rows:
        eid = enterprise_id.get(record.uscc)
        old = by_no.get(record.filing_no) if record.filing_no else None
        if old is not None and old[1] != eid:
            _refuse(preview, record, "filing_no", _(
                "备案编号 %(no)s 是另一企业（统一社会信用代码 %(uscc)s）的备案，与本行的统一社会信用代码不符",
                no=record.filing_no, uscc=uscc_of[old[1]]))
            continue
        if old is None and eid is not None:
            old = by_person.get((eid, record.officer_name, record.appointed_on))
        status = record.status if status_sent or old is None else old[_STATUS]
        if old is not None and old[_STATUS] != "current" and status == "current":
            _refuse_reinstating(preview, record, old)
            continue
        if old is not None and record.officer_name != old[_OFFICER] and (
                old[_USER] is not None or record.mobile != old[_MOBILE]):
            _refuse_other_person(preview, record, old)
            continue
        if old is not None and old[_STATUS] == "current":
            settled.add(old[0])
        matched.append((record, old, status))
    _plan_matched(preview, matched, enterprise_id, current_of, settled)
    if len(preview.errors) != errors:  # rows the stored roster contradicts, among the file's own errors
        preview.errors.sort(key=lambda e: e.row)


def _plan_matched(preview: Preview, matched: list[tuple[RosterRow, tuple | None, str]], enterprise_id: dict,
                  current_of: dict, settled: set[int]) -> None:
    """Additions, changes and successions of the rows matched (or not) to stored filings."""
    absent = _absent(preview, FILING_FIELDS)
    for record, old, status in matched:
        eid = enterprise_id.get(record.uscc)
        predecessor = current_of.get(eid) if eid is not None and status == "current" else None
        if predecessor and predecessor[0] not in settled and predecessor[_APPOINTED] > record.appointed_on:
            _refuse(preview, record, "appointed_on", _(
                "聘任日期 %(new)s 早于该企业在任首席质量官 %(name)s 的聘任日期 %(old)s：旧的任职请标为“已变更”并填写离任日期",
                new=record.appointed_on.isoformat(), name=predecessor[_OFFICER], old=predecessor[_APPOINTED].isoformat()))
            continue
        values = filing_values(record)
        if old is None:
            preview._filing_inserts.append(record)
            preview._note("filing_added", record.row, f"{record.enterprise_name} · {record.officer_name}")
        else:
            values = _kept(values, old[_VALUES], absent, FILING_FIELDS)
            changed = [f for f, a, b in zip(FILING_FIELDS, old[_VALUES], values, strict=True) if a != b]
            if changed:
                kind = "filing_ended" if old[_STATUS] == "current" and status != "current" else "filing_changed"
                preview._filing_updates.append({"id": old[0], **dict(zip(FILING_FIELDS, values, strict=True))})
                preview._note(kind, record.row, f"{record.enterprise_name} · {record.officer_name}", changed,
                              partial(preview.shown_changes, FILING_FIELDS, old[_VALUES], values))
        if predecessor and predecessor[0] not in settled:
            preview._endings.append({"id": predecessor[0], "status": "replaced",
                                     "ended_on": record.appointed_on, "end_reason": "其他"})
            preview._note("filing_ended", record.row, _("%(enterprise)s · %(name)s（由 %(new)s 接任）",
                          enterprise=record.enterprise_name, name=predecessor[_OFFICER], new=record.officer_name),
                          ["status", "ended_on", "end_reason"],
                          partial(preview.shown_changes, ("status", "ended_on", "end_reason"),
                                  ("current", None, ""), ("replaced", record.appointed_on, "其他")))
            settled.add(predecessor[0])  # ended once, even if named again


def _refuse_reinstating(preview: Preview, record: RosterRow, old: tuple) -> None:
    """A row that says 在任 of a filing the platform has ended: most likely a file exported
    before the ending. Ended filings are history, never overwritten; a CQO appointed again is
    filed again, as a new filing."""
    exported = preview.parsed.exported_on
    if exported and old[_ENDED] and exported >= old[_ENDED]:  # not an old file: the registry lags behind
        why = _("这份名册 %(exported)s 导出，在结束之后：登记系统可能还没有办理这次变更，请先在登记系统中办理，"
                "或从文件中删去本行", exported=exported.isoformat())
    else:
        why = _("文件可能是在结束之前导出的，请使用最新导出的名册")
    _refuse(preview, record, "status", _(
        "%(name)s 的这份备案在平台上已于 %(day)s 结束（%(status)s，%(reason)s），本行却标为“在任”：%(why)s。"
        "若此人确已重新聘任，请写成一行新的备案（新的聘任日期，备案编号用新的或留空）",
        name=old[_OFFICER], day=old[_ENDED].isoformat() if old[_ENDED] else "?",
        status=C.STATUS_LABELS.get(old[_STATUS], old[_STATUS]), reason=old[_REASON] or _("未填写原因"), why=why))


def _refuse_other_person(preview: Preview, record: RosterRow, old: tuple) -> None:
    """A row that gives a stored filing's number to someone else: another name, and another
    mobile or a claimed account. A filing is one person's appointment, so the import would
    otherwise turn the predecessor into the successor and lose the predecessor's record. A
    changed name alone, on an unclaimed filing, is a correction and goes through."""
    why = (_("已由其账号认领") if old[_USER] is not None else _("手机号码也不同"))
    _refuse(preview, record, "officer_name", _(
        "备案编号 %(no)s 在平台上是 %(old)s 的备案（%(why)s），本行却是 %(new)s：导入不会把一份备案改成另一个人。"
        "接任者的一行请用新的备案编号或留空，导入会按其聘任日期结束 %(old)s 的备案",
        no=record.filing_no or "", old=old[_OFFICER], why=why, new=record.officer_name))


def _refuse(preview: Preview, record: RosterRow, key: str, message: str) -> None:
    """A row the stored roster contradicts: an error on it, as the file names the column."""
    preview.errors.append(RowError(record.row, preview.parsed.headers.get(key, C.BY_KEY[key].zh), message))


filing_values = attrgetter(*FILING_FIELDS)  # a record's values in the order of FILING_FIELDS
