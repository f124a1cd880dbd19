"""A printable coverage report for the bureau's leadership (reportlab, with a chart)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.pdf import REGULAR, _fonts
from lms.core.clock import local_today, local_zone
from lms.core.text import chinese_date
from lms.registry.industries import division_label


def _style(size: float, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle("s", fontName=REGULAR, fontSize=size, leading=leading or size * 1.4)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]))
    return table


def _chart(rows) -> Drawing:
    """Coverage per town as horizontal bars, worst first (as on the dashboard)."""
    height = 20 + 16 * max(len(rows), 1)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 10, 170 * mm - 110, height - 20
    chart.data = [[n.percent for n in reversed(rows)] or [0]]
    chart.categoryAxis.categoryNames = [n.key for n in reversed(rows)] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = colors.HexColor("#198754")
    drawing.add(chart)
    return drawing


def coverage_pdf(program, as_of: date, numbers: dict, appointment: dict, bureau: str, days: str = "",
                 outlook: list[tuple[str, bool]] = ()) -> bytes:
    """The report; days and outlook are the dashboard's words on the deadline and the target."""
    _fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title="首席质量官培训覆盖率报告")
    total = numbers["all"][0]
    story = [
        Paragraph(escape(bureau), _style(11)),  # Paragraphs read markup: typed text is escaped
        Paragraph("首席质量官培训覆盖率报告", _style(18)),
        Paragraph(f"{escape(program.name)} · 统计日期 {chinese_date(as_of)} · 截止日期 {chinese_date(program.deadline)}"
                  f"{days}", _style(10)),
        Paragraph(f"生成于 {datetime.now(UTC).astimezone(local_zone()):%Y-%m-%d %H:%M}（北京时间）", _style(8)),
        Spacer(0, 6 * mm),
        _table([["已备案", "已培训", "学习中", "未开始", "覆盖率", "目标"],
                [total.filed, total.trained, total.in_progress, total.not_started, f"{total.percent}%" if total.filed else "—",
                 f"{program.target_percent}%"]], [28 * mm] * 6),
        Spacer(0, 2 * mm),
        *(Paragraph(escape(text), _style(10)) for text, _warning in outlook),
        Spacer(0, 6 * mm),
        Paragraph("各镇街覆盖率（由低到高）", _style(12)),
        # A town with no current filing has nobody to train: no bar (a 0 % bar would read as
        # the worst town), named under the chart instead.
        _chart([n for n in numbers["town"] if n.filed]),
        *([Paragraph("尚无在任备案：" + escape("、".join(n.key for n in numbers["town"] if not n.filed)), _style(9))]
          if any(not n.filed for n in numbers["town"]) else []),
    ]
    titles = {"town": "按镇街", "industry": "按行业（国民经济行业分类大类）", "scale": "按企业规模"}
    scale_names = {"above": "规上企业", "sme": "中小企业"}

    def label(by: str, key: str) -> str:  # the name column is 52 mm: 14 characters of 9 pt
        return division_label(key, width=12) if by == "industry" else scale_names.get(key, key)

    for by in ("town", "industry", "scale"):
        table = _table([["", "已备案", "已培训", "学习中", "未开始", "覆盖率"]]
                       + [[label(by, n.key), n.filed, n.trained, n.in_progress, n.not_started,
                           f"{n.percent}%" if n.filed else "—"] for n in numbers[by]],
                       [52 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm, 24 * mm])
        table.repeatRows = 1  # a long table keeps its header on every page
        story += [Spacer(0, 5 * mm), KeepTogether([Paragraph(titles[by], _style(12)), table])]
    story += [Spacer(0, 5 * mm), KeepTogether([
        Paragraph("首席质量官聘任情况" + ("" if as_of == local_today() else f"（按 {chinese_date(local_today())} 的名册统计）"),
                  _style(12)),
        _table([["", "企业数", "已聘任"],
                ["规上企业", appointment["above_scale"], appointment["above_scale_with_cqo"]],
                ["中小企业", appointment["sme"], appointment["sme_with_cqo"]]], [52 * mm, 30 * mm, 30 * mm])])]
    doc.build(story)
    return out.getvalue()
