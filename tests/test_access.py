"""Role checks and CSRF over the whole URL map, not a hand-picked list."""

import re
from pathlib import Path

import pytest

STAFF_PREFIXES = ("/staff/", "/admin/")


def concrete_urls(app, prefixes):
    """Every rule under the prefixes with its arguments filled in, with its methods."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_there_are_staff_routes_to_check(app):
    assert len(concrete_urls(app, STAFF_PREFIXES)) >= 15


def test_officer_gets_403_on_every_staff_and_admin_route(app, as_officer):
    for method, url in concrete_urls(app, STAFF_PREFIXES):
        response = as_officer.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


def test_staff_gets_403_on_every_admin_route(app, as_staff):
    for method, url in concrete_urls(app, ("/admin/",)):
        response = as_staff.open(url, method=method)
        assert response.status_code == 403, (method, url)


def test_anonymous_user_is_sent_to_login_from_every_staff_route(app, client):
    for method, url in concrete_urls(app, STAFF_PREFIXES):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.location, (method, url)


def test_staff_reach_the_roster_pages(as_staff):
    for url in ("/staff/registry/filings", "/staff/registry/enterprises", "/staff/registry/import",
                "/staff/registry/towns", "/staff/registry/invitations"):
        assert as_staff.get(url).status_code == 200, url


@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_every_post_route_rejects_a_form_without_csrf_token(csrf_app, factory):
    client = csrf_app.test_client()
    admin = factory.user("admin")
    with client.session_transaction() as session:  # signed in without posting a form
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    posts = [url for method, url in concrete_urls(csrf_app, ("/",)) if method == "POST"
             and not url.startswith("/api/")]
    assert "/login" in posts and "/logout" in posts
    for url in posts:
        response = client.post(url, data={"x": "1"})
        assert response.status_code == 400, url
        assert "安全令牌" in response.get_data(as_text=True)


def test_login_form_works_with_its_csrf_token(csrf_app, factory):
    user = factory.user("officer")
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login": user.login, "password": "correct-horse-1",
                                           "csrf_token": token})
    assert response.status_code == 302


def test_signing_in_gives_a_new_csrf_token_so_one_planted_before_it_does_not_carry_over(csrf_app, factory):
    """A token read from the sign-in page (by someone who planted that session cookie in the
    victim's browser) no longer works for forms once the victim has signed in."""
    user = factory.user("officer")
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"login": user.login, "password": "correct-horse-1",
                                       "csrf_token": token}).status_code == 302
    refused = client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True)
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/account").get_data(as_text=True)).group(1)
    assert fresh != token


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_no_asset_from_another_origin(client, as_staff):
    for url in ("/login", "/staff/registry/filings"):
        html = as_staff.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), url
    assert as_staff.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_every_recorded_audit_action_has_a_name_on_the_log():
    """The admins' log names actions in words: a new audit.record("x.y") must get a label."""
    from pathlib import Path

    from lms.core.audit import ACTION_LABELS

    root = Path(__file__).resolve().parent.parent / "lms"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    recorded |= {f"user.{state}" for state in ("enabled", "disabled")}  # recorded as f"user.{state}"
    assert len(recorded) > 20 and not recorded - ACTION_LABELS.keys(), sorted(recorded - ACTION_LABELS.keys())


def test_the_audit_log_names_actions_in_words(app, as_admin, factory):
    from lms.core import audit
    from lms.extensions import db

    audit.record("filing.ended", "filing:1", "某企业 · 某人 · 2026-10-08 · 离职")
    db.session.commit()
    page = as_admin.get("/admin/audit").get_data(as_text=True)
    assert "结束备案" in page and ">filing.ended<" not in page
    assert "结束备案" in as_admin.get("/admin/audit?action=filing.ended").get_data(as_text=True)
    assert '<a href="/staff/coverage/filings/1">备案 #1</a>' in page  # its target opens the filing's page
    audit.record("certificate.revoked", "CQO-2026-000001-7", "冒用")
    db.session.commit()
    assert '<a href="/verify/CQO-2026-000001-7">CQO-2026-000001-7</a>' in as_admin.get("/admin/audit").get_data(as_text=True)
    targets = re.findall(r'audit\.record\([^,]+,\s*f"([a-z_]+):', "\n".join(
        p.read_text(encoding="utf-8") for p in (Path(__file__).resolve().parent.parent / "lms").rglob("*.py")))
    assert len(targets) > 10 and set(targets) <= audit.TARGET_KINDS.keys(), set(targets) - audit.TARGET_KINDS.keys()
