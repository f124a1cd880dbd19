"""The paper as a screen reader meets it: each group of options named by its question, the
question numbers saying what their colours show, the Chinese content marked as Chinese on an
English page, and the clock red from the first second of the last five minutes."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.assessment import service
from lms.assessment.models import Attempt
from lms.core.models import utcnow
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, answer_all, make_exam
from tests.conftest import login


@pytest.fixture
def sitting(client, factory):
    """A signed-in officer's open attempt of three single-choice questions; its paper's URL."""
    add_questions("metrology", "single", 3)
    officer = factory.user("officer")
    attempt = service.start_attempt(make_exam(), officer.id)
    login(client, officer)
    return attempt, f"/exams/attempts/{attempt.id}"


def fieldsets(page: str) -> list[str]:
    return re.findall(r'<fieldset class="card-body question".*?</fieldset>', page, re.S)


def test_each_question_is_named_by_its_number_kind_and_stem(client, sitting):
    attempt, url = sitting
    page = client.get(url).get_data(as_text=True)
    groups = fieldsets(page)
    assert len(groups) == 3
    for item, group in zip(attempt.questions, groups, strict=True):
        # The legend is the fieldset's first child: what makes it the name of the group.
        legend = re.match(r'<fieldset[^>]*><legend[^>]*>(.*?)</legend>', group, re.S)
        assert legend, group[:200]
        words = re.sub(r"<[^>]+>", "", legend.group(1))
        assert words == f"{item.position}. 单选 · 2 分{item.frozen['text']}"


def test_question_numbers_say_whether_they_are_answered_and_flagged(client, sitting):
    attempt, url = sitting
    client.post(f"{url}/answer", json={"position": 2, "response": 0, "flagged": True})
    client.post(f"{url}/answer", json={"position": 3, "flagged": True})
    page = client.get(url).get_data(as_text=True)
    labels = {n: label for label, n in re.findall(r'aria-label="([^"]+)" href="#q\d+" data-nav="(\d+)"', page)}
    assert labels == {"1": "第 1 题，未作答", "2": "第 2 题，已作答，已标记", "3": "第 3 题，未作答，已标记"}
    # exam.js keeps them so, from these words in the page's language
    for key in ("answered", "unanswered", "answered-flagged", "unanswered-flagged"):
        assert f'data-text-nav-{key}="第 {{n}} 题，' in page


def test_an_english_page_marks_the_chinese_stems_and_options(client, sitting):
    _attempt, url = sitting
    chinese = client.get(url).get_data(as_text=True)
    assert 'lang="zh-CN"' not in chinese.split("<body", 1)[1]  # the page itself is Chinese
    client.get("/lang/en")
    english = client.get(url).get_data(as_text=True)
    group = fieldsets(english)[0]
    assert re.search(r'<span class="question-text" lang="zh-CN">第 \d+ 题', group)
    assert len(re.findall(r'<label class="form-check-label" for="q1_\d" lang="zh-CN">', group)) == 4
    assert 'for="q1_flag">' in group and 'for="q1_flag" lang' not in group  # the page's own words


def test_the_review_marks_the_chinese_content_on_an_english_page(client, factory):
    add_questions("metrology", "single", 3)
    officer = factory.user("officer")
    attempt = service.start_attempt(make_exam(attempts_allowed=1), officer.id)  # the last: the key shown
    answer_all(attempt, correct=False)
    service.submit(attempt)
    login(client, officer)
    client.get("/lang/en")
    page = client.get(f"/exams/attempts/{attempt.id}/review").get_data(as_text=True)
    assert len(re.findall(r'\d\. <span lang="zh-CN">第 \d+ 题', page)) == 3
    assert page.count('<ol type="A" class="small" lang="zh-CN">') == 3
    assert re.search(r'Your answer: <span lang="zh-CN">[B-D]\. 错的', page)
    assert re.search(r'<span lang="zh-CN">解析 \d+</span>', page)


@pytest.mark.parametrize(("seconds", "badge"), [(299, "text-bg-danger"), (301, "text-bg-dark")])
def test_the_clock_is_red_in_the_last_five_minutes_from_the_first_second(client, sitting, seconds, badge):
    attempt, url = sitting
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(deadline_at=utcnow() + timedelta(seconds=seconds)))
    db.session.commit()
    clock = re.search(r'<span class="badge ([^"]+)" id="countdown"', client.get(url).get_data(as_text=True))
    assert clock.group(1) == f"{badge} fs-6"


def test_the_save_state_is_not_read_out_at_every_answer(client, sitting):
    _attempt, url = sitting
    page = client.get(url).get_data(as_text=True)
    state = re.search(r'<span[^>]*id="save-state"[^>]*>', page).group(0)
    assert "aria-live" not in state
    assert re.search(r'<span class="visually-hidden" aria-live="polite" id="save-alert"></span>', page)
