"""Certificates as signed credentials that anyone can verify offline with the bureau's public key.

The credential is a W3C Verifiable Credential 2.0 shaped as an Open Badges 3.0
OpenBadgeCredential, secured as a compact JWS (VC-JOSE, media type ``application/vc+jwt``):
the payload is the credential itself, with the JWT claims iss, jti, nbf and exp mirroring
issuer, id, validFrom and validUntil (Open Badges 3.0 §8.2). The signature is
Ed25519 (``alg: EdDSA``) under the bureau's signing key; ``kid`` is the key's RFC 7638
thumbprint, and the public key is published as a JWKS at ``/.well-known/jwks.json``.

A signature proves who issued the credential and that it is unaltered, not that it is still
in force: a revoked certificate's credential still verifies, so its status is checked online,
on the verification page or in the Bitstring Status List its credentialStatus names
(status_list.py).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import tempfile
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

MEDIA_TYPE = "application/vc+jwt"
STATUS_LIST_PATH = "/verify/status-list"
CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class CredentialError(Exception):
    """A credential that cannot be trusted: malformed, unknown key, or a bad signature."""


# --- the bureau's key ---------------------------------------------------------------------

def key_path() -> Path:
    """LMS_SIGNING_KEY_FILE, else instance/signing_key.pem (generated on first use)."""
    configured = current_app.config.get("SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "signing_key.pem"


def signing_key() -> Ed25519PrivateKey:
    """The bureau's Ed25519 private key; generated once when no key file is configured."""
    path = key_path()
    if not path.exists():
        if current_app.config.get("SIGNING_KEY_FILE"):
            # A configured key that is missing must not be silently replaced: credentials
            # signed by a fresh key would not verify against the key already published.
            raise FileNotFoundError(f"LMS_SIGNING_KEY_FILE {path} does not exist")
        _generate(path)
    return _load(str(path), path.stat().st_mtime_ns)


