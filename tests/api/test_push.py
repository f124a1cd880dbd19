"""POST /api/v1/roster: what a push may hold, and how its errors name rows and fields."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.registry.columns import COLUMNS
from lms.registry.models import Enterprise, Filing
from tests.api.conftest import auth, row
from tests.conftest import make_uscc


def push(client, token, body, **kw):
    return client.post("/api/v1/roster", headers=auth(token), json=body, **kw)


def filings() -> int:
    return db.session.scalar(select(func.count(Filing.id)))


def test_a_misspelt_dry_run_is_refused_not_committed(client, token, factory):
    factory.town("东街道")
    r = push(client, token, {"rows": [row()], "dryRun": True})
    assert r.status_code == 400
    assert r.get_json()["error"] == "unknown keys: dryRun; the known keys are rows, dry_run"
    assert r.get_json()["unknown_keys"] == ["dryRun"] and filings() == 0


def test_misspelt_row_fields_are_refused_by_name_and_row(client, token, factory):
    factory.town("东街道")
    filed = row(filing_no="XS-1")
    assert push(client, token, {"rows": [filed]}).status_code == 200
    r = push(client, token, {"rows": [row(uscc=make_uscc(8)), filed | {"statuss": "已注销", "emial": "a@b.cn"}]})
    assert r.status_code == 400
    assert r.get_json()["unknown_fields"] == [{"field": "emial", "index": 1}, {"field": "statuss", "index": 1}]
    assert r.get_json()["error"].startswith("unknown fields: emial (rows[1]), statuss (rows[1]); the known fields are filing_no, ")
    assert db.session.scalar(select(Filing.status)) == "current" and filings() == 1  # still in office, knowingly


@pytest.mark.parametrize("value", [45000, 2.5, True])
def test_a_date_that_is_not_text_is_refused(client, token, factory, value):
    """A number would be read as an Excel serial (45000 is 2023-03-15), a boolean as "True"."""
    factory.town("东街道")
    r = push(client, token, {"rows": [row(), row(uscc=make_uscc(8), ended_on=value, status="已注销")]})
    assert r.status_code == 400
    assert r.get_json() == {"error": "rows[1].ended_on: dates are strings written YYYY-MM-DD",
                            "index": 1, "column": "ended_on"}


def test_messages_cite_rows_by_their_index_in_the_request(client, token, factory):
    factory.town("东街道")
    r = push(client, token, {"rows": [row(filing_no="XS-1"), row(uscc=make_uscc(8)), row(filing_no="XS-1", mobile="13800001111"),
                                      row(uscc=make_uscc(8), officer_name="周九", appointed_on="2025-01-03")]})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"index": 2, "column": "filing_no", "message": "备案编号与 rows[0] 重复"} in errors
    # No row sent status, and the column is still named by its field key, not 状态.
    assert {"index": 3, "column": "status", "message":
            "同一企业在 rows[1] 已有在任首席质量官；变更应写成一行“已变更”（含离任日期）加一行“在任”"} in errors


def test_a_result_speaks_of_fields_not_of_a_spreadsheet(client, token, factory):
    factory.town("东街道")
    result = push(client, token, {"rows": [row()], "dry_run": True}).get_json()
    assert "header_row" not in result and "unknown_columns" not in result and "unknown_fields" not in result
    assert result["committed"] is False
    assert {"filing_no", "status", "ended_on", "email"} <= set(result["absent_columns"])
    assert set(result["absent_columns"]) <= {c.en for c in COLUMNS}


def test_each_way_a_body_can_be_wrong_has_its_own_message(client, token):
    def send(data, content_type):
        r = client.post("/api/v1/roster", headers=auth(token), data=data, content_type=content_type)
        return r.status_code, r.get_json()["error"]

    assert send(b"", "application/json") == (
        400, 'the request body is empty; expected {"rows": [ {...}, ... ], "dry_run": false}')
    assert send(b'{"rows": []}', "text/plain") == (415, "Content-Type must be application/json, not text/plain")
    assert send(b'{"rows": []}', None) == (415, "Content-Type must be application/json, not none")
    status, error = send(b'{"rows": [', "application/json")
    assert status == 400 and error.startswith("the request body is not valid JSON: ")
    status, error = send('{"rows": [{"officer_name": "孙八"}]}'.encode("gbk"), "application/json")
    assert status == 400 and error.startswith("the request body is not valid JSON: ")


def test_a_push_racing_another_gets_a_409_and_can_be_repeated(client, token, factory, monkeypatch):
    """Another push commits the same new enterprise between this one's check and its write:
    the UNIQUE on enterprise.uscc stops it at commit."""
    from lms.api import push as views

    factory.town("东街道")
    checked = views.build_preview

    def meanwhile(parsed, **options):
        preview = checked(parsed, **options)
        db.session.add(Enterprise(uscc=make_uscc(7), name="推送企业", scale="small", town_id=factory.town().id))
        db.session.commit()
        return preview

    monkeypatch.setattr(views, "build_preview", meanwhile)
    r = push(client, token, {"rows": [row()]})
    assert r.status_code == 409
    assert r.get_json() == {"error": "another change to the roster was committed while this push was being applied: "
                                     "nothing of this push was applied, and repeating it is safe (pushes are idempotent)"}
    assert filings() == 0
    monkeypatch.setattr(views, "build_preview", checked)
    again = push(client, token, {"rows": [row()]})
    assert again.status_code == 200 and again.get_json()["committed"] is True and filings() == 1


def test_a_body_nested_too_deeply_is_a_400_not_a_server_error(app, client, token):
    """json.loads recurses once per level: a body of 100 000 "[" raised RecursionError."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a crash would be a 500
    deep = b'{"rows": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = client.post("/api/v1/roster", headers=auth(token), data=deep, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json() == {"error": "the request body is not valid JSON: arrays and objects are nested too deeply"}


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_refused_push_says_why_and_that_nothing_was_committed(client, token, factory, dry_run):
    factory.town("东街道")
    r = push(client, token, {"rows": [row(town="火星"), row(uscc=make_uscc(8))], "dry_run": dry_run})
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "1 of 2 rows has errors: nothing was written (each error is listed in errors)"
    assert body["committed"] is False
    assert body["errors"] == [{"index": 0, "column": "town", "message": "未知的镇街“火星”：请在“镇街”页面添加，或改正这一行的镇街"}]
    assert filings() == 0


def test_a_push_of_only_empty_rows_says_so_in_its_error(client, token):
    r = push(client, token, {"rows": [{}, {}]})
    assert r.status_code == 422
    assert r.get_json()["error"] == "no data rows: every row is empty, so nothing was written"
    assert r.get_json()["committed"] is False


def test_a_refused_push_is_what_the_openapi_description_promises(client, token, factory):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # what Schemathesis validates with
    factory.town("东街道")
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/api/v1/roster"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    refused = push(client, token, {"rows": [row(town="火星")], "dry_run": True}).get_json()
    jsonschema_rs.validate(schema, refused)
    assert {"error", "committed"} <= set(schema["required"])
