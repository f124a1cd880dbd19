"""Roster rules used by the views, the CLI and the API: search, succession, invitations."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts import service as accounts
from lms.accounts.models import User
from lms.accounts.service import INVITE_ALPHABET, hash_invite_code
from lms.core import audit
from lms.core.clock import local_today
from lms.core.models import utcnow
from lms.core.text import clean
from lms.extensions import db
from lms.registry.identifiers import normalize_mobile
from lms.registry.models import CURRENT, Enterprise, Filing, Town


class RegistryError(Exception):
    """A roster rule was broken; the message is for the user, about the form field named."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def active_towns() -> list[Town]:
    return list(db.session.scalars(select(Town).where(Town.is_active).order_by(Town.sort_order, Town.name)))


def search_words(q: str) -> list[str]:
    """The words of a staff search box, full-width forms folded (NFKC); a mobile number's +86
    and hyphens dropped (normalize_mobile), as the roster stores numbers without them."""
    words = [w for w in clean(q).split() if w not in ("+86", "0086")]
    return [number if (number := normalize_mobile(w)).isdecimal() else w for w in words]


def filings_query(q: str = "", town_id: int | None = None, status: str = CURRENT,
                  claimed: str = "") -> Select:
    """Filings matching a search (name, enterprise, USCC, mobile) and filters, newest first."""
    query = (select(Filing).join(Filing.enterprise).options(joinedload(Filing.enterprise))
             .order_by(Filing.filed_on.desc(), Filing.id.desc()))
    for word in search_words(q):  # every word somewhere: "瑞丰 乳业", "131 6987 1689"
        query = query.where(or_(Filing.officer_name.contains(word, autoescape=True),
                                Enterprise.name.contains(word, autoescape=True),
                                Enterprise.uscc.contains(word.upper(), autoescape=True),
                                Filing.mobile.contains(word, autoescape=True),
                                Filing.filing_no.contains(word, autoescape=True)))
    if town_id:
        query = query.where(Enterprise.town_id == town_id)
    if status:
        query = query.where(Filing.status == status)
    if claimed == "yes":
        query = query.where(Filing.user_id.is_not(None))
    elif claimed == "no":
        query = query.where(Filing.user_id.is_(None))
    return query


def enterprises_query(q: str = "", town_id: int | None = None, above_scale: str = "",
                      without_cqo: bool = False) -> Select:
    query = select(Enterprise).order_by(Enterprise.name)
    for word in search_words(q):
        query = query.where(or_(Enterprise.name.contains(word, autoescape=True),
                                Enterprise.uscc.contains(word.upper(), autoescape=True)))
    if town_id:
        query = query.where(Enterprise.town_id == town_id)
    if above_scale in ("yes", "no"):
        query = query.where(Enterprise.is_above_scale.is_(above_scale == "yes"))
    if without_cqo:
        has_current = select(Filing.id).where(Filing.enterprise_id == Enterprise.id, Filing.status == CURRENT)
        query = query.where(~has_current.exists())
    return query


def end_filing(filing: Filing, ended_on: date, reason: str, status: str = "removed") -> None:
    """End a current filing (the enterprise then has no CQO until a successor is filed)."""
    if not filing.is_current:
        raise RegistryError(_("该备案已经结束"))
    if ended_on < filing.appointed_on:
        raise RegistryError(_("离任日期不能早于聘任日期 %(d)s", d=filing.appointed_on), "ended_on")
    if ended_on > local_today():  # until then the officer is in office and counts as filed
        raise RegistryError(_("离任日期不能晚于今天：请在离任当天或之后再结束备案"), "ended_on")
    filing.status, filing.ended_on, filing.end_reason = status, ended_on, reason
    db.session.flush()
    audit.record("filing.ended", f"filing:{filing.id}",
                 f"{filing.enterprise.name} · {filing.officer_name} · {ended_on} · {reason}")


def file_successor(enterprise: Enterprise, data: dict, reason: str) -> Filing:
    """End the current filing (if any) on the successor's appointment date and file the successor."""
    current = enterprise.current_filing
    appointed = data["appointed_on"]
    if current is not None:
        if (current.officer_name, current.mobile) == (data["officer_name"], data["mobile"]):  # a form sent twice
            raise RegistryError(_("%(name)s 已是该企业的在任首席质量官：接任者应是另一人", name=current.officer_name),
                                "officer_name")
        if appointed < current.appointed_on:  # the predecessor would leave before taking office
            raise RegistryError(_("接任者的聘任日期不能早于现任 %(name)s 的聘任日期 %(d)s",
                                  name=current.officer_name, d=current.appointed_on), "appointed_on")
        end_filing(current, appointed, reason, status="replaced")
    successor = Filing(enterprise=enterprise, status=CURRENT, **data)
    db.session.add(successor)
    db.session.flush()
    audit.record("filing.succeeded", f"enterprise:{enterprise.id}",
                 f"{enterprise.name}: {current.officer_name if current else '—'} → {successor.officer_name}")
    return successor


def open_account(filing: Filing) -> User:
    """Staff open the officer's account for them (代为开户): linked to the filing at once, as a
    claim would be, with a password nobody knows until the officer sets theirs by a reset link.
    Raises RegistryError for a filing claimed or ended, AccountError for a login already taken;
    the caller commits."""
    if filing.user_id or not filing.is_current:
        raise RegistryError(_("该备案已有账号或已结束。"))
    user = accounts.create_user(filing.officer_name, secrets.token_urlsafe(24), phone=filing.mobile, email=filing.email)
    filing.user_id, filing.claimed_at = user.id, utcnow()
    audit.record("filing.account_created", f"filing:{filing.id}", f"{filing.officer_name} → {user.login}")
    return user


def new_invite_code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_invite_codes(filings: list[Filing]) -> list[tuple[Filing, str]]:
    """New one-time codes for unclaimed current filings; an older code of the same filing stops working."""
    issued = []
    now = utcnow()
    for filing in filings:
        if filing.user_id is not None or not filing.is_current:
            continue
        code = new_invite_code()
        filing.invite_code_hash = hash_invite_code(code)
        filing.invite_created_at = now
        issued.append((filing, code))
    if issued:
        one = f"filing:{issued[0][0].id}" if len(issued) == 1 else ""  # a lost code made again: whose
        towns = Counter(f.enterprise.town.name for f, _c in issued)  # where the codes go, for the log's reader
        audit.record("filing.invites_issued", one, _("%(n)s 个邀请码（%(towns)s）", n=len(issued),
                     towns="、".join(f"{town} {n}" for town, n in towns.most_common())),
                     details={"filings": [f.id for f, _c in issued][:1000], "towns": dict(towns.most_common())})
    return issued