def _generate(path: Path) -> None:
    """Write a new key atomically; when several workers race, the first link wins."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing_key.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(pem)
        with contextlib.suppress(FileExistsError):  # another worker was first: keep its key
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


@cache
def _load(path: str, _mtime: int) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def b64url(data: bytes) -> str:
    """base64url without padding, as JWS writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict base64url without padding: any other spelling of the same bytes is refused."""
    if not _B64URL.fullmatch(text):
        raise CredentialError("不是 base64url 编码")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise CredentialError("不是 base64url 编码") from error
    if b64url(data) != text:  # unused trailing bits set: an altered character
        raise CredentialError("不是规范的 base64url 编码：有字符被改动")
    return data


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public key as a JWK (RFC 8037: kty OKP, crv Ed25519) with its kid."""
    x = b64url(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": key_id(x), "use": "sig", "alg": "EdDSA"}


def key_id(x: str) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members, sorted, without whitespace."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def jwks() -> dict:
    """The published key set: the signing key, then the retired keys (newest first), so that
    credentials signed before a key change still verify. Nothing is signed with those."""
    current = public_jwk(signing_key().public_key())
    retired = [key for key in map(public_jwk, retired_public_keys()) if key["kid"] != current["kid"]]
    return {"keys": [current, *retired]}


def retired_public_keys() -> list[Ed25519PublicKey]:
    """The public halves of LMS_RETIRED_SIGNING_KEYS: PEM files (private or public keys)."""
    found = []
    for name in current_app.config.get("RETIRED_SIGNING_KEYS", []):
        path = Path(name)
        try:
            found.append(_load_public(str(path), path.stat().st_mtime_ns))
        except (OSError, ValueError) as error:
            raise ValueError(f"LMS_RETIRED_SIGNING_KEYS: {path} is not a readable Ed25519 key ({error})") from error
    return found


@cache
def _load_public(path: str, _mtime: int) -> Ed25519PublicKey:
    pem = Path(path).read_bytes()
    if b"PRIVATE KEY" in pem:
        key = serialization.load_pem_private_key(pem, password=None)
        key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    else:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key


# --- the credential -------------------------------------------------------------------------

def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def issuer() -> dict:
    """The bureau as an Open Badges Profile; its id is the platform's public address."""
    return {"id": current_app.config["BASE_URL"], "type": ["Profile"], "name": current_app.config["BUREAU_NAME"]}


def status_entry(cert_id: int) -> dict:
    """Where a verifier online finds whether this credential was revoked (Bitstring Status List)."""
    url = current_app.config["BASE_URL"] + STATUS_LIST_PATH
    return {"id": f"{url}#{cert_id}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(cert_id), "statusListCredential": url}


def credential_document(cert) -> dict:
    """The certificate as an OpenBadgeCredential (W3C VC 2.0), unsigned."""
    base = current_app.config["BASE_URL"]
    program = cert.program
    valid_from = _moment(cert.issued_on, time(0, 0))
    # In force through the whole expiry day, as the verification page counts it.
    valid_until = _moment(cert.expires_on, time(23, 59, 59))
    return {
        "@context": CONTEXTS,
        "id": f"{base}/verify/{cert.serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"培训合格证书 {cert.serial}",
        "certificateNumber": cert.serial,
        "issuer": issuer(),
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "awardedDate": valid_from.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.holder_name,
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": cert.holder_name}],
            "role": "首席质量官",
            "enterprise": {"type": ["Profile"], "name": cert.enterprise_name},
            "creditsEarned": cert.hours,
            "achievement": {
                "id": f"{base}/#program-{program.id}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": program.name,
                "description": "首席质量官培训合格",
                "criteria": {"narrative": f"完成“{program.name}”要求的课程与考核，"
                                          f"不少于 {program.hours_required:g} 学时。"},
                "creditsAvailable": program.hours_required,
            },
        },
        "credentialStatus": status_entry(cert.id),
    }


def sign_credential(cert, key: Ed25519PrivateKey | None = None) -> str:
    """The certificate's credential as a compact JWS (EdDSA), ready to hand to its holder."""
    return sign_document(credential_document(cert), key)


def sign_document(document: dict, key: Ed25519PrivateKey | None = None) -> str:
    """A credential as a compact JWS, with the JWT claims that mirror its own members."""
    key = key or signing_key()
    claims = {"iss": document["issuer"]["id"], "jti": document["id"],
              "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp())}
    if "validUntil" in document:
        claims["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    header = {"alg": "EdDSA", "kid": public_jwk(key.public_key())["kid"], "typ": "vc+jwt", "cty": "vc"}
    signing_input = (b64url(_json(header)) + "." + b64url(_json(document | claims))).encode("ascii")
    return signing_input.decode("ascii") + "." + b64url(key.sign(signing_input))


def _json(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- verification, with nothing but the public key -------------------------------------------

def verify_credential(token: str, key_set: dict) -> dict:
    """The credential inside a compact JWS, if a key of key_set signed it; else CredentialError."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise CredentialError("不是紧凑格式的 JWS（应为以“.”分隔的三段）")
    header, payload = _json_part(parts[0], "头部"), _json_part(parts[1], "内容")
    try:
        signature = unb64url(parts[2])
    except CredentialError as error:
        raise CredentialError(f"签名无法解析：{error}") from error
    if header.get("alg") != "EdDSA":
        raise CredentialError(f"不支持的签名算法 {header.get('alg')!r}（应为 EdDSA）")
    jwk = next((k for k in key_set.get("keys", []) if isinstance(k, dict)
                and k.get("kid") == header.get("kid")), None)
    if jwk is None or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise CredentialError(f"公钥集中没有密钥 {header.get('kid')!r}：凭证并非由该机构签发")
    try:
        Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"])).verify(
            signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, ValueError, KeyError, CredentialError) as error:
        raise CredentialError("签名无效：凭证被篡改，或并非由该密钥签发") from error
    if "VerifiableCredential" not in payload.get("type", []):
        raise CredentialError("内容不是可验证凭证（type 中没有 VerifiableCredential）")
    return payload


def _json_part(part: str, label: str) -> dict:
    try:
        value = json.loads(unb64url(part).decode("utf-8"))
    except (CredentialError, UnicodeDecodeError, ValueError) as error:
        raise CredentialError(f"{label}无法解析") from error
    if not isinstance(value, dict):
        raise CredentialError(f"{label}无法解析")
    return value


def validity_problem(payload: dict, now: datetime | None = None) -> str | None:
    """Why a verified credential is outside its validity period right now, or None."""
    now = now or datetime.now(UTC)
    try:
        starts = datetime.fromisoformat(payload["validFrom"])
        ends = datetime.fromisoformat(payload["validUntil"]) if payload.get("validUntil") else None
    except (KeyError, TypeError, ValueError):
        return "凭证没有可读的有效期"
    if now < starts:
        return f"尚未生效（生效时间 {payload['validFrom']}）"
    if ends is not None and now > ends:
        return f"已过期（有效期至 {payload['validUntil']}）"
    return None
