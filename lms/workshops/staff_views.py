"""Staff: schedule workshops, see who is coming, check people in, export the records."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms.fields import SelectChoice

from lms.core.auth import STAFF, guard_blueprint
from lms.core.models import aware, utcnow
from lms.extensions import db
from lms.programs.models import Program
from lms.registry.identifiers import mask_mobile
from lms.registry.models import Town
from lms.workshops import checkin, exports, notices, service
from lms.workshops.forms import (
    CancelForm,
    CheckinForm,
    CopyForm,
    WorkshopForm,
    parse_industries,
    to_local,
    to_utc,
)
from lms.workshops.models import ATTENDED, HOLDS_SEAT, NO_SHOW, WAITLISTED, Enrollment, Workshop

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
        SelectChoice(p.id, p.shown_name) for p in db.session.scalars(select(Program).order_by(Program.starts_on.desc()))]
    form.audience_town_id.choices = [SelectChoice(0, _("（不限镇街）"))] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Town).where(Town.is_active).order_by(Town.sort_order, Town.name))]


def _fill(form: WorkshopForm, workshop: Workshop | None) -> None:
    """The form as a GET shows it: the workshop's values in local time, or a new one's defaults."""
    if workshop is None:
        from lms.programs.service import current_program

        program = current_program()
        form.program_id.data = program.id if program else 0
        return
    for name in TIMES:
        getattr(form, name).data = to_local(getattr(workshop, name))
    form.program_id.data = workshop.program_id or 0
    form.audience_town_id.data = workshop.audience_town_id or 0
    form.audience_industries.data = ",".join(workshop.audience_industries or [])


def _apply(form: WorkshopForm, workshop: Workshop) -> None:
    for name in PLAIN:
        setattr(workshop, name, getattr(form, name).data)
    for name in TIMES:
        setattr(workshop, name, to_utc(getattr(form, name).data))
    workshop.program_id = form.program_id.data or None
    workshop.audience_town_id = form.audience_town_id.data or None
    workshop.audience_industries = parse_industries(form.audience_industries.data)


DELIVERY_NOTES = {
    notices.SENT: (_l("有电子邮箱的已发出邮件，其余在发件箱中，请电话或书面转告。"), "success"),
    notices.KEPT: (_l("未配置邮件服务器，通知都在发件箱中，请导出后电话或书面转告。"), "info"),
    notices.FAILED: (_l("邮件服务器连接失败，通知未能发出，仍在发件箱中，请电话或书面转告。"), "warning"),
}


def _flash_delivery(delivery: str) -> None:
    """Say what became of the notices just written: e-mailed, or waiting in the outbox."""
    if delivery:
        note, category = DELIVERY_NOTES[delivery]
        flash(str(note), category)


def _flash_saved(workshop: Workshop, saved: service.Saved) -> None:
    said = [_("培训班已保存。")]
    if saved.promoted:
        said.append(_("候补名单中有 %(n)s 人已递补，已为他们生成通知。", n=len(saved.promoted)))
    if saved.told:
        said.append(ngettext("已为 %(num)s 位报名或候补的学员生成时间或地点变更通知。",
                             "已为 %(num)s 位报名或候补的学员生成时间或地点变更通知。", saved.told))
    if saved.recredited:
        said.append(ngettext("已签到的 %(num)s 人的认定学时已随之改为 %(h)s 学时。", "已签到的 %(num)s 人的认定学时已随之改为 %(h)s 学时。",
                             saved.recredited, h=format(workshop.hours, "g")))
    flash("".join(said), "success")
    _flash_delivery(saved.delivery)
    if aware(workshop.starts_at) < utcnow():  # allowed: a session held before it was entered
        flash(_("注意：开始时间已经过去，学员已不能报名。"), "warning")


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit(workshop_id: int | None = None):
    workshop = db.get_or_404(Workshop, workshop_id) if workshop_id else None
    if workshop is not None and workshop.is_cancelled:  # its people were told; a new date is a copy
        flash(_("该培训班已取消，不能再修改。如需另行举办，请用“复制到新日期”新建一期。"), "warning")
        return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))
    form = WorkshopForm(obj=workshop)
    _choices(form)
    if request.method == "GET":
        _fill(form, workshop)
    if form.validate_on_submit():
        taken = service.seats_taken(workshop.id) if workshop is not None else 0
        # Walk-ins may have filled the room past its capacity: only lowering it is refused.
        if form.capacity.data < taken and form.capacity.data < workshop.capacity:
            form.capacity.errors.append(_("已有 %(n)s 人报名，名额不能少于已报名人数。", n=taken))
        else:
            workshop = workshop or Workshop()
            _apply(form, workshop)
            _flash_saved(workshop, service.save_workshop(workshop))
            return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, workshop=workshop)


def _roster(workshop_id: int) -> tuple[Workshop, list[exports.Attendee]]:
    """The workshop and its list: each one's enterprise, USCC, town and mobile, and whether their
    filing has ended."""
    workshop = db.get_or_404(Workshop, workshop_id)
    user_ids = [e.user_id for e in workshop.enrollments]
    return workshop, exports.attendance_rows(workshop, exports.officer_details(user_ids),
                                             service.filing_ended_among(user_ids))


@bp.get("/<int:workshop_id>")
def detail(workshop_id: int):
    workshop, rows = _roster(workshop_id)
    withdrawn = [e for e in workshop.enrollments if e.status not in HOLDS_SEAT and e.status != WAITLISTED]
    count = Counter(row.enrollment.status for row in rows)
    return render_template("workshops/staff_detail.html", workshop=workshop, rows=rows, withdrawn=withdrawn,
                           checkin_open=checkin.checkin_is_open(workshop), taken=service.seats_taken(workshop.id),
                           attended=count[ATTENDED], no_shows=count[NO_SHOW],
                           waiting=sum(1 for r in rows if r.enrollment.status == WAITLISTED and not r.filing_ended),
                           ended=utcnow() > service.aware(workshop.ends_at), cancel_form=CancelForm(),
                           started=utcnow() >= service.aware(workshop.starts_at),
                           copy_form=CopyForm(starts_at=to_local(workshop.starts_at)))


@bp.post("/<int:workshop_id>/cancel")
def cancel(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("请填写取消原因。"), "warning")
    else:
        try:
            cancelled = service.cancel_workshop(workshop, form.reason.data.strip())
        except service.WorkshopError as error:
            flash(str(error), "warning")
        else:
            flash(ngettext("培训班已取消，已为 %(num)s 人生成取消通知。", "培训班已取消，已为 %(num)s 人生成取消通知。", cancelled.told) if cancelled.told
                  else _("培训班已取消。培训已结束或无人报名，未发通知。"), "success")
            _flash_delivery(cancelled.delivery)
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


def _landing(code: str) -> Workshop | None:
    """The workshop of a personal code a phone's camera app opened, or None (said why)."""
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.checkin_code == checkin.normalise_code(code))) if code else None
    if enrollment is None:
        flash(_("签到码无效：没有这个个人签到码。") if code else _("请从培训班页面进入扫码签到。"), "danger")
    return enrollment.workshop if enrollment else None


