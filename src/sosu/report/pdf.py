"""The quarterly report as a PDF: front page with summary and scorecard, one page per
focus area with its charts, the site's figures when asked for, and a data note."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sosu.domain.fmt import number, pct
from sosu.domain.version import VERSION
from sosu.metrics.protect import marks
from sosu.report import charts
from sosu.report.content import ReportContent, Section, initiative_table, marked_initiatives

# DejaVu has ≤, – and æøå; matplotlib ships it, so no system font is needed.
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
pdfmetrics.registerFont(TTFont("DejaVu", str(_FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(_FONTS / "DejaVuSans-Bold.ttf")))

WIDTH = A4[0] - 4 * cm
_BASE = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", _BASE["Title"], fontName="DejaVu-Bold", fontSize=18),
    "h1": ParagraphStyle("h1", _BASE["Heading1"], fontName="DejaVu-Bold", fontSize=14),
    "body": ParagraphStyle("body", _BASE["BodyText"], fontName="DejaVu", fontSize=9.5,
                           leading=13),
    "small": ParagraphStyle("small", _BASE["BodyText"], fontName="DejaVu", fontSize=8,
                            leading=10, textColor=colors.HexColor("#444444")),
    "head": ParagraphStyle("head", _BASE["BodyText"], fontName="DejaVu-Bold", fontSize=8,
                           leading=10),
}
TABLE_STYLE = TableStyle([
    ("FONT", (0, 0), (-1, -1), "DejaVu", 8),
    ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 8),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def _p(text: str, style: str = "body") -> Paragraph:
    # Paragraph reads a little XML; data must stay text.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, STYLES[style])


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table([[_p(c, "head" if i == 0 else "small") for c in row]
                   for i, row in enumerate(rows)], colWidths=widths, repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _scorecard(content: ReportContent) -> Table:
    rows = [["Mål", "Seneste værdi", "Periode", "Mål", "Status", "Målopfyldelse"]]
    for result in content.scores:
        target = result.target
        show = pct if target.is_rate else number
        rows.append([target.label, show(result.value), result.period or "–",
                     f"{show(target.goal_value)} i {target.frist}", result.status,
                     pct(result.fulfilment, 0) if result.fulfilment is not None else "–"])
    return _table(rows, [5.2 * cm, 2.2 * cm, 3.2 * cm, 2.4 * cm, 2 * cm, 2 * cm])


def _front(content: ReportContent) -> list:
    who = content.viewer.role_label + (f" · {content.site}" if content.site else "")
    flow = [_p(f"SOSU-uddannelserne – kvartalsrapport {content.quarter}", "title"),
            _p(f"{who} · data pr. {content.data_pr.strftime('%d-%m-%Y')}", "small"),
            Spacer(1, 0.4 * cm), _p("Sammenfatning", "h1")]
    flow += [_p("• " + line) for line in content.summary]
    flow += [Spacer(1, 0.4 * cm), _p("Målene", "h1"), _scorecard(content)]
    return flow


def _image(png: bytes, width: float) -> Image:
    image = Image(io.BytesIO(png))
    ratio = width / image.imageWidth
    image.drawWidth, image.drawHeight = width, image.imageHeight * ratio
    return image


def _chart_grid(pngs: list[bytes]) -> Table:
    """Two charts a row, so a focus area fits one page."""
    half = WIDTH / 2 - 0.2 * cm
    cells = [_image(png, half) for png in pngs]
    rows = [cells[i:i + 2] + [""] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
    return Table(rows, colWidths=[WIDTH / 2, WIDTH / 2])


def _focus_page(content: ReportContent, section: Section) -> list:
    flow: list = [PageBreak(), _p(section.title, "h1")]
    for result in section.scores:
        show = pct if result.target.is_rate else number
        expected = (f"; målkurven siger {show(result.expected)}"
                    if result.expected is not None and result.target.maal_type != "absolut"
                    else "")
        flow.append(_p(f"{result.target.label}: {show(result.value)} ({result.period or '–'})"
                       f", status {result.status}{expected}."))
    pngs = [charts.trajectory(content.series, result.target,
                              marked_initiatives(content, result.target))
            for result in section.scores]
    if pngs:
        flow += [Spacer(1, 0.3 * cm), _chart_grid(pngs)]
    table = initiative_table(content, section.key)
    if table is not None:
        rows = [list(table.columns), *([str(v) for v in row] for row in table.to_numpy())]
        flow.append(KeepTogether([
            Spacer(1, 0.3 * cm), _p("Indsatser", "head"),
            _table(rows, [6.4 * cm, 2.6 * cm, 3.6 * cm, 4.4 * cm])]))
    return flow


def _cell(frame: pd.DataFrame, index: object, column: str, threshold: int, rate: bool) -> str:
    mark = marks(frame.loc[[index]], column, threshold).iloc[0]
    value = float(frame.at[index, column])  # type: ignore[arg-type]
    return mark or (pct(value) if rate else number(value))


def _site_page(content: ReportContent, section: Section) -> list:
    mark = content.viewer.threshold
    rows = [["", "Uddannelse", "Årgang", "Ansatte", "Gennemført", "Frafald", "Aktive",
             "Frafald %"]]
    for who, key in ((content.site or "", "site_cohorts"), ("Hele kommunen", "all_cohorts")):
        frame = section.frames[key]
        for index in frame.index:
            rows.append([who, str(frame.at[index, "uddannelse"]),
                         str(frame.at[index, "aargang"]),
                         *(_cell(frame, index, c, mark, False)
                           for c in ("ansatte", "gennemfoert", "frafald", "aktive")),
                         _cell(frame, index, "andel_frafald", mark, True)])
    flow: list = [PageBreak(), _p(section.title, "h1"),
                  _p("Stedets årgange ved siden af kommunen som helhed.", "small"),
                  _table(rows, [3.6 * cm, 2 * cm, 1.6 * cm] + [1.8 * cm] * 5)]
    sick = pd.concat([section.frames["site_sick"].assign(uddannelse="Stedet"),
                      section.frames["all_sick"].assign(uddannelse="Hele kommunen")])
    if len(sick):
        flow.append(KeepTogether([Spacer(1, 0.3 * cm), _image(charts.lines_by_education(
            sick, "aar", "andel", "Sygefravær: stedet og kommunen", percent=True), WIDTH)]))
    return flow


def _notes(content: ReportContent) -> list:
    return [PageBreak(), _p("Om tallene", "h1"), *(_p(n) for n in content.notes)]


def build(content: ReportContent) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
        bottomMargin=1.8 * cm, title=f"Kvartalsrapport {content.quarter}",
        author="sosu-overblik", creator=f"sosu-overblik {VERSION}",
        subject="SOSU-elever mod strategiens mål",
        # The catalogue's /Lang, so a screen reader reads Danish; the viewer's title bar
        # shows the title, not the file name (PDF/UA asks both; reportlab cannot tag the
        # structure: docs/tilgaengelighed.md).
        lang="da-DK", displayDocTitle=True)
    flow = _front(content)
    for section in content.sections:
        flow += _site_page(content, section) if section.key == "sted" else _focus_page(
            content, section)
    flow += _notes(content)
    document.build(flow, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas: object, document: object) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont("DejaVu", 7)  # type: ignore[attr-defined]
    canvas.drawString(2 * cm, 1.1 * cm, f"sosu-overblik {VERSION}")  # type: ignore[attr-defined]
    canvas.drawRightString(A4[0] - 2 * cm, 1.1 * cm,  # type: ignore[attr-defined]
                           f"side {document.page}")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]
