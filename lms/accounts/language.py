"""An account's language: chosen once, it follows the person to every sign-in and device."""

from __future__ import annotations

from flask import session

from lms.accounts.models import User
from lms.extensions import db

LANGUAGES = ("zh_CN", "en")


def carry_language(user: User) -> None:
    """At sign-in: a language picked on the signed-out pages is kept for the account; otherwise
    the account's own comes back, Chinese when it never chose one (so on a shared office PC the
    previous person's English does not stay for the next)."""
    if session.pop("lang_picked", False) and session.get("lang") in LANGUAGES:
        if user.locale != session["lang"]:
            db.session.add(user)
            user.locale = session["lang"]
            db.session.commit()
    else:
        session["lang"] = user.locale if user.locale in LANGUAGES else "zh_CN"


def restore_language(_app, user: User) -> None:
    """A "remember me" cookie signs the person in again with a new session: their language too."""
    if user.locale in LANGUAGES:
        session["lang"] = user.locale
