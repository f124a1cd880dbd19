"""Text normalisation shared by imports and forms."""

from __future__ import annotations

import re
import unicodedata

# What a copy from elsewhere leaves in a name and no eye sees: C0 and C1 controls that are not
# whitespace (whitespace collapses below), zero-width characters, direction overrides (which
# turn the text after them around) and a stray BOM. A name of nothing but these is empty.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean(value: object) -> str:
    """NFKC (full-width to half-width), invisible characters dropped, inner whitespace
    collapsed, stripped; None becomes ''."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():  # printable text, nearly all of it, is spared the search
        text = _INVISIBLE.sub("", text)
    if text.isascii():
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFKC", text).split())


def chinese_date(day) -> str:
    """2026年9月1日: the way a Chinese document writes a date, with no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


class UndecodableText(ValueError):
    """An upload that should be text and is not: the message says what it looks like instead."""


# Files staff may pick by mistake, known by their first bytes.
_NOT_TEXT = ((b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0", "ole"), (b"%PDF", "pdf"), (b"{\\rtf", "rtf"))


def decode_upload(data: bytes) -> str:
    """The text of an uploaded text file in the encodings office PCs in China save.

    UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's and Notepad's "Unicode"), and
    GB18030, a superset of GBK, which Notepad and Excel on a Chinese Windows call "ANSI".
    A Word, Excel or PDF file, or one in no such encoding, raises UndecodableText saying so.
    """
    from flask_babel import gettext as _

    for magic, kind in _NOT_TEXT:
        if data.startswith(magic):
            if kind == "pdf":
                raise UndecodableText(_("这是一个 PDF 文件，不是文本文件：请上传 .txt 等纯文本文件"))
            raise UndecodableText(_("这是一个 Word 或 Excel 文件，不是文本文件：请在 Word 中“另存为”纯文本（.txt，"
                                    "编码选 UTF-8）后再上传"))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.count("\0") * 100 > len(text):  # UTF-16 without its BOM, or a binary file
            break
        return text
    raise UndecodableText(_("无法识别文件的编码，或者它不是文本文件：请另存为 UTF-8 或 GBK 编码的纯文本后再上传"))
