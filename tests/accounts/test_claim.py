"""Claiming a filing at /me/claim with an invitation code, signed in: only the filing of the
person the account names, and only while the account holds no other current filing."""

import re
from datetime import date

import pytest

from lms.extensions import db
from lms.registry.service import issue_invite_codes
from tests.conftest import login

WRONG_CODE = "邀请码无效或已被使用"


def code_for(filing) -> str:
    [(_filing, code)] = issue_invite_codes([filing])
    db.session.commit()
    return code


@pytest.fixture
def officer(app, factory):
    """孙悦, signed in, with no filing yet."""
    user = factory.user("officer", name="孙悦")
    client = app.test_client()
    login(client, user)
    client.user = user
    return client


def claim(client, code):
    return client.post("/me/claim", data={"code": code}, follow_redirects=True)


def test_an_officer_claims_the_filing_in_their_own_name(officer, factory):
    filing = factory.filing(officer_name="孙 悦")  # spaces in a name do not matter, as on registering
    page = claim(officer, code_for(filing)).get_data(as_text=True)
    assert "备案已认领" in page
    db.session.refresh(filing)
    assert filing.user_id == officer.user.id


def test_a_filing_in_another_person_s_name_is_refused(officer, factory):
    other = factory.filing(officer_name="李雷")
    page = claim(officer, code_for(other)).get_data(as_text=True)
    assert "备案已认领" not in page
    assert "不是以您账号上的姓名（孙悦）登记的" in page and "李雷" not in page
    db.session.refresh(other)
    assert other.user_id is None


def test_a_wrong_code_keeps_its_message(officer, factory):
    factory.filing(officer_name="李雷")
    page = claim(officer, "ABCD-EFGH-JK").get_data(as_text=True)
    assert WRONG_CODE in page and "不是以您账号上的姓名" not in page


def test_an_account_holds_one_current_filing(officer, factory):
    held = factory.filing(officer_name="孙悦", user_id=officer.user.id)
    second = factory.filing(officer_name="孙悦")  # the same person filed as CQO of another enterprise
    page = claim(officer, code_for(second)).get_data(as_text=True)
    assert f"您已认领 {held.enterprise.name} 的备案" in page and "请联系区市场监管局" in page
    assert "备案已认领" not in page and second.enterprise.name not in page
    db.session.refresh(second)
    assert second.user_id is None


def test_an_officer_who_has_claimed_is_told_so_not_that_the_code_is_wrong(officer, factory):
    filing = factory.filing(officer_name="孙悦")
    code = code_for(filing)
    claim(officer, code)
    for page in (claim(officer, code).get_data(as_text=True),  # the same code again, from the invitation
                 claim(officer, "ABCD-EFGH-JK").get_data(as_text=True),
                 officer.get("/me/claim").get_data(as_text=True)):
        assert f"您已认领 {filing.enterprise.name} 的备案" in page
        assert WRONG_CODE not in page and 'name="code"' not in page  # nothing said of the code; no form


def test_an_officer_whose_filing_ended_claims_their_new_one(officer, factory):
    factory.filing(officer_name="孙悦", user_id=officer.user.id, status="replaced", ended_on=date(2026, 3, 1))
    new = factory.filing(officer_name="孙悦", appointed_on=date(2026, 3, 1), filed_on=date(2026, 3, 5))
    assert "备案已认领" in claim(officer, code_for(new)).get_data(as_text=True)
    db.session.refresh(new)
    assert new.user_id == officer.user.id


def test_the_code_field_types_capitals_without_autocorrect(app, officer):
    for page in (app.test_client().get("/register"), officer.get("/me/claim")):
        field = re.search(r'<input[^>]*name="code"[^>]*>', page.get_data(as_text=True)).group(0)
        assert 'autocapitalize="characters"' in field and 'autocomplete="off"' in field
        assert 'spellcheck="false"' in field
