"""Text normalisation shared by imports and forms."""

from __future__ import annotations

import unicodedata


def clean(value: object) -> str:
    """NFKC (full-width to half-width), collapse inner whitespace, strip; None becomes ''."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii():
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFKC", text).split())


def chinese_date(day) -> str:
    """2026年9月1日: the way a Chinese document writes a date, with no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"
