"""Paper and spreadsheet records of a workshop: the sign-in sheet and the attendance list."""

from __future__ import annotations

import io
from typing import NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.pdf import REGULAR, _fonts
from lms.core.downloads import table_book, write_table, xlsx_stream
from lms.core.models import aware
from lms.registry.identifiers import mask_mobile
from lms.workshops.models import (
    ATTENDED,
    ENROLLED,
    HOLDS_SEAT,
    NO_SHOW,
    WAITLISTED,
    Enrollment,
    Workshop,
)
from lms.workshops.notices import local_text, when_text

STATUS_LABELS = {"enrolled": "已报名", "waitlisted": "候补", "withdrawn": "已取消",
                 "attended": "已签到", "no_show": "缺席"}
CHECKIN_METHODS = {"staff": "工作人员扫码", "self": "现场自助", "manual": "工作人员手工", "walk_in": "现场登记（未报名）"}
BLANK_ROWS = 5  # on the sheet, for those who come without enrolling


class Officer(NamedTuple):
    """What the roster shows of an officer, from their current filing."""

    enterprise: str = ""
    uscc: str = ""
    town: str = ""
    mobile: str = ""
    town_order: int = 0  # the bureau's order of towns (Town.sort_order), as its lists follow


class Attendee(NamedTuple):
    enrollment: Enrollment
    name: str
    enterprise: str
    uscc: str
    town: str
    mobile: str
    filing_ended: bool
    town_order: int = 0  # holds no seat (see service._holds_seat); the roster says why

    @property
    def holds_seat(self) -> bool:
        status = self.enrollment.status
        return status in (ATTENDED, NO_SHOW) or (status == ENROLLED and not self.filing_ended)


def attendance_rows(workshop: Workshop, officers: dict[int, Officer],
                    filing_ended: set[int] = frozenset()) -> list[Attendee]:
    """Everyone with a seat, by town (in the bureau's order), enterprise and name: colleagues
    together, as they arrive and sign; then those whose filing has ended, who hold none; then the
    waitlist, in its order."""
    rows = []
    for enrollment in workshop.enrollments:  # in line order
        if enrollment.status in HOLDS_SEAT or enrollment.status == WAITLISTED:
            officer = officers.get(enrollment.user_id, Officer())
            rows.append(Attendee(enrollment, enrollment.user.name, officer.enterprise, officer.uscc, officer.town,
                                 officer.mobile or enrollment.user.phone or "", enrollment.user_id in filing_ended,
                                 officer.town_order))

    def place(row: Attendee):
        if row.enrollment.status == WAITLISTED:
            return (2,)  # a stable sort keeps the line's order
        return (0 if row.holds_seat else 1, row.town_order, row.town, row.enterprise, row.name)

    return sorted(rows, key=place)


def _method(workshop: Workshop, e: Enrollment) -> str:
    method = CHECKIN_METHODS.get(e.checked_in_by, "")
    keyed_in_later = e.checked_in_at and aware(e.checked_in_at) > aware(workshop.ends_at)  # from the paper sheet
    return f"{method}（会后补录）" if keyed_in_later else method


def status_text(row: Attendee) -> str:
    e = row.enrollment
    if row.filing_ended and e.status == ENROLLED:
        return "已报名（备案已结束，不占名额）"
    if row.filing_ended and e.status == WAITLISTED:
        return "候补（备案已结束，不递补）"
    return STATUS_LABELS[e.status]


def attendance_xlsx(workshop: Workshop, rows: list[Attendee]) -> io.BytesIO:
    book = table_book()
    header = ["序号", "姓名", "企业名称", "统一社会信用代码", "所在镇街", "手机号码", "状态", "签到时间", "签到方式", "认定学时"]
    write_table(book.create_sheet("签到记录"), header,
                ([number, row.name, row.enterprise, row.uscc, row.town, row.mobile, status_text(row),
                  row.enrollment.checked_in_at or "", _method(workshop, row.enrollment), row.enrollment.hours_credited or 0]
                 for number, row in enumerate(rows, 1)),  # write_table shows the check-in in the bureau's time
                above=[[workshop.title, when_text(workshop), workshop.venue, f"学时 {workshop.hours:g}"]])
    return xlsx_stream(book)


def _sheet_table(rows: list[list]) -> Table:
    table = Table(rows, colWidths=[12 * mm, 24 * mm, 66 * mm, 28 * mm, 20 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
        ("TOPPADDING", (0, 1), (-1, -1), 7), ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
    ]))
    return table


def _sheet_rows(attendees: list[Attendee], style: ParagraphStyle, first: int = 1) -> list[list]:
    return [[str(number), Paragraph(escape(a.name), style), Paragraph(escape(a.enterprise), style),
             mask_mobile(a.mobile), local_text(a.enrollment.checked_in_at)[11:] if a.enrollment.checked_in_at else "", ""]
            for number, a in enumerate(attendees, first)]


def signin_sheet_pdf(workshop: Workshop, attendees: list[Attendee], bureau: str) -> bytes:
    """A4 sign-in sheet for the paper record: one row per seat (by town and enterprise), blank
    rows for those who come without enrolling, and the waitlist apart, in its order."""
    _fonts()
    style = ParagraphStyle("s", fontName=REGULAR, fontSize=9, leading=12)
    title = ParagraphStyle("t", fontName=REGULAR, fontSize=16, leading=22, alignment=1)
    stream = io.BytesIO()
    doc = SimpleDocTemplate(stream, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=f"{workshop.title} 签到表")
    header = ["序号", "姓名", "企业", "手机", "签到时间", "本人签名"]
    seated = [a for a in attendees if a.holds_seat]
    waiting = [a for a in attendees if a.enrollment.status == WAITLISTED and not a.filing_ended]
    rows = [header, *_sheet_rows(seated, style)]
    rows += [[str(n), "", "", "", "", ""] for n in range(len(seated) + 1, len(seated) + BLANK_ROWS + 1)]
    # The paper record is in Chinese whatever the staff member's interface language.
    # Paragraphs read markup: every text a person typed is escaped ("A&B" stays A&B, <font> is text).
    details = (f"时间：{when_text(workshop)}　地点：{escape(workshop.venue)}　"
               f"授课人：{escape(workshop.trainer or '—')}　认定学时：{workshop.hours:g}")
    story = [Paragraph(f"{escape(workshop.title)} 签到表", title), Paragraph(escape(bureau), ParagraphStyle(
        "b", parent=style, alignment=1)), Spacer(1, 4 * mm), Paragraph(details, style), Spacer(1, 4 * mm),
        _sheet_table(rows), Spacer(1, 6 * mm),
        Paragraph(f"应到 {len(seated)} 人　实到 ____ 人　现场登记 ____ 人　记录人：________", style)]
    if waiting:
        story += [Spacer(1, 6 * mm), Paragraph("候补名单（按报名先后，有空位时依次入座）", style), Spacer(1, 2 * mm),
                  _sheet_table([header, *_sheet_rows(waiting, style)])]
    doc.build(story)
    return stream.getvalue()


def officer_details(user_ids: list[int]) -> dict[int, Officer]:
    """Per user: enterprise, USCC, town and mobile from their current filing, one query."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.registry.models import Enterprise, Filing, Town

    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Filing.user_id, Enterprise.name, Enterprise.uscc, Town.name, Filing.mobile, Town.sort_order)
        .join(Enterprise, Enterprise.id == Filing.enterprise_id).join(Town, Town.id == Enterprise.town_id)
        .where(Filing.user_id.in_(user_ids), Filing.status == "current"))
    return {uid: Officer(*values) for uid, *values in rows}

