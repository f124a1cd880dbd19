"""/api/v1: tokens, the numbers the registry reads, and roster pushes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.models import Filing
from tests.api.conftest import auth, row
from tests.conftest import make_uscc


@pytest.mark.parametrize("path", ["/api/v1/coverage", "/api/v1/appointments", "/api/v1/filings/X-1",
                                  f"/api/v1/enterprises/{make_uscc(1)}"])
def test_no_token_and_bad_token_are_refused(client, path):
    r = client.get(path)
    assert r.status_code == 401 and r.get_json()["error"] == "missing bearer token"
    assert "Bearer" in r.headers["WWW-Authenticate"]
    assert client.get(path, headers=auth("cqo_not-a-token")).status_code == 401


def test_revoked_token_is_refused_at_once(client, as_admin, token):
    assert client.get("/api/v1/appointments", headers=auth(token)).status_code == 200
    from lms.api.models import ApiToken

    token_id = db.session.scalar(select(ApiToken.id))
    as_admin.post(f"/admin/tokens/{token_id}/revoke")
    assert client.get("/api/v1/appointments", headers=auth(token)).status_code == 401


def test_admin_creates_a_token_shown_once_and_stored_as_digest(as_admin):
    page = as_admin.post("/admin/tokens/", data={"name": "registry"}).get_data(as_text=True)
    plain = page.split('readonly value="')[1].split('"')[0]
    assert plain.startswith("cqo_")
    from lms.api.models import ApiToken

    stored = db.session.scalar(select(ApiToken))
    assert stored.digest != plain and plain not in as_admin.get("/admin/tokens/").get_data(as_text=True)


def test_two_live_tokens_never_share_a_name(as_admin):
    from lms.api.models import ApiToken

    as_admin.post("/admin/tokens/", data={"name": "备案系统"})
    again = as_admin.post("/admin/tokens/", data={"name": "备案系统"}, follow_redirects=True).get_data(as_text=True)
    assert "已有名为“备案系统”的有效令牌" in again
    blank = as_admin.post("/admin/tokens/", data={"name": "   "}, follow_redirects=True).get_data(as_text=True)
    assert "请填写令牌名称" in blank
    invisible = as_admin.post("/admin/tokens/", data={"name": "\u200b"}, follow_redirects=True).get_data(as_text=True)
    assert "请填写令牌名称" in invisible
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_a_token_name_too_long_is_refused_not_cut_into_another_tokens_name(as_admin):
    """Two names differing only past the 80th character were both cut to the same 80."""
    from lms.api.models import ApiToken

    as_admin.post("/admin/tokens/", data={"name": "A" * 85 + "x"})
    page = as_admin.post("/admin/tokens/", data={"name": "A" * 85 + "y"}, follow_redirects=True).get_data(as_text=True)
    assert "令牌名称最多 80 个字符，这个有 86 个" in page
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_cli_prints_a_working_token(app, client):
    result = app.test_cli_runner().invoke(args=["lms", "create-token", "脚本"])
    assert client.get("/api/v1/appointments", headers=auth(result.stdout.strip())).status_code == 200


def test_coverage_summary(client, token, program, factory):
    factory.filing(factory.enterprise(town=factory.town("东街道")))
    data = client.get("/api/v1/coverage?as_of=2026-11-01", headers=auth(token)).get_json()
    assert {k: data[k] for k in ("filed", "trained", "coverage", "target", "deadline")} == {
        "filed": 1, "trained": 0, "coverage": 0.0, "target": 100, "deadline": "2026-12-31"}
    assert data["by_town"] == [{"town": "东街道", "filed": 1, "trained": 0, "coverage": 0.0}]
    assert client.get("/api/v1/coverage?as_of=2026-13-01", headers=auth(token)).status_code == 400


def test_training_status_by_uscc_and_filing_number(client, token, program, factory):
    ent = factory.enterprise()
    factory.filing(ent, filing_no="XS-9", officer_name="钱七")
    data = client.get(f"/api/v1/enterprises/{ent.uscc}", headers=auth(token)).get_json()
    assert data["filings"][0]["training_status"] == "not_started" and data["filings"][0]["officer_name"] == "钱七"
    assert client.get("/api/v1/filings/XS-9", headers=auth(token)).get_json()["claimed"] is False
    assert client.get("/api/v1/enterprises/91340603MA2U0A1B10", headers=auth(token)).status_code == 400
    assert client.get(f"/api/v1/enterprises/{make_uscc(99)}", headers=auth(token)).status_code == 404


def test_roster_push_is_validated_like_an_import_and_all_or_nothing(client, token, factory):
    factory.town("东街道")
    bad = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row(), row(uscc=make_uscc(8), mobile="1")]})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [{"index": 1, "column": "mobile", "message": bad.get_json()["errors"][0]["message"]}]
    assert db.session.scalar(select(func.count(Filing.id))) == 0
    dry = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row()], "dry_run": True})
    assert dry.status_code == 200 and dry.get_json()["counts"]["filing_added"] == 1
    assert db.session.scalar(select(func.count(Filing.id))) == 0
    done = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row()]})
    assert done.get_json()["committed"] is True and db.session.scalar(select(func.count(Filing.id))) == 1


def test_a_push_of_empty_rows_is_refused_not_crashed(client, token):
    r = client.post("/api/v1/roster", headers=auth(token), json={"rows": [{}]})
    assert r.status_code == 422 and "no data rows" in r.get_json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [None, {}, {"rows": []}, {"rows": "x"}, {"rows": [1, 2]}])
def test_malformed_pushes_get_a_clear_400(client, token, body):
    r = client.post("/api/v1/roster", headers=auth(token), json=body)
    assert r.status_code == 400 and r.get_json()["error"]


def test_a_push_with_nested_values_or_a_dry_run_in_words_changes_nothing(client, token, factory):
    factory.town("东街道")
    nested = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row(), row(officer_name=["张", "三"])]})
    assert nested.status_code == 400 and nested.get_json()["error"] == "rows[1].officer_name must be a string, a number or null"
    words = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row()], "dry_run": "false"})
    assert words.status_code == 400 and words.get_json()["error"] == "dry_run must be true or false"
    assert "must not be empty" in client.post("/api/v1/roster", headers=auth(token), json={"rows": []}).get_json()["error"]
    later = (local_today() + timedelta(days=30)).isoformat()
    refused = client.post("/api/v1/roster", headers=auth(token), json={"rows": [
        row(town="火星"), row(uscc=make_uscc(8), appointed_on=later, filed_on=later)]}).get_json()["errors"]
    assert {"index": 0, "column": "town", "message": "未知的镇街“火星”：请在“镇街”页面添加，或改正这一行的镇街"} in refused
    assert {"index": 1, "column": "appointed_on", "message": "聘任日期不能晚于今天"} in refused  # the field's name, as sent
    assert db.session.scalar(select(func.count(Filing.id))) == 0


def test_openapi_description_is_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/coverage" in spec["paths"]


def test_a_date_of_characters_python_calls_digits_is_refused_not_crashed(client, token, factory):
    """Schemathesis found it: "²" passes str.isdigit() but not int() or float()."""
    factory.town("东街道")
    for odd in ("²", "①", "²⁰²⁵-01-02"):
        r = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row(appointed_on=odd)]})
        assert r.status_code == 422, (odd, r.status_code)
        assert r.get_json()["errors"][0]["column"] == "appointed_on"
    wide = client.post("/api/v1/roster", headers=auth(token),
                       json={"rows": [row(appointed_on="２０２５-０１-０２")], "dry_run": True})  # full-width, from a Chinese IME
    assert wide.status_code == 200, wide.get_json()


def test_a_push_that_leaves_a_field_out_keeps_what_the_filing_holds(client, token, factory):
    factory.town("东街道")
    client.post("/api/v1/roster", headers=auth(token), json={"rows": [row(education="本科", gender="女")]})
    again = client.post("/api/v1/roster", headers=auth(token), json={"rows": [row(mobile="13800001111")]})
    assert again.status_code == 200 and again.get_json()["counts"]["filing_changed"] == 1
    filing = db.session.scalar(select(Filing))
    assert (filing.mobile, filing.education, filing.gender) == ("13800001111", "本科", "女")
    assert set(again.get_json()["absent_columns"]) >= {"education", "gender"}  # field keys, as sent
