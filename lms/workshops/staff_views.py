"""Staff: schedule workshops, see who is coming, check people in, export the records."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields import SelectChoice

from lms.core.auth import STAFF, guard_blueprint
from lms.core.downloads import send_xlsx
from lms.core.models import aware, utcnow
from lms.core.urls import public_url
from lms.extensions import db
from lms.programs.models import Program
from lms.registry.identifiers import mask_mobile
from lms.registry.models import Town
from lms.workshops import checkin, exports, service
from lms.workshops.forms import (
    CancelForm,
    CheckinForm,
    CopyForm,
    WorkshopForm,
    parse_industries,
    to_local,
    to_utc,
)
from lms.workshops.models import ATTENDED, HOLDS_SEAT, Enrollment, Workshop

bp = guard_blueprint(Blueprint("workshops_staff", __name__, url_prefix="/staff/workshops",
                               template_folder="templates"), STAFF)
TIMES = ("starts_at", "ends_at", "enrol_opens_at", "enrol_closes_at")
PLAIN = ("title", "topic", "description", "trainer", "venue", "capacity", "hours")


@bp.get("/")
def index():
    now = utcnow()
    show_past = request.args.get("past") == "1"
    query = select(Workshop)
    query = (query.where(Workshop.ends_at <= now).order_by(Workshop.starts_at.desc()) if show_past
             else query.where(Workshop.ends_at > now).order_by(Workshop.starts_at))
    workshops = db.session.scalars(query.limit(200)).all()
    return render_template("workshops/staff_index.html", workshops=workshops, show_past=show_past,
                           counts=service.seat_counts([w.id for w in workshops]))


def _choices(form: WorkshopForm) -> None:
    form.program_id.choices = [SelectChoice(0, _("（不属于某个培训计划）"))] + [
        SelectChoice(p.id, p.name) for p in db.session.scalars(select(Program).order_by(Program.starts_on.desc()))]
    form.audience_town_id.choices = [SelectChoice(0, _("（不限镇街）"))] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Town).where(Town.is_active).order_by(Town.sort_order, Town.name))]


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit(workshop_id: int | None = None):
    workshop = db.get_or_404(Workshop, workshop_id) if workshop_id else None
    form = WorkshopForm(obj=workshop)
    _choices(form)
    if request.method == "GET" and workshop:
        for name in TIMES:
            getattr(form, name).data = to_local(getattr(workshop, name))
        form.program_id.data = workshop.program_id or 0
        form.audience_town_id.data = workshop.audience_town_id or 0
        form.audience_industries.data = ",".join(workshop.audience_industries or [])
    elif request.method == "GET":
        from lms.programs.service import current_program

        program = current_program()
        form.program_id.data = program.id if program else 0
    if form.validate_on_submit():
        if workshop is not None and form.capacity.data < service.seats_taken(workshop.id):
            form.capacity.errors.append(_("已有 %(n)s 人报名，名额不能少于已报名人数。",
                                          n=service.seats_taken(workshop.id)))
        else:
            workshop = workshop or Workshop()
            for name in PLAIN:
                setattr(workshop, name, getattr(form, name).data)
            for name in TIMES:
                setattr(workshop, name, to_utc(getattr(form, name).data))
            workshop.program_id = form.program_id.data or None
            workshop.audience_town_id = form.audience_town_id.data or None
            workshop.audience_industries = parse_industries(form.audience_industries.data)
            promoted = service.save_workshop(workshop)
            flash(_("培训班已保存。") + (_("候补名单中有 %(n)s 人已递补。", n=len(promoted)) if promoted else ""),
                  "success")
            if aware(workshop.starts_at) < utcnow():  # allowed: a session held before it was entered
                flash(_("注意：开始时间已经过去，学员已不能报名。"), "warning")
            return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, workshop=workshop)


def _with_officers(workshop_id: int) -> tuple[Workshop, dict]:
    """The workshop and, per enrolled user, their enterprise, USCC, town and mobile."""
    workshop = db.get_or_404(Workshop, workshop_id)
    return workshop, exports.officer_details([e.user_id for e in workshop.enrollments])


@bp.get("/<int:workshop_id>")
def detail(workshop_id: int):
    workshop, officers = _with_officers(workshop_id)
    rows = list(exports.attendance_rows(workshop, officers))
    withdrawn = [e for e in workshop.enrollments if e.status not in HOLDS_SEAT and e.status != "waitlisted"]
    return render_template("workshops/staff_detail.html", workshop=workshop, rows=rows, withdrawn=withdrawn,
                           checkin_open=checkin.checkin_is_open(workshop),
                           taken=sum(1 for e in workshop.enrollments if e.status in HOLDS_SEAT),
                           attended=sum(1 for e in workshop.enrollments if e.status == ATTENDED),
                           ended=utcnow() > service.aware(workshop.ends_at), cancel_form=CancelForm(),
                           copy_form=CopyForm(starts_at=to_local(workshop.starts_at)))


@bp.post("/<int:workshop_id>/cancel")
def cancel(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("请填写取消原因。"), "warning")
    else:
        try:
            told = service.cancel_workshop(workshop, form.reason.data.strip())
        except service.WorkshopError as error:
            flash(str(error), "warning")
        else:
            flash(_("培训班已取消，已通知 %(n)s 人（见发件箱）。", n=told), "success")
    return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/copy")
def copy(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("请填写新的开始时间。"), "warning")
        return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))
    copy = service.copy_workshop(workshop, to_utc(form.starts_at.data))
    flash(_("已复制为新的培训班，已对学员开放报名：请核对时间和地点。"), "success")
    return redirect(url_for("workshops_staff.edit", workshop_id=copy.id))


@bp.post("/<int:workshop_id>/close")
def close(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        count = checkin.close_attendance(workshop)
    except service.WorkshopError as error:
        flash(str(error), "warning")
    else:
        flash(_("签到已结束，%(n)s 人记为缺席。", n=count), "success")
    return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))


@bp.post("/reminders")
def reminders():
    count = service.queue_reminders()
    flash(_("已为 %(n)s 人生成开课提醒（见发件箱）。", n=count), "success")
    return redirect(url_for("workshops_staff.index"))


@bp.route("/scan", methods=["GET", "POST"])
@bp.route("/<int:workshop_id>/scan", methods=["GET", "POST"])
def scan(workshop_id: int | None = None):
    """Check-in at the door: a scanned or typed personal code. A phone's camera app opening an
    officer's QR code lands here with ?code=..., which finds the workshop by itself."""
    code = request.values.get("code", "")
    workshop = db.get_or_404(Workshop, workshop_id) if workshop_id else None
    if workshop is None:
        enrollment = db.session.scalar(select(Enrollment).where(
            Enrollment.checkin_code == checkin.normalise_code(code))) if code else None
        if enrollment is None:
            flash(_("签到码无效，或不属于本培训班。") if code else _("请从培训班页面进入扫码签到。"), "danger")
            return redirect(url_for("workshops_staff.index"))
        workshop = enrollment.workshop
    form = CheckinForm(code="" if request.method == "POST" else code)
    result = None
    if form.validate_on_submit():
        try:
            enrollment, done = checkin.check_in_by_code(workshop, form.code.data)
            result = ("success" if done else "info", enrollment,
                      _("签到成功") if done else _("已签到过，不重复认定学时"))
        except service.WorkshopError as error:
            result = ("danger", None, str(error))
        form.code.data = ""
    elif request.method == "POST":  # empty, or longer than any code: say so, as for a wrong one
        result = ("danger", None, _("请扫描或输入个人签到码。") if not (form.code.data or "").strip()
                  else _("签到码无效，或不属于本培训班。"))
        form.code.data = ""
    attended = sum(1 for e in workshop.enrollments if e.status == ATTENDED)
    taken = sum(1 for e in workshop.enrollments if e.status in HOLDS_SEAT)
    query = request.args.get("q", "").strip()[:50]
    return render_template("workshops/scan.html", workshop=workshop, form=form, result=result,
                           attended=attended, taken=taken, prefilled=bool(code) and request.method == "GET",
                           query=query, matches=_found(workshop, query) if query else None)


