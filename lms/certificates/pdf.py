"""The certificate as a PDF: A4 landscape, Chinese text in an embedded TrueType font
(Kurinto Sans SC from weblate-fonts, SIL OFL; reportlab subsets it), and a QR code that
opens the verification page.

The QR code is drawn from segno's module matrix, one rectangle per horizontal run of dark
modules: reportlab's own QR widget costs about 70 blank pages per certificate.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import segno
import weblate_fonts
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from lms.core.text import chinese_date

FONT_DIR = Path(weblate_fonts.__file__).parent / "static" / "weblate_fonts" / "kurinto" / "ttf"
REGULAR = "KurintoSansSC"
rl_config.useA85 = 0  # binary compressed streams: ASCII85 only makes files bigger and slower


@cache
def _fonts() -> None:
    for name, file in ((REGULAR, "KurintoSansSC-Rg.ttf"),):
        font = TTFont(name, str(FONT_DIR / file))
        # reportlab copies each table out of the font file again for every subset it
        # writes; a CJK font's glyph table is megabytes, so keep the copies (bytes, immutable).
        font.face.get_table = cache(font.face.get_table)
        pdfmetrics.registerFont(font)


def draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code as filled rectangles, with its quiet zone, lower-left corner at (x, y)."""
    # A fixed mask skips segno's pure-Python search for the best of eight; any mask is
    # valid, and the test decodes the result.
    matrix = [list(row) for row in segno.make(data, error="m", mask=0).matrix]
    border = 4
    n = len(matrix) + 2 * border
    c.saveState()
    # In module units, so that every coordinate written is a small integer.
    c.translate(x, y + size)
    c.scale(size / n, -size / n)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(start + border, r + border, col - start, 1)
            else:
                col += 1
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _bold_centred(c: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """Bold by stroking the regular face's outlines: one embedded font subset instead of two
    keeps a certificate fast to make (bench/certificates.py)."""
    c.saveState()
    c.setStrokeColor(c._fillColorObj)
    c.setLineWidth(size / 30)
    t = c.beginText(x - pdfmetrics.stringWidth(text, REGULAR, size) / 2, y)
    t.setFont(REGULAR, size)
    t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def certificate_pdf(cert, bureau: str, verify_url: str) -> bytes:
    """One certificate on one A4 landscape page."""
    _fonts()
    out = io.BytesIO()
    width, height = landscape(A4)
    # Page streams uncompressed: 20 KB more per PDF, a third less time (bench/certificates.py);
    # the embedded font subset is compressed either way, and a ZIP of many compresses them all.
    c = canvas.Canvas(out, pagesize=(width, height), pageCompression=0)
    c.setTitle(f"培训合格证书 {cert.serial}")
    c.setAuthor(bureau)
    _page(c, cert, bureau, verify_url, width, height)
    c.save()
    return out.getvalue()


def _page(c: canvas.Canvas, cert, bureau: str, verify_url: str, width: float, height: float) -> None:
    c.setStrokeColorRGB(0.62, 0.12, 0.12)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    c.setFillColorRGB(0.62, 0.12, 0.12)
    _bold_centred(c, "培训合格证书", width / 2, height - 52 * mm, 34)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(REGULAR, 13)
    c.drawCentredString(width / 2, height - 62 * mm, "首席质量官培训")
    c.setFont(REGULAR, 16)
    lines = [
        f"{cert.holder_name}（{cert.enterprise_name}）：" if cert.enterprise_name else f"{cert.holder_name}：",
        f"    参加“{cert.program.name}”，完成培训 {cert.hours:g} 学时，考核合格，特发此证。",
    ]
    text = c.beginText(40 * mm, height - 88 * mm)
    text.setFont(REGULAR, 16)
    text.setLeading(30)
    for line in lines:
        text.textLine(line)
    c.drawText(text)
    c.setFont(REGULAR, 12)
    c.drawString(40 * mm, 48 * mm, f"证书编号：{cert.serial}")
    c.drawString(40 * mm, 40 * mm, f"发证日期：{chinese_date(cert.issued_on)}")
    c.drawString(40 * mm, 32 * mm, f"有效期至：{chinese_date(cert.expires_on)}")
    _bold_centred(c, bureau, width - 110 * mm, 40 * mm, 15)
    draw_qr(c, verify_url, width - 62 * mm, 24 * mm, 40 * mm)
    c.setFont(REGULAR, 8)
    c.drawCentredString(width - 42 * mm, 21 * mm, "扫码查验")
