"""Writing an import preview (roster_plan.py) to the database, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import add, attrgetter

from sqlalchemy import select, update

from lms.core import audit
from lms.core.bulk import gc_paused, insert_rows, page_cache
from lms.core.models import utcnow
from lms.extensions import db
from lms.registry import roster_scope as scope
from lms.registry.models import Enterprise, Filing
from lms.registry.roster_plan import ENTERPRISE_FIELDS, FILING_FIELDS, Preview, filing_values


def commit_preview(preview: Preview, filename: str, actor_id: int | None = None,
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write the whole preview in one transaction; refuses a preview that has errors."""
    if not preview.can_commit:
        raise ValueError("a preview with errors cannot be committed")
    session = db.session
    stamps = (utcnow(),) * 2
    try:
        with gc_paused(), page_cache():
            _write(preview, stamps, progress)
        details = {**preview.counts, "complete": preview.complete}
        if preview.parsed.exported_on:
            details["exported_on"] = preview.parsed.exported_on.isoformat()
        audit.record(scope.IMPORTED, filename, preview.fingerprint(), details=details, actor_id=actor_id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return preview.counts


def _write(preview: Preview, stamps: tuple, progress: Callable[[int], None] | None) -> None:
    session = db.session
    enterprise_columns = ("uscc", *ENTERPRISE_FIELDS, "created_at", "updated_at")
    ids = dict(insert_rows(Enterprise.__table__, enterprise_columns,
                           list(map(add, preview._enterprise_inserts, repeat(stamps))), returning=("uscc", "id")))
    if preview._enterprise_updates:
        session.execute(update(Enterprise), preview._enterprise_updates)
    # Endings first: the database allows one current filing per enterprise at any moment.
    ending = preview._endings + [u for u in preview._filing_updates if u["status"] != "current"]
    if ending:
        session.execute(update(Filing), ending)
    # The records' values are taken only now: tuples made and freed while the collector is
    # paused are never walked by it, as those kept in the preview are once it resumes.
    inserts = preview._filing_inserts
    if not ids.keys() >= set(map(attrgetter("uscc"), inserts)):
        ids.update(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    if not {"current"}.issuperset(map(attrgetter("status"), inserts)):
        inserts = sorted(inserts, key=lambda record: record.status == "current")
    filing_columns = ("enterprise_id", *FILING_FIELDS, "created_at", "updated_at")
    for start in range(0, len(inserts), 10000):
        chunk = inserts[start:start + 10000]
        # (enterprise id,) + values + stamps, each concatenation done in C
        enterprise_ids = zip(map(ids.__getitem__, map(attrgetter("uscc"), chunk)))
        rows = list(map(add, map(add, enterprise_ids, map(filing_values, chunk)), repeat(stamps)))
        insert_rows(Filing.__table__, filing_columns, rows)
        if progress:
            progress(len(chunk))
    becoming_current = [u for u in preview._filing_updates if u["status"] == "current"]
    if becoming_current:
        session.execute(update(Filing), becoming_current)
