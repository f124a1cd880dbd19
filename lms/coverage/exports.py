"""Spreadsheets for the bureau and the registry: the chase list, the training-status export and
the outbox. Every sheet is laid out by core.downloads.write_table and followed by a 说明 sheet
that says what the file is; the first sheet's header stays in row 1, as the registry reads it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import select

from lms.assessment.reports import best_scores, percent_cell
from lms.core.clock import end_of_local_day
from lms.core.downloads import (
    csv_text,
    filename_part,
    table_book,
    write_notes,
    write_table,
    xlsx_stream,
)
from lms.core.models import aware
from lms.coverage.chase import lapsed_certificates
from lms.coverage.reminders import is_mailing
from lms.coverage.service import (
    NO_INDUSTRY,
    certificates_in_force,
    filed_on,
    started_by,
    trained_on,
)
from lms.extensions import db
from lms.programs.models import Program
from lms.programs.service import hours_by_user
from lms.registry.columns import COLUMNS, EXPORT_EXTRA, STATUS_ZH
from lms.registry.industries import division_label
from lms.registry.models import Enterprise, Filing, Town

SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
LAPSED_ZH = {"expired": "证书已过期", "revoked": "证书已撤销"}
HEADER = [c.zh for c in COLUMNS] + list(EXPORT_EXTRA)


def lapse_kind(cert, as_of: date) -> str:
    """revoked or expired: why a certificate issued by as_of was not in force on it (revoked
    by the end of that day counts as revoked, even if it had also run out by then)."""
    if cert.status == "revoked" and (cert.revoked_at is None or aware(cert.revoked_at) < end_of_local_day(as_of)):
        return "revoked"
    return "expired"


LOOKUP_CHUNK = 5000  # ids per IN list: SQLite and PostgreSQL cap the parameters of a statement


def lapsed_by_user(program: Program, as_of: date, user_ids: set[int]) -> dict:
    """lapsed_certificates for however many officers a province's export holds."""
    ids = sorted(user_ids)
    found: dict = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        found.update(lapsed_certificates(program, as_of, set(ids[start:start + LOOKUP_CHUNK])))
    return found


def _form_cells(filing: Filing, ent: Enterprise, as_of: date) -> list:
    """The filing-form columns, the filing as it stood on as_of: one that ended later was
    still 在任 then, with no end date or reason yet."""
    ended = filing.ended_on is not None and filing.ended_on <= as_of
    return [filing.filing_no or "", ent.name, ent.uscc, ent.town.name, ent.industry_code, ent.industry_name,
            SIZE_ZH[ent.scale], "是" if ent.is_above_scale else "否", filing.officer_name, filing.gender,
            filing.id_number_masked, filing.education, filing.title, filing.position,
            filing.years_in_quality if filing.years_in_quality is not None else "", filing.mobile,
            filing.email, filing.appointed_on, filing.filed_on,
            STATUS_ZH[filing.status] if ended else STATUS_ZH["current"],
            filing.ended_on if ended else "", filing.end_reason if ended else ""]


class _Training(NamedTuple):
    """What status_rows knows of every officer, looked up once per export."""

    certs: dict  # user id: certificate in force on as_of
    lapsed: dict  # user id: the latest certificate of those not in force on as_of
    hours: dict
    best: dict  # user id: Percent of the best finished sitting


def _training(program: Program, as_of: date, untrained: set[int]) -> _Training:
    best = {}
    if program.exam_id:  # the best finished sitting, as a percentage: a bare 52 has no scale
        scores = best_scores(program.exam_id)
        best = {user_id: percent_cell(score, max_score) for user_id, score, max_score in
                db.session.execute(select(scores.c.user_id, scores.c.score, scores.c.max_score))}
    return _Training(certificates_in_force(program.id, as_of), lapsed_by_user(program, as_of, untrained),
                     hours_by_user(program), best)


