"""Results for staff: per exam, per officer, per town; item statistics; XLSX export."""

from __future__ import annotations

import io
from statistics import mean

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import case, func, select

from lms.accounts.models import User
from lms.assessment.models import Attempt, AttemptQuestion
from lms.core.downloads import Percent, write_table, xlsx_stream
from lms.core.models import aware
from lms.extensions import db
from lms.registry.models import Enterprise, Filing, Town

UPPER_LOWER_SHARE = 0.27  # Kelley's classic split for the discrimination index
# Fewer answers than this in the upper or the lower group give a D that is noise (one
# candidate each side gives only -1, 0 or 1): it is left out rather than flagged.
MIN_GROUP = 5
# Finished papers below which the whole item analysis is said to be too early to read.
ENOUGH_PAPERS = -(-MIN_GROUP * 100 // int(UPPER_LOWER_SHARE * 100))  # 19: MIN_GROUP in each 27% group


def finished_papers(exam_id: int) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.exam_id == exam_id,
                                                                  Attempt.status != "open"))


def percent_text(score: float | None, max_score: float) -> str:
    """A score as staff read it beside a pass mark in percent: '86.7%' for 52 of 60."""
    share = 100 * (score or 0) / max_score if max_score else 0.0
    return f"{share:.1f}".removesuffix(".0") + "%"


def percent_cell(score: float | None, max_score: float) -> Percent:
    """A score for a sheet: the share as a number that sorts (0.8667), shown as 86.7%."""
    return Percent(round((score or 0) / max_score, 4) if max_score else 0.0, percent_text(score, max_score))


def score_text(score: float | None, max_score: float) -> str:
    """A score with its scale, where there is room: '52/60 (86.7%)'. Pages show this, files
    (which have a column per value) the percentage alone: a bare 52 beside '及格 60%' reads
    as a fail that passed."""
    return f"{score or 0:g}/{max_score:g} ({percent_text(score, max_score)})"


def best_scores(exam_id: int):
    """A subquery: per officer, the best finished sitting's score and maximum (best by share
    of its maximum, which an edited exam may have changed), the number of finished sittings
    and whether any passed."""
    done = Attempt.exam_id == exam_id, Attempt.status != "open"
    score = func.coalesce(Attempt.score, 0)
    share = case((Attempt.max_score > 0, score / Attempt.max_score), else_=0)
    per_user = {"partition_by": Attempt.user_id}
    ranked = (select(Attempt.user_id, score.label("score"), Attempt.max_score,
                     func.row_number().over(**per_user, order_by=(share.desc(), score.desc())).label("rank"),
                     func.count(Attempt.id).over(**per_user).label("attempts"),
                     func.max(case((Attempt.passed.is_(True), 1), else_=0)).over(**per_user).label("passed"))
              .where(*done).subquery())
    return (select(ranked.c.user_id, ranked.c.score, ranked.c.max_score, ranked.c.attempts, ranked.c.passed)
            .where(ranked.c.rank == 1).subquery())


def results(exam_id: int):
    """Each officer's best closed attempt (score and its maximum) with enterprise, town and
    current filing id (officers without a current filing show without them)."""
    best = best_scores(exam_id)
    query = (select(User.id, User.name, best.c.score, best.c.max_score, best.c.attempts, best.c.passed,
                    Enterprise.name, Town.name, Filing.id)
             .join(best, best.c.user_id == User.id)
             .outerjoin(Filing, (Filing.user_id == User.id) & (Filing.status == "current"))
             .outerjoin(Enterprise, Enterprise.id == Filing.enterprise_id)
             .outerjoin(Town, Town.id == Enterprise.town_id)
             .order_by(Town.name, User.name))
    return db.session.execute(query).all()


# Reading a question and its options takes more than this: a paper handed in faster was most
# likely answered from a list, and staff may want to ask (it is flagged, never refused).
FAST_SECONDS_PER_QUESTION = 5


def fast_sittings(exam_id: int) -> dict[int, tuple[float, int]]:
    """Per officer, their fastest finished sitting of the exam when it took under
    FAST_SECONDS_PER_QUESTION a question: (seconds, questions)."""
    rows = db.session.execute(
        select(Attempt.user_id, Attempt.started_at, Attempt.submitted_at, func.count(AttemptQuestion.id))
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .where(Attempt.exam_id == exam_id, Attempt.status != "open", Attempt.submitted_at.is_not(None))
        .group_by(Attempt.id, Attempt.user_id, Attempt.started_at, Attempt.submitted_at))
    fast: dict[int, tuple[float, int]] = {}
    for user_id, started, submitted, questions in rows:
        seconds = (aware(submitted) - aware(started)).total_seconds()
        if seconds < FAST_SECONDS_PER_QUESTION * questions and seconds < fast.get(user_id, (float("inf"), 0))[0]:
            fast[user_id] = (max(seconds, 0.0), questions)
    return fast


