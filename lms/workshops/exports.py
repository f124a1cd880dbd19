"""Paper and spreadsheet records of a workshop: the sign-in sheet and the attendance list."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.pdf import REGULAR, _fonts
from lms.core.downloads import xlsx_stream
from lms.registry.identifiers import mask_mobile
from lms.workshops.models import HOLDS_SEAT, WAITLISTED, Workshop
from lms.workshops.service import local_text

STATUS_LABELS = {"enrolled": "已报名", "waitlisted": "候补", "withdrawn": "已取消",
                 "attended": "已签到", "no_show": "缺席"}
CHECKIN_METHODS = {"staff": "工作人员扫码", "self": "现场自助", "manual": "工作人员手工"}


def attendance_rows(workshop: Workshop, officers: dict[int, tuple[str, str, str, str]]):
    """(enrollment, name, enterprise, uscc, town, mobile) for everyone with a seat, then the waitlist."""
    order = [e for e in workshop.enrollments if e.status in HOLDS_SEAT] + [
        e for e in workshop.enrollments if e.status == WAITLISTED]
    for enrollment in order:
        enterprise, uscc, town, mobile = officers.get(enrollment.user_id, ("", "", "", ""))
        yield enrollment, enrollment.user.name, enterprise, uscc, town, mobile or enrollment.user.phone or ""


def attendance_xlsx(workshop: Workshop, officers) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "签到记录"
    sheet.append([workshop.title, local_text(workshop.starts_at), workshop.venue, f"学时 {workshop.hours:g}"])
    sheet.append(["序号", "姓名", "企业名称", "统一社会信用代码", "所在镇街", "手机号码", "状态", "签到时间",
                  "签到方式", "认定学时"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, (e, name, enterprise, uscc, town, mobile) in enumerate(attendance_rows(workshop, officers), 1):
        sheet.append([number, name, enterprise, uscc, town, mobile, STATUS_LABELS[e.status],
                      local_text(e.checked_in_at) if e.checked_in_at else "",
                      CHECKIN_METHODS.get(e.checked_in_by, ""), e.hours_credited or 0])
    for column, width in zip("ABCDEFGHIJ", (6, 12, 34, 22, 14, 14, 10, 18, 14, 10), strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx_stream(book)


def signin_sheet_pdf(workshop: Workshop, officers, bureau: str) -> bytes:
    """A4 sign-in sheet for the paper record: one row per seat, a column to sign in."""
    _fonts()
    style = ParagraphStyle("s", fontName=REGULAR, fontSize=9, leading=12)
    title = ParagraphStyle("t", fontName=REGULAR, fontSize=16, leading=22, alignment=1)
    stream = io.BytesIO()
    doc = SimpleDocTemplate(stream, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=f"{workshop.title} 签到表")
    rows = [["序号", "姓名", "企业", "手机", "签到时间", "本人签名"]]
    for number, (e, name, enterprise, _uscc, _town, mobile) in enumerate(
            (r for r in attendance_rows(workshop, officers) if r[0].status in HOLDS_SEAT), 1):
        rows.append([str(number), Paragraph(escape(name), style), Paragraph(escape(enterprise), style), mask_mobile(mobile),
                     local_text(e.checked_in_at)[11:] if e.checked_in_at else "", ""])
    table = Table(rows, colWidths=[12 * mm, 24 * mm, 66 * mm, 28 * mm, 20 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
        ("TOPPADDING", (0, 1), (-1, -1), 7), ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
    ]))
    # The paper record is in Chinese whatever the staff member's interface language.
    # Paragraphs read markup: every text a person typed is escaped ("A&B" stays A&B, <font> is text).
    details = (f"时间：{local_text(workshop.starts_at)} – {local_text(workshop.ends_at)[11:]}　"
               f"地点：{escape(workshop.venue)}　授课人：{escape(workshop.trainer or '—')}　认定学时：{workshop.hours:g}")
    doc.build([Paragraph(f"{escape(workshop.title)} 签到表", title), Paragraph(escape(bureau), ParagraphStyle(
        "b", parent=style, alignment=1)), Spacer(1, 4 * mm), Paragraph(details, style), Spacer(1, 4 * mm), table,
        Spacer(1, 6 * mm), Paragraph(f"应到 {len(rows) - 1} 人　实到 ____ 人　记录人：________", style)])
    return stream.getvalue()


def officer_details(user_ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """Per user: (enterprise, USCC, town, mobile) from their current filing, one query."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.registry.models import Enterprise, Filing, Town

    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Filing.user_id, Enterprise.name, Enterprise.uscc, Town.name, Filing.mobile)
        .join(Enterprise, Enterprise.id == Filing.enterprise_id).join(Town, Town.id == Enterprise.town_id)
        .where(Filing.user_id.in_(user_ids), Filing.status == "current"))
    return {uid: (ent, uscc, town, mobile) for uid, ent, uscc, town, mobile in rows}