def _training_cells(filing: Filing, as_of: date, is_trained: bool, has_started: bool, known: _Training) -> list:
    """培训状态 … 考试成绩. An appointment ended by as_of has no training status (its officer
    is no longer the enterprise's to train), but keeps the certificate they hold."""
    user_id = filing.user_id
    cert = known.certs.get(user_id) if user_id and is_trained else None
    lapsed = known.lapsed.get(user_id) if user_id and not is_trained else None
    hours = known.hours.get(user_id, 0) if user_id else 0
    if cert is not None:  # never fewer than the certificate states: staff issue one for hours
        hours = max(hours, cert.hours)  # studied elsewhere, which nothing here counts
    elif lapsed is not None and lapse_kind(lapsed, as_of) == "expired":
        hours = max(hours, lapsed.hours)  # earned, then run out; a revoked one's hours went with it
    if filing.ended_on is not None and filing.ended_on <= as_of:
        status = ""
    elif is_trained:
        status = "已培训"
    elif lapsed is not None:
        status = LAPSED_ZH[lapse_kind(lapsed, as_of)]
    else:
        status = "学习中" if user_id and has_started else "未开始"
    return [status, cert.serial if cert else "", cert.issued_on if cert else "", cert.expires_on if cert else "",
            hours, known.best.get(user_id, "") if user_id else ""]


def status_rows(program: Program, as_of: date, history: bool = False):
    """One row per filing current on as_of, in the filing-form layout plus training status;
    with history, every filing appointed by then, ended ones too (so every current row is in
    it), each enterprise's oldest first. Every column describes the filing on as_of. The
    certificate columns name the certificate that makes a row trained on as_of, and are blank
    on the others; dates are dates and the score a Percent (write_table and csv_cell show them)."""
    trained = trained_on(program.id, as_of)
    started = started_by(as_of)
    # The appointment date, not the filing date, as filed_on and the dashboard count: a filing
    # filed after as_of for an appointment before it is current on as_of.
    query = (select(Filing, Enterprise, trained.label("trained"), started.label("started"))
             .join(Enterprise, Enterprise.id == Filing.enterprise_id)
             .where(Filing.appointed_on <= as_of if history else filed_on(as_of))
             .order_by(Enterprise.name, Enterprise.id, Filing.appointed_on, Filing.id))
    rows = db.session.execute(query).all()
    known = _training(program, as_of, {f.user_id for f, _e, is_trained, _s in rows if f.user_id and not is_trained})
    for filing, ent, is_trained, has_started in rows:
        yield _form_cells(filing, ent, as_of) + _training_cells(filing, as_of, is_trained, has_started, known)


def _generated() -> tuple[str, datetime]:
    return ("生成时间", datetime.now(UTC))  # write_table shows it in the bureau's time


def status_xlsx(program: Program, as_of: date, history: bool = False) -> io.BytesIO:
    book = table_book()
    filings = write_table(book.create_sheet("培训情况"), HEADER, status_rows(program, as_of, history))
    write_notes(book, [
        ("文件", "首席质量官培训情况" + ("（含已结束的备案）" if history else "（统计日期在任的备案）")),
        ("培训计划", program.name), ("统计日期", as_of), ("备案数", filings),
        ("口径", "各列均为统计日期当天的情况：状态、离任日期按当天计，培训状态和证书按当天有效的证书计"),
        _generated()])
    return xlsx_stream(book)


def status_csv(program: Program, as_of: date, history: bool = False) -> str:
    return csv_text(HEADER, status_rows(program, as_of, history))


class ChaseFilter(NamedTuple):
    heading: str  # 所在镇街
    text: str  # as the 说明 sheet states it: C14 食品制造业
    short: str  # as the file name carries it: C14


CHASE_SCALES = {"above": "规上企业", "sme": "中小企业"}
CHASE_STATUS_ZH = {"unclaimed": "未认领", "not_started": "未开始", "in_progress": "学习中", "lapsed": "证书失效"}


