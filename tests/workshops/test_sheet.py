"""The printed sign-in sheet: seats by town and enterprise, blank rows for walk-ins, the
waitlist apart and in its order."""

from datetime import timedelta

import pypdfium2 as pdfium

from lms.extensions import db
from lms.workshops import service
from tests.workshops.helpers import BEFORE, START, make_workshop


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _towns(factory):
    """Two towns, the bureau listing 南街道 first."""
    south, north = factory.town("南街道"), factory.town("北街道")
    south.sort_order, north.sort_order = 1, 2
    db.session.commit()
    return north, south


def _officer(factory, name: str, town, enterprise: str):
    user = factory.user("officer", name=name)
    factory.filing(factory.enterprise(town=town, name=enterprise, industry_code="C1391"), user_id=user.id)
    return user


def test_the_sheet_lists_seats_by_town_and_enterprise_then_blank_rows_then_the_waitlist(as_staff, factory):
    north, south = _towns(factory)
    workshop = make_workshop(capacity=3)
    people = [_officer(factory, "赵一", south, "二厂"), _officer(factory, "钱二", north, "一厂"),
              _officer(factory, "孙三", south, "一厂"), _officer(factory, "李四", north, "二厂"),
              _officer(factory, "周五", north, "一厂")]
    for minute, person in enumerate(people):
        service.enrol(workshop, person.id, BEFORE + timedelta(minutes=minute))
    text = _text(as_staff.get(f"/staff/workshops/{workshop.id}/signin.pdf").data)
    seats, waitlist = text.split("候补名单（按报名先后")
    assert seats.index("孙三") < seats.index("赵一") < seats.index("钱二")  # 南街道 一厂, 二厂; 北街道 一厂
    assert "应到 3 人" in seats and "现场登记 ____ 人" in seats
    assert "\r\n4\r\n5\r\n6\r\n7\r\n8\r\n应到" in seats  # five numbered blank rows after the three seats
    assert waitlist.index("李四") < waitlist.index("周五") and "李四" not in seats  # the line's order


def test_the_roster_and_the_attendance_list_use_the_same_order(as_staff, factory):
    import io

    from openpyxl import load_workbook

    north, south = _towns(factory)
    workshop = make_workshop(capacity=5)
    for name, town, enterprise in (("赵一", south, "二厂"), ("钱二", north, "一厂"), ("孙三", south, "一厂")):
        service.enrol(workshop, _officer(factory, name, town, enterprise).id, BEFORE)
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert page.index("孙三") < page.index("赵一") < page.index("钱二")
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/workshops/{workshop.id}/attendance.xlsx").data)).active
    assert [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["孙三", "赵一", "钱二"]


def test_a_session_past_midnight_prints_the_day_it_ends(as_staff):
    workshop = make_workshop(starts_at=START + timedelta(hours=12), ends_at=START + timedelta(hours=16))
    text = _text(as_staff.get(f"/staff/workshops/{workshop.id}/signin.pdf").data)
    assert "2026-09-15 21:00–2026-09-16 01:00" in text
