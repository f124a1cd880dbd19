"""Check-in windows, codes, hours credited once, no-shows, and hours toward the program."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.programs.models import Program
from lms.programs.service import standing
from lms.workshops import checkin, service
from lms.workshops.models import ATTENDED, NO_SHOW, WAITLISTED
from tests.workshops.helpers import BEFORE, START, make_workshop, officer

DURING = START + timedelta(minutes=20)


def test_staff_check_in_credits_the_hours_once(app, factory):
    workshop = make_workshop(hours=3.0)
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    enrollment, done = checkin.check_in_by_code(workshop, seat.checkin_code, DURING)
    assert done and enrollment.status == ATTENDED and enrollment.hours_credited == 3.0
    again, done_again = checkin.check_in_by_code(workshop, seat.checkin_code.lower(), DURING)
    assert not done_again and again.hours_credited == 3.0
    assert checkin.attended_hours(seat.user_id) == 3.0


def test_scanned_url_or_typed_code_both_work(app, factory):
    workshop = make_workshop()
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    url = f"http://localhost/staff/workshops/scan?code={seat.checkin_code}"
    assert checkin.check_in_by_code(workshop, url, DURING)[1]


@pytest.mark.parametrize(("moment", "message"), [
    (START - timedelta(hours=2), "尚未开始"),
    (START + timedelta(hours=3, days=30, minutes=1), "结束已超过 30 天，不能再补录签到"),
])
def test_staff_check_in_opens_an_hour_before_and_closes_30_days_after_the_end(app, factory, moment, message):
    workshop = make_workshop()
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    with pytest.raises(service.WorkshopError, match=message):
        checkin.check_in_by_code(workshop, seat.checkin_code, moment)
    assert checkin.check_in_by_code(workshop, seat.checkin_code, START - timedelta(minutes=50))[1]


def test_a_code_of_another_workshop_or_a_waitlisted_officer_is_refused(app, factory):
    workshop, other = make_workshop(capacity=1), make_workshop()
    service.enrol(workshop, officer(factory).id, BEFORE)
    waiting = service.enrol(workshop, officer(factory).id, BEFORE)
    elsewhere = service.enrol(other, officer(factory).id, BEFORE)
    assert waiting.status == WAITLISTED
    with pytest.raises(service.WorkshopError, match="候补"):
        checkin.check_in_by_code(workshop, waiting.checkin_code, DURING)
    with pytest.raises(service.WorkshopError, match=r"这是另一场培训的签到码：HACCP 体系建立实务（2026-09-15 09:00–12:00）"):
        checkin.check_in_by_code(workshop, elsewhere.checkin_code, DURING)
    with pytest.raises(service.WorkshopError, match="无效"):
        checkin.check_in_by_code(workshop, "NOSUCHCODE", DURING)


def test_self_check_in_needs_the_current_screen_code_and_the_window(app, factory):
    workshop = make_workshop()
    user = officer(factory)
    service.enrol(workshop, user.id, BEFORE)
    with pytest.raises(service.WorkshopError, match="不正确"):
        checkin.self_check_in(workshop, user.id, "000000" if checkin.session_code(workshop, DURING) != "000000"
                              else "111111", DURING)
    stale = checkin.session_code(workshop, DURING - timedelta(minutes=25))
    with pytest.raises(service.WorkshopError, match="不正确"):
        checkin.self_check_in(workshop, user.id, stale, DURING)
    early = START - timedelta(minutes=40)
    with pytest.raises(service.WorkshopError, match="尚未开始"):
        checkin.self_check_in(workshop, user.id, checkin.session_code(workshop, early), early)
    with pytest.raises(service.WorkshopError, match="不正确"):
        checkin.self_check_in(workshop, user.id, "１２３é５６", DURING)  # not a 500
    full_width = checkin.session_code(workshop, DURING).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert checkin.self_check_in(workshop, user.id, full_width, DURING)  # as a Chinese input method types it
    assert checkin.attended_hours(user.id) == workshop.hours


def test_self_check_in_refuses_an_officer_who_did_not_enrol(app, factory):
    workshop = make_workshop()
    with pytest.raises(service.WorkshopError, match="没有报名"):
        checkin.self_check_in(workshop, officer(factory).id, checkin.session_code(workshop, DURING), DURING)


def test_closing_attendance_records_no_shows_who_may_still_check_in_late(app, factory):
    workshop = make_workshop()
    came = service.enrol(workshop, officer(factory).id, BEFORE)
    absent = service.enrol(workshop, officer(factory).id, BEFORE)
    checkin.check_in_by_code(workshop, came.checkin_code, DURING)
    assert checkin.close_attendance(workshop, START + timedelta(hours=3)) == 1
    db.session.refresh(absent)
    assert absent.status == NO_SHOW and absent.hours_credited == 0
    assert checkin.check_in_by_code(workshop, absent.checkin_code, START + timedelta(hours=2, minutes=59))[1]


def test_workshop_hours_count_toward_the_program_and_complete_it(app, factory):
    program = Program(name="2026 年首席质量官培训", requirements=[], hours_required=3, starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    other = Program(name="另一计划", requirements=[], starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31))
    db.session.add(other)
    db.session.commit()
    user = officer(factory)
    elsewhere = make_workshop(program_id=other.id, hours=2.0)
    ours = make_workshop(program_id=program.id, hours=3.0)
    for workshop in (elsewhere, ours):
        seat = service.enrol(workshop, user.id, BEFORE)
        assert standing(user.id, "C1391", program).is_complete is False
        checkin.check_in_by_code(workshop, seat.checkin_code, DURING)
    state = standing(user.id, "C1391", program)
    assert state.hours == 3.0 and state.is_complete  # the other program's 2 hours do not count
    cert = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).one()
    assert cert.program_id == program.id and cert.hours == 3.0


def test_the_registry_export_counts_workshop_hours(app, factory):
    from lms.coverage.exports import HEADER, status_rows

    program = Program(name="2026", requirements=[{"course": "none", "industries": None}], hours_required=10,
                      starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    user = officer(factory)
    workshop = make_workshop(program_id=program.id, hours=2.5)
    checkin.check_in_by_code(workshop, service.enrol(workshop, user.id, BEFORE).checkin_code, DURING)
    (row,) = list(status_rows(program, date(2026, 10, 1)))
    assert row[HEADER.index("已获学时")] == 2.5


def test_staff_download_the_certificates_of_a_workshops_attendees(as_staff, factory):
    import io
    import zipfile

    program = Program(name="2026", requirements=[], hours_required=3, starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    workshop, other = make_workshop(program_id=program.id), make_workshop(program_id=program.id)
    came, elsewhere = officer(factory), officer(factory)
    checkin.check_in_by_code(workshop, service.enrol(workshop, came.id, BEFORE).checkin_code, DURING)
    checkin.check_in_by_code(other, service.enrol(other, elsewhere.id, BEFORE).checkin_code, DURING)
    serial = db.session.scalar(select(Certificate.serial).where(Certificate.user_id == came.id))
    archive = zipfile.ZipFile(io.BytesIO(as_staff.get(f"/staff/certificates/bulk.zip?workshop={workshop.id}").data))
    assert archive.namelist() == [f"{serial}.pdf"]


def test_a_workshop_someone_attended_cannot_be_cancelled(app, factory):
    from lms.coverage.reminders import OutboxMessage

    workshop = make_workshop()
    seat = service.enrol(workshop, officer(factory).id, BEFORE)
    service.enrol(workshop, officer(factory).id, BEFORE)
    checkin.check_in_by_code(workshop, seat.checkin_code, DURING)
    with pytest.raises(service.WorkshopError, match="已有人签到"):
        service.cancel_workshop(workshop, "误操作")
    db.session.refresh(workshop)
    assert not workshop.is_cancelled and checkin.attended_hours(seat.user_id) == workshop.hours
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # nobody was told otherwise