def _scanned(workshop: Workshop, form: CheckinForm):
    """(alert class, enrollment or None, message) for the code just posted, or None for a GET."""
    if form.validate_on_submit():
        try:
            enrollment, done = checkin.check_in_by_code(workshop, form.code.data)
        except service.WorkshopError as error:
            return "danger", None, str(error)
        return ("success" if done else "info", enrollment, _("签到成功") if done else _("已签到过，不重复认定学时"))
    if request.method == "POST":  # empty, or longer than any code: say so, as for a wrong one
        return "danger", None, (_("请扫描或输入个人签到码。") if not (form.code.data or "").strip()
                                else _("签到码无效，或不属于本培训班。"))
    return None


@bp.route("/scan", methods=["GET", "POST"])
@bp.route("/<int:workshop_id>/scan", methods=["GET", "POST"])
def scan(workshop_id: int | None = None):
    """Check-in at the door: a scanned or typed personal code. A phone's camera app opening an
    officer's QR code lands here with ?code=..., which finds the workshop by itself."""
    code = request.values.get("code", "")
    workshop = db.get_or_404(Workshop, workshop_id) if workshop_id else _landing(code)
    if workshop is None:
        return redirect(url_for("workshops_staff.index"))
    form = CheckinForm(code="" if request.method == "POST" else code)
    result = _scanned(workshop, form)
    if request.method == "POST":
        form.code.data = ""
    query = request.args.get("q", "").strip()[:50]
    return render_template("workshops/scan.html", workshop=workshop, form=form, result=result,
                           attended=sum(1 for e in workshop.enrollments if e.status == ATTENDED),
                           taken=service.seats_taken(workshop.id), ended=utcnow() > aware(workshop.ends_at),
                           prefilled=bool(code) and request.method == "GET", query=query,
                           opens_at=_later(checkin.checkin_opens_at(workshop)),
                           early=_minutes(checkin.STAFF_CHECKIN_EARLY),
                           matches=_found(workshop, query) if query else None,
                           walk_ins=_walk_ins(workshop, query) if query else None,
                           unclaimed=_unclaimed(query) if query else None)


