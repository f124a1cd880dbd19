"""What the room of a workshop gets: the screen on the wall for self check-in, and the sign-in
sheet and attendance list staff print or file. Its routes join the staff workshops blueprint."""

from __future__ import annotations

import math

import segno
from flask import Response, current_app, render_template

from lms.core.downloads import send_xlsx
from lms.core.models import utcnow
from lms.core.urls import public_url
from lms.extensions import db
from lms.workshops import checkin, exports
from lms.workshops.models import Workshop
from lms.workshops.staff_views import _later, _minutes, _roster, bp


@bp.get("/<int:workshop_id>/screen")
def screen(workshop_id: int):
    """The room's screen: a QR code and a six-digit code for self check-in; it changes every ten
    minutes, and the page reloads itself. Before self check-in opens it says when, rather than
    show a code that would be refused."""
    workshop = db.get_or_404(Workshop, workshop_id)
    if not checkin.self_checkin_is_open(workshop):
        return _closed_screen(workshop)
    code = checkin.session_code(workshop)
    url = public_url("workshops.self_checkin", workshop_id=workshop.id, code=code)
    qr = segno.make(url, error="m").svg_data_uri(scale=10, border=2)
    return render_template("workshops/screen.html", workshop=workshop, code=code, qr=qr, url=url, refresh=60)


def _closed_screen(workshop: Workshop):
    """The screen before self check-in opens (when it will) or after it closed. Staff put it on
    the projector early and leave it: it reloads itself the moment the window opens."""
    opens_at = None if workshop.is_cancelled else _later(checkin.self_checkin_opens_at(workshop))
    refresh = max(1, min(60, math.ceil((opens_at - utcnow()).total_seconds()))) if opens_at else None
    return render_template("workshops/screen.html", workshop=workshop, code=None, opens_at=opens_at,
                           early=_minutes(checkin.SELF_CHECKIN_EARLY), refresh=refresh)


@bp.get("/<int:workshop_id>/signin.pdf")
def signin_sheet(workshop_id: int):
    workshop, rows = _roster(workshop_id)
    data = exports.signin_sheet_pdf(workshop, rows, current_app.config["BUREAU_NAME"])
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="workshop-{workshop.id}-signin.pdf"'})


@bp.get("/<int:workshop_id>/attendance.xlsx")
def attendance(workshop_id: int):
    workshop, rows = _roster(workshop_id)
    return send_xlsx(exports.attendance_xlsx(workshop, rows), f"workshop-{workshop.id}-attendance.xlsx")
