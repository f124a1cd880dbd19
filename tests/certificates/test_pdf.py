"""The certificate PDF: text a search finds, a QR code that decodes to the verification URL."""

import io
import zipfile
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from lms.certificates import service
from lms.extensions import db
from lms.programs.models import Program
from tests.conftest import login


@pytest.fixture
def cert(app, factory):
    user = factory.user("officer")
    filing = factory.filing(factory.enterprise(name="淮北恒润食品有限公司"), officer_name="张晓明", user_id=user.id)
    program = Program(name="2026 年首席质量官培训", requirements=[], starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True, hours_required=24)
    db.session.add(program)
    db.session.commit()
    cert = service.issue_by_staff(user, program, "测试")
    cert.user_login = user.login
    assert filing.id == cert.filing_id
    return cert


def render(pdf: bytes):
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=3).to_pil()
    return document, text, image


def test_pdf_text_has_the_name_and_serial_and_the_qr_opens_verification(cert, client):
    cert.issued_on = date(2026, 9, 1)
    db.session.commit()
    login(client, cert.user)
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.mimetype == "application/pdf"
    document, text, image = render(response.data)
    assert len(document) == 1 and document[0].get_width() > document[0].get_height()  # landscape
    assert "张晓明" in text and cert.serial in text and "培训合格证书" in text
    assert "发证日期：2026年9月1日" in text  # as Chinese writes a date: never 09月01日
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == service.verification_url(cert.serial)
    assert code.text.startswith("http://localhost/verify/" + cert.serial + "?s=")
    assert client.get(code.text.replace("http://localhost", ""),
                      headers={"Accept": "application/json"}).get_json()["status"] == "valid"


def test_font_is_embedded_as_a_subset(cert, client):
    login(client, cert.user)
    pdf = client.get(f"/certificates/{cert.id}.pdf").data
    assert b"/FontFile2" in pdf and len(pdf) < 200_000


def test_another_officer_cannot_download_it(cert, app, factory):
    other = app.test_client()
    login(other, factory.user("officer"))
    assert other.get(f"/certificates/{cert.id}.pdf").status_code == 404


def test_staff_bulk_download_is_a_zip_of_pdfs(cert, as_staff):
    response = as_staff.get("/staff/certificates/bulk.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == [f"{cert.serial}.pdf"]


def test_the_bulk_download_leaves_out_an_expired_certificate(cert, as_staff):
    from datetime import timedelta

    from lms.core.clock import local_today

    cert.expires_on = local_today() - timedelta(days=1)
    db.session.commit()
    response = as_staff.get("/staff/certificates/bulk.zip")
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == []
