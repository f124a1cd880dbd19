"""The chase list: filed officers not yet trained, what is needed to reach them, and why
someone once trained is on it again (a lapsed certificate)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, false, func, or_, select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.coverage.service import NO_INDUSTRY, claimed_by, filed_on, started_by, trained_on
from lms.extensions import db
from lms.programs.models import Program
from lms.registry.models import CURRENT, Enterprise, Filing, Town

# The last one cuts across the others: trained once, but the certificate has expired or was
# revoked, so they must train again (and are told so by their reminder).
CHASE_STATUSES = ("unclaimed", "not_started", "in_progress", "lapsed")


def chase_query(program: Program, as_of: date, town_id: int | None = None,
                industry: str = "", scale: str = "", status: str = ""):
    """Filed officers not yet trained, with what a caller needs to reach them; optionally
    of one town, one industry division (e.g. C14), one scale (above / sme) or one standing
    (unclaimed, not_started: claimed but not begun, in_progress, lapsed: a certificate of the
    program held before, none in force now)."""
    claimed = claimed_by(as_of)  # as it stood then: a past date's list shows who had claimed by then
    started = and_(claimed, started_by(as_of))
    # An account staff opened for the officer (代为开户) is a claim, but one never signed in to
    # may wait on a set-password link the officer never got: the list and the reminder say so.
    never_signed_in = and_(claimed, User.last_login_at.is_(None))
    query = (select(Filing.id, Filing.officer_name, Filing.mobile, Filing.user_id, Enterprise.name,
                    Enterprise.industry_code, Town.name.label("town"), claimed.label("claimed"),
                    started.label("started"), never_signed_in.label("never_signed_in"))
             .join(Enterprise, Enterprise.id == Filing.enterprise_id).join(Town, Town.id == Enterprise.town_id)
             .outerjoin(User, User.id == Filing.user_id)
             .where(filed_on(as_of), ~trained_on(program.id, as_of))
             .order_by(*chase_order(program, as_of)))
    if town_id:
        query = query.where(Enterprise.town_id == town_id)
    if industry == NO_INDUSTRY:  # the dashboard's row of enterprises filed without a code
        query = query.where(or_(Enterprise.industry_code.is_(None), Enterprise.industry_code == ""))
    elif industry:
        query = query.where(func.substr(Enterprise.industry_code, 1, 3) == industry.upper())
    if scale in ("above", "sme"):
        query = query.where(Enterprise.is_above_scale.is_(scale == "above"))
    if status == "unclaimed":
        query = query.where(~claimed)
    elif status == "not_started":
        query = query.where(claimed, ~started_by(as_of))
    elif status == "in_progress":
        query = query.where(started)
    elif status == "lapsed":
        query = query.where(lapsed_by(program, as_of))
    return query


def lapsed_by(program: Program, as_of: date):
    """Of filings on the chase list (none holds a certificate in force): the officer held one of
    the program issued by as_of, since expired or revoked."""
    return Filing.user_id.in_(select(Certificate.user_id).where(
        Certificate.program_id == program.id, Certificate.issued_on <= as_of, Certificate.status != "replaced"))


# Staff phone down the list town by town, starting with those furthest from a certificate:
# not registered, registered but not begun, begun, and last those trained once whose certificate
# lapsed (they know the way). The page says so above the table; the Excel export keeps it.
def chase_order(program: Program, as_of: date) -> tuple:
    """The chase list's order: town (as the town list orders them), standing, name."""
    standing = case((lapsed_by(program, as_of), 3), (~claimed_by(as_of), 0),
                    (~started_by(as_of), 1), else_=2)
    return Town.sort_order, Town.name, standing, Filing.officer_name, Filing.id


def count_without_code(query, as_of: date) -> int:
    """How many on this chase list (chase_query on as_of) are not registered and have no
    invitation code: their reminder can only send them to the bureau for one."""
    query = query.where(~claimed_by(as_of), Filing.invite_code_hash.is_(None)).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def standings(program: Program | None, as_of: date, filing_ids: set[int]) -> dict[int, str]:
    """Each of these filings' standing on as_of, as the dashboard and the chase list count it:
    trained, in_progress, not_started (claimed, not begun) or unclaimed; in one query. Without a
    current programme nobody counts as trained."""
    if not filing_ids:
        return {}
    trained = trained_on(program.id, as_of) if program is not None else false()
    rows = db.session.execute(select(Filing.id, trained.label("trained"), claimed_by(as_of).label("claimed"),
                                     started_by(as_of).label("started")).where(Filing.id.in_(filing_ids)))
    return {filing_id: "trained" if is_trained else "unclaimed" if not claimed else
            "in_progress" if started else "not_started" for filing_id, is_trained, claimed, started in rows}


def divisions_filed() -> list[str]:
    """The industry divisions (C14, …) of enterprises with a current filing: the chase list's
    industry filter offers these."""
    division = func.substr(Enterprise.industry_code, 1, 3)
    return list(db.session.scalars(select(division).distinct().join(Filing, Filing.enterprise_id == Enterprise.id)
                                   .where(Filing.status == CURRENT, Enterprise.industry_code.is_not(None),
                                          Enterprise.industry_code != "").order_by(division)))


def lapsed_certificates(program: Program, as_of: date, user_ids: set[int]) -> dict[int, Certificate]:
    """Of these officers (on the chase list: none holds a certificate in force on as_of), the
    latest certificate of the program each held before as_of: expired or revoked, the reason
    they are to train again, which staff should tell them. One query."""
    if not user_ids:
        return {}
    query = (select(Certificate).where(Certificate.program_id == program.id, Certificate.user_id.in_(user_ids),
                                       Certificate.issued_on <= as_of, Certificate.status != "replaced")
             .order_by(Certificate.user_id, Certificate.issued_on, Certificate.id))
    return {c.user_id: c for c in db.session.scalars(query)}  # each officer's latest wins
