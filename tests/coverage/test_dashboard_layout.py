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