def _found(workshop: Workshop, query: str) -> list[tuple[Enrollment, str, str]]:
    """(enrollment, enterprise, masked mobile) of those the search at the door found: the
    screen at the desk may be seen by the next in line."""
    matches = checkin.find_enrollments(workshop, query)
    officers = exports.officer_details([e.user_id for e in matches])
    rows = []
    for e in matches:
        enterprise, _uscc, _town, mobile = officers.get(e.user_id, ("", "", "", ""))
        rows.append((e, enterprise, mask_mobile(mobile or e.user.phone or "")))
    return rows


def _back_to(workshop: Workshop):
    """Where a check-in from a list returns: the check-in page's search or the workshop page."""
    if request.form.get("back") == "scan":
        return redirect(url_for("workshops_staff.scan", workshop_id=workshop.id))
    return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/enrollments/<int:enrollment_id>/checkin")
def manual_checkin(workshop_id: int, enrollment_id: int):
    """Check someone in from the list, without their code: the same window and record as a scan."""
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        enrollment, done = checkin.check_in_manually(workshop, enrollment_id)
    except service.WorkshopError as error:
        flash(str(error), "danger")
    else:
        flash(_("%(name)s 签到成功", name=enrollment.user.name) if done
              else _("%(name)s 已签到过，不重复认定学时", name=enrollment.user.name), "success" if done else "info")
    return _back_to(workshop)


