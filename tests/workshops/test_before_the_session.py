"""Staff pages of a session that has not started: what opens when is said up front, and
closing attendance waits for the session."""

import re
from datetime import UTC, datetime, timedelta

from lms.extensions import db
from lms.workshops import checkin, service
from lms.workshops.models import ENROLLED
from lms.workshops.notices import local_text
from tests.workshops.helpers import make_workshop, officer


def _in(**delta) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(**delta)
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


def test_closing_attendance_is_not_offered_before_the_session(as_staff):
    workshop = make_workshop(**_in(days=14))
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f'/staff/workshops/{workshop.id}/close"' not in page
    assert f"培训班开始（{local_text(workshop.starts_at)}）后才能结束签到。" in page


def test_closing_attendance_is_offered_once_the_session_has_started(as_staff):
    workshop = make_workshop(**_in(minutes=-10))
    page = as_staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f'/staff/workshops/{workshop.id}/close"' in page and "后才能结束签到" not in page


def test_closing_attendance_early_is_refused_and_says_when_it_can_be(as_staff, factory):
    workshop = make_workshop(**_in(days=14))
    seat = service.enrol(workshop, officer(factory).id)
    response = as_staff.post(f"/staff/workshops/{workshop.id}/close", follow_redirects=True)
    assert f"培训班尚未开始，不能结束签到：{local_text(workshop.starts_at)} 开始后才能结束。" in \
        response.get_data(as_text=True)
    db.session.refresh(seat)
    db.session.refresh(workshop)
    assert seat.status == ENROLLED and workshop.attendance_closed_at is None  # nobody marked absent


def test_the_room_screen_says_when_self_check_in_opens_instead_of_a_code(as_staff):
    workshop = make_workshop(**_in(days=14))
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    opens = local_text(workshop.starts_at - checkin.SELF_CHECKIN_EARLY)
    assert f"现场自助签到将于 {opens} 开放" in page
    assert checkin.session_code(workshop) not in page and "screen-qr" not in page


def test_the_room_screen_left_open_reloads_when_self_check_in_opens(as_staff):
    workshop = make_workshop(**_in(minutes=30, seconds=20))  # the window opens in about 20 s
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    (seconds,) = re.findall(r'<meta http-equiv="refresh" content="(\d+)">', page)
    assert 1 <= int(seconds) <= 21 and "现场自助签到将于" in page


def test_the_room_screen_shows_the_code_once_self_check_in_is_open(as_staff):
    workshop = make_workshop(**_in(minutes=20))
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    assert checkin.session_code(workshop) in page and "现场自助签到将于" not in page


def test_the_room_screen_says_when_self_check_in_opens_in_english(as_staff):
    workshop = make_workshop(**_in(days=14))
    as_staff.get("/lang/en")
    page = as_staff.get(f"/staff/workshops/{workshop.id}/screen").get_data(as_text=True)
    opens = local_text(workshop.starts_at - checkin.SELF_CHECKIN_EARLY)
    assert f"Self check-in opens at {opens}" in page


def test_the_scan_page_says_when_scanning_opens_before_a_code_is_tried(as_staff):
    workshop = make_workshop(**_in(days=14))
    page = as_staff.get(f"/staff/workshops/{workshop.id}/scan").get_data(as_text=True)
    opens = local_text(workshop.starts_at - checkin.STAFF_CHECKIN_EARLY)
    assert f"签到将于 {opens} 开放（开始前 60 分钟）" in page


def test_the_scan_page_says_nothing_of_opening_once_scanning_is_open(as_staff):
    workshop = make_workshop(**_in(minutes=50))
    page = as_staff.get(f"/staff/workshops/{workshop.id}/scan").get_data(as_text=True)
    assert "签到将于" not in page
