"""Staff with certificates: what a hand-issued one prints, links from an officer's training
page, per-certificate PDFs, a reissue that asks first, and serials found however typed."""

from sqlalchemy import select

from lms.certificates import service
from lms.extensions import db
from lms.registry.models import Filing
from tests.certificates.test_certificates import certificates_of, finish_course, officer_of, program  # noqa: F401
from tests.certificates.test_pdf import render


def test_a_certificate_issued_by_hand_prints_the_hours_earned(program, factory, as_staff):  # noqa: F811
    trained = officer_of(factory, "C3484", "赵敏")
    finish_course(trained, "demo")
    finish_course(trained, "food-only")  # 3 hours here, more than the 1.5 the program asks
    as_staff.post("/staff/certificates/issue", data={"login": trained.login, "reason": "考试在外地参加"})
    [cert] = certificates_of(trained)
    _document, text, _image = render(as_staff.get(f"/certificates/{cert.id}.pdf").data)
    assert "完成培训 3 学时" in text
    elsewhere = officer_of(factory, "C3484", "钱坤")  # trained elsewhere: none counted here
    as_staff.post("/staff/certificates/issue", data={"login": elsewhere.login, "reason": "省级培训已认可"})
    [recognised] = certificates_of(elsewhere)
    assert recognised.hours == program.hours_required


def test_the_officer_page_links_a_serial_to_the_staff_certificate_list(program, factory, as_staff):  # noqa: F811
    user = officer_of(factory, "C3484")
    cert = service.issue_by_staff(user, program, "认可")
    filing = db.session.scalar(select(Filing).where(Filing.user_id == user.id))
    page = as_staff.get(f"/staff/coverage/filings/{filing.id}").get_data(as_text=True)
    assert f'href="/staff/certificates/?q={cert.serial}"' in page and f"/verify/{cert.serial}" not in page
    listed = as_staff.get(f"/staff/certificates/?q={cert.serial}").get_data(as_text=True)
    assert ">撤销</button>" in listed and cert.enterprise_name in listed


def test_the_staff_list_offers_each_certificate_s_pdf(program, factory, as_staff):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484"), program, "认可")
    page = as_staff.get("/staff/certificates/").get_data(as_text=True)
    assert f'href="/certificates/{cert.id}.pdf"' in page
    assert as_staff.get(f"/certificates/{cert.id}.pdf").mimetype == "application/pdf"


def test_reissue_asks_before_it_voids_the_old_certificate(program, factory, as_staff):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484"), program, "认可")
    page = as_staff.get("/staff/certificates/").get_data(as_text=True)
    [button] = [line for line in page.splitlines() if ">换发</button>" in line]
    assert f"data-confirm=\"换发后原证书 {cert.serial} 作废" in button


def test_staff_find_a_serial_typed_as_the_public_page_reads_it(program, factory, as_staff):  # noqa: F811
    cert = service.issue_by_staff(officer_of(factory, "C3484", "孙丽"), program, "认可")
    service.issue_by_staff(officer_of(factory, "C3484", "周强"), program, "认可")
    head, year, number, check = cert.serial.split("-")
    for typed in (f"{head}－{year}－{number}－{check}", f"{head} {year} {number} {check}", f"cqo{year}{number}{check}",
                  f"{year} {number}"):
        page = as_staff.get("/staff/certificates/", query_string={"q": typed}).get_data(as_text=True)
        assert "孙丽" in page and "周强" not in page, typed
    assert "周强" in as_staff.get("/staff/certificates/", query_string={"q": "周强"}).get_data(as_text=True)


def test_the_officers_list_shows_a_reissue_first_and_the_old_one_names_it(program, factory, client):  # noqa: F811
    from tests.conftest import login

    user = officer_of(factory, "C3484", "王建国")
    old = service.issue_by_staff(user, program, "认可")
    new = service.reissue(old, "王建囯", "姓名更正")  # the same day
    login(client, user)
    page = client.get("/certificates/").get_data(as_text=True)
    assert page.index(f"<code>{new.serial}</code>") < page.index(f"<code>{old.serial}</code>")
    assert f"已换发为 {new.serial}。" in page
