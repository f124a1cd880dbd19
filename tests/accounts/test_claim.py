"""Claiming a filing at /me/claim with an invitation code, signed in: only the filing of the
person the account names, and only while the account holds no other current filing."""

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
    factory.filing(officer_name="孙悦", user_id=officer.user.id)  # already linked to a current filing
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
    assert f"您的账号已关联{held.enterprise.name}的在任备案" in page and "备案已认领" not in page
    db.session.refresh(second)
    assert second.user_id is None


def test_an_officer_whose_filing_ended_claims_their_new_one(officer, factory):
    factory.filing(officer_name="孙悦", user_id=officer.user.id, status="replaced", ended_on=date(2026, 3, 1))
    new = factory.filing(officer_name="孙悦", appointed_on=date(2026, 3, 1), filed_on=date(2026, 3, 5))
    assert "备案已认领" in claim(officer, code_for(new)).get_data(as_text=True)
    db.session.refresh(new)
    assert new.user_id == officer.user.id
