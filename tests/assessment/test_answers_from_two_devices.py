"""An officer answering on two devices: an answer given offline on one must not overwrite the
newer answer saved meanwhile from the other (autosave's seen, and the plain form's _seen)."""

import json
import re

import pytest

from lms.assessment.models import Attempt
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.conftest import login


@pytest.fixture
def paper(app, client, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam()
    login(client, factory.user("officer"))
    attempt_id = int(client.post(f"/exams/{exam.id}/start").location.split("/")[-1])
    return client, attempt_id, f"/exams/attempts/{attempt_id}/answer"


def responses(attempt_id):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    return [q.response for q in sorted(attempt.questions, key=lambda q: q.position)]


def test_an_offline_answer_from_one_phone_does_not_overwrite_a_newer_one(paper):
    client, attempt_id, url = paper
    # The phone was shown question 1 unanswered and answered 0 while offline; meanwhile the
    # computer saved 2. Back online, the phone's save is refused with what the server holds.
    assert client.post(url, json={"position": 1, "response": 2, "seen": [None]}).status_code == 200
    r = client.post(url, json={"position": 1, "response": 0, "seen": [None, 0]})
    assert r.status_code == 412
    body = r.get_json()
    assert body["overtaken"] is True and body["response"] == 2 and body["flagged"] is False
    assert "另一台设备" in body["error"]
    assert responses(attempt_id)[0] == 2


def test_saves_the_page_knew_of_go_through(paper):
    client, attempt_id, url = paper
    assert client.post(url, json={"position": 1, "response": 1, "seen": [None]}).status_code == 200
    # Changed again on the same page: it knows the server holds 1.
    assert client.post(url, json={"position": 1, "response": 2, "seen": [1]}).status_code == 200
    # A save whose reply was lost, then a change: the page lists both answers it may have left.
    assert client.post(url, json={"position": 1, "response": 0, "seen": [1, 2]}).status_code == 200
    # The same answer again (a retry after a lost reply) is fine whatever the page knew.
    assert client.post(url, json={"position": 1, "response": 0, "seen": [None]}).status_code == 200
    # Without seen (an older page, the API): saved as before.
    assert client.post(url, json={"position": 2, "response": 1}).status_code == 200
    assert responses(attempt_id)[:2] == [0, 1]


def test_a_flag_alone_is_never_refused_and_seen_must_be_a_list(paper):
    client, attempt_id, url = paper
    client.post(url, json={"position": 1, "response": 2})
    assert client.post(url, json={"position": 1, "flagged": True, "seen": [None]}).status_code == 200
    r = client.post(url, json={"position": 1, "response": 1, "seen": "2"})
    assert r.status_code == 400
    assert responses(attempt_id)[0] == 2


def _form(page: str) -> dict:
    """The plain form's hidden fields as the paper page rendered them."""
    return {name: json.loads(value.replace("&#34;", '"').replace("&quot;", '"'))
            for name, value in re.findall(r'name="(q\d+_seen)" value="([^"]*)"', page)}


def test_the_plain_form_keeps_an_answer_changed_elsewhere_and_does_not_hand_in(paper):
    client, attempt_id, url = paper
    shown = _form(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    assert shown["q1_seen"] == {"r": None, "f": False}
    client.post(url, json={"position": 1, "response": 2})  # another device, after the page was shown
    data = {name: json.dumps(value) for name, value in shown.items()}
    data.update({"q1": "0", "q2": "1", "q2_flag": "1", "action": "submit"})
    r = client.post(f"/exams/attempts/{attempt_id}", data=data, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "第 1 题在您打开本页之后已在另一个页面或另一台设备上改过答案" in page
    attempt = db.session.get(Attempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.status == "open"  # back to the paper to check, not handed in
    assert responses(attempt_id)[:2] == [2, 1]


def test_the_plain_form_saves_a_flag_without_resending_an_old_answer(paper):
    client, attempt_id, url = paper
    shown = _form(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    client.post(url, json={"position": 1, "response": 2})  # saved elsewhere since
    data = {name: json.dumps(value) for name, value in shown.items()}
    data.update({"q1_flag": "1"})  # this page only ticks the flag, its radio still empty
    assert client.post(f"/exams/attempts/{attempt_id}", data=data).status_code == 302
    attempt = db.session.get(Attempt, attempt_id)
    db.session.refresh(attempt)
    first = min(attempt.questions, key=lambda q: q.position)
    assert (first.response, first.flagged) == (2, True)
