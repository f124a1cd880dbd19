"""The `flask lms` commands as an operator meets them: clear refusals, no tracebacks, no secrets."""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError

from lms.api.models import ApiToken, create_token, token_for
from lms.core.audit import AuditEntry
from lms.extensions import db
from lms.registry.models import Enterprise, Filing, Town
from tests.conftest import make_uscc
from tests.registry.roster_files import as_csv, row


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args, typed="": runner.invoke(args=["lms", *args], input=typed)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- import-roster ---------------------------------------------------------------------------

@pytest.fixture
def roster(factory, tmp_path):
    factory.town("相南街道")
    path = tmp_path / "roster.csv"
    path.write_bytes(as_csv([row(make_uscc(), "相南街道", "秘密姓名")]))
    return path


@pytest.fixture
def failing_commit(monkeypatch):
    """commit_preview as it fails on PostgreSQL with a value too long: something is already
    written in the transaction, and SQLAlchemy's message quotes the statement and its values."""
    def fail(preview, filename, **kwargs):
        db.session.add(Town(name="写了一半"))
        db.session.flush()
        raise DataError("INSERT INTO filing (officer_name) VALUES (%(officer_name)s)", {"officer_name": "秘密姓名"},
                        Exception("value too long for type character varying(50)\nDETAIL: 秘密姓名"))

    monkeypatch.setattr("lms.registry.roster_write.commit_preview", fail)


def test_a_failed_roster_commit_is_one_line_without_roster_data_and_writes_nothing(run, roster, failing_commit):
    towns = count(Town)
    result = run("import-roster", str(roster))
    assert result.exit_code == 1
    assert result.stderr.strip() == "写入数据库失败，未导入任何数据：value too long for type character varying(50)"
    assert "秘密姓名" not in result.output and "INSERT" not in result.output and "导入完成" not in result.output
    assert count(Town) == towns and count(Filing) == 0


