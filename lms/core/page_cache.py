"""Pages rendered once and then filled in: the same HTML for every visitor, with holes.

The lesson page is what officers load most, and rendering it through Jinja (layout,
navigation, a dozen translated strings, several URLs) was a third of its time
(bench/lesson_page.py). Its HTML is the same for every officer reading the same lesson in
the same language, except for a few values: the officer's name, the CSRF token, and what
the caller names as holes. So the page is rendered once with markers in those places, split
at the markers, and each later view joins the pieces around its own values.

What else goes into the HTML must be in the caller's key; the language, the role (the
navigation), the URL (the language link) and the mount point are added here. A visitor
with flashed messages gets a normal render: those messages are theirs alone.

A hole is printed, never tested: while the shared page is rendered it holds a marker, which
is neither true nor false for every visitor. What the template decides by (`{% if %}`) must
be a value of its own in the context and the key; testing a hole raises.
"""

from __future__ import annotations

from flask import current_app, render_template, request, session
from flask_login import current_user
from markupsafe import Markup, escape

from lms.core.i18n import select_locale
from lms.core.sessions import Memo, csrf_token

MARK = "\x00"  # never in our HTML: Markdown sanitising and escaping drop NUL characters
SIZE = 256  # pages kept per process; a lesson page is about 40 kB


class _Hole(Markup):
    """A hole's marker: text to print, which refuses to be tested (see the module's note)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        raise TypeError(f"page cache: the hole {str.strip(self, MARK)!r} is tested; test a value in the key")


class _Visitor:
    """What the layout reads of current_user while the shared page is rendered."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, role: str) -> None:
        self.role = role
        self.name = Markup(f"{MARK}user_name{MARK}")


def render_with_holes(template: str, key: tuple, holes: dict[str, object], **context) -> str | bytes:
    """render_template(template, **holes, **context) for the signed-in visitor, where the
    output depends only on key (and the language, role and URL) apart from the holes.
    Returns the page as UTF-8 bytes, as a view may."""
    if "_flashes" in session:
        return render_template(template, **holes, **context)
    user = current_user._get_current_object()
    full_key = (template, key, select_locale(), user.role, request.script_root, request.full_path)
    parts = current_app.extensions.get("lms_page_cache", {}).get(full_key)  # one cache per app
    if parts is None:
        marks = {name: _Hole(f"{MARK}{name}{MARK}") for name in holes}
        csrf_mark = Markup(f"{MARK}csrf_token{MARK}")
        html = render_template(template, **marks, **context, current_user=_Visitor(user.role),
                               csrf_token=lambda: csrf_mark)
        parts = [part.encode() for part in html.split(MARK)]  # UTF-8 once, not per view
        pages = current_app.extensions.setdefault("lms_page_cache", Memo(SIZE))
        pages.keep(full_key, parts)  # the oldest goes first when full
    values = {name.encode(): str(escape(value)).encode() for name, value in holes.items()}
    values[b"user_name"] = str(escape(user.name)).encode()
    values[b"csrf_token"] = csrf_token().encode()
    pieces = parts.copy()
    for i in range(1, len(pieces), 2):
        pieces[i] = values[pieces[i]]
    return b"".join(pieces)
