"""Form fields shared by the domains' forms."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation


class _OneMessage:
    """Text that is not a number gets one message saying so, and no range check after it
    (WTForms would add "must be between" for the value it could not read)."""

    not_a_number = _l("请填写数字")

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():  # left empty: no number, not a wrong one
            self.data = None  # Optional() lets it be; DataRequired() asks for it
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.not_a_number) from error

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class IntegerField(_OneMessage, wtforms.IntegerField):
    not_a_number = _l("请填写整数")


class FloatField(_OneMessage, wtforms.FloatField):
    pass


def one_line(value: str | None) -> str | None:
    """A filter for single-line fields (a title, a venue): a pasted line break or tab becomes one
    space, so the text shows on one line everywhere, as the field promises."""
    return " ".join(value.split()) if isinstance(value, str) else value


def none_if_blank(value: str | None) -> str | None:
    """A filter for optional text (an English name): left empty, it is stored as NULL, which
    the pages read as "none given, show the Chinese"."""
    return (value.strip() or None) if isinstance(value, str) else value
