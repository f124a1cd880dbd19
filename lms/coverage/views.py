"""The bureau's view of the target: coverage, breakdowns, the chase list, exports."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.core.auth import STAFF, guard_blueprint
from lms.core.clock import local_today
from lms.core.downloads import send_xlsx
from lms.core.i18n import select_locale
from lms.core.ids import id_arg, paginate
from lms.core.urls import public_url_is_local
from lms.coverage import exports, service
from lms.coverage.chase import (
    CHASE_STATUSES,
    chase_query,
    count_without_code,
    divisions_filed,
    lapsed_certificates,
)
from lms.coverage.reminders import OUTBOX_LABELS, is_mailing, last_reminded
from lms.extensions import db
from lms.programs.service import current_program
from lms.registry.industries import division_label
from lms.registry.models import Filing, Town
from lms.registry.service import active_towns

bp = guard_blueprint(Blueprint("coverage", __name__, url_prefix="/staff/coverage",
                               template_folder="templates"), STAFF)


def _as_of() -> date:
    """The date the numbers are counted on: today unless asked for an earlier one. A later one
    would count today's people and call the result a fact about a day still to come."""
    typed = request.args.get("as_of", "")
    try:
        asked = date.fromisoformat(typed)
    except ValueError:
        if typed:  # a mistyped date is said, not silently replaced
            flash(_("统计日期 %(d)s 不是有效的日期（应写作 2026-09-01），已按今天统计。", d=typed[:20]), "warning")
        return local_today()
    if asked > local_today():
        flash(_("统计日期不能晚于今天，已按今天统计。"), "warning")
        return local_today()
    return asked


def _english() -> bool:
    return select_locale() == "en"


def _program():
    """The current program; without one, every coverage page goes to the programs page."""
    program = current_program()
    if program is None:
        flash(_("还没有当前培训计划：请先新建一个并设为当前。"), "warning")
        abort(redirect(url_for("programs.index")))
    return program


@bp.get("/")
def dashboard():
    program = _program()
    as_of = _as_of()
    counted = service.overview(program, as_of)
    numbers = counted.numbers
    total = numbers["all"][0]
    counts = service.trend_counts(program, as_of, latest=total)
    return render_template(
        "coverage/dashboard.html", program=program, as_of=as_of, total=total, series=service.percentages(counts),
        outlook=service.outlook(program, total, counts, as_of),
        breakdowns={by: numbers[by] for by in ("town", "industry", "scale")},
        appointment=counted.appointment, today=local_today(),
        towns_by_name=dict(db.session.execute(select(Town.name, Town.id)).all()),  # disabled towns' filings too
        industry_names={n.key: division_label(n.key, english=_english()) for n in numbers["industry"]},
        # Each bar's label has the line above it to itself (_bars.html): room for a dozen characters.
        industry_bars={n.key: division_label(n.key, width=36 if _english() else 14, english=_english())
                       for n in numbers["industry"]})


@bp.get("/filings/<int:filing_id>")
def officer(filing_id: int):
    """One filed officer's training, as staff chasing them by phone need it."""
    filing = db.get_or_404(Filing, filing_id)
    program = _program()
    return render_template("coverage/officer.html", record=service.training_record(filing, program),
                           program=program, outbox_labels=OUTBOX_LABELS, mailing=is_mailing())


@bp.get("/chase")
def chase():
    program = _program()
    as_of = _as_of()
    town = request.args.get("town", type=id_arg)
    industry = request.args.get("industry", "")[:3]
    # An address edited by hand or an old bookmark: a filter that means nothing is dropped, and said.
    scale = request.args.get("scale", "") if request.args.get("scale") in ("above", "sme") else ""
    status = request.args.get("status", "") if request.args.get("status") in CHASE_STATUSES else ""
    if town and db.session.get(Town, town) is None:
        flash(_("没有这个镇街，已显示全部镇街。"), "warning")
        town = None
    query = chase_query(program, as_of, town, industry, scale, status)
    if request.args.get("format") == "xlsx":
        filters = exports.chase_filters(town, industry, scale, status)  # in the file's name and its 说明 sheet
        return send_xlsx(exports.chase_xlsx(query, program, as_of, filters), exports.chase_filename(as_of, filters))
    rows = db.session.execute(query.limit(500)).all()
    lapsed = lapsed_certificates(program, as_of, {r.user_id for r in rows if r.user_id})
    reminded = last_reminded(program, rows)
    total = len(rows) if len(rows) < 500 else db.session.scalar(select(func.count()).select_from(query.subquery()))
    towns = active_towns()
    if town and town not in {t.id for t in towns} and (disabled := db.session.get(Town, town)):
        towns.append(disabled)  # a disabled town's filings, reached from the dashboard, stay filtered
    # Reminders go to today's list: warned of before sending, the unregistered without a code
    # can be given one first (a reminder, once handed on, is not sent again within a day).
    without_code = count_without_code(chase_query(program, local_today(), town, industry, scale, status), local_today())
    return render_template("coverage/chase.html", program=program, as_of=as_of, rows=rows, total=total,
                           without_code=without_code,
                           filtered=bool(town or industry or scale or status), town=town, today=local_today(),
                           towns=towns, industry=industry, scale=scale, status=status,
                           statuses=CHASE_STATUSES, lapsed=lapsed, reminded=reminded,
                           industries=[(key, division_label(key, english=_english())) for key in divisions_filed()],
                           industry_label=division_label(industry.upper(), english=_english()) if industry else "")


