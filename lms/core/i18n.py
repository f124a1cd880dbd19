"""Message catalogs for templates: found once per language, not once per message."""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from flask import Flask, has_request_context, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup, escape


def shown_title(title: str, title_en: str | None) -> str:
    """A course's, programme's or exam's title in the page's language: its English title,
    where it has one, on an English page."""
    return title_en if title_en and select_locale() == "en" else title


def shown_text(text: str, text_en: str | None) -> Markup:
    """shown_title for a page's body: the Chinese shown on an English page (no English given)
    is marked lang="zh-CN", for the screen reader's voice and the browser's fonts."""
    if select_locale() == "zh_CN" or text_en:
        return escape(shown_title(text, text_en))
    return Markup('<span lang="zh-CN">%s</span>') % text


def select_locale() -> str:
    """The request's language: the visitor's choice kept in the session, else Chinese."""
    if not has_request_context():
        return "zh_CN"  # CLI and background work speak Chinese, the registry's language
    chosen = session.get("lang")
    # The choice lives in the session (the language links in the navigation bar); reading it
    # never needs the user, so translating a message can never trigger loading one.
    return chosen if chosen in ("zh_CN", "en") else "zh_CN"  # Chinese first, whatever the browser says


def install_template_gettext(app: Flask, select_locale: Callable[[], str]) -> None:
    """Template _() and friends, reading the catalog of the request's language from a dict.

    Flask-Babel's own callables find the catalog through half a dozen context lookups for
    every message, which was a tenth of the lesson page's time (bench/lesson_page.py).
    """
    catalogs: dict[str, object] = {}

    def catalog():
        if not has_request_context():
            return get_translations()
        code = select_locale()
        found = catalogs.get(code)
        if found is None:
            found = get_translations()
            if get_locale() == Locale.parse(code):  # the request's catalog is that language's
                catalogs[code] = found
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @pass_context
    def translate(context, string: str, **variables):
        # _() as Jinja's newstyle gettext does it, without its two layers of context.call.
        rv = catalog().ugettext(string)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        if variables or "%" in rv:
            return rv % variables  # always a format string, as in Jinja's newstyle gettext
        return rv  # what formatting would give: no placeholder, no "%%" to unescape

    app.jinja_env.globals["_"] = translate
