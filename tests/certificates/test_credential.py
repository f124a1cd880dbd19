"""Signed credentials: verifiable offline with the published key, and with nothing else."""

import base64
import gzip
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates import credential, service, status_list
from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.programs.models import Program
from tests.conftest import login


@pytest.fixture
def cert(app, factory):
    program = Program(name="2026 年首席质量官培训", requirements=[], hours_required=1.5,
                      starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31), certificate_months=24,
                      is_current=True)
    db.session.add(program)
    user = factory.user("officer")
    factory.filing(factory.enterprise(name="合肥精工机械有限公司"), officer_name="王建国", user_id=user.id)
    return service.issue_by_staff(user, program, "外地培训已认可")


def published_jwks(client) -> dict:
    return client.get("/.well-known/jwks.json").get_json()


def part(token: str, index: int) -> dict:
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_the_jwks_is_public_and_holds_one_ed25519_key(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    [key] = response.get_json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert "d" not in key  # the public half only
    assert key["kid"] == credential.key_id(key["x"])


def test_the_key_is_generated_once_and_kept(app):
    first = credential.jwks()
    assert credential.key_path().exists() and credential.key_path().stat().st_mode & 0o077 == 0
    assert credential.jwks() == first


def test_a_configured_key_file_is_used_and_never_replaced(make_app, tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    path = tmp_path / "bureau.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    with make_app(SIGNING_KEY_FILE=str(path)).app_context():
        assert credential.jwks()["keys"][0]["x"] == credential.public_jwk(key.public_key())["x"]
    with make_app(SIGNING_KEY_FILE=str(tmp_path / "missing.pem")).app_context(), \
            pytest.raises(FileNotFoundError):
        credential.signing_key()
    assert not (tmp_path / "missing.pem").exists()


def test_the_credential_is_an_open_badge_with_the_certificate_in_it(cert, client):
    token = credential.sign_credential(cert)
    header, vc = part(token, 0), part(token, 1)
    assert header == {"alg": "EdDSA", "kid": published_jwks(client)["keys"][0]["kid"],
                      "typ": "vc+jwt", "cty": "vc"}
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"] == {"id": "http://localhost", "type": ["Profile"], "name": "相山区市场监督管理局"}
    assert vc["validFrom"] == f"{cert.issued_on.isoformat()}T00:00:00+08:00"
    assert vc["validUntil"] == f"{cert.expires_on.isoformat()}T23:59:59+08:00"
    assert vc["iss"] == "http://localhost" and vc["jti"] == vc["id"] == f"http://localhost/verify/{cert.serial}"
    subject = vc["credentialSubject"]
    assert subject["name"] == "王建国" and subject["enterprise"]["name"] == "合肥精工机械有限公司"
    assert subject["creditsEarned"] == 1.5 and subject["achievement"]["name"] == "2026 年首席质量官培训"
    assert vc["certificateNumber"] == cert.serial


def test_a_credential_verifies_with_the_published_jwks(cert, client):
    payload = credential.verify_credential(credential.sign_credential(cert), published_jwks(client))
    assert payload["certificateNumber"] == cert.serial
    assert credential.validity_problem(payload) is None


def flip(text: str, index: int) -> str:
    """The token with one base64url character changed."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return text[:index] + alphabet[(alphabet.index(text[index]) + 1) % 64] + text[index + 1:]


def test_altering_any_character_of_payload_or_signature_fails(cert, client):
    token, keys = credential.sign_credential(cert), published_jwks(client)
    header, payload, signature = token.split(".")
    start = len(header) + 1
    for index in range(start, len(token)):  # every character of payload and signature
        if token[index] == ".":
            continue
        with pytest.raises(credential.CredentialError):
            credential.verify_credential(flip(token, index), keys)
    assert len(token) - start == len(payload) + 1 + len(signature)


def test_an_edited_payload_signed_again_by_another_key_fails(cert, client):
    other = Ed25519PrivateKey.generate()
    forged = credential.sign_credential(cert, key=other)
    with pytest.raises(credential.CredentialError, match="公钥集中没有密钥"):
        credential.verify_credential(forged, published_jwks(client))
    # The same kid as the bureau's, another key's signature.
    header, payload, signature = forged.split(".")
    genuine_header = credential.sign_credential(cert).split(".")[0]
    with pytest.raises(credential.CredentialError, match="签名无效"):
        credential.verify_credential(f"{genuine_header}.{payload}.{signature}", published_jwks(client))


def test_other_algorithms_and_garbage_are_refused(cert, client):
    keys = published_jwks(client)
    _, payload, signature = credential.sign_credential(cert).split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    for token in (f"{none_header}.{payload}.", "not a token", "a.b.c", ""):
        with pytest.raises(credential.CredentialError):
            credential.verify_credential(token, keys)


def test_a_revoked_certificate_still_verifies_offline(cert, client):
    token = credential.sign_credential(cert)
    service.revoke(cert, "冒用他人身份")
    assert credential.verify_credential(token, published_jwks(client))["certificateNumber"] == cert.serial


def test_validity_period_is_reported(cert):
    payload = credential.verify_credential(credential.sign_credential(cert), credential.jwks())
    later = datetime.combine(cert.expires_on + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert "已过期" in credential.validity_problem(payload, now=later)
    earlier = datetime(2000, 1, 1, tzinfo=UTC)
    assert "尚未生效" in credential.validity_problem(payload, now=earlier)


# --- downloads ---------------------------------------------------------------------------

def test_the_holder_downloads_their_credential(cert, client):
    login(client, cert.user)
    assert "电子凭证文件" in client.get("/certificates/").get_data(as_text=True)
    response = client.get(f"/certificates/{cert.id}.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert f'filename="{cert.serial}.jwt"' in response.headers["Content-Disposition"]
    payload = credential.verify_credential(response.get_data(as_text=True), published_jwks(client))
    assert payload["credentialSubject"]["name"] == "王建国"


def test_another_officer_cannot_download_it(cert, as_officer):
    assert as_officer.get(f"/certificates/{cert.id}.jwt").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(cert, client):
    response = client.get(f"/certificates/{cert.id}.jwt")
    assert response.status_code == 302 and "/login" in response.location


def test_staff_download_from_the_certificate_list(cert, as_staff):
    page = as_staff.get("/staff/certificates/").get_data(as_text=True)
    assert f"/certificates/{cert.id}.jwt" in page
    assert as_staff.get(f"/certificates/{cert.id}.jwt").status_code == 200


def test_the_public_verification_page_offers_no_credential(cert, client):
    page = client.get(f"/verify/{cert.serial}?s={service.sign(cert.serial)}").get_data(as_text=True)
    assert ".jwt" not in page and "王建国" not in page
    data = client.get(f"/verify/{cert.serial}", headers={"Accept": "application/json"}).get_json()
    assert "王建国" not in json.dumps(data, ensure_ascii=False)


# --- the command line ----------------------------------------------------------------------

def run_verify(app, tmp_path, token: str, jwks: dict | None = None, more: list[str] = ()):
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    args = ["lms", "verify-credential", str(path), *more]
    if jwks is not None:
        (tmp_path / "jwks.json").write_text(json.dumps(jwks))
        args += ["--jwks", str(tmp_path / "jwks.json")]
    return app.test_cli_runner().invoke(args=args)


def test_cli_verifies_with_a_jwks_file(app, cert, client, tmp_path):
    result = run_verify(app, tmp_path, credential.sign_credential(cert), published_jwks(client))
    assert result.exit_code == 0, result.output
    assert "签名有效" in result.output and cert.serial in result.output and "王建国" in result.output
    assert "须在线查验" in result.output


def test_cli_uses_this_servers_key_without_a_jwks_file(app, cert, tmp_path):
    assert run_verify(app, tmp_path, credential.sign_credential(cert)).exit_code == 0


def test_cli_refuses_a_tampered_credential(app, cert, client, tmp_path):
    token = credential.sign_credential(cert)
    result = run_verify(app, tmp_path, flip(token, len(token) - 10), published_jwks(client))
    assert result.exit_code == 1 and "验证失败" in result.output and "签名无效" in result.output


def test_cli_refuses_a_credential_signed_by_another_key(app, cert, client, tmp_path):
    token = credential.sign_credential(cert, key=Ed25519PrivateKey.generate())
    result = run_verify(app, tmp_path, token, published_jwks(client))
    assert result.exit_code == 1 and "并非由该机构签发" in result.output


def test_cli_refuses_an_unreadable_jwks_file(app, cert, tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text("not json")
    (tmp_path / "c.jwt").write_text(credential.sign_credential(cert))
    result = app.test_cli_runner().invoke(args=["lms", "verify-credential", str(tmp_path / "c.jwt"),
                                                "--jwks", str(path)])
    assert result.exit_code == 1 and "验证失败" in result.output


def test_cli_exit_3_for_a_genuine_but_expired_certificate(app, cert, client, tmp_path):
    cert.issued_on, cert.expires_on = date(2020, 1, 1), date(2022, 1, 1)
    db.session.commit()
    result = run_verify(app, tmp_path, credential.sign_credential(cert), published_jwks(client))
    assert result.exit_code == 3 and "签名有效" in result.output and "已过期" in result.output


@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("basenc")), reason="needs openssl and basenc")
def test_the_documented_openssl_procedure_verifies_and_refuses(cert, client, tmp_path):
    script = str(PROJECT_ROOT / "docs" / "verify-credential.sh")
    token = credential.sign_credential(cert)
    (tmp_path / "jwks.json").write_bytes(client.get("/.well-known/jwks.json").data)
    (tmp_path / "c.jwt").write_text(token)
    ok = subprocess.run(["sh", script, "c.jwt", "jwks.json"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, ok.stderr
    assert cert.serial in ok.stdout
    (tmp_path / "c.jwt").write_text(flip(token, len(token.split(".")[0]) + 5))
    bad = subprocess.run(["sh", script, "c.jwt", "jwks.json"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode != 0
    (tmp_path / "c.jwt").write_text(credential.sign_credential(cert, key=Ed25519PrivateKey.generate()))
    other = subprocess.run(["sh", script, "c.jwt", "jwks.json"], cwd=tmp_path, capture_output=True, text=True)
    assert other.returncode == 1 and "not signed by this bureau" in other.stderr


# --- revocation: the Bitstring Status List -------------------------------------------------

def test_the_credential_names_its_bit_in_the_status_list(cert):
    status = part(credential.sign_credential(cert), 1)["credentialStatus"]
    assert status == {"id": f"http://localhost/verify/status-list#{cert.id}",
                      "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                      "statusListIndex": str(cert.id),
                      "statusListCredential": "http://localhost/verify/status-list"}


def test_the_status_list_is_public_signed_and_marks_revoked_and_replaced(cert, factory, client):
    other = service.issue_by_staff(factory.user("officer"), cert.program, "认可")
    replaced = service.issue_by_staff(factory.user("officer"), cert.program, "认可")
    service.revoke(cert, "冒用他人身份")
    service.reissue(replaced, "李思", "姓名更正")
    response = client.get("/verify/status-list")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    status = credential.verify_credential(response.get_data(as_text=True), published_jwks(client))
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status["credentialSubject"]["encodedList"]
    assert status_list.is_set(encoded, cert.id) and status_list.is_set(encoded, replaced.id)
    assert not status_list.is_set(encoded, other.id)
    assert len(bitstring(encoded)) == 16384  # the specification's 16 KB floor


def bitstring(encoded: str) -> bytes:
    assert encoded.startswith("u")  # multibase base64url
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def test_bits_are_counted_from_the_left_and_the_list_grows_to_hold_every_index(app):
    assert bitstring(status_list.encode([0, 9], bits=16)) == bytes([0b10000000, 0b01000000])
    assert bitstring(status_list.encode([20], bits=16)) == bytes([0, 0, 0b00001000])


def test_cli_checks_revocation_against_a_downloaded_status_list(app, cert, client, tmp_path):
    token = credential.sign_credential(cert)
    (tmp_path / "status.jwt").write_bytes(client.get("/verify/status-list").data)
    args = ["--status-list", str(tmp_path / "status.jwt")]
    result = run_verify(app, tmp_path, token, published_jwks(client), args)
    assert result.exit_code == 0 and "未被撤销" in result.output, result.output
    service.revoke(cert, "冒用他人身份")
    (tmp_path / "status.jwt").write_bytes(client.get("/verify/status-list").data)
    result = run_verify(app, tmp_path, token, published_jwks(client), args)
    assert result.exit_code == 4 and "已撤销" in result.output


def test_cli_refuses_a_status_list_signed_by_another_key(app, cert, client, tmp_path):
    forged = credential.sign_document(status_list.status_list_document(), key=Ed25519PrivateKey.generate())
    (tmp_path / "status.jwt").write_text(forged)
    result = run_verify(app, tmp_path, credential.sign_credential(cert), published_jwks(client),
                        ["--status-list", str(tmp_path / "status.jwt")])
    assert result.exit_code == 1 and "并非由该机构签发" in result.output


def test_after_a_key_change_earlier_credentials_still_verify(cert, make_app, tmp_path):
    from cryptography.hazmat.primitives import serialization

    def key_file(name: str, private: bool = True):
        key = Ed25519PrivateKey.generate()
        path = tmp_path / name
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()) if private else
                         key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
        return path

    old, new, older_public = key_file("2025.pem"), key_file("2026.pem"), key_file("2024.pub", private=False)
    with make_app(SIGNING_KEY_FILE=str(old)).app_context():
        earlier = credential.sign_credential(cert)
    with make_app(SIGNING_KEY_FILE=str(new)).app_context(), \
            pytest.raises(credential.CredentialError):  # the old key is no longer published
        credential.verify_credential(earlier, credential.jwks())
    with make_app(SIGNING_KEY_FILE=str(new), RETIRED_SIGNING_KEYS=[str(old), str(older_public)]).app_context():
        key_set = credential.jwks()
        assert len(key_set["keys"]) == 3 and all("d" not in key for key in key_set["keys"])
        assert credential.verify_credential(earlier, key_set)["credentialSubject"]
        later = credential.sign_credential(cert)
        assert part(later, 0)["kid"] == key_set["keys"][0]["kid"]  # new credentials: the new key
    with make_app(SIGNING_KEY_FILE=str(new), RETIRED_SIGNING_KEYS=[str(tmp_path / "gone.pem")]).app_context(), \
            pytest.raises(ValueError, match="gone.pem"):
        credential.jwks()
