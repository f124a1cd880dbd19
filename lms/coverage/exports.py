"""Spreadsheets for the bureau and the registry: the chase list and the training-status export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from lms.assessment.reports import best_scores, percent_text
from lms.core.downloads import csv_text, xlsx_stream
from lms.coverage.service import (
    certificates_in_force,
    filed_on,
    lapsed_certificates,
    started_by,
    trained_on,
)
from lms.extensions import db
from lms.programs.models import Program
from lms.programs.service import hours_by_user
from lms.registry.columns import COLUMNS, EXPORT_EXTRA, STATUS_ZH
from lms.registry.models import Enterprise, Filing

SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def status_rows(program: Program, as_of: date, history: bool = False):
    """One row per filing current on as_of, in the filing-form layout plus training status;
    with history, every filing appointed by then, ended ones too (so every current row is in
    it), each enterprise's oldest first. The certificate columns name the certificate that
    makes a row trained on as_of, and are blank on the others."""
    trained = trained_on(program.id, as_of)
    started = started_by(as_of)
    # The appointment date, not the filing date, as filed_on and the dashboard count: a filing
    # filed after as_of for an appointment before it is current on as_of.
    query = (select(Filing, Enterprise, trained.label("trained"), started.label("started"))
             .join(Enterprise, Enterprise.id == Filing.enterprise_id)
             .where(Filing.appointed_on <= as_of if history else filed_on(as_of))
             .order_by(Enterprise.name, Enterprise.id, Filing.appointed_on, Filing.id))
    certs = certificates_in_force(program.id, as_of)
    best = {}
    if program.exam_id:  # the best finished sitting, as a percentage: a bare 52 has no scale
        scores = best_scores(program.exam_id)
        best = {user_id: percent_text(score, max_score) for user_id, score, max_score in
                db.session.execute(select(scores.c.user_id, scores.c.score, scores.c.max_score))}
    hours = hours_by_user(program)
    for filing, ent, is_trained, has_started in db.session.execute(query):
        cert = certs.get(filing.user_id) if filing.user_id and is_trained else None
        status = "已培训" if is_trained else ("学习中" if filing.user_id and has_started else "未开始")
        hours_credited = hours.get(filing.user_id, 0) if filing.user_id else 0
        if cert is not None:  # never fewer than the certificate states: staff issue one for hours
            hours_credited = max(hours_credited, cert.hours)  # studied elsewhere, which nothing here counts
        form = [filing.filing_no or "", ent.name, ent.uscc, ent.town.name, ent.industry_code, ent.industry_name,
                SIZE_ZH[ent.scale], "是" if ent.is_above_scale else "否", filing.officer_name, filing.gender,
                filing.id_number_masked, filing.education, filing.title, filing.position,
                filing.years_in_quality if filing.years_in_quality is not None else "", filing.mobile,
                filing.email, filing.appointed_on.isoformat(), filing.filed_on.isoformat(),
                STATUS_ZH[filing.status], filing.ended_on.isoformat() if filing.ended_on else "", filing.end_reason]
        extra = [status, cert.serial if cert else "", cert.issued_on.isoformat() if cert else "",
                 cert.expires_on.isoformat() if cert else "", hours_credited,
                 best.get(filing.user_id, "") if filing.user_id else ""]
        yield form + extra


HEADER = [c.zh for c in COLUMNS] + list(EXPORT_EXTRA)


def status_xlsx(program: Program, as_of: date, history: bool = False) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "培训情况"
    sheet.append(HEADER)
    for row in status_rows(program, as_of, history):
        sheet.append(row)
    return xlsx_stream(book)


def status_csv(program: Program, as_of: date, history: bool = False) -> str:
    return csv_text(HEADER, status_rows(program, as_of, history))


def chase_xlsx(rows: list, program: Program, as_of: date) -> io.BytesIO:
    lapsed = lapsed_certificates(program, as_of, {r.user_id for r in rows if r.user_id})
    book = Workbook()
    sheet = book.active
    sheet.title = "待培训"
    sheet.append(["首席质量官姓名", "企业名称", "所在镇街", "行业代码", "手机号码", "账号", "培训状态", "原有证书"])
    for row in rows:
        cert = lapsed.get(row.user_id)
        sheet.append([row.officer_name, row.name, row.town, row.industry_code, row.mobile,
                      "已认领" if row.user_id else "未认领", "学习中" if row.started else "未开始",
                      lapsed_text(cert, as_of) if cert else ""])
    return xlsx_stream(book)


def lapsed_text(cert, as_of: date) -> str:
    """证书 CQO-… 已于 2026-10-01 过期 / 已被撤销: why an officer once trained is on the list."""
    if cert.status_on(as_of) == "revoked":
        return f"{cert.serial} 已被撤销"
    return f"{cert.serial} 已于 {cert.expires_on.isoformat()} 过期"


def outbox_xlsx(messages) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "发件箱"
    sheet.append(["时间", "姓名", "手机号码", "电子邮箱", "标题", "内容", "状态"])
    for m in messages:
        sheet.append([m.created_at.strftime("%Y-%m-%d %H:%M"), m.to_name, m.to_mobile, m.to_email,
                      m.subject, m.body, {"queued": "待发送", "sent": "已发送", "failed": "发送失败"}[m.status]])
    return xlsx_stream(book)
