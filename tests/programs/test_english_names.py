"""A programme's English name on English pages, its Chinese name on Chinese ones and, where it
has no English name, on English pages too, marked as Chinese; the certificate stays Chinese."""

from datetime import date

import pytest
from sqlalchemy import select

from lms.certificates import service as certificates
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.programs.models import Program
from tests.conftest import login

NAME, NAME_EN = "2026 年首席质量官培训", "2026 Chief Quality Officer Training"


def make_program(requirements=(), **kw) -> Program:
    program = Program(name=NAME, requirements=list(requirements), starts_on=date(2026, 1, 1),
                      deadline=date(2026, 12, 31), is_current=True, **kw)
    db.session.add(program)
    db.session.commit()
    return program


def page(client, path: str, lang: str) -> str:
    client.get(f"/lang/{lang}")
    return client.get(path).get_data(as_text=True)


def test_the_programmes_list_names_a_programme_in_the_page_s_language(as_staff):
    make_program(name_en=NAME_EN)
    english, chinese = page(as_staff, "/staff/programs/", "en"), page(as_staff, "/staff/programs/", "zh_CN")
    assert NAME_EN in english and NAME not in english
    assert NAME in chinese and NAME_EN not in chinese


def test_a_programme_without_an_english_name_is_shown_in_chinese_marked_so(as_staff):
    make_program()
    english = page(as_staff, "/staff/programs/", "en")
    assert f'<span lang="zh-CN">{NAME}</span>' in english
    assert 'lang="zh-CN"' not in page(as_staff, "/staff/programs/", "zh_CN").split("<body")[1]


def test_staff_set_and_clear_an_english_name_and_the_log_keeps_each_edit(as_staff, tmp_path):
    from lms.catalog.sync import sync_courses
    from tests.catalog.content_tree import write_course

    write_course(tmp_path)
    sync_courses(tmp_path)
    program = make_program([{"course": "demo", "industries": None}], name_en=NAME_EN)
    form = {"name": NAME, "requirements": "demo", "exam_id": 0, "hours_required": 0,
            "starts_on": "2026-01-01", "deadline": "2026-12-31", "target_percent": 100,
            "certificate_months": 36, "is_current": "y"}
    assert as_staff.post(f"/staff/programs/{program.id}", data={**form, "name_en": " "}).status_code == 302
    db.session.refresh(program)
    assert program.name_en is None
    assert as_staff.post(f"/staff/programs/{program.id}", data={**form, "name_en": f" {NAME_EN} "}).status_code == 302
    db.session.refresh(program)
    assert program.name_en == NAME_EN
    changes = [e.details["changes"] for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "program.saved").order_by(AuditEntry.id))]
    assert changes == [{"name_en": [NAME_EN, None]}, {"name_en": [None, NAME_EN]}]


@pytest.fixture
def certified(factory):
    program = make_program(name_en=NAME_EN)
    officer = factory.user("officer")
    certificates.issue_by_staff(officer, program, "外地培训合格")
    db.session.commit()
    return officer


def test_an_officer_s_certificates_page_names_the_programme_in_english_and_says_the_certificate_is_chinese(
        client, certified):
    login(client, certified)
    english = page(client, "/certificates/", "en")
    assert NAME_EN in english and "The certificate is issued in Chinese." in english
    chinese = page(client, "/certificates/", "zh_CN")
    assert NAME in chinese and NAME_EN not in chinese and 'id="certificate-language"' not in chinese


def test_the_certificate_and_its_verification_page_keep_the_chinese_name(client, certified):
    from lms.certificates.models import Certificate
    from tests.certificates.test_pdf import render

    login(client, certified)
    client.get("/lang/en")
    cert = db.session.scalars(select(Certificate)).one()
    _document, text, _image = render(client.get(f"/certificates/{cert.id}.pdf").data)
    assert NAME in text and NAME_EN not in text
    verify = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert f'<span lang="zh-CN">{NAME}</span> ({NAME_EN})</dd>' in verify  # as printed, and in English beside it


def test_the_verification_page_names_the_programme_in_english_only_on_an_english_page(app, certified):
    from lms.certificates.models import Certificate

    serial = db.session.scalar(select(Certificate.serial))
    anyone = app.test_client()
    assert NAME_EN in page(anyone, f"/verify/{serial}", "en")
    chinese = page(anyone, f"/verify/{serial}", "zh_CN")
    assert NAME in chinese and NAME_EN not in chinese
    # the answer scripts read keeps the certificate's own (Chinese) name, with the English beside it
    data = anyone.get(f"/verify/{serial}", headers={"Accept": "application/json"}).get_json()
    assert (data["program"], data["program_en"]) == (NAME, NAME_EN)