def test_a_failed_roster_commit_is_reported_in_the_json(run, roster, monkeypatch):
    def fail(preview, filename, **kwargs):
        raise IntegrityError("INSERT ...", {}, Exception('duplicate key value violates unique constraint "uq_x"'))

    monkeypatch.setattr("lms.registry.roster_write.commit_preview", fail)
    result = run("import-roster", str(roster), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["committed"] is False
    assert report["errors"] == [{"row": 0, "column": "",
                                 "message": '写入数据库失败，未导入任何数据：duplicate key value violates unique '
                                            'constraint "uq_x"'}]


def test_the_json_says_whether_the_roster_was_committed(run, roster):
    dry = json.loads(run("import-roster", str(roster), "--json", "--dry-run").stdout)
    assert dry["committed"] is False and count(Filing) == 0
    real = run("import-roster", str(roster), "--json")
    assert real.exit_code == 0 and json.loads(real.stdout)["committed"] is True and count(Filing) == 1


def test_an_unreadable_roster_file_gives_json_with_a_previews_keys(run, roster, tmp_path):
    preview = json.loads(run("import-roster", str(roster), "--json", "--dry-run").stdout)
    bad = tmp_path / "notes.csv"
    bad.write_text("nothing like a roster\n", encoding="utf-8")
    result = run("import-roster", str(bad), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 2 and report.keys() == preview.keys()
    assert report["counts"] == dict.fromkeys(preview["counts"], 0) and report["can_commit"] is False
    assert report["total_rows"] == 0 and report["committed"] is False and report["errors"][0]["row"] == 0


def test_a_roster_with_only_a_header_says_why_in_the_json(run, factory, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(as_csv([]))
    result = run("import-roster", str(path), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["committed"] is False
    assert [e["message"] for e in report["errors"]] == ["文件中没有数据行，未导入任何数据"]


# --- tokens ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   "])
def test_create_token_refuses_a_blank_name(run, name):
    result = run("create-token", name)
    assert result.exit_code == 1 and "请填写令牌名称" in result.output and count(ApiToken) == 0


def test_create_token_refuses_the_name_of_an_active_token_but_not_of_a_revoked_one(run):
    assert run("create-token", "registry").exit_code == 0
    again = run("create-token", " registry ")
    assert again.exit_code == 1 and "已有名为“registry”的有效令牌" in again.output and count(ApiToken) == 1
    assert run("revoke-token", "registry").exit_code == 0
    assert run("create-token", "registry").exit_code == 0 and count(ApiToken) == 2


def test_create_token_refuses_a_name_longer_than_it_can_keep(run):
    result = run("create-token", "名" * 81)
    assert result.exit_code == 1 and "最多 80 个字符，这个有 81 个" in result.output and count(ApiToken) == 0
    assert run("create-token", "名" * 80).exit_code == 0
    assert db.session.scalar(select(ApiToken.name)) == "名" * 80


def test_list_tokens_shows_each_tokens_dates_and_state_but_never_the_token(run):
    plain = run("create-token", "备案系统").stdout.strip()
    token_for(plain)  # not used by this: the list says so
    run("create-token", "旧系统")
    run("revoke-token", "旧系统")
    result = run("list-tokens")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0].split("\t") == ["编号", "名称", "创建时间", "最近使用", "状态"]
    first, second = (line.split("\t") for line in lines[1:])
    assert first[1] == "备案系统" and first[3] == "—" and first[4] == "有效"
    assert second[1] == "旧系统" and second[4].startswith("已吊销 20")
    digest = db.session.scalar(select(ApiToken.digest).where(ApiToken.name == "备案系统"))
    assert plain not in result.output and digest not in result.output


def test_revoke_token_refuses_the_token_at_once_and_is_audited(run, client):
    plain = run("create-token", "备案系统").stdout.strip()
    result = run("revoke-token", "备案系统")
    assert result.exit_code == 0 and "已吊销令牌“备案系统”" in result.output
    assert client.get("/api/v1/appointments", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    token_id = db.session.scalar(select(ApiToken.id))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.revoked"))
    assert entry.target == f"token:{token_id}" and "备案系统" in entry.summary
    again = run("revoke-token", "备案系统")
    assert again.exit_code == 0 and "已经吊销" in again.output
    assert count(AuditEntry) == 2  # created, revoked: the second revoke changed nothing


def test_revoke_token_refuses_an_unknown_name(run):
    result = run("revoke-token", "nobody")
    assert result.exit_code == 1 and "没有名为“nobody”的令牌" in result.output


def test_revoke_token_asks_which_when_older_tokens_share_the_name(run):
    first, _plain = create_token("registry")
    second, _plain = create_token("registry")  # as the command line allowed before names were checked
    db.session.commit()
    ambiguous = run("revoke-token", "registry")
    assert ambiguous.exit_code == 1 and f"编号 {first.id}、{second.id}" in ambiguous.output and "--id" in ambiguous.output
    assert run("revoke-token", "registry", "--id", str(second.id)).exit_code == 0
    db.session.expire_all()
    assert first.is_active and not second.is_active


# --- seed-demo -------------------------------------------------------------------------------

def test_seed_demo_refuses_a_database_with_users_unless_forced(run, factory):
    factory.user("admin", email="real-admin@example.gov.cn")
    result = run("seed-demo")
    assert result.exit_code == 1 and "数据库中已有用户" in result.output and "--force" in result.output
    assert count(Enterprise) == 0
    skipped = run("seed-demo", "--if-empty")
    assert skipped.exit_code == 0 and "跳过演示数据" in skipped.output and count(Enterprise) == 0
    forced = run("seed-demo", "--force")
    assert forced.exit_code == 0 and "演示账号" in forced.output and count(Enterprise) > 0


def test_seed_demo_over_the_demo_data_says_so_without_a_traceback(run):
    assert run("seed-demo").exit_code == 0
    enterprises = count(Enterprise)
    again = run("seed-demo", "--force")
    assert again.exit_code == 1 and "演示数据已在数据库中" in again.output
    assert "Traceback" not in again.output and "INSERT" not in again.output
    assert count(Enterprise) == enterprises


# --- create-user -----------------------------------------------------------------------------

@pytest.mark.parametrize("login", ["@", "not an email@", "someone@localhost"])
def test_create_user_refuses_a_malformed_email_like_the_web_form(run, login):
    from lms.accounts.models import User

    result = run("create-user", login, "--name", "同事", "--role", "staff")
    assert result.exit_code == 1 and "电子邮箱格式不正确" in result.output
    assert "Password" not in result.output and count(User) == 0


def test_create_user_accepts_a_well_formed_email(run):
    result = run("create-user", "Colleague@Example.gov.cn", "--name", "同事", "--role", "staff",
                 "--password", "correct-horse-1")
    assert result.exit_code == 0, result.output


# --- verify-credential -----------------------------------------------------------------------

def test_verify_credential_names_a_credential_file_that_is_not_utf8(run, tmp_path):
    path = tmp_path / "c.jwt"
    path.write_bytes(b"eyJ\x80\xff")
    result = run("verify-credential", str(path))
    assert result.exit_code == 1 and f"凭证文件 {path} 不是 UTF-8 文本" in result.stderr
    assert "codec" not in result.output


def test_verify_credential_names_a_key_set_that_is_not_json(run, tmp_path):
    (tmp_path / "c.jwt").write_text("a.b.c")
    (tmp_path / "jwks.json").write_text("<html>not found</html>")
    result = run("verify-credential", str(tmp_path / "c.jwt"), "--jwks", str(tmp_path / "jwks.json"))
    assert result.exit_code == 1 and f"公钥集文件 {tmp_path / 'jwks.json'} 不是 JSON" in result.stderr
    assert "Expecting value" not in result.output


def test_verify_credential_names_a_key_set_that_is_json_but_no_key_set(run, tmp_path):
    (tmp_path / "c.jwt").write_text("a.b.c")
    (tmp_path / "jwks.json").write_text('["keys"]')
    result = run("verify-credential", str(tmp_path / "c.jwt"), "--jwks", str(tmp_path / "jwks.json"))
    assert result.exit_code == 1 and "不是公钥集" in result.stderr and "AttributeError" not in result.output


def test_verify_credential_names_a_file_that_is_not_a_credential(run, tmp_path):
    path = tmp_path / "c.jwt"
    path.write_text('{"credentialSubject": {}}')
    result = run("verify-credential", str(path))
    assert result.exit_code == 1 and f"凭证文件 {path}：不是紧凑格式的 JWS" in result.stderr


def test_sync_content_from_a_folder_without_courses_refuses_and_retires_nothing(run, app, tmp_path):
    """Run from the wrong directory (cron without a working directory), an empty content root
    once retired every course and question: it is refused, and a later sync has nothing to undo."""
    from lms.catalog.models import Course

    assert run("sync-content").exit_code == 0
    active = db.session.scalar(select(func.count(Course.id)).where(Course.is_active))
    assert active > 0
    app.config["CONTENT_ROOT"] = str(tmp_path)
    result = run("sync-content")
    assert result.exit_code != 0 and "找不到课程目录" in result.output and "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Course.id)).where(Course.is_active)) == active


def test_a_database_not_yet_upgraded_is_said_in_one_line_with_what_to_run(run, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def missing(*_args, **_kw):  # as on a database the upgrade never reached
        raise OperationalError("SELECT api_token.id FROM api_token", {}, sqlite3.OperationalError("no such table: api_token"))

    monkeypatch.setattr(db.session, "scalars", missing)
    result = run("list-tokens")
    assert result.exit_code == 1 and "Traceback" not in result.output and "SELECT" not in result.output
    assert "数据库出错：" in result.output and "api_token" in result.output and "db upgrade" in result.output
