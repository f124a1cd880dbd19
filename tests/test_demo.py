"""The demo data `make run` loads into an empty database: accounts that sign in, and workshops."""

from lms.accounts.service import find_user
from lms.demo import load_demo
from lms.extensions import db
from lms.workshops.service import attended_hours, upcoming_enrollments


def test_demo_accounts_sign_in_and_the_workshops_are_there(app, client):
    credentials = load_demo(only_if_empty=True)
    assert [role for role, _login, _password in credentials] == ["admin", "staff", "officer", "officer", "officer"]
    assert load_demo(only_if_empty=True) == []  # idempotent: a second make run adds nothing
    role, login, password = credentials[2]
    response = client.post("/login", data={"login": login, "password": password})
    assert response.status_code == 302
    page = client.get("/workshops/").get_data(as_text=True)
    assert "计量器具管理与强制检定实务" in page
    officers = [login for role, login, _p in credentials if role == "officer"]
    first, second = (find_user(officers[0]), find_user(officers[1]))
    assert attended_hours(first.id) == 3.0  # Quality Month's HACCP workshop
    assert [e.workshop.title for e in upcoming_enrollments(second.id)] == ["计量器具管理与强制检定实务"]
    db.session.remove()
