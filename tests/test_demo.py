"""The demo data `make run` loads into an empty database: accounts that sign in, and workshops."""

import re

from lms.accounts.service import find_user
from lms.core.clock import local_today
from lms.demo import load_demo
from lms.extensions import db
from lms.workshops.checkin import attended_hours
from lms.workshops.service import upcoming_enrollments


def test_demo_accounts_sign_in_and_the_workshops_are_there(app, client):
    credentials = load_demo(only_if_empty=True)
    assert [role for role, *_rest in credentials] == ["admin", "staff", "officer", "officer", "officer"]
    assert load_demo(only_if_empty=True) == []  # idempotent: a second make run adds nothing
    role, login, password, _note = credentials[2]
    response = client.post("/login", data={"login": login, "password": password})
    assert response.status_code == 302
    page = client.get("/workshops/").get_data(as_text=True)
    assert "计量器具管理与强制检定实务" in page
    officers = [login for role, login, *_rest in credentials if role == "officer"]
    first, second = (find_user(officers[0]), find_user(officers[1]))
    assert attended_hours(first.id) == 3.0  # Quality Month's HACCP workshop
    assert [e.workshop.title for e in upcoming_enrollments(second.id)] == ["计量器具管理与强制检定实务"]
    db.session.remove()


def test_demo_has_a_trained_officer_a_learner_and_a_certificate_anyone_can_verify(app, client):
    from datetime import timedelta
    from pathlib import Path

    from lms.assessment.bank import sync_content
    from lms.coverage.service import coverage
    from lms.programs.service import current_program, standing

    sync_content(Path(__file__).resolve().parent.parent)
    credentials = load_demo(only_if_empty=True)
    first, second, third = (account for account in credentials if account.role == "officer")
    assert "持有证书" in third.note and "学习中" in second.note

    program = current_program()
    today = local_today()
    [overall] = coverage(program, today)
    assert (overall.filed, overall.trained) == (12, 1)
    assert overall.in_progress == 2  # the learner, and the first officer's workshop
    [ten_weeks_ago] = coverage(program, today - timedelta(days=70))
    assert ten_weeks_ago.trained == 0  # the certificate is dated when it was earned: the trend rises

    holder = find_user(third.login)
    state = standing(holder.id, holder.filings[0].enterprise.industry_code, program)
    assert state.is_complete, [(r.label, r.detail) for r in state.requirements if not r.done]
    assert client.post("/login", data={"login": third.login, "password": third.password}).status_code == 302
    page = client.get("/certificates/").get_data(as_text=True)
    serial = re.search(r"<code>(CQO-[0-9-]+)</code>", page).group(1)
    client.post("/logout")
    verified = client.get(f"/verify/{serial}").get_data(as_text=True)
    name = holder.filings[0].officer_name
    assert "有效" in verified and name not in verified and f"{name[0]}*" in verified  # masked for the public
    db.session.remove()


def test_the_officer_dashboard_counts_the_days_to_the_deadline(app, client):
    from pathlib import Path

    from lms.assessment.bank import sync_content
    from lms.programs.service import current_program

    sync_content(Path(__file__).resolve().parent.parent)
    accounts = load_demo()
    learner = next(a for a in accounts if a.role == "officer" and "学习中" in a.note)
    client.post("/login", data={"login": learner.login, "password": learner.password})
    days = (current_program().deadline - local_today()).days
    page = client.get("/me").get_data(as_text=True)
    assert (f"还剩 {days} 天" if days >= 0 else f"已过期 {-days} 天") in page
    db.session.remove()
