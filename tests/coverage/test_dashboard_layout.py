"""The dashboard's breakdowns in half a page's width, in English as in Chinese."""

import re

from tests.coverage.test_coverage import TODAY, roster  # noqa: F401 - the fixture


def test_each_bar_label_has_its_own_line_above_its_bar(roster, as_staff):  # noqa: F811
    """A long label ("Above-scale enterprises") once ran under its bar: nothing of a bar may
    reach up to its label's line."""
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    charts = re.findall(r'<svg class="chart-bars".*?</svg>', page, re.S)
    assert charts
    for chart in charts:
        labels = [float(y) for y in re.findall(r'<text class="chart-bar-label" x="0" y="([\d.]+)"', chart)]
        tops = sorted({float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', chart)})
        assert labels and len(tops) == len(labels)
        assert all(label < top for label, top in zip(labels, tops, strict=True))


def test_the_breakdown_tables_scroll_in_their_own_box(roster, as_staff):  # noqa: F811
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    assert page.count('<div class="table-responsive"><table class="table table-sm coverage-table">') == 3


def test_the_trend_plots_each_counted_day_against_the_target(roster, as_staff):  # noqa: F811
    """The trend fills its card (a plot stretched to the width, labels as text around it),
    draws the target as its own line, and says every point in words for a screen reader."""
    from lms.coverage import service
    from lms.extensions import db

    program, _expected = roster
    program.target_percent = 90
    db.session.commit()
    page = as_staff.get(f"/staff/coverage/?as_of={TODAY}").get_data(as_text=True)
    figure = re.search(r'<figure class="chart-trend.*?</figure>', page, re.S).group(0)
    series = service.trend(program, TODAY)
    assert len(series) > 1
    dots = [float(y) for y in re.findall(r'<line class="chart-trend-dot" x1="[\d.]+" y1="([\d.]+)"', figure)]
    assert dots == [100 - p for _day, p in series]
    assert '<line class="chart-trend-target" x1="0" y1="10"' in figure and "目标" in figure
    caption = re.search(r"<figcaption.*?</figcaption>", figure, re.S).group(0)
    assert all(f"{day}：{p}%" in caption for day, p in series)
    assert 'preserveAspectRatio="none"' in figure and 'viewBox="0 0 100 100"' in figure
