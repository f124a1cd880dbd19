"""Issuing certificates exactly when a program is complete, and checking them.

Serial numbers read ``CQO-<year>-<number>-<check>``: the year of issue, the certificate's
database id padded to six digits (unique by construction, also under concurrent issuance),
and a check digit (ISO 7064 MOD 11-10 over year and number) that catches a mistyped digit.
A QR code carries the serial and an HMAC-SHA256 signature of it, so that a made-up or
altered serial is detected as forged.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import unicodedata
from datetime import date

from flask import current_app, url_for
from sqlalchemy import func, select, update

from lms.certificates.models import Certificate
from lms.core import audit
from lms.core.clock import local_today
from lms.core.models import utcnow
from lms.core.urls import public_url
from lms.extensions import db
from lms.programs.models import Program
from lms.programs.service import current_program, hours_toward, standing

SIGNATURE_CHARS = 16


def add_months(day: date, months: int) -> date:
    """The same day so many months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_digit(digits: str) -> str:
    """ISO 7064 MOD 11-10 check digit."""
    product = 10
    for ch in digits:
        total = (int(ch) + product) % 10 or 10
        product = (total * 2) % 11
    return str((11 - product) % 10)


def make_serial(year: int, number: int) -> str:
    body = f"{year}{number:06d}"
    return f"CQO-{year}-{number:06d}-{check_digit(body)}"


_SERIAL_SHAPE = re.compile(r"CQO-[0-9]{4}-[0-9]{6}-[0-9]")
SERIAL_EXAMPLE = "CQO-2026-000123-4"


_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d_]")  # hyphens, dashes, minus, ー
_BARE_SERIAL = re.compile(r"CQO([0-9]{4})([0-9]{6})([0-9])")


def normalize_serial(text: str) -> str:
    """A serial as typed on any keyboard, in its printed form: full-width letters and digits,
    the dashes a Chinese keyboard gives for "-", spaces, lower case, or no dashes at all."""
    serial = _DASHES.sub("-", unicodedata.normalize("NFKC", text)).upper()
    serial = re.sub(r"\s+", "", serial)
    bare = _BARE_SERIAL.fullmatch(serial.replace("-", ""))
    return "-".join(("CQO", *bare.groups())) if bare else serial


def serial_is_well_formed(serial: str) -> bool:
    parts = serial.split("-")
    return (len(parts) == 4 and parts[0] == "CQO" and parts[1].isdecimal() and parts[2].isdecimal()
            and parts[3].isdecimal() and check_digit(parts[1] + parts[2]) == parts[3])


def sign(serial: str) -> str:
    key = current_app.config["SECRET_KEY"].encode() + b"certificate"
    return hmac.new(key, serial.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def verification_url(serial: str, external: bool = True) -> str:
    """The signed verification address: LMS_BASE_URL's for the PDF's QR code, the path alone
    for a link inside the app."""
    if external:
        return public_url("verify.certificate", serial=serial, s=sign(serial))
    return url_for("verify.certificate", serial=serial, s=sign(serial), _external=False)


def in_force(user_id: int, program_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.program_id == program_id,
        Certificate.status == "valid"))


def _create(user, program: Program, hours: float, basis: str, reason: str = "",
            replaces: Certificate | None = None) -> Certificate:
    from lms.accounts.service import current_filing_of

    filing = current_filing_of(user)
    today = local_today()
    cert = Certificate(serial=f"pending-{user.id}-{program.id}-{utcnow().timestamp()}", user_id=user.id,
                       program_id=program.id, filing_id=filing.id if filing else None,
                       holder_name=filing.officer_name if filing else user.name,
                       enterprise_name=filing.enterprise.name if filing else "", hours=hours,
                       issued_on=today, expires_on=add_months(today, program.certificate_months),
                       basis=basis, reason=reason, replaces_id=replaces.id if replaces else None)
    db.session.add(cert)
    db.session.flush()  # the id makes the serial unique
    cert.serial = make_serial(today.year, cert.id)
    return cert


def revoked_of(user_id: int, program_id: int) -> Certificate | None:
    """The officer's latest revoked certificate of the program, if that is where they stand."""
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.program_id == program_id, Certificate.status == "revoked")
        .order_by(Certificate.revoked_at.desc()).limit(1))


def issue_if_complete(user, program: Program | None = None) -> Certificate | None:
    """Issue the program's certificate the moment the last requirement is met, once. Not after
    staff revoked one: the next lesson opened would otherwise undo the revocation; staff may
    issue a new one by hand."""
    from lms.accounts.service import current_filing_of

    program = program or current_program()
    if program is None or in_force(user.id, program.id) is not None or revoked_of(user.id, program.id):
        return None
    filing = current_filing_of(user)
    state = standing(user.id, filing.enterprise.industry_code if filing else "", program)
    if not state.is_complete:
        return None
    cert = _create(user, program, state.hours, "auto")
    audit.record("certificate.issued", cert.serial, f"{cert.holder_name} · {program.name}", actor_id=user.id)
    db.session.commit()
    return cert


