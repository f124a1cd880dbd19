"""Numbers in URLs that name rows. Every integer key is 32-bit on PostgreSQL (and SQLite takes
no more than 64 bits), so a longer number in a path or a query is no row of ours: it answers
404 or is ignored, rather than overflowing in the database driver (a 500)."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from lms.extensions import db

MAX_ID = 2**31 - 1
MAX_PAGE = 10**6  # beyond any list's end: a 404, as any page past the end is


class IdConverter(IntegerConverter):
    """<int:…> in every route, bounded (installed as the app's "int" converter)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_arg(value: str) -> int:
    """type= for request.args.get: a row id, else ValueError, so that the default applies."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def paginate(query, per_page: int):
    """db.paginate with the page number bounded: ?page=99999999999999999999 is a page past the
    end (404), not an OFFSET the driver cannot bind (500)."""
    page = request.args.get("page", 1, type=int)
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=per_page)
