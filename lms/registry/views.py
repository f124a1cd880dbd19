"""Staff pages for the roster: filings, enterprises, import, invitations, towns."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lms.accounts import service as accounts
from lms.core import audit
from lms.core.auth import STAFF, guard_blueprint
from lms.core.clock import local_today
from lms.core.downloads import send_xlsx
from lms.core.ids import id_arg, paginate
from lms.core.transactions import database_reason
from lms.core.uploads import (
    claim_upload,
    discard_upload,
    forget_stale_uploads,
    is_upload_token,
    new_upload_token,
    release_upload,
    upload_dir,
)
from lms.core.urls import public_url
from lms.extensions import db
from lms.registry import service
from lms.registry.columns import COLUMNS, END_REASON_LABELS
from lms.registry.exports import error_workbook, roster_template
from lms.registry.forms import (
    EndFilingForm,
    RosterConfirmForm,
    RosterUploadForm,
    SuccessorForm,
    TownForm,
)
from lms.registry.importer import RosterFileError, parse_roster
from lms.registry.industries import division_name
from lms.registry.models import Enterprise, Filing, Town
from lms.registry.roster_plan import CHANGE_LABELS, Preview, build_preview
from lms.registry.roster_write import commit_preview

bp = guard_blueprint(
    Blueprint("registry", __name__, url_prefix="/staff/registry", template_folder="templates"),
    STAFF,
)
# End reasons are stored as the filing form writes them (离职...) and shown in the page's language,
# as are the kinds of change an import preview counts.
bp.context_processor(lambda: {"end_reasons": END_REASON_LABELS, "change_labels": CHANGE_LABELS,
                              "division_name": division_name})


def _town_id() -> int | None:
    return request.args.get("town", None, type=id_arg)


@bp.get("/filings")
def filings():
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "current")
    claimed = request.args.get("claimed", "")
    query = service.filings_query(q, _town_id(), status if status != "all" else "", claimed)
    page = paginate(query, per_page=50)
    return render_template("registry/filings.html", page=page, q=q, status=status,
                           claimed=claimed, town=_town_id(), towns=service.active_towns(),
                           standings=_standings(page.items))


def _standings(filings: list[Filing]) -> dict[int, str]:
    """The current filings' training standings today, as the dashboard and the chase list say them."""
    from lms.coverage.chase import standings
    from lms.programs.service import current_program

    return standings(current_program(), local_today(), {f.id for f in filings if f.is_current})


@bp.get("/enterprises")
def enterprises():
    q = request.args.get("q", "").strip()
    above = request.args.get("above", "")
    without = request.args.get("without") == "1"
    page = paginate(service.enterprises_query(q, _town_id(), above, without), per_page=50)
    return render_template("registry/enterprises.html", page=page, q=q, above=above,
                           without=without, town=_town_id(), towns=service.active_towns())


@bp.get("/enterprises/<int:enterprise_id>")
def enterprise(enterprise_id: int):
    ent = db.get_or_404(Enterprise, enterprise_id)
    return render_template("registry/enterprise.html", ent=ent, end_form=EndFilingForm(),
                           successor_form=SuccessorForm())


@bp.post("/filings/<int:filing_id>/end")
def end_filing(filing_id: int):
    filing = db.get_or_404(Filing, filing_id)
    form = EndFilingForm()
    if form.validate_on_submit() and _applied(form, service.end_filing, filing, form.ended_on.data, form.reason.data):
        flash(_("备案已结束。"), "success")
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    if not form.errors:  # refused for a reason no field holds (another change came first)
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    # the page again, with the date marked and the choices kept
    flash(_("备案未结束：请改正下面标出的内容。"), "error")
    return render_template("registry/enterprise.html", ent=db.session.get(Enterprise, filing.enterprise_id),
                           end_form=form, successor_form=SuccessorForm()), 400


def _applied(form, change, *args) -> bool:
    """Make a roster change and commit it; a rule it breaks is marked on its form field (or
    flashed), and a change that lost a race with another (two clicks, two staff) is undone."""
    try:
        change(*args)
        db.session.commit()
    except service.RegistryError as error:
        db.session.rollback()
        if error.field in form:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        else:
            flash(str(error), "error")
        return False
    except IntegrityError:
        db.session.rollback()
        flash(_("该企业的备案刚被另一操作修改，本次未保存：请查看下面的最新情况"), "error")
        return False
    return True


