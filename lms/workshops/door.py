"""At the door: an officer in post who never opened an account (the people coverage most needs)
comes to a workshop. Staff find the filing, open the account (代为开户) and record the walk-in
in one step, and hand over the set-password link; the hours count from that day."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from lms.accounts import service as accounts
from lms.core.urls import public_url
from lms.extensions import db
from lms.registry import service as registry
from lms.registry.identifiers import mask_mobile
from lms.registry.models import CURRENT, Enterprise, Filing
from lms.workshops import checkin, service
from lms.workshops.models import Workshop
from lms.workshops.staff_views import bp


@dataclass
class Unclaimed:
    """A current filing found at the door whose officer has no account yet."""

    filing_id: int
    name: str
    enterprise: str
    mobile: str  # masked: the desk's screen may be seen by the next in line


def find_unclaimed(text: str, limit: int = 10) -> list[Unclaimed]:
    """Current filings without an account whose officer's name, or mobile (four digits or
    more: the end of a number will do), matches."""
    text = (text or "").strip()
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    by_number = len(digits) >= 4 and not text.strip("+- 0123456789")
    match = Filing.mobile.contains(digits[-11:], autoescape=True) if by_number else \
        Filing.officer_name.contains(text, autoescape=True)
    rows = db.session.execute(
        select(Filing.id, Filing.officer_name, Enterprise.name, Filing.mobile).join(Enterprise)
        .where(and_(Filing.status == CURRENT, Filing.user_id.is_(None), or_(match)))
        .order_by(Filing.officer_name, Filing.id).limit(limit))
    return [Unclaimed(fid, name, enterprise, mask_mobile(mobile or "")) for fid, name, enterprise, mobile in rows]


@bp.post("/<int:workshop_id>/walk-ins/filings/<int:filing_id>")
def walk_in_without_account(workshop_id: int, filing_id: int):
    """Open the account of the filing's officer and check them in as a walk-in; the page that
    follows shows the set-password link to hand over, once."""
    workshop = db.get_or_404(Workshop, workshop_id)
    filing = db.get_or_404(Filing, filing_id)
    back = url_for("workshops_staff.scan", workshop_id=workshop.id)
    try:
        user = registry.open_account(filing)
        db.session.flush()
        # Commits the account with the check-in; refused (outside the check-in window, say),
        # the account goes with it.
        checkin.check_in_walk_in(workshop, user.id)
    except (registry.RegistryError, accounts.AccountError, service.WorkshopError) as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(back)
    flash(_("已为 %(name)s 开户并现场签到，计 %(h)s 学时。请把下面的链接交给本人设置密码。", name=user.name,
            h=format(workshop.hours, "g")), "success")
    link = public_url("accounts.reset_password", token=accounts.make_reset_token(user))
    return render_template("accounts/reset_link.html", user=user, link=link, created=True, back=back,
                           hours=current_app.config["RESET_LINK_HOURS"])