def issue_to_everyone_complete(program: Program) -> int:
    """Certificates for the officers a programme's rules now count as complete: one made current,
    or loosened, leaves no lesson nor exam to happen for them, which is what otherwise issues
    them. Only those with something done here (a lesson finished, a workshop attended, an exam
    passed) can be complete, so only they are looked at. Returns how many were issued."""
    from lms.accounts.models import User
    from lms.assessment.models import Attempt
    from lms.catalog.models import LessonProgress
    from lms.registry.models import Filing
    from lms.workshops.models import ATTENDED, Enrollment

    active = (select(LessonProgress.user_id).where(LessonProgress.completed_at.is_not(None))
              .union(select(Enrollment.user_id).where(Enrollment.status == ATTENDED),
                     select(Attempt.user_id).where(Attempt.passed.is_(True))))
    users = db.session.scalars(select(User).join(Filing, Filing.user_id == User.id).where(
        Filing.status == "current", User.id.in_(active)).order_by(User.id)).unique().all()
    return sum(issue_if_complete(user, program) is not None for user in users)


def _hours_for_manual(user, program: Program) -> float:
    """The hours the certificate prints: those earned here, as an automatic certificate does,
    and never fewer than the program requires: staff issuing by hand recognise the training
    as complete, e.g. taken elsewhere, where this platform counted none of it."""
    return max(hours_toward(user.id, program), program.hours_required)


def issue_by_staff(user, program: Program, reason: str) -> Certificate:
    """A certificate by hand, with a reason (e.g. training recognised from elsewhere). One still
    in force is returned as it is; one past its expiry is renewed: the new certificate replaces
    it (the old serial's check then points to the new one), so staff can renew an officer
    once they are satisfied the training is current. Nothing renews by itself: requirements
    met years ago say nothing of training now."""
    existing = in_force(user.id, program.id)
    if existing is not None and existing.expires_on >= local_today():
        return existing
    if existing is not None:
        db.session.execute(update(Certificate).where(Certificate.id == existing.id).values(status="replaced"))
    cert = _create(user, program, _hours_for_manual(user, program), "manual", reason, replaces=existing)
    if existing is not None:
        audit.record("certificate.renewed", cert.serial, f"{existing.serial} → {cert.serial}: {reason}")
    else:
        audit.record("certificate.issued_by_staff", cert.serial, reason)
    db.session.commit()
    return cert


def revoke(cert: Certificate, reason: str) -> None:
    cert.status, cert.revoked_at, cert.revoked_reason = "revoked", utcnow(), reason
    audit.record("certificate.revoked", cert.serial, reason)
    db.session.commit()


def reissue(cert: Certificate, holder_name: str, reason: str) -> Certificate:
    """A corrected certificate under a new serial; the old one is marked replaced and
    points to its successor through replaces_id, so the serial history is kept."""
    db.session.execute(update(Certificate).where(Certificate.id == cert.id).values(status="replaced"))
    new = _create(cert.user, cert.program, cert.hours, cert.basis, reason, replaces=cert)
    new.holder_name = holder_name
    new.issued_on, new.expires_on = cert.issued_on, cert.expires_on
    audit.record("certificate.reissued", new.serial, f"{cert.serial} → {new.serial}: {reason}")
    db.session.commit()
    return new


def successor_of(cert: Certificate) -> Certificate | None:
    """The certificate that replaced this one (a correction or a renewal), if any."""
    return db.session.scalar(select(Certificate).where(Certificate.replaces_id == cert.id))


def matching(text: str):
    """Staff search, newest first: certificates whose serial contains what was typed, read as
    /verify reads a serial (full-width, Chinese dashes, spaces, no dashes), or whose holder's
    name does. Dashes aside on both sides, so that part of a serial typed either way is found."""
    typed = normalize_serial(text).replace("-", "")
    bare = func.replace(Certificate.serial, "-", "")
    return select(Certificate).where(bare.contains(typed) | Certificate.holder_name.contains(text.strip())
                                     ).order_by(Certificate.id.desc())


def status_of(serial: str, signature: str | None) -> tuple[str, Certificate | None]:
    """valid | expired | revoked | replaced | not_found | mistyped | malformed | forged, with
    the certificate; mistyped: a typed serial whose check digit does not match (a slip of a key);
    malformed: typed text that is no serial at all (a digit too few or too many, say)."""
    serial = normalize_serial(serial)
    # As bytes: compare_digest refuses str with anything but ASCII (a typed "?s=é" was a 500).
    if signature is not None and not hmac.compare_digest(signature.encode(), sign(serial).encode()):
        return "forged", None
    if not serial_is_well_formed(serial):
        if signature is not None:
            return "forged", None
        return ("mistyped" if _SERIAL_SHAPE.fullmatch(serial) else "malformed"), None
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
    if cert is None:
        return "not_found", None
    return cert.status_on(local_today()), cert


def on_progress(sender, user_id: int, **extra) -> None:
    """Signal receiver: progress was made; issue the certificate if the program is complete."""
    from lms.accounts.models import User

    user = db.session.get(User, user_id)
    if user is not None and user.role == "officer":
        issue_if_complete(user)