@bp.post("/<int:workshop_id>/enrollments/<int:enrollment_id>/admit")
def admit(workshop_id: int, enrollment_id: int):
    """A waitlisted walk-in takes a free seat and is checked in."""
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        enrollment = checkin.admit_from_waitlist(workshop, enrollment_id)
    except service.WorkshopError as error:
        flash(str(error), "danger")
    else:
        flash(_("%(name)s 已从候补转为正式报名并签到成功", name=enrollment.user.name), "success")
    return _back_to(workshop)


@bp.post("/decode")
def decode():
    """A camera frame from the check-in page, for browsers that cannot read QR codes
    themselves (no BarcodeDetector: desktop Chrome on Windows, Firefox, Safari)."""
    text = checkin.read_qr(request.get_data(cache=False)) if request.content_length else None
    return {"text": text}


@bp.get("/<int:workshop_id>/screen")
def screen(workshop_id: int):
    """The room's screen: a QR code and a six-digit code for self check-in; it changes every ten
    minutes, and the page reloads itself."""
    workshop = db.get_or_404(Workshop, workshop_id)
    code = checkin.session_code(workshop)
    url = public_url("workshops.self_checkin", workshop_id=workshop.id, code=code)
    qr = segno.make(url, error="m").svg_data_uri(scale=10, border=2)
    return render_template("workshops/screen.html", workshop=workshop, code=code, qr=qr, url=url)


@bp.get("/<int:workshop_id>/signin.pdf")
def signin_sheet(workshop_id: int):
    workshop, officers = _with_officers(workshop_id)
    data = exports.signin_sheet_pdf(workshop, officers, current_app.config["BUREAU_NAME"])
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="workshop-{workshop.id}-signin.pdf"'})


@bp.get("/<int:workshop_id>/attendance.xlsx")
def attendance(workshop_id: int):
    workshop, officers = _with_officers(workshop_id)
    return send_xlsx(exports.attendance_xlsx(workshop, officers), f"workshop-{workshop.id}-attendance.xlsx")
