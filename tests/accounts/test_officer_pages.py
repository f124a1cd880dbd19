"""What an officer finds on their own pages: an exam under way at the top of the dashboard,
and the way to change the password on the account page."""

import re
from datetime import timedelta

from lms.assessment import service as exams
from lms.extensions import db
from tests.assessment.exam_factory import add_questions, make_exam
from tests.conftest import login


def test_an_exam_under_way_is_at_the_top_of_the_dashboard_with_the_time_left(client, factory):
    add_questions("metrology", "single", 3)
    exam = make_exam(title="计量基础考试", time_limit_minutes=30)
    user = factory.user("officer")
    attempt = exams.start_attempt(exam, user.id)
    login(client, user)
    page = client.get("/me").get_data(as_text=True)
    assert "考试进行中：计量基础考试" in page and re.search(r"还剩约 (30|29) 分钟", page)
    link = re.search(r'<a[^>]*href="([^"]*)"[^>]*>继续考试</a>', page)
    assert link and link.group(1) == f"/exams/attempts/{attempt.id}"
    assert page.index("继续考试") < page.index("我的课程")


def test_an_attempt_past_its_deadline_or_handed_in_is_not_offered(client, factory):
    add_questions("metrology", "single", 3)
    user = factory.user("officer")
    late = exams.start_attempt(make_exam(title="过期考试"), user.id)
    late.deadline_at -= timedelta(minutes=31)
    db.session.commit()
    exams.submit(exams.start_attempt(make_exam(title="交卷考试"), user.id))
    login(client, user)
    page = client.get("/me").get_data(as_text=True)
    assert "考试进行中" not in page and "继续考试" not in page


def test_the_account_page_links_to_changing_the_password(client, factory):
    login(client, factory.user("officer", phone="13911112222"))
    page = client.get("/account").get_data(as_text=True)
    link = re.search(r'<a[^>]*href="([^"]*)"[^>]*id="change-password"[^>]*>修改密码</a>', page)
    assert link and link.group(1) == "/account/password"
    assert client.get(link.group(1)).status_code == 200