def _later(moment: datetime) -> datetime | None:
    """The moment if it is still to come: the page says the window opens then."""
    return moment if utcnow() < moment else None


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _found(workshop: Workshop, query: str) -> list[tuple[Enrollment, str, str]]:
    """(enrollment, enterprise, masked mobile) of those the search at the door found: the
    screen at the desk may be seen by the next in line."""
    matches = checkin.find_enrollments(workshop, query)
    officers = exports.officer_details([e.user_id for e in matches])
    rows = []
    for e in matches:
        officer = officers.get(e.user_id, exports.Officer())
        rows.append((e, officer.enterprise, mask_mobile(officer.mobile or e.user.phone or "")))
    return rows


def _unclaimed(query: str):
    from lms.workshops import door  # its route is on this blueprint: imported once this module is

    return door.find_unclaimed(query)


def _walk_ins(workshop: Workshop, query: str) -> list[checkin.WalkIn]:
    """Officers in post the search found who are not on the list, their mobiles masked."""
    return [replace(person, mobile=mask_mobile(person.mobile)) for person in checkin.find_walk_ins(workshop, query)]


def _back_to(workshop: Workshop):
    """Where a check-in from a list returns: the check-in page's search or the workshop page."""
    if request.form.get("back") == "scan":
        return redirect(url_for("workshops_staff.scan", workshop_id=workshop.id))
    return redirect(url_for("workshops_staff.detail", workshop_id=workshop.id))


def _flash_over_capacity(workshop: Workshop) -> None:
    over = checkin.over_capacity(workshop)
    if over:
        flash(_("注意：本班已超出名额 %(n)s 人（%(t)s / %(c)s）。", n=over, t=over + workshop.capacity,
                c=workshop.capacity), "warning")


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
    """A waitlisted officer who came takes a seat and is checked in."""
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        enrollment = checkin.admit_from_waitlist(workshop, enrollment_id)
    except service.WorkshopError as error:
        flash(str(error), "danger")
    else:
        flash(_("%(name)s 已从候补转为正式报名并签到成功", name=enrollment.user.name), "success")
        _flash_over_capacity(workshop)
    return _back_to(workshop)


@bp.post("/<int:workshop_id>/walk-ins/<int:user_id>")
def walk_in(workshop_id: int, user_id: int):
    """An officer in post who came without enrolling is put on the list and checked in."""
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        enrollment = checkin.check_in_walk_in(workshop, user_id)
    except service.WorkshopError as error:
        flash(str(error), "danger")
    else:
        flash(_("%(name)s 已现场登记并签到成功", name=enrollment.user.name), "success")
        _flash_over_capacity(workshop)
    return _back_to(workshop)


@bp.post("/<int:workshop_id>/enrollments/<int:enrollment_id>/undo")
def undo_checkin(workshop_id: int, enrollment_id: int):
    """Take back a check-in recorded by mistake, and the hours it credited."""
    workshop = db.get_or_404(Workshop, workshop_id)
    try:
        enrollment, hours = checkin.undo_check_in(workshop, enrollment_id)
    except service.WorkshopError as error:
        flash(str(error), "danger")
    else:
        flash(_("已撤销 %(name)s 的签到，扣除 %(h)s 学时。", name=enrollment.user.name, h=format(hours, "g")), "success")
        _warn_of_unsupported_certificate(enrollment.user)
    return _back_to(workshop)


def _warn_of_unsupported_certificate(user) -> None:
    """A certificate issued on the hours just taken back stays valid until staff decide: they
    are told, with the way to it, rather than a certificate vanishing by itself."""
    from lms.accounts.service import current_filing_of
    from lms.certificates.service import in_force
    from lms.programs.service import current_program, standing

    program = current_program()
    certificate = in_force(user.id, program.id) if program else None
    if certificate is None:
        return
    filing = current_filing_of(user)
    if not standing(user.id, filing.enterprise.industry_code if filing else "", program).is_complete:
        flash(_("%(name)s 已持有证书 %(s)s，扣除学时后不再满足培训要求。证书不会自动撤销：请核实后在证书管理中决定是否撤销。",
                name=user.name, s=certificate.serial), "warning")


@bp.post("/decode")
def decode():
    """A camera frame from the check-in page, for browsers that cannot read QR codes
    themselves (no BarcodeDetector: desktop Chrome on Windows, Firefox, Safari)."""
    text = checkin.read_qr(request.get_data(cache=False)) if request.content_length else None
    return {"text": text}
