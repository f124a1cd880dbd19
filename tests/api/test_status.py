"""Training status through the API: as_of, one filing, an enterprise, and the bulk pull."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.extensions import db
from tests.api.conftest import auth

TODAY = local_today()


def certify(filing, program, issued: date, serial: str = "CQO-1") -> None:
    db.session.add(Certificate(serial=serial, user_id=filing.user_id, program_id=program.id,
                               holder_name=filing.officer_name, issued_on=issued,
                               expires_on=issued + timedelta(days=730)))
    db.session.commit()


@pytest.mark.parametrize("as_of", ["20260101", "2026-W01-1", "2026-1-1", "２０２６-０１-０１", "2026-02-30", "x"])
def test_as_of_is_only_a_date_written_yyyy_mm_dd(client, token, program, as_of):
    r = client.get("/api/v1/coverage", query_string={"as_of": as_of}, headers=auth(token))
    assert r.status_code == 400 and r.get_json() == {"error": "as_of must be a date written YYYY-MM-DD"}


def test_as_of_later_than_today_or_given_twice_is_refused(client, token, program, factory):
    factory.filing(filing_no="XS-1")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for path in ("/api/v1/coverage", "/api/v1/filings/XS-1", "/api/v1/filings"):
        r = client.get(f"{path}?as_of={tomorrow}", headers=auth(token))
        assert r.status_code == 400 and r.get_json()["error"] == "as_of cannot be later than today", path
    twice = client.get(f"/api/v1/coverage?as_of={TODAY}&as_of=2026-01-01", headers=auth(token))
    assert twice.get_json() == {"error": "as_of is given more than once"}
    assert client.get(f"/api/v1/coverage?as_of={TODAY}", headers=auth(token)).status_code == 200


def test_a_filing_and_an_enterprise_answer_as_of_a_date(client, token, program, factory):
    officer = factory.user("officer")
    filing = factory.filing(filing_no="XS-7", user_id=officer.id, appointed_on=TODAY - timedelta(days=400))
    certify(filing, program, TODAY - timedelta(days=30))
    before = (TODAY - timedelta(days=31)).isoformat()
    earlier = client.get(f"/api/v1/filings/XS-7?as_of={before}", headers=auth(token)).get_json()
    assert (earlier["training_status"], earlier["certificate"], earlier["as_of"]) == ("not_started", None, before)
    now = client.get("/api/v1/filings/XS-7", headers=auth(token)).get_json()
    assert now["training_status"] == "trained" and now["certificate"]["serial"] == "CQO-1"
    uscc = filing.enterprise.uscc
    assert client.get(f"/api/v1/enterprises/{uscc}?as_of={before}", headers=auth(token)).get_json()[
        "filings"][0]["training_status"] == "not_started"
    assert client.get(f"/api/v1/enterprises/{uscc}", headers=auth(token)).get_json()[
        "filings"][0]["certificate"]["serial"] == "CQO-1"


@pytest.fixture
def roster(factory, program):
    """Seven current filings in two towns (the third trained), and one ended."""
    east, west = factory.town("东街道"), factory.town("西街道")
    made = []
    for i in range(7):
        officer = factory.user("officer")
        made.append(factory.filing(factory.enterprise(town=east if i < 4 else west),
                                   filing_no=f"XS-{i}", user_id=officer.id))
    certify(made[2], program, TODAY - timedelta(days=10))
    factory.filing(made[0].enterprise, filing_no="XS-old", status="replaced", appointed_on=date(2020, 1, 1),
                   ended_on=date(2023, 3, 1))
    return made


def pages(client, token, **query) -> list[dict]:
    """Every page of GET /api/v1/filings, following next."""
    got, after = [], None
    while True:
        page = client.get("/api/v1/filings", query_string={**query, **({"after": after} if after else {})},
                          headers=auth(token))
        assert page.status_code == 200, page.get_json()
        got.append(page.get_json())
        after = page.get_json()["next"]
        if after is None:
            return got


def test_the_bulk_pull_pages_through_every_current_filing(client, token, roster):
    got = pages(client, token, limit=3)
    assert [len(p["items"]) for p in got] == [3, 3, 1]
    items = [item for p in got for item in p["items"]]
    assert [i["filing_no"] for i in items] == [f"XS-{i}" for i in range(7)]
    third = items[2]
    assert third["training_status"] == "trained" and third["certificate"]["serial"] == "CQO-1"
    assert (third["uscc"], third["enterprise_name"], third["town"]) == (
        roster[2].enterprise.uscc, roster[2].enterprise.name, "东街道")
    single = client.get("/api/v1/filings/XS-2", headers=auth(token)).get_json()
    assert {k: third[k] for k in single if k != "as_of"} == {k: v for k, v in single.items() if k != "as_of"}


def test_the_bulk_pull_filters_by_town_and_status(client, token, roster):
    west = [i["filing_no"] for p in pages(client, token, town="西街道", limit=2) for i in p["items"]]
    assert west == ["XS-4", "XS-5", "XS-6"]
    every = [i["filing_no"] for p in pages(client, token, status="all") for i in p["items"]]
    assert "XS-old" in every and len(every) == 8
    assert client.get("/api/v1/filings?town=火星", headers=auth(token)).get_json() == {"error": "no such town: 火星"}


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=²", "after=-1", "after=x", "status=ended"])
def test_the_bulk_pull_refuses_bad_arguments(client, token, program, query):
    r = client.get(f"/api/v1/filings?{query}", headers=auth(token))
    assert r.status_code == 400 and r.get_json()["error"]


def test_a_page_costs_the_same_queries_however_many_filings_it_holds(app, client, token, roster):
    def statements(limit: int) -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/api/v1/filings?limit={limit}", headers=auth(token)).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(3) == statements(7) <= 6  # both pages hold the trained officer


def test_a_filing_appointed_after_as_of_is_not_listed_as_of_that_day(client, token, program, factory):
    """The registry asking about 2026-10-01 must not be told of a successor appointed later."""
    ent = factory.enterprise()
    factory.filing(ent, filing_no="OLD-1", appointed_on=TODAY - timedelta(days=300), status="replaced",
                   ended_on=TODAY - timedelta(days=10))
    factory.filing(ent, filing_no="NEW-1", appointed_on=TODAY - timedelta(days=10))
    before = (TODAY - timedelta(days=20)).isoformat()
    listed = client.get(f"/api/v1/enterprises/{ent.uscc}?as_of={before}", headers=auth(token)).get_json()["filings"]
    assert [f["filing_no"] for f in listed] == ["OLD-1"]
    every = client.get(f"/api/v1/filings?status=all&as_of={before}", headers=auth(token)).get_json()["items"]
    assert [f["filing_no"] for f in every] == ["OLD-1"]
    assert {f["filing_no"] for f in client.get("/api/v1/filings?status=all", headers=auth(token)).get_json()[
        "items"]} == {"OLD-1", "NEW-1"}
