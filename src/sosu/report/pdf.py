"""The quarterly report as a tagged PDF (PDF/UA-1): front page with summary and
scorecard, one page per focus area with its charts, the site's figures when asked for,
and a data note.

The report is written as HTML and printed by WeasyPrint, which tags what the HTML says:
the language (Danish), the title, headings (H1 the report, H2 each part, H3 within),
lists, tables with header cells, and each chart as a figure with its alternative text
(its name and description, report/charts.py), in reading order. The charts are SVG with
their text as text. Every text from data is escaped: data stays text, never markup."""

from __future__ import annotations

import base64
import html
import logging
import threading
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from weasyprint import HTML, URLFetcher

from sosu.domain.fmt import number, pct
from sosu.domain.version import VERSION
from sosu.metrics.protect import marks
from sosu.report import charts
from sosu.report.content import ReportContent, Section, initiative_table, marked_initiatives

# DejaVu has ≤, –, ●, ◐, ‖ and æøå; matplotlib ships it, so the report does not depend
# on the fonts a server happens to have. The charts' SVG names the same family.
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

STYLE = f"""
@font-face {{ font-family: "DejaVu Sans"; font-weight: normal;
  src: url("{(_FONTS / 'DejaVuSans.ttf').as_uri()}"); }}
@font-face {{ font-family: "DejaVu Sans"; font-weight: bold;
  src: url("{(_FONTS / 'DejaVuSans-Bold.ttf').as_uri()}"); }}
@page {{
  size: A4; margin: 1.8cm 2cm;
  @bottom-left {{ content: "sosu-overblik {VERSION}"; font: 7pt "DejaVu Sans"; }}
  @bottom-right {{ content: "side " counter(page); font: 7pt "DejaVu Sans"; }}
}}
html {{ font-family: "DejaVu Sans"; font-size: 9.5pt; line-height: 1.37; color: #000; }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 0.3cm; line-height: 1.2; }}
h2 {{ font-size: 14pt; margin: 0.4cm 0 0.25cm; }}
h3 {{ font-size: 8pt; margin: 0.3cm 0 0.1cm; }}
p, ul {{ margin: 0 0 0.15cm; }}
ul {{ padding-left: 0.5cm; }}
.small {{ font-size: 8pt; line-height: 1.25; color: #444; }}
section.page {{ break-before: page; }}
table {{ border-collapse: collapse; table-layout: fixed; font-size: 8pt; line-height: 1.25; }}
th, td {{ text-align: left; vertical-align: top; padding: 2pt 3pt;
  border-bottom: 0.3pt solid #bbb; }}
thead th {{ border-bottom: 0.8pt solid #000; }}
tbody th {{ font-weight: normal; }}
.keep {{ break-inside: avoid; }}
.charts {{ display: grid; grid-template-columns: 1fr 1fr; gap: 0.2cm 0.4cm;
  margin-top: 0.3cm; }}
.charts img {{ width: 100%; }}
img.wide {{ width: 100%; margin-top: 0.3cm; }}
"""


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(rows: list[list[str]], widths_cm: list[float],
           row_headers: bool = False) -> str:
    """A real table: the first row as column headers (<th scope="col">), and with
    `row_headers` each row's first cell as its header (<th scope="row">)."""
    columns = "".join(f'<col style="width: {w}cm">' for w in widths_cm)
    head = "".join(f'<th scope="col">{_text(c)}</th>' for c in rows[0])
    body = []
    for row in rows[1:]:
        cells = [f'<th scope="row">{_text(row[0])}</th>' if row_headers
                 else f"<td>{_text(row[0])}</td>"]
        cells += [f"<td>{_text(c)}</td>" for c in row[1:]]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table><colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _figure(chart: charts.Chart, css_class: str = "") -> str:
    source = "data:image/svg+xml;base64," + base64.b64encode(chart.svg).decode("ascii")
    wide = f' class="{css_class}"' if css_class else ""
    return f'<img{wide} src="{source}" alt="{_text(chart.description)}">'


def _scorecard(content: ReportContent) -> str:
    rows = [["Mål", "Seneste værdi", "Periode", "Mål", "Status", "Målopfyldelse"]]
    for result in content.scores:
        target = result.target
        show = pct if target.is_rate else number
        rows.append([target.label, show(result.value), result.period or "–",
                     f"{show(target.goal_value)} i {target.frist}", result.status,
                     pct(result.fulfilment, 0) if result.fulfilment is not None else "–"])
    return _table(rows, [5.2, 2.2, 3.2, 2.4, 2, 2], row_headers=True)


def _front(content: ReportContent) -> str:
    who = content.viewer.role_label + (f" · {content.site}" if content.site else "")
    summary = "".join(f"<li>{_text(line)}</li>" for line in content.summary)
    return (f"<h1>SOSU-uddannelserne – kvartalsrapport {_text(content.quarter)}</h1>"
            f'<p class="small">{_text(who)} · data pr. '
            f"{content.data_pr.strftime('%d-%m-%Y')}</p>"
            f"<h2>Sammenfatning</h2><ul>{summary}</ul>"
            f"<h2>Målene</h2>{_scorecard(content)}")


