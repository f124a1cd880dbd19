"""Programs decide who is trained; certificates are issued exactly then and can be checked."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.assessment import service as exams
from lms.catalog.models import LessonProgress
from lms.catalog.sync import sync_courses
from lms.certificates import service
from lms.certificates.models import Certificate
from lms.core.clock import local_today
from lms.extensions import db
from lms.programs.models import Program
from tests.assessment.exam_factory import add_questions, answer_all, make_exam
from tests.catalog.content_tree import write_course
from tests.conftest import login, run_together


@pytest.fixture
def program(app, tmp_path):
    write_course(tmp_path)  # "demo", for everyone
    write_course(tmp_path, "02-food", "food-only", title="食品课")
    sync_courses(tmp_path)
    add_questions("demo", "single", 5)
    exam = make_exam([{"topic": "demo", "kind": "single", "count": 3, "points": 2}])
    program = Program(name="2026 年首席质量官培训", requirements=[
        {"course": "demo", "industries": None}, {"course": "food-only", "industries": ["C13", "C14"]}],
        exam_id=exam.id, hours_required=1.5, starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
        certificate_months=24, is_current=True)
    db.session.add(program)
    db.session.commit()
    return program


def officer_of(factory, industry: str, name: str = "张晓明"):
    user = factory.user("officer")
    enterprise = factory.enterprise(industry_code=industry)
    factory.filing(enterprise, officer_name=name, user_id=user.id)
    return user


def finish_course(user, slug: str) -> None:
    from lms.catalog import service as catalog

    for lesson in catalog.lesson_by_slugs(slug, "01-first").course.lessons:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                      first_opened_at=func.now(), completed_at=func.now()))
    db.session.commit()


def pass_exam(user, program) -> None:
    attempt = exams.start_attempt(program.exam, user.id)
    answer_all(attempt)
    exams.submit(attempt)  # sends progress_made: the certificate is issued here if complete


def certificates_of(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)))


def test_issued_exactly_when_the_last_requirement_is_met(program, factory):
    user = officer_of(factory, "C3484")
    finish_course(user, "demo")
    assert service.issue_if_complete(user) is None  # the exam is still missing
    pass_exam(user, program)
    [cert] = certificates_of(user)
    assert cert.holder_name == "张晓明" and cert.hours == 1.5 and cert.status == "valid"
    assert cert.expires_on.year == cert.issued_on.year + 2
    assert service.issue_if_complete(user) is None and len(certificates_of(user)) == 1


def test_a_revoked_certificate_stays_revoked_and_the_officer_is_told_why(program, factory, client):
    user = officer_of(factory, "C3484")
    finish_course(user, "demo")
    pass_exam(user, program)
    [cert] = certificates_of(user)
    service.revoke(cert, "冒用他人身份参加考试")
    assert service.issue_if_complete(user) is None  # the next lesson opened must not undo it
    assert [c.status for c in certificates_of(user)] == ["revoked"]
    login(client, user)
    home = client.get("/me").get_data(as_text=True)
    assert f"您的证书 {cert.serial} 已被撤销" in home and "查看证书" not in home
    mine = client.get("/certificates/").get_data(as_text=True)
    assert "冒用他人身份参加考试" in mine and "请联系区市场监管局" in mine
    again = service.issue_by_staff(user, program, "复核后重新认定")  # staff may still issue one by hand
    assert again.status == "valid" and "已被撤销" not in client.get("/me").get_data(as_text=True)


def test_food_enterprises_must_also_take_the_food_course(program, factory):
    user = officer_of(factory, "C1441")
    finish_course(user, "demo")
    pass_exam(user, program)
    assert certificates_of(user) == []
    finish_course(user, "food-only")
    assert service.issue_if_complete(user) is not None


def test_a_failed_exam_issues_nothing(program, factory):
    user = officer_of(factory, "C3484")
    finish_course(user, "demo")
    attempt = exams.start_attempt(program.exam, user.id)
    answer_all(attempt, correct=False)
    exams.submit(attempt)
    assert certificates_of(user) == []


def test_serials_are_well_formed_and_checked():
    serial = service.make_serial(2026, 123)
    assert serial.startswith("CQO-2026-000123-") and service.serial_is_well_formed(serial)
    wrong = serial[:-1] + str((int(serial[-1]) + 1) % 10)
    assert not service.serial_is_well_formed(wrong)


def verify(client, serial, signature=None, json=True):
    url = f"/verify/{serial}" + (f"?s={signature}" if signature else "")
    return client.get(url, headers={"Accept": "application/json"} if json else {})


def test_verification_valid_expired_revoked_unknown_and_forged(program, factory, client):
    user = officer_of(factory, "C3484", "王建国")
    cert = service.issue_by_staff(user, program, "外地培训已认可")
    sig = service.sign(cert.serial)
    data = verify(client, cert.serial, sig).get_json()
    assert data["status"] == "valid" and data["holder"] == "王*国" and "王建国" not in str(data)
    assert set(data) == {"status", "serial", "holder", "enterprise", "program", "issued_on", "expires_on"}
    forged = service.make_serial(2026, 999999)
    assert verify(client, forged, sig).get_json() == {"status": "forged"}
    tampered = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    assert verify(client, cert.serial, tampered).get_json()["status"] == "forged"
    assert verify(client, cert.serial, "é" + sig[1:]).get_json()["status"] == "forged"  # not a 500
    assert verify(client, forged).get_json()["status"] == "not_found"
    slip = cert.serial[:-1] + str((int(cert.serial[-1]) + 1) % 10)  # one key wrong: the check digit says so
    assert verify(client, slip).get_json() == {"status": "mistyped"}
    assert "可能输错了一位" in verify(client, slip, json=False).get_data(as_text=True)
    assert "签名已核对" in verify(client, cert.serial, sig, json=False).get_data(as_text=True)
    assert "未核对签名" in verify(client, cert.serial, json=False).get_data(as_text=True)
    cert.expires_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert verify(client, cert.serial, sig).get_json()["status"] == "expired"
    service.revoke(cert, "冒用他人身份")
    page = verify(client, cert.serial, sig, json=False).get_data(as_text=True)
    assert "已撤销" in page and "王*国" in page and "王建国" not in page
    assert f"撤销日期</dt><dd class=\"col-8 text-danger\">{local_today()}" in page and "有效期至" not in page
    assert verify(client, cert.serial, sig).get_json()["revoked_on"] == local_today().isoformat()


def test_a_serial_typed_on_a_chinese_keyboard_is_found(program, factory, client):
    cert = service.issue_by_staff(officer_of(factory, "C3484", "王建国"), program, "外地培训已认可")
    head, year, number, check = cert.serial.split("-")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    for typed in (f"{head}－{year}－{number}－{check}", f"{head}—{year}—{number}—{check}", f" cqo {year} {number} {check} ",
                  f"{head}{year}{number}{check}", f"{head}-{year}-{wide}-{check}", f"{head}‐{year}−{number}ー{check}"):
        assert verify(client, typed).get_json()["status"] == "valid", typed
    assert verify(client, f"{head}{year}{number}").get_json()["status"] == "malformed"  # a digit short: no serial


def test_a_typed_serial_names_the_enterprise_only_with_the_holder_s_name(program, factory, client):
    """Serials run in order: walking them must not list who holds a certificate at which firm."""
    cert = service.issue_by_staff(officer_of(factory, "C3484", "王建国"), program, "外地培训已认可")
    typed = verify(client, cert.serial).get_json()
    assert typed["status"] == "valid" and typed["holder"] == "王*国" and "enterprise" not in typed
    assert cert.enterprise_name not in verify(client, cert.serial, json=False).get_data(as_text=True)
    named = client.get(f"/verify/{cert.serial}?name=王 建国", headers={"Accept": "application/json"}).get_json()
    assert named["name_matches"] is True and named["enterprise"] == cert.enterprise_name
    wrong = client.get(f"/verify/?serial={cert.serial}&name=王建军").get_data(as_text=True)
    assert "与所填姓名不一致" in wrong and cert.enterprise_name not in wrong
    scanned = verify(client, cert.serial, service.sign(cert.serial)).get_json()  # the QR code in hand
    assert scanned["enterprise"] == cert.enterprise_name


def test_reissue_keeps_the_serial_history(program, factory, client):
    user = officer_of(factory, "C3484", "李四")
    old = service.issue_by_staff(user, program, "补发")
    new = service.reissue(old, "李思", "姓名更正")
    assert new.serial != old.serial and new.replaces_id == old.id
    assert verify(client, old.serial, service.sign(old.serial)).get_json()["status"] == "replaced"
    assert verify(client, new.serial, service.sign(new.serial)).get_json()["holder"] == "李*"


def test_staff_revoke_from_the_list(program, factory, as_staff):
    user = officer_of(factory, "C3484")
    cert = service.issue_by_staff(user, program, "认可")
    as_staff.post(f"/staff/certificates/{cert.id}/revoke", data={"reason": "材料造假"})
    db.session.refresh(cert)
    assert cert.status == "revoked" and cert.revoked_reason == "材料造假"


def test_officer_dashboard_shows_what_is_done_and_left(program, factory, client):
    from tests.conftest import login

    user = officer_of(factory, "C3484")
    finish_course(user, "demo")
    login(client, user)
    page = client.get("/me").get_data(as_text=True)
    assert "2026 年首席质量官培训" in page and "已完成 2 / 3 项要求" in page
    # each requirement says in words whether it is done (no emoji, which office PCs may lack)
    assert page.count(">已完成</span>") == 2 and page.count(">未完成</span>") == 1
    assert "至少 1.5 学时" in page and "已获 1.5（在线 1.5 · 线下培训 0）" in page  # where hours come from


def test_concurrent_issuance_gives_unique_serials(program, factory, app):
    users = [officer_of(factory, "C3484") for _ in range(6)]
    ids = [u.id for u in users]
    program_id = program.id
    db.session.remove()

    def issue(uid):
        from lms.accounts.models import User

        return service.issue_by_staff(db.session.get(User, uid), db.session.get(Program, program_id), "并发测试")

    errors = [o for o in run_together(app, issue, ids) if isinstance(o, Exception)]
    serials = list(db.session.scalars(select(Certificate.serial)))
    assert not errors and len(serials) == 6 and len(set(serials)) == 6
    assert all(service.serial_is_well_formed(s) for s in serials)


def test_staff_issue_by_hand_and_reissue_through_the_pages(program, factory, as_staff):
    user = officer_of(factory, "C3484", "赵敏")
    as_staff.post("/staff/certificates/issue", data={"login": user.login, "reason": "省级培训已认可"})
    [cert] = certificates_of(user)
    assert cert.basis == "manual" and cert.reason == "省级培训已认可"
    as_staff.post(f"/staff/certificates/{cert.id}/reissue", data={"holder_name": "赵旻", "reason": "姓名更正"})
    db.session.expire_all()
    names = {c.holder_name: c.status for c in certificates_of(user)}
    assert names == {"赵敏": "replaced", "赵旻": "valid"}


def test_staff_create_a_program_and_make_it_current(program, as_staff):
    r = as_staff.post("/staff/programs/new", data={
        "name": "2027 年培训", "requirements": "demo\nfood-only C13", "exam_id": 0, "hours_required": 2,
        "starts_on": "2027-01-01", "deadline": "2027-12-31", "target_percent": 100,
        "certificate_months": 36, "is_current": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    current = db.session.scalar(select(Program).where(Program.is_current))
    assert current.name == "2027 年培训"
    assert current.requirements == [{"course": "demo", "industries": None},
                                    {"course": "food-only", "industries": ["C13"]}]
    bad = as_staff.post("/staff/programs/new", data={
        "name": "x", "requirements": "no-such-course", "exam_id": 0, "hours_required": 0,
        "starts_on": "2027-01-01", "deadline": "2027-12-31", "target_percent": 100, "certificate_months": 36})
    assert "未知课程" in bad.get_data(as_text=True)


def test_industry_prefixes_are_read_however_they_are_separated_and_bad_ones_are_named(program, as_staff):
    form = {"name": "2027 年培训", "exam_id": 0, "hours_required": 0, "starts_on": "2027-01-01",
            "deadline": "2027-12-31", "target_percent": 100, "certificate_months": 36, "is_current": "y"}
    as_staff.post("/staff/programs/new", data={**form, "requirements": "food-only C13, C14，C15、h62"})
    current = db.session.scalar(select(Program).where(Program.is_current))
    assert current.requirements == [{"course": "food-only", "industries": ["C13", "C14", "C15", "H62"]}]
    page = as_staff.post("/staff/programs/new", data={**form, "name": "坏", "requirements": "demo\nfood-only 食品\ndemo"})
    text = page.get_data(as_text=True)
    assert "第 2 行：“食品”不是行业代码前缀" in text and "第 3 行：课程 demo 已在前面列出" in text
    assert db.session.scalar(select(Program).where(Program.name == "坏")) is None  # nothing saved


def test_a_program_edit_is_logged_with_the_hours_it_changed(program, client, factory):
    from tests.accounts.test_audit_log import log_rows
    from tests.conftest import login

    login(client, factory.user("admin"))
    form = {"name": program.name, "requirements": "demo\nfood-only C13,C14", "exam_id": program.exam_id, "hours_required": 30,
            "starts_on": program.starts_on.isoformat(), "deadline": program.deadline.isoformat(),
            "target_percent": program.target_percent, "certificate_months": program.certificate_months,
            **({"is_current": "y"} if program.is_current else {})}
    before = f"{program.hours_required:g}"
    assert client.post(f"/staff/programs/{program.id}", data=form).status_code == 302
    assert log_rows(client)[0].endswith(f"{program.name}：应获学时 {before} → 30"), log_rows(client)[0]


def test_names_cannot_be_guessed_for_a_certificate_one_try_after_another(program, factory, client):
    """A confirmed name shows the enterprise: ten name checks an hour per certificate, and a
    check without a name (the serial alone, the QR code) is not counted."""
    first = service.issue_by_staff(officer_of(factory, "C3484", "王建国"), program, "认可")
    other = service.issue_by_staff(officer_of(factory, "C3484", "李娜"), program, "认可")
    for guess in range(10):
        assert client.get(f"/verify/{first.serial}?format=json&name=王{guess}国").get_json()["name_matches"] is False
    eleventh = client.get(f"/verify/{first.serial}?format=json&name=王建国").get_json()
    assert eleventh["name_check"] == "limited" and "name_matches" not in eleventh and "enterprise" not in eleventh
    assert client.get(f"/verify/{first.serial}?format=json").status_code == 200  # the serial alone still answers
    answer = client.get(f"/verify/{other.serial}?format=json&name=李娜").get_json()
    assert answer["name_matches"] and answer["enterprise"]  # another certificate: its holder's check works


def test_the_staff_certificates_page_warns_while_qr_codes_would_name_this_machine(app, as_staff):
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    page = as_staff.get("/staff/certificates/").get_data(as_text=True)
    assert "证书上的二维码指向 http://127.0.0.1:5000/verify/" in page and "LMS_BASE_URL" in page
    app.config["BASE_URL"] = "https://cqo.xiangshan.gov.cn"
    assert 'id="local-address"' not in as_staff.get("/staff/certificates/").get_data(as_text=True)
