"""What the public verification page answers when the name check is spent, the name is wrong,
the certificate was replaced, or what was typed is no serial at all."""

import re

from lms.certificates import service
from lms.extensions import db
from tests.certificates.test_certificates import officer_of, program  # noqa: F401 - the fixture

JSON = {"Accept": "application/json"}


def headline(page: str) -> str:
    """The verdict box: its colour and its words, as one sees them at a glance."""
    match = re.search(r'<div class="alert alert-(\w+) fs-5" role="status" id="verdict">(.*?)</div>', page, re.S)
    return f"{match.group(1)}: {re.sub(r'<[^>]+>', '', match.group(2)).strip()}"


def test_spent_name_checks_still_answer_the_status_without_the_name(program, factory, client):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484", "王建国"), program, "认可")
    for guess in range(1, 11):  # anyone, anywhere, spends the certificate's name checks
        client.get(f"/verify/{cert.serial}?name=张三{guess}")
    response = client.get(f"/verify/{cert.serial}?name=王建国")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and headline(page) == "success: 有效"
    assert "王*国" in page and cert.enterprise_name not in page and "与所填姓名" not in page
    assert "暂不核对姓名" in page and "可以再核对姓名" in page
    data = client.get(f"/verify/{cert.serial}?name=王建国", headers=JSON).get_json()
    assert data["status"] == "valid" and data["holder"] == "王*国" and data["name_check"] == "limited"
    assert 0 < data["name_check_retry_after"] <= 3600
    assert "name_matches" not in data and "enterprise" not in data  # still no guessing


def test_a_wrong_name_is_not_a_green_valid_at_a_glance(program, factory, client):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484", "王建国"), program, "认可")
    wrong = client.get(f"/verify/{cert.serial}?name=王建明").get_data(as_text=True)
    assert headline(wrong).startswith("danger: 编号有效，但姓名不符")
    data = client.get(f"/verify/{cert.serial}?name=王建明", headers=JSON).get_json()
    assert data["status"] == "valid" and data["name_matches"] is False and data["name_check"] == "differs"
    right = client.get(f"/verify/{cert.serial}?name=王建国").get_data(as_text=True)
    assert headline(right) == "success: 有效"


def test_an_old_qr_code_says_the_new_certificate_was_revoked_and_links_it_signed(program, factory, client):  # noqa: F811
    old = service.issue_by_staff(officer_of(factory, "C3484", "李四"), program, "补发")
    new = service.reissue(old, "李思", "姓名更正")
    service.revoke(new, "材料造假")
    page = client.get(service.verification_url(old.serial, external=False)).get_data(as_text=True)
    assert headline(page) == f"danger: 已换发新证 {new.serial}，新证已撤销"
    assert "有效期至" not in page  # the old one's dates say nothing of the new one
    assert client.get(f"/verify/{old.serial}", headers=JSON).get_json()["replaced_by_status"] == "revoked"
    [link] = re.findall(r'href="(/verify/[^"]+)"', page)
    assert link == service.verification_url(new.serial, external=False).replace("&", "&amp;")
    followed = client.get(link).get_data(as_text=True)
    assert "签名已核对" in followed and "未核对签名" not in followed and headline(followed) == "danger: 已撤销"
    typed = client.get(f"/verify/{old.serial}").get_data(as_text=True)  # a typed serial: no signature handed out
    assert f'href="/verify/{new.serial}"' in typed


def test_a_replaced_certificate_whose_successor_is_valid_says_so(program, factory, client):  # noqa: F811
    old = service.issue_by_staff(officer_of(factory, "C3484", "李四"), program, "补发")
    new = service.reissue(old, "李思", "姓名更正")
    db.session.commit()
    page = client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert headline(page) == f"warning: 已换发新证 {new.serial}，新证有效"


def test_no_serial_asked_for_json_answers_json(client):
    response = client.get("/verify/", headers=JSON)
    assert response.status_code == 400 and "CQO-2026-000123-4" in response.get_json()["message"]


def test_a_serial_with_the_wrong_number_of_digits_is_called_malformed(client):
    for typed in ("CQO-2026-00001-7", "CQO2026000001"):
        assert client.get(f"/verify/{typed}", headers=JSON).get_json() == {"status": "malformed"}, typed
        page = client.get(f"/verify/?serial={typed}").get_data(as_text=True)
        assert "编号格式不对" in headline(page) and "CQO-2026-000123-4" in page and "查无此证" not in page


def test_a_typed_serial_tells_the_checker_what_to_compare_and_a_signed_link_does_not_claim_a_scan(client, factory, program):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484"), program, "认可")
    typed = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert "请核对手中证书上的姓名、编号和日期与这里一致" in typed and "被篡改" not in typed
    signed = client.get(service.verification_url(cert.serial, external=False)).get_data(as_text=True)
    assert "本页的链接带有证书的签名" in signed and "本页由证书上的二维码打开" not in signed