def _focus_page(content: ReportContent, section: Section) -> str:
    parts = [f'<section class="page"><h2>{_text(section.title)}</h2>']
    for result in section.scores:
        show = pct if result.target.is_rate else number
        expected = (f"; målkurven siger {show(result.expected)}"
                    if result.expected is not None and result.target.maal_type != "absolut"
                    else "")
        parts.append(f"<p>{_text(result.target.label)}: {_text(show(result.value))} "
                     f"({_text(result.period or '–')}), status {_text(result.status)}"
                     f"{_text(expected)}.</p>")
    drawn = [charts.trajectory(content.series, result.target,
                               marked_initiatives(content, result.target))
             for result in section.scores]
    if drawn:  # two a row, so a focus area fits one page
        parts.append(f'<div class="charts">{"".join(_figure(c) for c in drawn)}</div>')
    table = initiative_table(content, section.key)
    if table is not None:
        rows = [list(table.columns), *([str(v) for v in row] for row in table.to_numpy())]
        initiatives = _table(rows, [6.4, 2.6, 3.6, 4.4])
        parts.append(f'<div class="keep"><h3>Indsatser</h3>{initiatives}</div>')
    parts.append("</section>")
    return "".join(parts)


def _cell(frame: pd.DataFrame, index: object, column: str, rate: bool) -> str:
    mark = marks(frame.loc[[index]], column).iloc[0]
    value = float(frame.at[index, column])  # type: ignore[arg-type]
    return mark or (pct(value) if rate else number(value))


def _site_page(content: ReportContent, section: Section) -> str:
    # A header cell is never empty: "Sted" names the first column (the site or the whole
    # municipality).
    rows = [["Sted", "Uddannelse", "Årgang", "Ansatte", "Gennemført", "Frafald", "Aktive",
             "Frafald %"]]
    for who, key in ((content.site or "", "site_cohorts"), ("Hele kommunen", "all_cohorts")):
        frame = section.frames[key]
        for index in frame.index:
            rows.append([who, str(frame.at[index, "uddannelse"]),
                         str(frame.at[index, "aargang"]),
                         *(_cell(frame, index, c, False)
                           for c in ("ansatte", "gennemfoert", "frafald", "aktive")),
                         _cell(frame, index, "andel_frafald", True)])
    parts = [f'<section class="page"><h2>{_text(section.title)}</h2>',
             '<p class="small">Stedets årgange ved siden af kommunen som helhed.</p>',
             _table(rows, [3.6, 2, 1.6] + [1.8] * 5)]
    sick = pd.concat([section.frames["site_sick"].assign(uddannelse="Stedet"),
                      section.frames["all_sick"].assign(uddannelse="Hele kommunen")])
    if len(sick):
        chart = charts.lines_by_education(sick, "aar", "andel",
                                          "Sygefravær: stedet og kommunen", percent=True)
        parts.append(f'<div class="keep">{_figure(chart, "wide")}</div>')
    parts.append("</section>")
    return "".join(parts)


def _notes(content: ReportContent) -> str:
    notes = "".join(f"<p>{_text(n)}</p>" for n in content.notes)
    return f'<section class="page"><h2>Om tallene</h2>{notes}</section>'


def document(content: ReportContent) -> str:
    """The report as HTML: what the PDF is printed from."""
    body = [_front(content)]
    for section in content.sections:
        body.append(_site_page(content, section) if section.key == "sted"
                    else _focus_page(content, section))
    body.append(_notes(content))
    return ("<!DOCTYPE html>"
            '<html lang="da"><head><meta charset="utf-8">'
            f"<title>Kvartalsrapport {_text(content.quarter)}</title>"
            '<meta name="author" content="sosu-overblik">'
            f'<meta name="generator" content="sosu-overblik {_text(VERSION)}">'
            '<meta name="description" content="SOSU-elever mod strategiens mål">'
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>")


class _Refused(logging.Handler):
    """WeasyPrint logs what it could not do (a missing alt text, an image it could not
    read, a URL it refused) and goes on; a report missing part of itself is an error.
    Only this thread's records count: two sessions may make reports at once."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.problems.append(record.getMessage())


class RenderError(RuntimeError):
    """WeasyPrint could not draw part of the report."""


def _header_scopes(_document: object, pdf: Any) -> None:
    """Each header cell says what it heads: /Scope /Column in the header row, /Row in a
    row's first cell. WeasyPrint links each data cell to its headers (/Headers) but
    writes no /Scope, which checkers (PAC, pdfua) ask for to tell the two kinds apart.
    `pdf` is WeasyPrint's pydyf.PDF, whose dictionaries are dicts with a number."""
    dictionaries: list[Any] = [o for o in pdf.objects if isinstance(o, dict)]
    by_number = {o.number: o for o in dictionaries}

    def parent(element: dict[str, Any]) -> Any:
        reference = element.get("P")
        return by_number.get(int(reference.split()[0])) if reference else None

    for element in by_number.values():
        if element.get("S") != "/TH" or not isinstance(element.get("A"), dict):
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        in_head = group is not None and group.get("S") == "/THead"
        element["A"]["Scope"] = "/Column" if in_head else "/Row"


def build(content: ReportContent) -> bytes:
    # Only the charts (data:) and the fonts (file:) are read; nothing from the network.
    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    watcher = _Refused()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watcher)
    try:
        pdf = HTML(string=document(content), url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/ua-1", finisher=_header_scopes)
    finally:
        logger.removeHandler(watcher)
    if watcher.problems:
        # Named by count only: the message may quote data.
        raise RenderError(f"{len(watcher.problems)} problem(s) drawing the report")
    assert pdf is not None
    return pdf
