"""Staff pages for invitation codes: a sheet of them for a town's unclaimed filings, or a new
one for one officer, shown once and for a few minutes. Routes on the registry blueprint."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import InvalidToken
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from lms.accounts import service as accounts
from lms.core.downloads import send_xlsx
from lms.core.models import utcnow
from lms.core.urls import public_url, public_url_is_local
from lms.extensions import db
from lms.registry import service
from lms.registry.exports import invitation_workbook
from lms.registry.forms import InviteForm
from lms.registry.models import Filing
from lms.registry.views import bp


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    form = InviteForm()
    form.town_id.choices = [SelectChoice(0, _("全部镇街"))] + [SelectChoice(t.id, t.name) for t in service.active_towns()]
    if form.validate_on_submit():
        query = service.filings_query("", form.town_id.data or None, "current", "no")
        if not form.reissue.data:  # codes already handed out keep working
            query = query.where(Filing.invite_code_hash.is_(None))
        issued = service.issue_invite_codes(list(db.session.scalars(query)))
        if issued:
            return _invitation_download(issued)
        flash(_nobody_to_invite(form), "info")  # the page again, with the town chosen kept
    unclaimed = service.filings_query("", None, "current", "no")
    count = db.paginate(unclaimed, per_page=1).total
    without = db.paginate(unclaimed.where(Filing.invite_code_hash.is_(None)), per_page=1).total
    return render_template("registry/invitations.html", form=form, unclaimed=count, without_code=without,
                           local_warning=_local_address_warning())


def _local_address_warning() -> str:
    """What to tell staff while LMS_BASE_URL names this machine (the default): every code goes
    out with the registration address, which would then open on the server alone."""
    if not public_url_is_local():
        return ""
    return _("邀请码表格中的注册地址是 %(url)s，只能在服务器本机打开，首席质量官在自己的手机或电脑上打不开。"
             "请管理员把 LMS_BASE_URL 设为本平台在内网的地址后再分发邀请码。", url=public_url("accounts.register"))


def _nobody_to_invite(form: InviteForm) -> str:
    town = next((str(c.label) for c in form.town_id.choices if form.town_id.data and c.value == form.town_id.data), None)
    if town:
        return (_("%(town)s没有尚未认领的在任备案。", town=town) if form.reissue.data
                else _("%(town)s没有需要生成邀请码的备案：在任备案都已认领或都已有邀请码。", town=town))
    return (_("没有尚未认领的在任备案。") if form.reissue.data
            else _("没有需要生成邀请码的备案：在任备案都已认领或都已有邀请码。"))


def _invitation_download(issued):
    db.session.commit()
    # Shown when the page reloads after the download (app.js, data-reload-after).
    flash(_("已为 %(n)s 份备案生成邀请码，表格已下载。", n=len(issued)), "success")
    # The page, reloaded, warns of a local address again; the file says it on its 说明 sheet.
    stream = invitation_workbook(issued, public_url("accounts.register"), _local_address_warning())
    response = send_xlsx(stream, "invitation-codes.xlsx")
    # Tells the page (app.js, data-reload-after) that the download has arrived; says nothing else.
    response.set_cookie("lms_downloaded", "1", max_age=300, path=request.path, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


SHOWN_CODE_MINUTES = 15


@bp.post("/filings/<int:filing_id>/invite")
def invite_one(filing_id: int):
    """A new code for one unclaimed filing (the officer lost theirs); the filing's earlier code
    stops working. The code is shown on a page of its own (below), so that reloading it shows
    the same code again instead of issuing another and voiding the one just read out."""
    filing = db.get_or_404(Filing, filing_id)
    replaced = filing.invite_code_hash is not None  # a code was out before: it stops working
    issued = service.issue_invite_codes([filing])
    if not issued:
        flash(_("该备案已有账号或已结束。"), "error")
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    db.session.commit()
    # Only in this staff member's session, for a few minutes, and encrypted: Flask's session
    # cookie is signed, not secret, and the database keeps only a digest.
    session["invite_shown"] = {"filing": filing.id, "code": _shown_box().encrypt(issued[0][1].encode()).decode(),
                               "at": utcnow().timestamp(), "replaced": replaced}
    return redirect(url_for("registry.invite_shown", filing_id=filing.id))


def _shown_box():
    from cryptography.fernet import Fernet

    key = hashlib.sha256(current_app.config["SECRET_KEY"].encode() + b"invite-code-shown").digest()
    return Fernet(base64.urlsafe_b64encode(key))


@bp.get("/filings/<int:filing_id>/invite-code")
def invite_shown(filing_id: int):
    filing = db.get_or_404(Filing, filing_id)
    shown = session.get("invite_shown") or {}
    fresh = utcnow().timestamp() - shown.get("at", 0) < SHOWN_CODE_MINUTES * 60
    try:
        code = _shown_box().decrypt(shown.get("code", "").encode()).decode()
    except InvalidToken:  # none, or made under another secret key
        code = ""
    if filing.user_id is not None:  # the officer has registered (or claimed) with it meanwhile
        session.pop("invite_shown", None)
        flash(_("该备案已认领，账号 %(login)s：邀请码已经用过，无需重新生成。", login=filing.user.login), "success")
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    if shown.get("filing") != filing.id or not fresh or filing.invite_code_hash != accounts.hash_invite_code(code):
        session.pop("invite_shown", None)
        flash(_("邀请码只在生成后 %(m)s 分钟内、在生成它的浏览器里显示；它已被使用、已重新生成或已过了显示时间。如本人还没有记下，请重新生成。",
                m=SHOWN_CODE_MINUTES), "warning")
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    return render_template("registry/invite_code.html", filing=filing, code=code, replaced=shown.get("replaced", True),
                           register_url=public_url("accounts.register"), minutes=SHOWN_CODE_MINUTES,
                           local_warning=_local_address_warning())