@bp.post("/enterprises/<int:enterprise_id>/successor")
def file_successor(enterprise_id: int):
    ent = db.get_or_404(Enterprise, enterprise_id)
    form = SuccessorForm()
    if ent.current_filing is None:
        del form.reason  # nobody to end: the page does not ask why
    if form.validate_on_submit():
        reason = form.reason.data if "reason" in form else ""  # "" when nobody is ended
        data = {k: getattr(form, k).data for k in ("officer_name", "position", "title",
                                                    "years_in_quality", "appointed_on", "filed_on")}
        data["mobile"] = accounts.normalize_mobile(form.mobile.data)
        data["email"] = (form.email.data or "").lower()
        data["title"] = data["title"] or ""
        if _applied(form, service.file_successor, ent, data, reason):
            flash(_("已备案新的首席质量官。"), "success")
            return redirect(url_for("registry.enterprise", enterprise_id=ent.id))
        if not form.errors:
            return redirect(url_for("registry.enterprise", enterprise_id=ent.id))
    flash(_("备案未保存：请改正下面标出的内容。"), "error")
    return render_template("registry/enterprise.html", ent=db.session.get(Enterprise, enterprise_id),
                           end_form=EndFilingForm(), successor_form=form, show_successor=True), 400


@bp.post("/filings/<int:filing_id>/account")
def create_account(filing_id: int):
    """Staff create the officer's account for them and hand over a set-password link."""
    filing = db.get_or_404(Filing, filing_id)
    try:
        user = service.open_account(filing)
    except (service.RegistryError, accounts.AccountError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("registry.enterprise", enterprise_id=filing.enterprise_id))
    db.session.commit()
    link = public_url("accounts.reset_password", token=accounts.make_reset_token(user))
    return render_template("accounts/reset_link.html", user=user, link=link, created=True,
                           back=url_for("registry.enterprise", enterprise_id=filing.enterprise_id),
                           hours=current_app.config["RESET_LINK_HOURS"])


# --- import ---------------------------------------------------------------------------


def _stored_upload(token: str) -> tuple[Path, str]:
    if not is_upload_token(token):
        abort(404)
    meta = upload_dir() / f"{token}.json"
    if not meta.exists():  # imported already (the upload goes with it), or cleared away
        flash(_("这次上传的名册已经导入或已过期：如需再次导入，请重新上传文件。"), "warning")
        abort(redirect(url_for("registry.import_roster")))
    info = json.loads(meta.read_text())
    return upload_dir() / f"{token}.data", info["filename"]


def _complete() -> bool:
    """Whether the clerk asked to import the file as the district's complete roster."""
    return request.args.get("complete") == "1"


def _preview_of(path: Path, filename: str):
    with path.open("rb") as stream:
        return build_preview(parse_roster(stream, filename), complete=_complete())


@bp.route("/import", methods=["GET", "POST"])
def import_roster():
    form = RosterUploadForm()
    if form.validate_on_submit():
        forget_stale_uploads()
        token = new_upload_token()
        upload = form.file.data
        data_path = upload_dir() / f"{token}.data"
        upload.save(data_path)
        (upload_dir() / f"{token}.json").write_text(json.dumps({"filename": upload.filename}))
        return redirect(url_for("registry.import_preview", token=token))
    return render_template("registry/import.html", form=form, columns=COLUMNS)


def _showing_preview(token: str, show: Callable[[Preview, str], Any]) -> Any:
    """show(preview, filename) for a stored upload, or back to the upload page with why not."""
    path, filename = _stored_upload(token)
    try:
        preview = _preview_of(path, filename)
    except RosterFileError as error:
        flash(str(error), "error")
        return redirect(url_for("registry.import_roster"))
    return show(preview, filename)


@bp.get("/import/<token>")
def import_preview(token: str):
    def page(preview: Preview, filename: str):
        form = RosterConfirmForm(token=token, fingerprint=preview.fingerprint())
        return render_template("registry/import_preview.html", preview=preview, form=form,
                               filename=filename, token=token)

    return _showing_preview(token, page)


