"""Revocation as a W3C Bitstring Status List: one signed list, one bit per certificate.

Each credential names its bit (``statusListIndex``, the certificate's id) in the list
published at /verify/status-list; a set bit means the certificate was revoked or replaced.
The list tells no more than the public verification page already tells of any serial.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from lms.certificates import credential
from lms.certificates.credential import CredentialError
from lms.certificates.models import Certificate
from lms.extensions import db

# The specification's floor (16 KB): a short list would tell how few certificates there are.
MIN_BITS = 131072
LIFETIME = timedelta(days=1)  # verifiers fetch a fresh list at least daily


def revoked_ids() -> list[int]:
    """Ids of the certificates no longer in force by the bureau's decision."""
    return list(db.session.scalars(select(Certificate.id).where(
        Certificate.status.in_(("revoked", "replaced")))))


def encode(indices: list[int], bits: int = MIN_BITS) -> str:
    """The bitstring, GZIP-compressed, as a multibase base64url string ('u' prefix)."""
    size = max([bits] + [index + 1 for index in indices])
    data = bytearray((size + 7) // 8)
    for index in indices:
        data[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    return "u" + credential.b64url(gzip.compress(bytes(data), mtime=0))


def is_set(encoded: str, index: int) -> bool:
    """Whether bit index is set in an encoded list."""
    if not encoded.startswith("u"):
        raise CredentialError("状态列表编码不是 base64url")
    try:
        data = gzip.decompress(credential.unb64url(encoded[1:]))
    except (OSError, EOFError) as error:
        raise CredentialError("状态列表无法解压") from error
    if not 0 <= index < len(data) * 8:
        raise CredentialError("状态列表中没有该证书的位置")
    return bool(data[index // 8] & (0x80 >> (index % 8)))


def status_list_document(now: datetime | None = None) -> dict:
    """The status list as a BitstringStatusListCredential, unsigned."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    url = current_app.config["BASE_URL"] + credential.STATUS_LIST_PATH
    size = max(MIN_BITS, (db.session.scalar(select(func.max(Certificate.id))) or 0) + 1)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": credential.issuer(),
        "validFrom": now.isoformat(),
        "validUntil": (now + LIFETIME).isoformat(),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode(revoked_ids(), size)},
    }


def sign_status_list() -> str:
    """The current status list as a compact JWS under the bureau's key."""
    return credential.sign_document(status_list_document())


def is_revoked(payload: dict, status_token: str, key_set: dict) -> tuple[bool, str]:
    """Whether a verified credential is revoked per a status list signed by a key of key_set,
    with the moment the list was made."""
    entry = payload.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise CredentialError("凭证中没有状态列表条目")
    status = credential.verify_credential(status_token, key_set)
    subject = status.get("credentialSubject", {})
    if status.get("id") != entry.get("statusListCredential") or \
            subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise CredentialError("状态列表与凭证不对应")
    try:
        index = int(entry["statusListIndex"])
    except (KeyError, ValueError) as error:
        raise CredentialError("凭证的状态列表位置无法读取") from error
    return is_set(str(subject.get("encodedList", "")), index), str(status.get("validFrom", ""))
