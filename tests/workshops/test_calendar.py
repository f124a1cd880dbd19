"""iCalendar feeds, read back with the icalendar library, and the month and list views."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from lms.extensions import db
from lms.workshops import calendar, service
from tests.conftest import login
from tests.workshops.helpers import BEFORE, START, make_workshop, officer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _events(body: bytes):
    cal = Calendar.from_ical(body)
    return cal, [c for c in cal.walk("VEVENT")]


def test_workshop_feed_has_local_times_with_the_shanghai_zone(app, client):
    workshop = make_workshop(trainer="李工")
    response = client.get(f"/workshops/{workshop.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal, (event,) = _events(response.data)
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and str(start.tzinfo) == "Asia/Shanghai"
    assert start == START and start.astimezone(SHANGHAI).hour == 9  # 01:00 UTC is 09:00 in Shanghai
    assert event.decoded("dtend") - start == timedelta(hours=3)
    assert str(event["summary"]) == workshop.title and str(event["location"]) == workshop.venue
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert len(event.walk("VALARM")) == 2
    assert event["uid"].startswith(f"workshop-{workshop.id}@")


def test_a_cancelled_workshop_is_marked_cancelled_in_the_feed(app, client):
    workshop = make_workshop()
    service.cancel_workshop(workshop, "场地维修")
    _cal, (event,) = _events(client.get(f"/workshops/{workshop.id}.ics").data)
    assert str(event["status"]) == "CANCELLED" and not event.walk("VALARM")
    assert str(event["summary"]) == f"【已取消】{workshop.title}" and "已取消。原因：场地维修" in str(event["description"])
    assert event.decoded("sequence") == 1  # replaces the copy a calendar app already has


def test_every_edit_makes_a_new_revision_of_the_event(app, client):
    workshop = make_workshop()
    _cal, (event,) = _events(client.get(f"/workshops/{workshop.id}.ics").data)
    assert event.decoded("sequence") == 0 and str(event["summary"]) == workshop.title
    for venue in ("区政务中心 305", "区政务中心 201"):
        db.session.refresh(workshop)
        workshop.venue = venue
        service.save_workshop(workshop)
    _cal, (event,) = _events(client.get(f"/workshops/{workshop.id}.ics").data)
    assert event.decoded("sequence") == 2 and str(event["location"]) == "区政务中心 201"


def test_officer_feed_lists_their_seats_without_a_session(app, factory, client):
    user = officer(factory)
    mine, _other = make_workshop(title="我的"), make_workshop(title="别人的")
    service.enrol(mine, user.id, BEFORE)
    url = f"/workshops/feed/{calendar.feed_token(user)}.ics"
    _cal, events = _events(client.get(url).data)
    assert [str(e["summary"]) for e in events] == ["我的"]
    assert client.get("/workshops/feed/forged-token.ics").status_code == 404
    user.set_password("a-new-password-1")  # the officer gave the URL away and changes it
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_disabled_account_s_feed_stops(app, factory, client):
    user = officer(factory)
    service.enrol(make_workshop(title="我的"), user.id, BEFORE)
    url = f"/workshops/feed/{calendar.feed_token(user)}.ics"
    assert client.get(url).status_code == 200
    user.is_active_account = False  # the officer left the company; their calendar app keeps polling
    db.session.commit()
    assert client.get(url).status_code == 404


def test_month_view_shows_the_workshop_on_its_local_day(app, factory, client):
    user = officer(factory)
    late = make_workshop(title="晚间培训", starts_at=START + timedelta(hours=16),  # 01:00 next day in Shanghai
                         ends_at=START + timedelta(hours=18))
    login(client, user)
    page = client.get("/workshops/calendar?month=2026-09").get_data(as_text=True)
    assert "晚间培训" in page and "2026年9月" in page
    cell = page.split("晚间培训")[0].rsplit("<td", 1)[1]
    assert '<div class="small">16</div>' in cell  # the 16th, not the 15th (UTC)
    listing = client.get("/workshops/calendar?month=2026-09&view=list").get_data(as_text=True)
    assert "晚间培训" in listing and f"/workshops/{late.id}" in listing
    assert "晚间培训" not in client.get("/workshops/calendar?month=2026-10").get_data(as_text=True)


def test_the_month_marks_the_officers_own_seats_and_waitlist_places(app, factory, client):
    user, rival = officer(factory), officer(factory, town=factory.town("北街道"))
    seated = make_workshop(title="已报名的培训")
    full = make_workshop(title="排队的培训", starts_at=START + timedelta(days=2), ends_at=START + timedelta(days=2, hours=3),
                         capacity=1)
    make_workshop(title="别人的培训", starts_at=START + timedelta(days=4), ends_at=START + timedelta(days=4, hours=3))
    service.enrol(seated, user.id, now=BEFORE)
    service.enrol(full, rival.id, now=BEFORE)
    service.enrol(full, user.id, now=BEFORE)
    login(client, user)
    page = client.get("/workshops/calendar?month=2026-09").get_data(as_text=True)

    def event(title):
        return page.split(f'<span class="calendar-event-title">{title}')[0].rsplit("<a ", 1)[1]

    assert "calendar-event-mine" in event("已报名的培训") and "已报名：" in event("已报名的培训")
    assert "calendar-event-waiting" in event("排队的培训") and "候补：" in event("排队的培训")
    assert "calendar-event-mine" not in event("别人的培训") and "calendar-event-waiting" not in event("别人的培训")
