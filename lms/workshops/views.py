"""Officers: upcoming workshops, enrolment, their check-in code, self check-in, the calendar."""

from __future__ import annotations

import io
from datetime import date

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.core.auth import per_user
from lms.core.clock import local_today
from lms.core.models import utcnow
from lms.core.urls import public_url
from lms.extensions import db, limiter
from lms.workshops import calendar, checkin, service
from lms.workshops.forms import CheckinForm, local_zone
from lms.workshops.models import SCHEDULED, WAITLISTED, Workshop

bp = Blueprint("workshops", __name__, url_prefix="/workshops", template_folder="templates")


def personal_checkin_url(code: str) -> str:
    """What an officer's QR code opens: the staff check-in page with the code filled in, so a
    phone's own camera app is enough at the door."""
    return public_url("workshops_staff.scan", code=code)


@bp.get("/")
@login_required
def index():
    now = utcnow()
    workshops = [w for w in service.visible_workshops(current_user, start=now) if w.status == SCHEDULED]
    mine = {e.workshop_id: e for e in service.my_enrollments(current_user.id)}
    counts = service.seat_counts([w.id for w in workshops])
    past = [e for e in mine.values() if service.aware(e.workshop.ends_at) <= now]
    return render_template("workshops/index.html", workshops=workshops, mine=mine, counts=counts,
                           past=past, has_filing=service.audience_of(current_user.id) is not None,
                           feed_url=public_url("workshops.feed", token=calendar.feed_token(current_user)),
                           hours=checkin.attended_hours(current_user.id))


def _visible_or_404(workshop_id: int) -> Workshop:
    """The workshop, if this officer may see it; one for another audience (a link passed on
    by a colleague) says whom it is for and goes back to the list."""
    workshop = db.get_or_404(Workshop, workshop_id)
    if not current_user.is_staff and not (
            service.enrollment_of(workshop.id, current_user.id)
            or service.is_open_to(workshop, service.audience_of(current_user.id))):
        town = workshop.audience_town.name if workshop.audience_town else ""
        codes = _("、").join(workshop.audience_industries or [])
        if town and codes:  # whole sentences: a language orders town and industries its own way
            message = _("“%(title)s”只面向%(town)s %(codes)s 行业的首席质量官，您的备案不在其中。",
                        title=workshop.title, town=town, codes=codes)
        elif codes:
            message = _("“%(title)s”只面向 %(codes)s 行业的首席质量官，您的备案不在其中。",
                        title=workshop.title, codes=codes)
        else:
            message = _("“%(title)s”只面向%(town)s的首席质量官，您的备案不在其中。", title=workshop.title, town=town)
        flash(message, "info")
        abort(redirect(url_for("workshops.index")))
    return workshop


