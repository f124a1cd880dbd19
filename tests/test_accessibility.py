"""What a keyboard or screen-reader user meets on every page: the navigation bar, form errors,
sign-in fields a password manager can fill, the page that says to wait, and table headers."""

import re
from html.parser import HTMLParser

from tests.conftest import login


class Elements(HTMLParser):
    """Each element's attributes and text, by id; and the attributes of every input."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.inputs: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": ""}
        if "id" in element:
            self.by_id[element["id"]] = element
        if tag in ("input", "select", "textarea"):
            self.inputs.append(element)
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag):
        if self._open and self._open[-1]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def test_the_navigation_is_a_banner_whose_menus_open_with_the_keyboard(as_staff):
    page = as_staff.get("/staff/programs/").get_data(as_text=True)
    header = page.split("<header>", 1)[1].split("</header>", 1)[0]
    assert header.lstrip().startswith("<nav") and "</nav>" in header
    toggles = re.findall(r"<(\w+) class=\"nav-link dropdown-toggle[^>]*>", header)
    assert len(toggles) >= 3 and set(toggles) == {"button"}  # 名册, 培训, the user's name: Space opens them
    assert 'role="button"' not in header and 'href="#"' not in header
    assert all('type="button"' in tag for tag in re.findall(r"<button class=\"nav-link[^>]*>", header))


def test_the_language_link_is_marked_as_the_language_it_names(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="nav-link" href="/lang/en[^"]*" lang="en" hreflang="en">English</a>', page)
    client.get("/lang/en")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="nav-link" href="/lang/zh_CN[^"]*" lang="zh-CN" hreflang="zh-CN">中文</a>', page)


def test_an_invalid_field_says_so_and_is_described_by_its_error_and_help(client):
    page = client.post("/register", data={"code": "AB", "name": "", "phone": "", "password": "x",
                                          "confirm": "y"}).get_data(as_text=True)
    found = Elements(page)
    code = found.by_id["code"]
    assert code["aria-invalid"] == "true"
    described = [found.by_id[i]["text"].strip() for i in code["aria-describedby"].split()]
    assert described[-1].startswith("区市场监管局为您的备案发放的邀请码")  # the help, after the error
    assert described[:-1] and all(text for text in described[:-1])
    assert "10 个字母和数字" in described[0]  # the error itself: what a code looks like
    name = found.by_id["name"]
    assert name["aria-invalid"] == "true" and found.by_id[name["aria-describedby"]]["text"].strip()


def test_a_field_without_errors_is_not_marked_invalid_but_keeps_its_help(client):
    found = Elements(client.get("/register").get_data(as_text=True))
    assert not [i for i in found.inputs if "aria-invalid" in i]
    assert found.by_id[found.by_id["code"]["aria-describedby"]]["text"].startswith("区市场监管局")
    assert "aria-describedby" not in found.by_id["name"]  # nothing to describe it by


def test_sign_in_and_registration_fields_tell_the_browser_what_they_hold(client):
    login_page = Elements(client.get("/login").get_data(as_text=True)).by_id
    assert login_page["login"]["autocomplete"] == "username"
    assert login_page["password"]["autocomplete"] == "current-password"
    register = Elements(client.get("/register").get_data(as_text=True)).by_id
    assert {name: register[name]["autocomplete"] for name in ("code", "name", "phone", "email", "password", "confirm")} == {
        "code": "off", "name": "name", "phone": "tel", "email": "email",
        "password": "new-password", "confirm": "new-password"}


def test_a_password_change_offers_the_saved_password_and_a_new_one(client, factory):
    login(client, factory.user("officer"))
    page = Elements(client.get("/account/password").get_data(as_text=True)).by_id
    assert page["current"]["autocomplete"] == "current-password"
    assert page["password"]["autocomplete"] == page["confirm"]["autocomplete"] == "new-password"


def _throttle(client, user):
    for _ in range(5):
        assert client.post("/login?next=/courses/", data={"login": user.login, "password": "bad"}).status_code == 401
    return client.post("/login?next=/courses/", data={"login": user.login, "password": "bad"})


def test_a_throttled_sign_in_says_how_long_to_wait_and_leads_back_to_the_form(client, factory):
    refused = _throttle(client, factory.user("officer"))
    assert refused.status_code == 429
    found = Elements(refused.get_data(as_text=True))
    wait = found.by_id["retry-after"]["text"]
    seconds = int(refused.headers["Retry-After"])
    assert 0 < seconds <= 60
    assert wait in (f"{seconds} 秒后可以再试。", f"{seconds + 1} 秒后可以再试。")  # as Retry-After says
    back = re.search(r'<a class="btn btn-primary" href="([^"]+)">返回登录</a>', refused.get_data(as_text=True))
    assert back and back.group(1) == "/login?next=/courses/"  # where the visitor was going
    assert client.get(back.group(1)).status_code == 200


def test_the_wait_is_said_in_english_on_an_english_page(client, factory):
    client.get("/lang/en")
    page = _throttle(client, factory.user("officer")).get_data(as_text=True)
    assert re.search(r'id="retry-after">You can try again in \d+ sec\.</p>', page)
    assert ">Back to sign in</a>" in page


def test_a_longer_wait_is_said_in_minutes(client, factory, monkeypatch):
    from lms.core import errors

    monkeypatch.setattr(errors, "_seconds_until_reset", lambda: 150)  # the hourly limit's end
    page = _throttle(client, factory.user("officer")).get_data(as_text=True)
    assert 'id="retry-after">3 分钟后可以再试。</p>' in page


def test_no_table_header_is_empty(app):
    """A column of buttons or of names is headed by words a screen reader reads (axe's
    empty-table-header): staff lists, results, the dashboard's breakdowns, an officer's attempts."""
    from lms.assessment.bank import sync_content
    from lms.demo import load_demo
    from tests.test_every_page import ROOT

    sync_content(ROOT)
    accounts = {role: (name, password) for role, name, password, _note in load_demo()}
    pages = {"staff": ["/staff/exams/", "/staff/exams/1/results", "/staff/certificates/", "/staff/coverage/"],
             "officer": ["/exams/1"]}
    for role, urls in pages.items():
        client = app.test_client()
        name, password = accounts[role]
        assert client.post("/login", data={"login": name, "password": password}).status_code == 302
        for url in urls:
            page = client.get(url).get_data(as_text=True)
            assert page.count("<th") > 3, url
            assert not re.search(r"<th[^>]*>\s*</th>", page), url


def test_a_throttled_form_leads_back_to_itself(client):
    for _ in range(10):
        client.post("/register", data={"code": "ABCD-EFGH-JK"})
    refused = client.post("/register", data={"code": "ABCD-EFGH-JK"})
    assert refused.status_code == 429
    assert '<a class="btn btn-primary" href="/register">返回</a>' in refused.get_data(as_text=True)
