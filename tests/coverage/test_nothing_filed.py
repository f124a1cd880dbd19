"""Coverage on a day nobody was filed: 0 of 0 is no share at all, so the pages say "—" and
that nobody was filed, never "0.0%" or an outlook sentence cut off after its "as of" prefix."""

import re
from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest

from lms.core.clock import local_today
from lms.coverage import service
from lms.extensions import db
from lms.programs.models import Program

TODAY = local_today()
BEFORE = date(2020, 1, 1)  # before the only filing


@pytest.fixture
def program(app, factory):
    program = Program(name="2026 培训", requirements=[], starts_on=date(2019, 6, 1),
                      deadline=TODAY + timedelta(days=60), is_current=True)
    db.session.add(program)
    db.session.commit()
    factory.filing(appointed_on=date(2023, 3, 1), filed_on=date(2023, 3, 10))
    return program


def headline(page: str) -> str:
    return re.search(r'<span class="fs-4">(.*?)</span>', page).group(1)


def test_a_past_day_before_any_filing_says_nobody_was_filed(program, as_staff):
    page = as_staff.get(f"/staff/coverage/?as_of={BEFORE}").get_data(as_text=True)
    outlook = re.search(r'<p class="mb-0 small" id="outlook">(.*?)</p>', page, re.S).group(1)
    assert outlook == "2020-01-01 当时没有在任备案。"  # not a dangling "按 2020-01-01 当时："
    assert headline(page) == "覆盖率 —" and "0.0%<" not in page and "· 0.0%" not in page  # nor the trend


def test_a_programme_with_nothing_filed_today_shows_a_dash(app, factory, as_staff):
    db.session.add(Program(name="2026 培训", requirements=[], starts_on=TODAY - timedelta(days=30),
                           deadline=TODAY + timedelta(days=60), is_current=True))
    db.session.commit()
    page = as_staff.get("/staff/coverage/").get_data(as_text=True)
    assert headline(page) == "覆盖率 —" and "目前没有在任备案。" in page


def test_the_report_shows_a_dash_for_a_day_nobody_was_filed(program, as_staff):
    pdf = as_staff.get(f"/staff/coverage/report.pdf?as_of={BEFORE}").data
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "—" in text and "0.0%" not in text


def test_a_deadline_nobody_was_filed_on_has_no_coverage_figure(program):
    late = service.Outlook(target=100, filed=3, needed=3, days_left=-5, since=None, projected=None,
                           deadline=date(2026, 1, 1), at_deadline=(0, 0))
    said = [text for text, _warning in late.sentences()]
    assert "截止日期 2026-01-01 当天没有在任备案。" in said and not [s for s in said if "0.0%" in s]
