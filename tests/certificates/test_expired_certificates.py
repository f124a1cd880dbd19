"""An expired certificate says so wherever it is listed, by the rule /verify answers with: its
holder may still download it as a record, staff cannot reissue it but may renew it, and its officer is chased."""

from datetime import timedelta

import pytest

from lms.certificates.models import Certificate
from lms.certificates.service import make_serial
from lms.core.clock import local_today
from lms.extensions import db
from lms.programs.models import Program
from tests.conftest import login

TODAY = local_today()


@pytest.fixture
def program(app):
    program = Program(name="2026 培训", requirements=[], starts_on=TODAY - timedelta(days=800),
                      deadline=TODAY + timedelta(days=60), is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


def holder(factory, program, name: str, expires_on):
    """An officer with a current filing and a certificate (status valid) ending on expires_on."""
    user = factory.user("officer", name=name)
    filing = factory.filing(officer_name=name, user_id=user.id)
    cert = Certificate(serial=make_serial(TODAY.year, user.id), user_id=user.id, program_id=program.id, filing_id=filing.id,
                       holder_name=name, hours=32, issued_on=expires_on - timedelta(days=730), expires_on=expires_on)
    db.session.add(cert)
    db.session.commit()
    return user, filing, cert


@pytest.fixture
def expired(program, factory):
    return holder(factory, program, "过期", TODAY - timedelta(days=1))


@pytest.fixture
def valid(program, factory):
    return holder(factory, program, "有效", TODAY)  # its last day: still valid


def test_verification_and_the_model_answer_alike(expired, valid, client):
    for _user, _filing, cert in (expired, valid):
        answer = client.get(f"/verify/{cert.serial}", headers={"Accept": "application/json"}).get_json()
        assert answer["status"] == cert.status_on(TODAY)
    assert expired[2].status_on(TODAY) == "expired" and valid[2].status_on(TODAY) == "valid"


def test_the_holder_sees_that_it_has_expired_and_may_still_download_it(expired, app):
    user, _filing, cert = expired
    client = app.test_client()
    login(client, user)
    page = client.get("/certificates/").get_data(as_text=True)
    assert ">已过期</span>" in page and ">有效</span>" not in page
    assert f"有效期至 {cert.expires_on}，已过期" in page
    assert f"/certificates/{cert.id}.pdf" in page
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 200
    assert "向用人单位或审核人员出示证书时" not in page  # not offered as proof of training now


def test_staff_list_says_expired_and_offers_no_reissue(expired, valid, as_staff):
    page = as_staff.get(f"/staff/certificates/?q={expired[2].serial}").get_data(as_text=True)
    assert "<td>已过期</td>" in page and "<td>有效</td>" not in page
    assert ">换发</button>" not in page
    assert ">撤销</button>" in page and "已过期，过期 已不计入已培训" in page  # revoking still says what it does
    current = as_staff.get(f"/staff/certificates/?q={valid[2].serial}").get_data(as_text=True)
    assert "<td>有效</td>" in current and ">换发</button>" in current and ">撤销</button>" in current


def test_staff_chase_an_officer_whose_certificate_has_expired(expired, valid, as_staff):
    page = as_staff.get(f"/staff/coverage/filings/{expired[1].id}").get_data(as_text=True)
    assert "· 已过期</li>" in page and "· 有效</li>" not in page
    assert "发送培训提醒" in page
    sent = as_staff.post(f"/staff/coverage/filings/{expired[1].id}/remind", follow_redirects=True)
    assert "已给 过期 生成一条提醒" in sent.get_data(as_text=True)
    trained = as_staff.get(f"/staff/coverage/filings/{valid[1].id}").get_data(as_text=True)
    assert "· 有效</li>" in trained and "发送培训提醒" not in trained


def test_staff_renew_an_expired_certificate_and_the_old_serial_points_to_the_new_one(expired, valid, as_staff, client):
    user, _filing, old = expired
    r = as_staff.post("/staff/certificates/issue", data={"login": user.login, "reason": "2026 年复训合格"},
                      follow_redirects=True)
    page = r.get_data(as_text=True)
    new = db.session.scalar(db.select(Certificate).where(Certificate.user_id == user.id, Certificate.status == "valid"))
    assert new is not None and new.id != old.id and new.replaces_id == old.id
    assert new.expires_on > local_today()
    assert f"证书 {old.serial} 已过期，现已续期为 {new.serial}" in page
    db.session.refresh(old)
    assert old.status == "replaced"
    assert new.serial in client.get(f"/verify/{old.serial}").get_data(as_text=True)
    # A certificate still in force is not issued twice.
    holder_of_valid, _f, current = valid
    again = as_staff.post("/staff/certificates/issue", data={"login": holder_of_valid.login, "reason": "重复"},
                          follow_redirects=True).get_data(as_text=True)
    assert f"已有有效证书 {current.serial}，没有再发一张" in again
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)
                             .where(Certificate.user_id == holder_of_valid.id)) == 1
