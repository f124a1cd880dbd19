"""Characters that str.isdigit() accepts but int() refuses (superscripts, circled numbers), and
numbers too long for any id, in a query, a form or a URL get an ordinary answer, never a server
error."""

import re


def test_odd_digits_in_staff_queries_and_public_urls(as_staff, app):
    for url in ("/staff/coverage/chase?industry=C²²", "/staff/registry/filings?town=²",
                "/staff/registry/enterprises?town=①", "/staff/coverage/?as_of=²⁰²⁶-01-01"):
        assert as_staff.get(url).status_code < 500, url
    public = app.test_client()
    page = public.get("/verify/CQO-²⁰²⁶-000001-7")
    assert page.status_code == 200 and "查无此证" in page.get_data(as_text=True)


def test_an_exam_rule_with_an_odd_count_is_explained(as_staff, app):
    from tests.assessment.exam_factory import add_questions, exam_post

    add_questions("metrology", "single", 5)
    page = as_staff.post("/staff/exams/new", data=exam_post({"title": "计量考试", "rules": "metrology single * ² 2",
                                                             "time_limit_minutes": 30, "pass_percent": 60,
                                                             "attempts_allowed": 2, "wait_minutes": 0}))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "请填写整数" in html and "invalid literal" not in html


HUGE = "9" * 20  # past 64 bits: once an OverflowError in the database driver


def test_a_number_too_long_for_any_id_is_not_found_on_every_route(app, as_staff):
    """Every GET route with an <int:…> in its path, over the whole URL map, as staff (who reach
    the most): a 20-digit id answers 404, never 500."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<[^>]+>", "1", re.sub(r"<int:[^>]+>", HUGE, rule.rule))
        assert as_staff.get(url).status_code == 404, url
        checked += 1
    assert checked > 20


def test_a_number_too_long_in_a_query_or_an_upload_token_is_an_ordinary_answer(as_staff):
    for url in (f"/staff/registry/filings?page={HUGE}", f"/staff/registry/filings?page=-{HUGE}",
                f"/staff/registry/filings?town={HUGE}", f"/staff/registry/enterprises?town={HUGE}",
                f"/staff/coverage/chase?town={HUGE}", f"/staff/certificates/?page={HUGE}",
                f"/staff/certificates/bulk.zip?town={HUGE}&workshop={HUGE}"):
        assert as_staff.get(url).status_code in (200, 302, 404), url
    assert as_staff.get("/staff/registry/import/" + "a" * 5000).status_code == 404
    assert as_staff.get("/staff/exams/questions/import/" + "a" * 5000).status_code == 404