@bp.post("/chase/remind")
def remind():
    """Queue a reminder for everyone on the (filtered) chase list as it stands today, whatever
    date the list was looked at: an officer certified since must not be told to start."""
    from lms.coverage.reminders import queue_reminders

    program = _program()
    form = request.form
    query = chase_query(program, local_today(), form.get("town", type=id_arg), form.get("industry", "")[:3],
                                form.get("scale", ""), form.get("status", ""))
    done = queue_reminders(db.session.execute(query).all(), program)
    flash(_("已生成 %(n)s 条提醒，见发件箱。", n=done.queued) + (
        _("其中 %(n)s 条替换了尚未转达、内容已过时的旧提醒（旧提醒已作废）。", n=done.superseded) if done.superseded else "") + (
        _("另有 %(n)s 人 24 小时内已提醒过，未重复发送。", n=done.skipped) if done.skipped else ""),
        "success" if done.queued else "info")
    _warn_about(done)
    return redirect(url_for("coverage.outbox"))


@bp.post("/filings/<int:filing_id>/remind")
def remind_one(filing_id: int):
    """Queue a reminder for one officer on the chase list (from their training page)."""
    from lms.coverage.reminders import queue_reminders

    filing = db.get_or_404(Filing, filing_id)
    program = _program()
    rows = db.session.execute(chase_query(program, local_today()).where(Filing.id == filing.id)).all()
    if not rows:
        flash(_("%(name)s 不在待培训名单上（已取得证书或备案已结束），没有发送提醒。", name=filing.officer_name), "info")
    elif (done := queue_reminders(rows, program)).queued:
        flash(_("已给 %(name)s 生成一条提醒，见发件箱。", name=filing.officer_name) + (
            _("尚未转达的旧提醒内容已过时，已作废。") if done.superseded else ""), "success")
        _warn_about(done)
    else:
        flash(_("24 小时内已给 %(name)s 发过提醒，未重复发送。", name=filing.officer_name), "info")
    return redirect(url_for("coverage.officer", filing_id=filing.id))


def _warn_about(done) -> None:
    if public_url_is_local():  # every reminder carries the platform's address
        flash(_("提醒中的平台地址是 %(url)s，只能在服务器本机打开。请管理员把 LMS_BASE_URL 设为本平台在内网的地址。",
                url=current_app.config["BASE_URL"]), "warning")
    if done.without_code:  # their reminder asks them to come for a code: staff should have one ready
        flash(_("其中 %(n)s 人尚未注册，他们的备案还没有生成邀请码：提醒请他们联系区市场监管局领取。"
                "可在“名册 › 邀请码”页面生成邀请码，下载后交给本人，再发送一次提醒：尚未转达的旧提醒会换成新的。",
                n=done.without_code), "warning")


@bp.get("/outbox")
def outbox():
    from lms.coverage.reminders import OUTBOX_STATUSES, UNDELIVERED, OutboxMessage

    status = request.args.get("status", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    if request.args.get("format") == "xlsx":
        return send_xlsx(exports.outbox_xlsx(db.session.scalars(query)), "outbox.xlsx")
    page = paginate(query, per_page=100)
    waiting = db.session.scalar(select(func.count()).where(OutboxMessage.status.in_(UNDELIVERED)))
    return render_template("coverage/outbox.html", page=page, status=status if status in OUTBOX_STATUSES else "",
                           waiting=waiting, labels=OUTBOX_LABELS, mailing=is_mailing(),
                           smtp_host=current_app.config.get("SMTP_HOST", ""))


@bp.post("/outbox/handed-on")
def outbox_handed_on():
    """Staff told these officers themselves (phone, paper): their reminders are done."""
    from lms.coverage.reminders import hand_on

    ids = [int(v) for v in request.form.getlist("message") if v.isdecimal()]
    count = hand_on(None if request.form.get("all") == "1" else ids)
    flash(ngettext("已将 %(num)s 条提醒标记为已转达。", "已将 %(num)s 条提醒标记为已转达。", count) if count
          else _("没有需要标记的提醒（已发送或已转达的不再改动）。"), "success" if count else "info")
    return redirect(url_for("coverage.outbox", status=request.form.get("status") or None))


@bp.get("/report.pdf")
def report():
    """The printable report for the bureau's leadership."""
    from lms.coverage.report import coverage_pdf

    program = _program()
    as_of = _as_of()
    counted = service.overview(program, as_of)
    total = counted.numbers["all"][0]
    outlook = service.outlook(program, total, service.trend_counts(program, as_of, latest=total), as_of)
    with force_locale("zh_CN"):  # the report is in Chinese, whatever the page's language
        data = coverage_pdf(program, as_of, counted.numbers, counted.appointment, current_app.config["BUREAU_NAME"],
                            outlook.days_text(), outlook.sentences())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=coverage-{as_of}.pdf"})


@bp.get("/export.<fmt>")
def export(fmt: str):
    program = _program()
    as_of = _as_of()
    history = request.args.get("history") == "1"  # every filing, ended ones too (filing-form.md)
    name = f"training-status{'-history' if history else ''}-{as_of}"
    if fmt == "xlsx":
        return send_xlsx(exports.status_xlsx(program, as_of, history), f"{name}.xlsx")
    if fmt == "csv":
        return Response(exports.status_csv(program, as_of, history), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    return redirect(url_for("coverage.dashboard"))