def duration_text(seconds: float) -> str:
    """2 分 05 秒, or 45 秒."""
    minutes, rest = divmod(round(seconds), 60)
    return _("%(m)s 分 %(s)02d 秒", m=minutes, s=rest) if minutes else _("%(s)s 秒", s=rest)


def by_town(exam_id: int):
    """Per town: officers who sat the exam, passed, and their average best score, as
    score_text when every paper had the same maximum, else as a percentage."""
    towns: dict[str, list] = {}
    for row in results(exam_id):
        towns.setdefault(row[7] or "—", []).append(row)
    out = []
    for town, items in sorted(towns.items()):
        maxima = {r[3] for r in items}
        share = mean(100 * (r[2] or 0) / r[3] if r[3] else 0 for r in items)
        if len(maxima) == 1:
            average = score_text(round(mean(r[2] or 0 for r in items), 1), maxima.pop())
        else:
            average = percent_text(share, 100)
        out.append((town, len(items), sum(1 for r in items if r[5]), average))
    return out


def is_answered(response) -> bool:
    """Whether a saved response answers its question: a matching left with every item unmatched
    is as blank as a question never touched."""
    return response is not None and not (isinstance(response, list) and all(r is None for r in response))


def item_statistics(exam_id: int) -> list[dict]:
    """Per question key, over the finished papers that drew it: how many answered it and how
    many left it blank, how often it was answered correctly (difficulty p, of all who got it:
    a blank scores nothing, so it counts as not correct) and the discrimination index
    D = p(upper 27%) - p(lower 27%), candidates ranked by total score."""
    attempts = list(db.session.execute(select(Attempt.id, Attempt.score).where(
        Attempt.exam_id == exam_id, Attempt.status != "open").order_by(Attempt.score)))
    if not attempts:
        return []
    k = max(1, round(len(attempts) * UPPER_LOWER_SHARE))
    lower = {a.id for a in attempts[:k]}
    upper = {a.id for a in attempts[-k:]}
    stats: dict[str, dict] = {}
    for attempt_id, frozen, response, score in db.session.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.frozen, AttemptQuestion.response, AttemptQuestion.score)
            .join(Attempt).where(Attempt.exam_id == exam_id, Attempt.status != "open")):
        entry = stats.setdefault(frozen["key"], {"key": frozen["key"], "text": frozen["text"],
                                                 "n": 0, "answered": 0, "right": 0, "up": [0, 0], "low": [0, 0]})
        right = (score or 0) >= float(frozen["points"]) - 1e-9
        entry["n"] += 1
        entry["answered"] += is_answered(response)
        entry["right"] += right
        for group, ids in (("up", upper), ("low", lower)):
            if attempt_id in ids:
                entry[group][0] += 1
                entry[group][1] += right
    return sorted((_item_row(entry) for entry in stats.values()),
                  key=lambda e: (e["d"] if e["d"] is not None else 9, e["p"]))


def _item_row(entry: dict) -> dict:
    p_up = entry["up"][1] / entry["up"][0] if entry["up"][0] >= MIN_GROUP else None
    p_low = entry["low"][1] / entry["low"][0] if entry["low"][0] >= MIN_GROUP else None
    return {"key": entry["key"], "text": entry["text"], "n": entry["n"], "answered": entry["answered"],
            "blank": entry["n"] - entry["answered"], "p": round(entry["right"] / entry["n"], 2),
            "d": round(p_up - p_low, 2) if p_up is not None and p_low is not None else None}


def results_workbook(exam_title: str, exam_id: int) -> io.BytesIO:
    """The results and the item analysis, in the language of the page it is downloaded from."""
    book = Workbook()
    book.active.title = _("成绩")
    write_table(book.active, [_("姓名"), _("企业"), _("所在镇街"), _("最高分"), _("考试次数"), _("是否通过")], (
        [name, enterprise or "", town or "", percent_cell(score, max_score), attempts, _("是") if passed else _("否")]
        for _uid, name, score, max_score, attempts, passed, enterprise, town, _filing in results(exam_id)))
    item_header = [_("试题编号"), _("题干"), _("作答次数"), _("未作答次数"), _("答对率（占抽到此题者）"), _("区分度")]
    write_table(book.create_sheet(_("试题分析")), item_header, (
        [e["key"], e["text"], e["answered"], e["blank"], Percent(e["p"], f"{100 * e['p']:.0f}%"), e["d"]]
        for e in item_statistics(exam_id)))
    return xlsx_stream(book)
