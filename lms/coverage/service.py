"""Coverage numbers, computed in SQL as of any date.

Filed: filings current on the date (appointed on or before it, not ended by it), so that
history gives the right answer for a past date whatever the status column says today.
Trained: the filing's officer holds a certificate of the program in force on that date
(issued, not expired, not revoked before it). In progress: not trained, but the officer has
opened a lesson, started an exam or been checked in at a workshop. Not started: the rest,
including unclaimed filings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, exists, func, or_, select, union_all

from lms.assessment.models import Attempt
from lms.catalog.models import LessonProgress
from lms.certificates.models import Certificate
from lms.core.bulk import page_cache
from lms.core.clock import end_of_local_day, local_today
from lms.coverage import snapshots
from lms.extensions import db
from lms.programs.models import Program
from lms.registry.models import CURRENT, Enterprise, Filing, Town
from lms.workshops.models import Enrollment

if TYPE_CHECKING:
    from lms.programs.service import Standing


@dataclass
class Numbers:
    key: str
    filed: int
    trained: int
    in_progress: int

    @property
    def not_started(self) -> int:
        return self.filed - self.trained - self.in_progress

    @property
    def percent(self) -> float:
        return share_percent(self.trained, self.filed)


def share_percent(trained: int, filed: int) -> float:
    """trained ÷ filed in percent to one decimal, rounded as a calculator would (3 of 19 is
    15.8 %), except that it never shows 100 % while anyone is left to train (1,999 of 2,000 is
    99.9 %) nor 0 % once someone is (1 of 2,000 is 0.1 %)."""
    if not filed:
        return 0.0
    tenths = (2000 * trained + filed) // (2 * filed)  # half up, in integers: no float surprises
    if trained < filed:
        tenths = min(tenths, 999)
    if trained:
        tenths = max(tenths, 1)
    return tenths / 10


def filed_on(as_of: date):
    """Filings current on that date."""
    return and_(Filing.appointed_on <= as_of, or_(Filing.ended_on.is_(None), Filing.ended_on > as_of))


def in_force_on(program_id: int, as_of: date):
    """Conditions on Certificate: of the program and in force on that date (issued, not yet
    expired, and not revoked by its end). A replaced certificate never counts: its correction
    carries the same issue and expiry dates and stands for it on every day, so that revoking
    the correction leaves nothing in force."""
    return (Certificate.program_id == program_id, Certificate.issued_on <= as_of, Certificate.expires_on >= as_of,
            or_(Certificate.status == "valid",
                and_(Certificate.status == "revoked", Certificate.revoked_at >= end_of_local_day(as_of))))


def certificates_in_force(program_id: int, as_of: date, user_ids: set[int] | None = None) -> dict[int, Certificate]:
    """Each officer's certificate of the program in force on as_of (of two, one revoked after
    as_of and its successor, the valid one, else the latest), in one query; of these officers
    only, if named."""
    query = (select(Certificate).where(*in_force_on(program_id, as_of))
             .order_by(Certificate.user_id, Certificate.status == "valid", Certificate.issued_on, Certificate.id))
    if user_ids is not None:
        query = query.where(Certificate.user_id.in_(user_ids))
    return {c.user_id: c for c in db.session.scalars(query)}  # each officer's last one wins


def trained_on(program_id: int, as_of: date):
    return exists().where(Certificate.user_id == Filing.user_id, *in_force_on(program_id, as_of))


def claimed_by(as_of: date):
    """Filings linked to an account by the end of that date (a filing linked before the link
    was dated counts as linked all along)."""
    return and_(Filing.user_id.is_not(None),
                or_(Filing.claimed_at.is_(None), Filing.claimed_at < end_of_local_day(as_of)))


def started_by(as_of: date):
    end_of_day = end_of_local_day(as_of)
    return or_(
        exists().where(LessonProgress.user_id == Filing.user_id, LessonProgress.first_opened_at < end_of_day),
        exists().where(Attempt.user_id == Filing.user_id, Attempt.started_at < end_of_day),
        exists().where(Enrollment.user_id == Filing.user_id, Enrollment.checked_in_at < end_of_day))


def _certificate_holders(program_id: int, as_of: date):
    """Users holding a certificate of the program in force on that date."""
    return select(Certificate.user_id).where(*in_force_on(program_id, as_of))


def _starters(as_of: date):
    """Users who had opened a lesson, started an exam or been checked in at a workshop by the
    end of that date."""
    end_of_day = end_of_local_day(as_of)
    return union_all(select(LessonProgress.user_id).where(LessonProgress.first_opened_at < end_of_day),
                     select(Attempt.user_id).where(Attempt.started_at < end_of_day),
                     select(Enrollment.user_id).where(Enrollment.checked_in_at < end_of_day))


# Each filing's standing as one number, so that one sum per group counts filed, trained and
# in progress together: SQLite evaluates every aggregate's filter separately (the dates three
# times, the certificate set twice), and the sum needs them once, stopping at the first match.
# A group holds fewer than 2**21 filings (checked), so the three counts cannot carry into
# each other and the sum stays within 63 bits.
FIELD = 2**21
NO_INDUSTRY = "—"  # the industry breakdown's key for enterprises filed without a code
FILED, TRAINED, IN_PROGRESS = 1, 1 + FIELD, 1 + FIELD * FIELD


def _standing(program: Program, as_of: date):
    """0 for a filing not current on the date, else FILED, TRAINED or IN_PROGRESS."""
    return case((filed_on(as_of), case((Filing.user_id.in_(_certificate_holders(program.id, as_of)), TRAINED),
                                       (Filing.user_id.in_(_starters(as_of)), IN_PROGRESS), else_=FILED)),
                else_=0)


def _grouped(program: Program, as_of: date) -> list[tuple]:
    """(town id, above scale, industry code, filed, trained, in progress, current CQOs) per
    group: one pass over enterprises and their filings, in the order of the covering indexes
    (so no sort), with each officer's standing looked up in two sets built once per query."""
    keys = (Enterprise.town_id, Enterprise.is_above_scale, Enterprise.industry_code)
    query = (select(*keys, func.count(), func.sum(_standing(program, as_of)),
                    func.count().filter(Filing.status == CURRENT))
             .select_from(Enterprise).join(Filing, Filing.enterprise_id == Enterprise.id).group_by(*keys))
    rows = []
    for town_id, above, code, filings, packed, current in db.session.execute(query):
        if filings >= FIELD:
            raise OverflowError(f"{filings} filings in one coverage group: more than the packed sum holds")
        packed = int(packed or 0)
        rows.append((town_id, above, code, packed % FIELD, packed // FIELD % FIELD, packed // FIELD**2, current))
    return rows


@dataclass
class Overview:
    """Everything the dashboard counts: totals, breakdowns, appointment coverage."""

    numbers: dict[str | None, list[Numbers]]
    appointment: dict[str, int]


def overview(program: Program, as_of: date) -> Overview:
    """The totals, every breakdown and appointment coverage from one grouped query over the
    filings and one over enterprises (the groups are few: towns x industries x 2, so adding
    them up here loops over groups, not filings)."""
    towns = dict(db.session.execute(select(Town.id, Town.name)).all())
    sums: dict[str, dict[str, list[int]]] = {"all": {}, "town": {}, "industry": {}, "scale": {}}
    with_cqo = {True: 0, False: 0}
    # SQLite's default 2 MB page cache is smaller than the two covering indexes the pass walks
    # in step, so without room for them it rereads the same index pages many times over.
    with page_cache():
        grouped = _grouped(program, as_of)
        above, every = db.session.execute(select(func.count().filter(Enterprise.is_above_scale),
                                                 func.count())).one()
    for town_id, is_above, code, filed, trained, progress, current in grouped:
        with_cqo[bool(is_above)] += current
        if not filed:
            continue
        keys = {"all": "all", "town": towns[town_id], "industry": (code or "")[:3] or NO_INDUSTRY,
                "scale": "above" if is_above else "sme"}
        for by, key in keys.items():
            acc = sums[by].setdefault(key, [0, 0, 0])
            acc[0] += filed
            acc[1] += trained
            acc[2] += progress
    for name in db.session.scalars(select(Town.name).where(Town.is_active)):
        sums["town"].setdefault(name, [0, 0, 0])  # a town nobody is filed in says so, not vanishes
    result: dict[str | None, list[Numbers]] = {}
    for by, groups in sums.items():
        rows = [Numbers(key, *values) for key, values in groups.items()]
        result[by] = sorted(rows, key=lambda n: (not n.filed, n.percent, -n.filed)) if by != "all" else rows
    result["all"] = result["all"] or [Numbers("all", 0, 0, 0)]
    appointment = {"above_scale": above, "above_scale_with_cqo": with_cqo[True],
                   "sme": every - above, "sme_with_cqo": with_cqo[False]}
    return Overview(result, appointment)


def coverage(program: Program, as_of: date, by: str | None = None) -> list[Numbers]:
    """Totals (by=None) or one row per town, industry (GB/T 4754 division) or scale."""
    return breakdowns(program, as_of)[by or "all"]


def breakdowns(program: Program, as_of: date) -> dict[str | None, list[Numbers]]:
    """The totals and every breakdown (see overview)."""
    return overview(program, as_of).numbers


def trend_dates(program: Program, as_of: date, points: int = 8) -> list[date]:
    """Evenly spaced dates from the program's start to as_of."""
    start = min(program.starts_on, as_of)
    span = (as_of - start).days
    return sorted({start + timedelta(days=round(span * i / (points - 1))) for i in range(points)})


def trend(program: Program, as_of: date, points: int = 8, latest: Numbers | None = None,
          today: date | None = None) -> list[tuple[date, float]]:
    """Coverage (%) at evenly spaced dates from the program's start to as_of."""
    return percentages(trend_counts(program, as_of, points, latest, today))


def percentages(counts: list[tuple[date, int, int]]) -> list[tuple[date, float]]:
    return [(d, share_percent(trained, filed)) for d, filed, trained in counts]


def trend_counts(program: Program, as_of: date, points: int = 8, latest: Numbers | None = None,
                 today: date | None = None) -> list[tuple[date, int, int]]:
    """(date, filed, trained) at evenly spaced dates from the program's start to as_of: past
    days from their snapshots (counted and kept on first need), as_of from `latest` when the
    caller has just counted it."""
    dates = trend_dates(program, as_of, points)
    counts = {as_of: (latest.filed, latest.trained)} if latest is not None else {}
    counts.update(counts_on(program, [d for d in dates if d not in counts], today))
    return [(d, *counts[d]) for d in dates]


def counts_on(program: Program, dates: list[date], today: date | None = None) -> dict[date, tuple[int, int]]:
    """(filed, trained) on each date: past days from their snapshots (counted and kept on
    first need), today counted afresh."""
    today = today or local_today()
    version = snapshots.current_version()
    counts = snapshots.cached(program.id, [d for d in dates if d < today], version)
    missing = [d for d in dates if d not in counts]
    if missing:
        fresh = _count_on(program, missing)
        snapshots.store(program.id, fresh, version, today)
        counts.update(fresh)
    return counts


def _count_on(program: Program, dates: list[date]) -> dict[date, tuple[int, int]]:
    """(filed, trained) on each date, in one pass over filings and the program's certificates:
    for each date, the filings current then, and those whose officer held a certificate in
    force then (count distinct, since an officer may have a replaced and a new one)."""
    columns = []
    for d in dates:
        end_of_day = end_of_local_day(d)
        in_force = and_(Certificate.id.is_not(None), Certificate.issued_on <= d, Certificate.expires_on >= d,
                        or_(Certificate.status == "valid",
                            and_(Certificate.status == "revoked", Certificate.revoked_at >= end_of_day)))
        columns += [func.count(func.distinct(case((filed_on(d), Filing.id)))),
                    func.count(func.distinct(case((and_(filed_on(d), in_force), Filing.id))))]
    row = db.session.execute(
        select(*columns).select_from(Filing)
        .outerjoin(Certificate, and_(Certificate.user_id == Filing.user_id, Certificate.program_id == program.id))
    ).one()
    return {d: (row[2 * i], row[2 * i + 1]) for i, d in enumerate(dates)}


def projection(counts: list[tuple[date, int, int]], needed: int) -> date | None:
    """When the `needed` officers still to train are trained, at the pace officers were trained
    over the trend's last stretch; None when nobody was. Counted in people, not in percent: a
    percentage also rises when filings end, and that trains nobody."""
    if len(counts) < 2:
        return None
    (d0, _f0, t0), (d1, _f1, t1) = counts[-2], counts[-1]
    if not needed:
        return d1
    days = (d1 - d0).days
    if t1 <= t0 or days <= 0:
        return None
    return d1 + timedelta(days=math.ceil(needed * days / (t1 - t0)))


@dataclass
class Outlook:
    """What the dashboard says about reaching the target by the deadline."""

    target: int  # percent
    filed: int  # officers filed now
    needed: int  # of them, still to train for the target
    days_left: int  # to the deadline; negative once it has passed
    since: date | None  # the start of the stretch the pace is measured over
    projected: date | None  # when the target is reached at that pace, if coverage is rising
    deadline: date
    at_deadline: tuple[int, int] | None = None  # (filed, trained) on the deadline, once it has passed

    @property
    def reached(self) -> bool:
        return self.filed > 0 and self.needed == 0

    @property
    def per_week(self) -> float | None:
        """Officers to train per week from now to reach the target on the deadline."""
        return round(self.needed * 7 / self.days_left, 1) if self.needed and self.days_left > 0 else None

    def days_text(self) -> str:
        if self.days_left == 0:
            return _("（今天截止）")
        if self.days_left > 0:
            return ngettext("（剩余 %(num)s 天）", "（剩余 %(num)s 天）", self.days_left)
        return ngettext("（已过 %(num)s 天）", "（已过 %(num)s 天）", -self.days_left)

    def sentences(self) -> list[tuple[str, bool]]:
        """What to tell staff, as (text, is a warning), in the current language; nothing
        while nobody is filed."""
        if not self.filed:
            return []
        if self.reached:
            return [(_("已达到 %(t)s%% 的目标。", t=self.target), False)]
        left = _("距 %(t)s%% 的目标还需培训 %(n)s 人", t=self.target, n=self.needed)
        if self.per_week:
            out = [(left + _("，剩余 %(d)s 天里平均每周约 %(w)s 人。", d=self.days_left, w=self.per_week), False)]
        elif self.days_left == 0:
            out = [(left + _("，今天是截止日期。"), True)]
        else:
            out = [(left + ngettext("，截止日期已过 %(num)s 天。", "，截止日期已过 %(num)s 天。", -self.days_left), True)]
        if self.at_deadline is not None:
            filed, trained = self.at_deadline
            if filed:
                out.append((_("截止日期 %(d)s 当天的覆盖率为 %(p)s%%（%(t)s / %(f)s 人）。", d=self.deadline,
                              p=share_percent(trained, filed), t=trained, f=filed), not self.reached))
            else:  # 0 of 0 is no share at all, not 0 %
                out.append((_("截止日期 %(d)s 当天没有在任备案。", d=self.deadline), False))
        if self.projected and self.projected > self.deadline:
            out.append((_("按 %(since)s 以来的进度，预计 %(d)s 才达到目标，晚于截止日期。",
                          since=self.since, d=self.projected), True))
        elif self.projected:
            out.append((_("按 %(since)s 以来的进度，预计 %(d)s 达到目标。", since=self.since, d=self.projected), False))
        elif self.since:
            # The count is net: someone trained since may have been offset by a revocation,
            # an expiry or a succession, so it says the number has not grown, not "nobody".
            out.append((_("%(since)s 以来已培训人数没有增加，按此进度达不到目标。", since=self.since), True))
        return out


def outlook(program: Program, total: Numbers, counts: list[tuple[date, int, int]], as_of: date) -> Outlook:
    """counts: trend_counts, whose last stretch gives the pace."""
    target = program.target_percent
    needed = max(0, math.ceil(total.filed * target / 100 - 1e-9) - total.trained)
    past = as_of > program.deadline  # what was reached by the deadline is the figure reported upward
    return Outlook(target=target, filed=total.filed, needed=needed, days_left=(program.deadline - as_of).days,
                   since=counts[-2][0] if len(counts) > 1 else None, projected=projection(counts, needed),
                   deadline=program.deadline,
                   at_deadline=counts_on(program, [program.deadline])[program.deadline] if past else None)


def appointment_coverage() -> dict[str, int]:
    """The policy's first two targets: above-scale enterprises and SMEs with a current CQO."""
    current = and_(Filing.enterprise_id == Enterprise.id, Filing.status == CURRENT)
    rows = db.session.execute(select(Enterprise.is_above_scale, func.count(), func.count(Filing.id))
                              .select_from(Enterprise).outerjoin(Filing, current)
                              .group_by(Enterprise.is_above_scale)).all()
    counts = {bool(above): (total, with_cqo) for above, total, with_cqo in rows}
    above, sme = counts.get(True, (0, 0)), counts.get(False, (0, 0))
    return {"above_scale": above[0], "above_scale_with_cqo": above[1], "sme": sme[0], "sme_with_cqo": sme[1]}


@dataclass
class TrainingRecord:
    """What staff see of one filed officer's training, to chase them by phone."""

    filing: Filing
    standing: Standing | None = None  # when the filing is claimed
    certificates: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    attempts_allowed: int = 0
    enrollments: list = field(default_factory=list)
    last_studied_at: datetime | None = None
    reminders: list = field(default_factory=list)


def training_record(filing: Filing, program: Program) -> TrainingRecord:
    """The program's requirements for the filing's officer, done or not, with the certificates,
    exam attempts, workshops and reminders behind them."""
    from lms.assessment.models import Exam
    from lms.assessment.service import attempts_allowed, attempts_of
    from lms.coverage.reminders import OutboxMessage
    from lms.programs.service import standing
    from lms.workshops.service import my_enrollments

    record = TrainingRecord(filing=filing)
    if filing.mobile:
        record.reminders = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.to_mobile == filing.mobile).order_by(OutboxMessage.created_at.desc()).limit(20)))
    user_id = filing.user_id
    if user_id is None:
        return record
    record.standing = standing(user_id, filing.enterprise.industry_code, program)
    record.certificates = list(db.session.scalars(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.program_id == program.id).order_by(Certificate.id.desc())))
    exam = db.session.get(Exam, program.exam_id) if program.exam_id else None
    if exam is not None:
        record.attempts = attempts_of(exam, user_id)
        record.attempts_allowed = attempts_allowed(exam, user_id)
    record.enrollments = my_enrollments(user_id)
    record.last_studied_at = db.session.scalar(select(func.max(LessonProgress.last_opened_at))
                                                .where(LessonProgress.user_id == user_id))
    return record
