"""Signed-cookie sessions verified once per cookie (lms/core/sessions.py): a remembered
cookie is still only the exact one that was verified, and it still expires."""

from lms.core import sessions
from tests.conftest import login


def _signed_in(client, factory):
    login(client, factory.user("officer"))
    assert client.get("/courses/").status_code == 200  # verified, and now remembered
    return client.get_cookie("session").value


def test_an_altered_cookie_is_refused_after_the_real_one_was_remembered(client, factory):
    cookie = _signed_in(client, factory)
    payload, timestamp, signature = cookie.rsplit(".", 2)
    for forged in (f"{payload}.{timestamp}.{signature[:-2]}AA", f"{payload}x.{timestamp}.{signature}"):
        client.set_cookie("session", forged)
        response = client.get("/courses/")
        assert response.status_code == 302 and "/login" in response.headers["Location"], forged
    client.set_cookie("session", cookie)
    assert client.get("/courses/").status_code == 200


def test_a_remembered_cookie_still_expires(client, factory, app, monkeypatch):
    _signed_in(client, factory)
    later = sessions.time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    response = client.get("/courses/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_flashed_messages_are_not_shared_between_requests(client, factory):
    _signed_in(client, factory)
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert page.count("您已退出登录") == 1
    assert "您已退出登录" not in client.get("/login").get_data(as_text=True)


def test_an_unchanged_session_sets_no_cookie(client, factory):
    _signed_in(client, factory)
    response = client.get("/courses/")
    assert response.headers.getlist("Set-Cookie") == []
    assert "Cookie" in response.headers["Vary"]


def test_remembered_values_are_bounded_oldest_first():
    memo = sessions.Memo(3)
    for n in range(5):
        memo.keep(f"cookie-{n}", n)
    assert list(memo) == ["cookie-2", "cookie-3", "cookie-4"]
