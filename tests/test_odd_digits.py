"""Characters that str.isdigit() accepts but int() refuses (superscripts, circled numbers) in a
query, a form or a URL get an ordinary answer, never a server error."""


def test_odd_digits_in_staff_queries_and_public_urls(as_staff, app):
    for url in ("/staff/coverage/chase?industry=C²²", "/staff/registry/filings?town=²",
                "/staff/registry/enterprises?town=①", "/staff/coverage/?as_of=²⁰²⁶-01-01"):
        assert as_staff.get(url).status_code < 500, url
    public = app.test_client()
    page = public.get("/verify/CQO-²⁰²⁶-000001-7")
    assert page.status_code == 200 and "查无此证" in page.get_data(as_text=True)


def test_an_exam_rule_with_an_odd_count_is_explained(as_staff, app):
    from tests.assessment.exam_factory import add_questions

    add_questions("metrology", "single", 5)
    page = as_staff.post("/staff/exams/new", data={"title": "计量考试", "rules": "metrology single * ² 2",
                                                   "time_limit_minutes": 30, "pass_percent": 60,
                                                   "attempts_allowed": 2, "wait_minutes": 0})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "题数应为 1 至 200 的整数" in html and "invalid literal" not in html