@bp.get("/import-template.xlsx")
def import_template():
    return send_xlsx(roster_template([t.name for t in service.active_towns()]), "roster-template.xlsx")


@bp.get("/import/<token>/errors.xlsx")
def import_errors(token: str):
    def spreadsheet(preview: Preview, filename: str):
        stream = error_workbook(preview.errors, preview.names_by_row(),
                                (_("行号"), _("企业名称"), _("首席质量官姓名"), _("列"), _("问题")))
        return send_xlsx(stream, f"{Path(filename).stem}-errors.xlsx")

    return _showing_preview(token, spreadsheet)


@bp.post("/import/<token>")
def import_commit(token: str):
    path, filename = _stored_upload(token)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    preview = _preview_of(path, filename)
    if not preview.can_commit:
        flash(_("文件有错误，未导入任何数据。请改正后重新上传。"), "error")
        return redirect(url_for("registry.import_preview", token=token))
    again = url_for("registry.import_preview", token=token, complete=1 if preview.complete else None)
    if preview.fingerprint() != form.fingerprint.data:
        flash(_("名册在预览之后发生了变化，请核对新的预览后再确认。"), "warning")
        return redirect(again)
    claimed = claim_upload(token)
    if claimed is None:  # confirmed in another tab meanwhile, or by a reload of this one
        flash(_("这份名册已经在导入（或刚刚导入完）：请在备案列表中查看结果，不必再次确认。"), "warning")
        return redirect(url_for("registry.filings"))
    try:
        counts = commit_preview(preview, filename, actor_id=current_user.id)
    except SQLAlchemyError as error:  # rolled back: nothing written; the log gets no roster data
        release_upload(token, claimed)
        current_app.logger.warning("roster import of %s failed: %s", filename, database_reason(error))
        flash(_("写入数据库失败，没有导入任何数据（%(why)s）。请重新核对预览后再确认。", why=database_reason(error)), "error")
        return redirect(again)
    discard_upload(token)
    flash(_("导入完成：新增备案 %(a)s，变更 %(c)s，结束 %(e)s；新增企业 %(ea)s，变更企业 %(ec)s。",
            a=counts["filing_added"], c=counts["filing_changed"], e=counts["filing_ended"],
            ea=counts["enterprise_added"], ec=counts.get("enterprise_changed", 0)), "success")
    if counts["filing_added"]:  # the next step: new officers register with a code of their filing
        link = Markup('<a href="%s">%s</a>') % (url_for("registry.invitations"), _("生成邀请码（名册 › 邀请码）"))
        flash(Markup(_("新增的 %(n)s 份备案还没有邀请码，首席质量官要凭它注册：请%(link)s并发给他们。",
                       n=counts["filing_added"], link=link)), "info")
    return redirect(url_for("registry.filings"))


# --- towns ------------------------------------------------------------------------------


@bp.route("/towns", methods=["GET", "POST"])
def towns():
    form = TownForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Town).where(Town.name == name)):
            flash(_("镇街“%(name)s”已存在。", name=name), "error")
        else:
            db.session.add(Town(name=name, sort_order=100))
            audit.record("town.added", name)
            db.session.commit()
            flash(_("已添加镇街“%(name)s”。", name=name), "success")
        return redirect(url_for("registry.towns"))
    all_towns = list(db.session.scalars(select(Town).order_by(Town.sort_order, Town.name)))
    return render_template("registry/towns.html", form=form, towns=all_towns)


@bp.post("/towns/<int:town_id>/toggle")
def toggle_town(town_id: int):
    town = db.get_or_404(Town, town_id)
    town.is_active = not town.is_active
    audit.record("town.enabled" if town.is_active else "town.disabled", town.name)
    db.session.commit()
    flash(_("已启用“%(name)s”。", name=town.name) if town.is_active
          else _("已停用“%(name)s”：它不再出现在选择列表中，名册中写这个镇街的行会被拒绝。", name=town.name), "success")
    return redirect(url_for("registry.towns"))


from lms.registry import invitation_views  # noqa: E402,F401  its routes are on bp
