"""Officers' certificates, the public verification page, staff revocation and manual issue."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.certificates import credential, name_checks, service, status_list
from lms.certificates.models import Certificate
from lms.certificates.pdf import certificate_pdf
from lms.core.auth import STAFF, guard_blueprint
from lms.core.clock import local_date
from lms.core.ids import id_arg, paginate
from lms.core.models import utcnow
from lms.core.text import clean
from lms.core.urls import public_url, public_url_is_local
from lms.extensions import db, limiter
from lms.programs.service import current_program
from lms.registry.identifiers import mask_name

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify", template_folder="templates")
wellknown_bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")
staff_bp = guard_blueprint(Blueprint("certificates_staff", __name__, url_prefix="/staff/certificates",
                                     template_folder="templates"), STAFF)


def _pdf_response(cert: Certificate) -> Response:
    data = certificate_pdf(cert, current_app.config["BUREAU_NAME"], service.verification_url(cert.serial))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'})


def _holders_or_staffs(cert_id: int) -> Certificate:
    """The certificate, for its holder or staff; anyone else is told it does not exist."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or (cert.user_id != current_user.id and not current_user.is_staff):
        abort(404)
    return cert


@bp.get("/<int:cert_id>.pdf")
@login_required
def download(cert_id: int):
    return _pdf_response(_holders_or_staffs(cert_id))


@bp.get("/<int:cert_id>.jwt")
@login_required
def signed_credential(cert_id: int):
    """The certificate as a signed credential (VC-JOSE), verifiable offline with the JWKS."""
    cert = _holders_or_staffs(cert_id)
    return Response(credential.sign_credential(cert), mimetype=credential.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{cert.serial}.jwt"'})


def _for_any_verifier(response: Response, max_age: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers on other sites fetch it
    return response


@wellknown_bp.get("/jwks.json")
def jwks():
    """The bureau's public key, for anyone verifying a credential; no sign-in."""
    return _for_any_verifier(jsonify(credential.jwks()), 3600)


@verify_bp.get("/status-list")
def status_list_credential():
    """Which credentials are revoked, one bit each, signed (W3C Bitstring Status List)."""
    return _for_any_verifier(Response(status_list.sign_status_list(), mimetype=credential.MEDIA_TYPE), 300)


@bp.get("/")
@login_required
def mine():
    # Newest first: a reissue above what it replaced, the same day too.
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id == current_user.id)
                               .order_by(Certificate.issued_on.desc(), Certificate.id.desc())).all()
    successors = {c.replaces_id: c for c in certs if c.replaces_id}
    return render_template("certificates/mine.html", certs=certs, successors=successors,
                           verify_url=partial(service.verification_url, external=False))


