"""The training-status export for the registry: its certificate columns name the certificate
that makes a row trained on the export's date, its hours are the hours credited, and the
export with history holds every row of the current one."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.extensions import db
from lms.programs.models import Program

TODAY = local_today()
AS_OF = TODAY - timedelta(days=30)  # a past-dated export


@pytest.fixture
def program(app):
    program = Program(name="2026 培训", requirements=[], hours_required=32, starts_on=TODAY - timedelta(days=400),
                      deadline=TODAY + timedelta(days=60), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


def officer(factory, program, name, *, cert=None, **filing):
    """A claimed filing appointed well before AS_OF; cert: the Certificate's own fields."""
    user = factory.user("officer", name=name)
    values = {"appointed_on": AS_OF - timedelta(days=200), "filed_on": AS_OF - timedelta(days=190)} | filing
    factory.filing(officer_name=name, user_id=user.id, **values)
    if cert is not None:
        db.session.add(Certificate(serial=f"CQO-{name}", user_id=user.id, program_id=program.id,
                                   holder_name=name, **cert))
        db.session.commit()
    return user


def export(client, as_of=AS_OF, history=False) -> dict[str, dict]:
    """The export's rows as {officer name: {header: cell}}."""
    url = f"/staff/coverage/export.xlsx?as_of={as_of}" + ("&history=1" if history else "")
    response = client.get(url)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = rows[0]
    return {row[header.index("首席质量官姓名")]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def certificate_cells(row: dict) -> tuple:
    """The certificate columns as text; the dates are Excel dates, read back as datetimes."""
    return tuple(row[h].date().isoformat() if isinstance(row[h], datetime) else row[h] or ""
                 for h in ("证书编号", "发证日期", "证书有效期至"))


def test_an_expired_certificate_is_not_shown_next_to_an_untrained_row(program, factory, as_staff):
    officer(factory, program, "过期", cert={"issued_on": AS_OF - timedelta(days=400),
                                          "expires_on": AS_OF - timedelta(days=10)})
    row = export(as_staff)["过期"]
    assert row["培训状态"] == "证书已过期" and certificate_cells(row) == ("", "", "")


def test_a_certificate_issued_after_the_export_date_is_not_on_it(program, factory, as_staff):
    officer(factory, program, "后发", cert={"issued_on": AS_OF + timedelta(days=5),
                                          "expires_on": AS_OF + timedelta(days=700)})
    before = export(as_staff)["后发"]
    assert before["培训状态"] == "未开始" and certificate_cells(before) == ("", "", "")
    now = export(as_staff, as_of=TODAY)["后发"]
    assert now["培训状态"] == "已培训" and now["证书编号"] == "CQO-后发"


def test_a_certificate_revoked_after_the_export_date_still_shows_on_its_trained_row(program, factory, as_staff):
    issued, expires = AS_OF - timedelta(days=100), AS_OF + timedelta(days=600)
    officer(factory, program, "后撤", cert={"issued_on": issued, "expires_on": expires, "status": "revoked",
                                          "revoked_at": datetime.now(UTC), "revoked_reason": "材料不实"})
    row = export(as_staff)["后撤"]
    assert row["培训状态"] == "已培训"
    assert certificate_cells(row) == ("CQO-后撤", issued.isoformat(), expires.isoformat())
    assert certificate_cells(export(as_staff, as_of=TODAY)["后撤"]) == ("", "", "")  # revoked by today


def test_a_trained_row_with_a_staff_issued_certificate_shows_its_hours(program, factory, as_staff):
    officer(factory, program, "人工", cert={"issued_on": AS_OF - timedelta(days=5), "basis": "manual",
                                          "reason": "省级培训已认可", "hours": 32,
                                          "expires_on": AS_OF + timedelta(days=700)})
    officer(factory, program, "未学")
    rows = export(as_staff)
    assert rows["人工"]["培训状态"] == "已培训" and rows["人工"]["已获学时"] == 32
    assert rows["未学"]["已获学时"] == 0


def test_the_export_with_history_holds_every_row_of_the_current_one(program, factory, as_staff):
    # Appointed before the export date, filed with the bureau after it: current on AS_OF.
    officer(factory, program, "后备案", appointed_on=AS_OF - timedelta(days=3), filed_on=AS_OF + timedelta(days=4))
    officer(factory, program, "在任")
    officer(factory, program, "已离任", ended_on=AS_OF - timedelta(days=20), status="replaced")
    current, history = export(as_staff), export(as_staff, history=True)
    assert set(current) == {"后备案", "在任"}
    assert set(history) == {"后备案", "在任", "已离任"}
    assert all(history[name] == row for name, row in current.items())