@bp.get("/<int:workshop_id>")
@login_required
def detail(workshop_id: int):
    workshop = _visible_or_404(workshop_id)
    enrollment = service.enrollment_of(workshop.id, current_user.id)
    position = service.position_in_line(enrollment) if enrollment and enrollment.status == WAITLISTED else None
    return render_template("workshops/detail.html", workshop=workshop, enrollment=enrollment,
                           position=position, taken=service.seats_taken(workshop.id),
                           started=utcnow() >= service.aware(workshop.starts_at),
                           self_checkin=checkin.self_checkin_is_open(workshop),
                           self_checkin_minutes=int(checkin.SELF_CHECKIN_EARLY.total_seconds() // 60))


@bp.post("/<int:workshop_id>/enrol")
@login_required
def enrol(workshop_id: int):
    workshop = _visible_or_404(workshop_id)
    try:
        enrollment = service.enrol(workshop, current_user.id)
    except service.WorkshopError as error:
        flash(str(error), "warning")
    else:
        if enrollment.status == WAITLISTED:
            flash(_("名额已满，您已进入候补名单（第 %(n)s 位）。有人取消时将按顺序递补，并通知您。",
                    n=service.position_in_line(enrollment)), "info")
        else:
            flash(_("报名成功。请在签到时出示本页的个人签到码。"), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/withdraw")
@login_required
def withdraw(workshop_id: int):
    workshop = _visible_or_404(workshop_id)
    enrollment = service.enrollment_of(workshop.id, current_user.id)
    try:
        if enrollment is None:
            raise service.WorkshopError(_("没有可以取消的报名。"))
        service.withdraw(enrollment)
    except service.WorkshopError as error:
        flash(str(error), "warning")
    else:
        flash(_("已取消报名。"), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.get("/<int:workshop_id>/my-code.svg")
@login_required
def my_code(workshop_id: int):
    enrollment = service.enrollment_of(workshop_id, current_user.id)
    if enrollment is None:
        abort(404)
    stream = io.BytesIO()
    segno.make(personal_checkin_url(enrollment.checkin_code), error="m").save(
        stream, kind="svg", scale=6, border=2, xmldecl=False)
    return Response(stream.getvalue(), mimetype="image/svg+xml")


def _not_checked_in(response) -> bool:
    return response.status_code != 302


@bp.route("/<int:workshop_id>/checkin", methods=["GET", "POST"])
@login_required
# Two six-digit codes are valid at a time: without a limit an absent officer could guess one.
# 20 failures an hour per account: about one chance in 6,000 over a four-hour session.
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=per_user, deduct_when=_not_checked_in)
def self_checkin(workshop_id: int):
    """The page the room's screen QR code opens: the officer confirms with one tap."""
    workshop = _visible_or_404(workshop_id)
    form = CheckinForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            done = checkin.self_check_in(workshop, current_user.id, form.code.data)
        except service.WorkshopError as error:
            flash(str(error), "danger")
        else:
            flash(_("签到成功，已认定 %(h)s 学时。", h=format(workshop.hours, "g")) if done
                  else _("您已签到过了。"), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    return render_template("workshops/self_checkin.html", workshop=workshop, form=form)


@bp.get("/calendar")
@login_required
def month():
    today = local_today()
    year, month_no = calendar.parse_month(request.args.get("month"), today)
    start, end = calendar.month_bounds(year, month_no)
    workshops = service.visible_workshops(current_user, start=start, end=end)
    by_day: dict[date, list[Workshop]] = {}
    for workshop in workshops:
        by_day.setdefault(service.aware(workshop.starts_at).astimezone(local_zone()).date(), []).append(workshop)
    mine = {e.workshop_id: e.status for e in service.my_enrollments(current_user.id)}
    return render_template("workshops/calendar.html", year=year, month=month_no, today=today,
                           month_title=calendar.month_title(year, month_no),
                           weeks=calendar.month_weeks(year, month_no), by_day=by_day, workshops=workshops,
                           mine=mine, view=request.args.get("view", "month"),
                           prev=calendar.shift_month(year, month_no, -1), next=calendar.shift_month(year, month_no, 1))


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """An officer's own calendar (their enrolments): subscribed to from Outlook or a phone."""
    user_id = calendar.user_for_feed_token(token)
    if user_id is None:
        abort(404)
    workshops = [e.workshop for e in service.my_enrollments(user_id) if e.status != WAITLISTED]
    return _ics_response(workshops, _("我的培训班"), "my-workshops.ics")


@bp.get("/<int:workshop_id>.ics")
def workshop_ics(workshop_id: int):
    """One workshop as a calendar file: no personal data in it, so no sign-in needed."""
    workshop = db.get_or_404(Workshop, workshop_id)
    return _ics_response([workshop], workshop.title, f"workshop-{workshop.id}.ics")


def _ics_response(workshops: list[Workshop], name: str, filename: str) -> Response:
    body = calendar.ics(workshops, name, lambda w: public_url("workshops.detail", workshop_id=w.id))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, max-age=300"})