def chase_filters(town_id: int | None, industry: str, scale: str, status: str) -> list[ChaseFilter]:
    """The filters chase_query applies, in words; those it ignores (an unknown scale) are left out."""
    filters = []
    if town_id:
        town = db.session.get(Town, town_id)
        name = town.name if town else f"#{town_id}"
        filters.append(ChaseFilter("所在镇街", name, name))
    if industry == NO_INDUSTRY:
        filters.append(ChaseFilter("行业", "未填行业代码", "未填行业代码"))
    elif industry:
        filters.append(ChaseFilter("行业", division_label(industry.upper()), industry.upper()))
    if scale in CHASE_SCALES:
        filters.append(ChaseFilter("企业类型", CHASE_SCALES[scale], CHASE_SCALES[scale]))
    if status in CHASE_STATUS_ZH:
        filters.append(ChaseFilter("培训状态", CHASE_STATUS_ZH[status], CHASE_STATUS_ZH[status]))
    return filters


def chase_filename(as_of: date, filters: Sequence[ChaseFilter]) -> str:
    """chase-2026-12-04-相南街道-C14.xlsx: two lists of different towns are two names."""
    return "-".join(["chase", as_of.isoformat(), *filter(None, (filename_part(f.short) for f in filters))]) + ".xlsx"


CHASE_HEADER = ["首席质量官姓名", "企业名称", "所在镇街", "企业规模", "行业代码", "行业名称", "手机号码", "电子邮箱",
                "账号", "培训状态", "原有证书"]


def chase_xlsx(query, program: Program, as_of: date, filters: Sequence[ChaseFilter] = ()) -> io.BytesIO:
    """The chase list (chase_query) with what it takes to reach each officer, and a 说明 sheet
    naming the programme, the date and the filters."""
    rows = db.session.execute(query.add_columns(Enterprise.scale.label("size"), Enterprise.industry_name,
                                                Filing.email)).all()
    lapsed = lapsed_by_user(program, as_of, {r.user_id for r in rows if r.user_id})
    book = table_book()
    write_table(book.create_sheet("待培训"), CHASE_HEADER, (
        [row.officer_name, row.name, row.town, SIZE_ZH.get(row.size, ""), row.industry_code, row.industry_name,
         row.mobile, row.email, "已认领" if row.claimed else "未认领", "学习中" if row.started else "未开始",
         lapsed_text(lapsed[row.user_id], as_of) if row.user_id in lapsed else ""] for row in rows))
    write_notes(book, [("文件", "待培训名单（统计日期在任、尚未取得有效证书的首席质量官）"), ("培训计划", program.name),
                       ("统计日期", as_of),
                       ("筛选条件", "；".join(f"{f.heading}：{f.text}" for f in filters) or "无（全部）"),
                       ("人数", len(rows)), _generated()])
    return xlsx_stream(book)


def lapsed_text(cert, as_of: date) -> str:
    """证书 CQO-… 已于 2026-10-01 过期 / 已被撤销: why an officer once trained is on the list."""
    if lapse_kind(cert, as_of) == "revoked":
        return f"{cert.serial} 已被撤销"
    return f"{cert.serial} 已于 {cert.expires_on.isoformat()} 过期"


# OutboxMessage.state, as the page names them (the sheet is in Chinese whatever the page's language)
OUTBOX_STATUS_ZH = {"to_pass_on": "待转达", "queued": "待发送", "sent": "已发送", "handed": "已转达", "failed": "发送失败",
                    "superseded": "已作废（已换成新提醒）"}


def outbox_xlsx(messages) -> io.BytesIO:
    """The outbox as the page lists it, times in the bureau's zone as the page shows them."""
    mailing = is_mailing()
    book = table_book()
    rows = [[m.created_at, m.to_name, m.to_mobile, m.to_email, m.subject, m.body,
             OUTBOX_STATUS_ZH.get(m.state(mailing), m.status)] for m in messages]
    write_table(book.create_sheet("发件箱"), ["时间", "姓名", "手机号码", "电子邮箱", "标题", "内容", "状态"], rows)
    write_notes(book, [("文件", "提醒发件箱"), ("条数", len(rows)), _generated()])
    return xlsx_stream(book)