def _public(status: str, cert: Certificate | None, signed: bool) -> dict:
    """What anyone may see: the status, a masked name, program and dates; the enterprise too
    for the certificate in hand, opened from its QR code (signed). Serials are numbered in
    order, so a serial alone must not list who holds a certificate where."""
    data = {"status": status}
    if cert is not None and status != "forged":
        data.update({"serial": cert.serial, "holder": mask_name(cert.holder_name), "program": cert.program.name,
                     "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat()})
        if cert.program.name_en:  # for an English page; the certificate itself is in Chinese
            data["program_en"] = cert.program.name_en
        if cert.status == "revoked" and cert.revoked_at:
            data["revoked_on"] = local_date(cert.revoked_at).isoformat()
        if cert.status == "replaced":  # corrected or renewed: the serial to check now, and how it stands
            successor = service.successor_of(cert)
            if successor:
                data["replaced_by"], data["replaced_by_status"] = successor.serial, successor.status_on()
        if signed:
            data["enterprise"] = cert.enterprise_name
    return data


def _name_check(cert: Certificate, name: str) -> dict:
    """The typed name against the holder's as printed, and the enterprise when it matches;
    once the certificate's name checks for the hour are spent, only when they may resume."""
    if not name_checks.allow_name_check(cert.serial):
        wait = name_checks.seconds_until_name_check(cert.serial)
        return {"name_check": "limited", **({"name_check_retry_after": wait} if wait else {})}
    matches = "".join(clean(name).split()) == "".join(clean(cert.holder_name).split())
    answer = {"name_check": "matches" if matches else "differs", "name_matches": matches}
    if matches:
        answer["enterprise"] = cert.enterprise_name
    return answer


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json"


def _successor_url(data: dict, signed: bool) -> str | None:
    """The successor's page. Signed when this page was opened from the QR code: the successor
    is the bureau's own record, so it verifies as its own QR code would (enterprise included);
    from a typed serial it stays unsigned, or walking serials would list enterprises."""
    serial = data.get("replaced_by")
    if not serial:
        return None
    return service.verification_url(serial, external=False) if signed else url_for("verify.certificate", serial=serial)


@verify_bp.get("/", defaults={"serial": None})
@verify_bp.get("/<serial>")
@limiter.limit("30 per minute")
def certificate(serial: str | None):
    serial = serial or request.args.get("serial", "").strip()
    if not serial:
        if _wants_json():
            abort(400, _("请提供证书编号，形如 %(example)s。", example=service.SERIAL_EXAMPLE))
        return render_template("certificates/verify.html", result=None, serial="")
    status, cert = service.status_of(serial, request.args.get("s"))
    signed = request.args.get("s") is not None and status != "forged"
    name = request.args.get("name", "").strip()[:50]
    data = _public(status, cert, signed)
    if name and "holder" in data:
        data.update(_name_check(cert, name))
    if _wants_json():
        return jsonify(data)
    wait = data.get("name_check_retry_after")
    return render_template("certificates/verify.html", result=data, serial=serial, signed=signed, name=name,
                           successor_url=_successor_url(data, signed), example=service.SERIAL_EXAMPLE,
                           name_check_at=utcnow() + timedelta(seconds=wait) if wait else None)


@staff_bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    query = service.matching(q) if q else select(Certificate).order_by(Certificate.id.desc())
    page = paginate(query, per_page=50)
    # A certificate's QR code names LMS_BASE_URL for good: printed while it names this machine,
    # it opens on the server alone, never on an employer's phone.
    local_base = public_url_is_local() and public_url("verify.certificate", serial=None)
    return render_template("certificates/staff_index.html", page=page, q=q, local_base=local_base)


@staff_bp.get("/bulk.zip")
def bulk():
    """Every certificate in force (neither revoked, replaced nor past its expiry), a town's or a
    workshop's attendees', as one ZIP of PDFs to print and hand out."""
    from lms.core.clock import local_today
    from lms.registry.models import Enterprise, Filing
    from lms.workshops.models import Enrollment

    query = (select(Certificate).where(Certificate.status == "valid", Certificate.expires_on >= local_today())
             .order_by(Certificate.serial))
    town = request.args.get("town", type=id_arg)
    if town:
        query = query.join(Filing, Filing.id == Certificate.filing_id).join(
            Enterprise, Enterprise.id == Filing.enterprise_id).where(Enterprise.town_id == town)
    workshop = request.args.get("workshop", type=id_arg)
    if workshop:
        query = query.where(Certificate.user_id.in_(select(Enrollment.user_id).where(
            Enrollment.workshop_id == workshop, Enrollment.status == "attended")))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for cert in db.session.scalars(query):
            archive.writestr(f"{cert.serial}.pdf", certificate_pdf(
                cert, current_app.config["BUREAU_NAME"], service.verification_url(cert.serial)))
    stream.seek(0)
    return send_file(stream, as_attachment=True, download_name="certificates.zip", mimetype="application/zip")


@staff_bp.post("/<int:cert_id>/reissue")
def reissue(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    name, reason = request.form.get("holder_name", "").strip(), request.form.get("reason", "").strip()
    if cert.status_on() != "valid" or not name or not reason:  # an expired one's correction would be expired too
        flash(_("只有有效证书可以换发，并需填写正确姓名和理由。"), "error")
        return redirect(url_for("certificates_staff.index", q=cert.serial))
    new = service.reissue(cert, name, reason)
    flash(_("已换发新证 %(s)s，原证书 %(o)s 作废。", s=new.serial, o=cert.serial), "success")
    return redirect(url_for("certificates_staff.index", q=new.serial))


@staff_bp.post("/<int:cert_id>/revoke")
def revoke(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(_("请填写撤销原因。"), "error")
    elif cert.status == "valid":
        service.revoke(cert, reason)
        flash(_("证书 %(s)s 已撤销。", s=cert.serial), "success")
    return redirect(url_for("certificates_staff.index", q=cert.serial))


@staff_bp.post("/issue")
def issue():
    """By hand, with a reason: e.g. training recognised from elsewhere."""
    from lms.accounts.service import find_user

    program = current_program()
    user = find_user(request.form.get("login", ""))
    reason = request.form.get("reason", "").strip()
    if program is None or user is None or user.role != "officer" or not reason:
        flash(_("需要当前培训计划、学员的手机号码或电子邮箱，以及发证理由。"), "error")
        return redirect(url_for("certificates_staff.index"))
    before = service.in_force(user.id, program.id)
    cert = service.issue_by_staff(user, program, reason)
    if cert is before:
        flash(_("%(name)s 已有有效证书 %(s)s，没有再发一张。", name=cert.holder_name, s=cert.serial), "info")
    elif before is not None:
        flash(_("%(name)s 的证书 %(old)s 已过期，现已续期为 %(s)s；查验旧编号会指向新证书。",
                name=cert.holder_name, old=before.serial, s=cert.serial), "success")
    else:
        flash(_("已发放证书 %(s)s。", s=cert.serial), "success")
    return redirect(url_for("certificates_staff.index", q=cert.serial))
