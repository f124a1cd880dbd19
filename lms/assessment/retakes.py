"""After a fail: how many attempts are left and when the next may start, as the exam page, the
result page and the officer's dashboard all say it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from lms.assessment import service
from lms.assessment.models import Attempt, Exam
from lms.core.models import utcnow


def retake_times(exam: Exam, attempts: list[Attempt]) -> tuple[datetime | None, int]:
    """When the waiting time before another attempt is over, shown to the minute and so
    rounded up (at the minute shown it is open), and the seconds until then: the exam page
    enables its button by the seconds, not the time, a phone's clock may be minutes off the
    server's. (None, 0) when no waiting is left."""
    opens_at = service.retake_opens_at(exam, attempts)
    if opens_at is None:
        return None, 0
    return _next_minute(opens_at), math.ceil((opens_at - utcnow()).total_seconds())


def _next_minute(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def next_attempt(exam: Exam, user_id: int, attempts: list[Attempt]) -> dict:
    """The attempts left and, while the waiting time lasts, when the next opens:
    {"left": n, "opens_at": datetime | None}."""
    left = max(service.attempts_allowed(exam, user_id) - len(attempts), 0)
    return {"left": left, "opens_at": retake_times(exam, attempts)[0] if left else None}
