"""Checks for the identifiers on the filing form (see shared/domain/identifiers.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from operator import mul

from flask_babel import gettext as _

# GB 32100-2015: 31 characters, no I O S V Z; a character's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_CHARS = frozenset(USCC_ALPHABET)
# Weights for positions 1..17 are 3^(i-1) mod 31.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_STRIP = str.maketrans("", "", " -\u00a0\t")
_PLAIN_USCCS = re.compile(f"[{USCC_ALPHABET}]*")
# For checking a column of codes at once: per position, each character's value times the
# position's weight (mod 31), as one byte; and the check character owed for each weighted sum.
_WEIGHTED = tuple(
    bytes.maketrans(USCC_ALPHABET.encode(), bytes(v * w % 31 for v in range(31))) for w in _USCC_WEIGHTS
)
_CHECK_FOR_SUM = {total: USCC_ALPHABET[(31 - total % 31) % 31] for total in range(31 * 17)}

_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_uscc(raw: str) -> str:
    """NFKC (full-width to half-width), drop spaces and hyphens, upper-case."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    if text.isalnum() and text.isupper():  # the common case: already clean
        return text
    return text.translate(_STRIP).upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """Why a normalised USCC is invalid, or None when it is valid."""
    if len(code) != 18:
        return _("应为 18 位，实为 %(n)s 位", n=len(code))
    if _USCC_CHARS.issuperset(code):
        return None if uscc_check_char(code[:17]) == code[17] else _("校验位不正确")
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return _("含有不允许的字符 %(chars)s（不使用 I、O、S、V、Z）", chars="".join(bad))
    if uscc_check_char(code[:17]) != code[17]:
        return _("校验位不正确")
    return None


def invalid_usccs(codes: Sequence[str]) -> list[int]:
    """Positions of the codes that are not valid USCCs already in normal form."""
    joined = "".join(codes)
    if len(joined) != 18 * len(codes) or set(map(len, codes)) != {18} or not _PLAIN_USCCS.fullmatch(joined):
        return [i for i, code in enumerate(codes) if normalize_uscc(code) != code or uscc_error(code)]
    owed = _check_chars(joined.encode("ascii"), len(codes))
    given = joined[17::18]
    return [] if owed == given else [i for i, (a, b) in enumerate(zip(owed, given, strict=True)) if a != b]


def _check_chars(data: bytes, count: int) -> str:
    """The check characters of count plain 18-character codes laid end to end in data.

    Column-wise in C: for each of the 17 positions, the weighted values of every code become
    one 16-bit lane per code of a big integer; summing the 17 integers sums each code's lanes
    (at most 17 * 30, so no lane carries into the next).
    """
    total = 0
    for position, weighted in enumerate(_WEIGHTED):
        lanes = data[position::18].translate(weighted).decode("latin-1").encode("utf-16-le")
        total += int.from_bytes(lanes, "little")
    return total.to_bytes(2 * count, "little").decode("utf-16-le").translate(_CHECK_FOR_SUM)


def is_valid_uscc(raw: str) -> bool:
    return uscc_error(normalize_uscc(raw)) is None


def normalize_mobile(raw: str) -> str:
    """Strip spaces, hyphens and a +86 / 0086 prefix after NFKC."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    text = text.translate(_STRIP).replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def is_valid_mobile(number: str) -> bool:
    return _MOBILE.fullmatch(number) is not None


def id_number_error(raw: str) -> str | None:
    """Why a resident ID number (GB 11643) is invalid, or None."""
    code = normalize_uscc(raw)
    if len(code) != 18 or not code[:17].isdecimal() or code[17] not in "0123456789X":
        return _("身份证号应为 17 位数字加 1 位数字或 X")
    if _ID_CHECK[sum(int(c) * w for c, w in zip(code[:17], _ID_WEIGHTS, strict=False)) % 11] != code[17]:
        return _("身份证号校验位不正确")
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return _("身份证号中的出生日期不存在")
    return None


def mask_id_number(raw: str) -> str:
    """Keep the region prefix and the last four characters: 3406**********451X."""
    code = normalize_uscc(raw)
    return code[:4] + "*" * (len(code) - 8) + code[-4:] if len(code) > 8 else "*" * len(code)


def mask_name(name: str) -> str:
    """张*明: first and last character kept; two-character names keep the first."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else number
