"""The signed-in user as each request loads it, not the object a test already holds."""

from __future__ import annotations

from sqlalchemy import update

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import login


def _signed_in(client, factory, **kw) -> int:
    """Sign a new officer in, then drop the test's copy so that requests load their own."""
    user = factory.user("officer", **kw)
    login(client, user)
    db.session.expunge_all()
    return user.id


def test_a_loaded_user_can_change_their_password(client, factory):
    user_id = _signed_in(client, factory)
    response = client.post("/account/password", data={
        "current": "correct-horse-1", "password": "another-horse-2", "confirm": "another-horse-2"})
    assert response.status_code == 302
    db.session.expunge_all()
    assert db.session.get(User, user_id).check_password("another-horse-2")


def test_disabling_an_account_ends_its_session(client, factory):
    user_id = _signed_in(client, factory)
    assert client.get("/courses/").status_code == 200
    db.session.expunge_all()
    db.session.execute(update(User).where(User.id == user_id).values(is_active_account=False))
    db.session.commit()
    db.session.expunge_all()
    response = client.get("/courses/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_the_loaded_users_name(client, factory):
    _signed_in(client, factory, name="王小明")
    assert "王小明" in client.get("/courses/").get_data(as_text=True)


def test_an_account_disabled_then_enabled_again_gets_none_of_its_old_sessions_back(app, client, factory):
    """Disabled because a cookie was stolen, enabled once the owner has a new password: the
    stolen session (and remember-me cookie) must stay dead."""
    officer = factory.user("officer")
    admin = factory.user("admin")
    response = client.post("/login", data={"login": officer.login, "password": "correct-horse-1", "remember": "y"})
    assert response.status_code == 302 and client.get("/courses/").status_code == 200
    stolen = {c.key: c.value for c in client._cookies.values()}
    admin_client = app.test_client()
    login(admin_client, admin)
    for _turn in range(2):  # disable, then enable again
        assert admin_client.post(f"/admin/users/{officer.id}/active").status_code == 302
    db.session.expunge_all()
    assert db.session.get(User, officer.id).is_active_account
    thief = app.test_client()
    for key, value in stolen.items():
        thief.set_cookie(key, value)
    response = thief.get("/courses/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
