"""The autosave's fast path (answer_endpoint.py) with CSRF on, as in production: it saves
only what the Flask view would save, and leaves every other case to the view."""

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from lms.assessment import service
from lms.assessment.models import Attempt, AttemptQuestion
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam


@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()


def sign_in(app, user):
    """A client signed in as user, with the CSRF token its paper page carries."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    add_questions("metrology", "single", 5)
    attempt = service.start_attempt(make_exam(), user.id)
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    return client, attempt, token


def saved(attempt_id: int, position: int):
    return db.session.scalar(select(AttemptQuestion.response).where(
        AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.position == position)
        .execution_options(populate_existing=True))


def test_a_valid_save_skips_the_request_cycle_and_keeps_its_headers(csrf_app, factory):
    client, attempt, token = sign_in(csrf_app, factory.user())
    hooks = []
    csrf_app.before_request_funcs[None].append(lambda: hooks.append(1))
    r = client.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 1, "response": 2},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["saved"] is True
    assert 0 < r.get_json()["seconds_left"] <= 30 * 60
    assert hooks == []  # answered in front of Flask
    assert saved(attempt.id, 1) == 2
    page = client.get("/exams/")  # the headers every page gets
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                 "Referrer-Policy", "Cache-Control"):
        assert r.headers[name] == page.headers[name], name


def test_flag_only_and_flag_with_response(csrf_app, factory):
    client, attempt, token = sign_in(csrf_app, factory.user())
    url, headers = f"/exams/attempts/{attempt.id}/answer", {"X-CSRFToken": token}
    assert client.post(url, json={"position": 2, "flagged": True}, headers=headers).status_code == 200
    assert client.post(url, json={"position": 3, "response": 1, "flagged": True}, headers=headers).status_code == 200
    rows = dict(db.session.execute(select(AttemptQuestion.position, AttemptQuestion.flagged).where(
        AttemptQuestion.attempt_id == attempt.id).execution_options(populate_existing=True)).all())
    assert rows[2] is True and rows[3] is True and saved(attempt.id, 2) is None and saved(attempt.id, 3) == 1


def test_without_the_csrf_token_nothing_is_saved(csrf_app, factory):
    client, attempt, token = sign_in(csrf_app, factory.user())
    url = f"/exams/attempts/{attempt.id}/answer"
    other = URLSafeTimedSerializer(csrf_app.secret_key, salt="wtf-csrf-token").dumps("not-the-session-token")
    for headers in ({}, {"X-CSRFToken": token + "x"}, {"X-CSRFToken": other}):
        r = client.post(url, json={"position": 1, "response": 2}, headers=headers)
        assert r.status_code == 400 and "安全令牌" in r.get_data(as_text=True), headers
    assert saved(attempt.id, 1) is None


def test_a_forged_session_cookie_is_not_signed_in(csrf_app, factory):
    owner = factory.user()
    client, attempt, token = sign_in(csrf_app, owner)
    forged = URLSafeTimedSerializer("another-key", salt="cookie-session").dumps({"_user_id": owner.get_id()})
    stranger = csrf_app.test_client()
    stranger.set_cookie("session", forged)
    r = stranger.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 1, "response": 2},
                      headers={"X-CSRFToken": token})
    assert r.status_code in (400, 401)
    assert saved(attempt.id, 1) is None


def test_refusals_are_the_views(csrf_app, factory):
    client, attempt, token = sign_in(csrf_app, factory.user())
    url, headers = f"/exams/attempts/{attempt.id}/answer", {"X-CSRFToken": token}
    assert client.post(url, json={"position": 1, "response": 99}, headers=headers).status_code == 400
    assert client.post(url, json={"position": 99, "response": 0}, headers=headers).status_code == 404
    assert client.post(url, data="{not json", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(deadline_at=attempt.started_at - timedelta(seconds=1)))
    db.session.commit()
    r = client.post(url, json={"position": 1, "response": 0}, headers=headers)
    assert r.status_code == 409 and r.get_json()["closed"] is True
    assert db.session.scalar(select(Attempt.status).where(Attempt.id == attempt.id)
                             .execution_options(populate_existing=True)) == "expired"
    assert saved(attempt.id, 1) is None


def test_another_officers_session_cannot_save_into_an_attempt(csrf_app, factory):
    _client, attempt, _token = sign_in(csrf_app, factory.user())
    other_client, _other_attempt, other_token = sign_in(csrf_app, factory.user())
    r = other_client.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 1, "response": 2},
                          headers={"X-CSRFToken": other_token})
    assert r.status_code == 404
    assert saved(attempt.id, 1) is None


def test_the_connection_goes_back_to_the_pool_out_of_autocommit(csrf_app, factory, monkeypatch):
    client, attempt, token = sign_in(csrf_app, factory.user())
    with csrf_app.app_context():  # the factory's app context is the innermost one
        engine, used = db.engine, []
    checkout = engine.raw_connection
    monkeypatch.setattr(engine, "raw_connection", lambda: used.append(checkout()) or used[-1])
    r = client.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 1, "response": 2},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200 and used
    assert not any(engine.dialect.detect_autocommit_setting(c.dbapi_connection) for c in used if c.dbapi_connection)


def test_a_session_from_before_a_password_change_saves_nothing(app, factory):
    user = factory.user()
    client, attempt, token = sign_in(app, user)
    user.set_password("another-password-1")
    db.session.commit()
    response = client.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 1, "response": 0},
                           headers={"X-CSRFToken": token})
    # 401, not 404: the page tells the officer to sign in again rather than wait for a network
    assert response.status_code == 401 and saved(attempt.id, 1) is None
