"""The chase list runs in the order staff phone down it, on the page and in its export alike."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.models import Town
from tests.coverage.test_coverage import roster  # noqa: F401  the roster of nine filings


def test_the_chase_list_runs_by_town_then_standing_then_name_and_says_so(roster, as_staff):  # noqa: F811
    # 西街道 first, as the town list orders it; then 戊 unclaimed, 庚 not begun, 丁 and 壬 learning;
    # in 东街道 only 乙 and 丙, whose certificates lapsed.
    db.session.scalar(select(Town).where(Town.name == "西街道")).sort_order = -1
    db.session.commit()
    expected = ["戊", "庚", "丁", "壬", "丙", "乙"]
    page = as_staff.get(f"/staff/coverage/chase?as_of={local_today()}").get_data(as_text=True)
    assert re.findall(r'>(\w)</a></td>', page) == expected
    assert "按镇街排列；同一镇街内依次为未认领、已认领未开始、学习中、证书失效，再按姓名" in page
    sheet = load_workbook(io.BytesIO(as_staff.get(f"/staff/coverage/chase?as_of={local_today()}&format=xlsx").data))
    assert [row[0] for row in sheet["待培训"].iter_rows(min_row=2, values_only=True)] == expected
