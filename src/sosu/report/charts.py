"""Static charts for the PDF, drawn offline with matplotlib (no browser, nothing
downloaded), in the dashboard's colour-blind safe palette and readable in grey.

Each chart is SVG with its text kept as text (selectable, searchable, sharp at any zoom)
and carries its name and a description for the PDF's alternative text, worded as the
dashboard's accessible description (sosu.app.charts.describe): the title and each
series' latest value."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: the report is built on servers and in tests
# Every text drawn is data or a label, never a formula: "$" must not start mathtext,
# or an initiative named "Kursus $\\frac{a}{b$" breaks every report. The setting is read
# by every Text matplotlib creates (titles, annotations, legends, ticks).
matplotlib.rcParams["text.parse_math"] = False
# Text stays <text> in the SVG (not glyph outlines), so the PDF holds it as text; no
# random ids or date in the file, so the same data give the same report.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "sosu-overblik"
matplotlib.rcParams["font.family"] = "DejaVu Sans"

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sosu.domain import palette  # noqa: E402
from sosu.domain.fmt import date, number, pct  # noqa: E402
from sosu.domain.targets import Target  # noqa: E402
from sosu.metrics.scorecard import series_for  # noqa: E402

COLOURS = {**palette.EDUCATION, "Stedet": palette.SITE, "Hele kommunen": "#000000"}
MARKERS = {"SSH": "o", "SSA": "s", "I alt": "^", "Stedet": "o", "Hele kommunen": "s"}
SIZE = (4.6, 2.9)  # inches; two a row on A4, so text stays readable when printed


@dataclass(frozen=True)
class Chart:
    """A drawn chart: SVG, its name (the title) and its description (the alternative
    text: the title, each series' latest value, the initiatives marked)."""

    svg: bytes
    name: str
    description: str


def described(title: str, latest: list[str], extra: str = "") -> str:
    """The dashboard's wording (sosu.app.charts.describe) without its pointer to a table:
    "Titel. Seneste værdi – Serie: periode: værdi; …"."""
    if not latest:
        return f"{title}. Ingen værdier.{extra}"
    return f"{title}. Seneste værdi – " + "; ".join(latest) + f".{extra}"


def _figure(title: str, percent: bool) -> tuple[plt.Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=SIZE, dpi=150)
    # Fixed margins, room for a title line and ticks like "20.000" or "12,5 %": every
    # chart's plot area lines up in the grid, and no tight_layout pass (a third of the
    # time a chart took).
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.1)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Sick leave moves in tenths of a per cent: one decimal keeps the ticks apart.
    ax.yaxis.set_major_formatter(FuncFormatter(
        (lambda v, _: pct(v, 1)) if percent else (lambda v, _: number(v))))
    ax.tick_params(labelsize=8)
    return fig, ax


def _svg(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def target_line(ax: plt.Axes, value: float, text: str) -> None:
    ax.axhline(value, color="#000000", linestyle="--", linewidth=1)
    ax.annotate(text, (0, value), xycoords=("axes fraction", "data"), fontsize=7,
                xytext=(2, 2), textcoords="offset points")


def lines_by_education(frame: pd.DataFrame, x: str, y: str, title: str, percent: bool,
                       goals: dict[str, float] | None = None) -> Chart:
    """One line per education; hidden (suppressed) values leave gaps, never zeros, and
    the description gives each line's latest value that is shown."""
    fig, ax = _figure(title, percent)
    latest = []
    for education, rows in frame.groupby("uddannelse", sort=False):
        name = str(education)
        ax.plot(rows[x], rows[y], marker=MARKERS.get(name, "o"), markersize=4,
                color=COLOURS.get(name, palette.SITE), label=name, linewidth=1.5)
        shown = rows[rows[y].notna()]
        if len(shown):
            value = float(shown[y].iloc[-1])
            latest.append(f"{name}: {shown[x].iloc[-1]}: "
                          f"{pct(value) if percent else number(value, 1)}")
    goal_texts = []
    for name, value in (goals or {}).items():
        goal_texts.append(f"Mål {name}: {pct(value) if percent else number(value)}")
        target_line(ax, value, goal_texts[-1])
    if len(frame):
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    extra = "".join(f" {text}." for text in goal_texts)
    return Chart(_svg(fig), title, described(title, latest, extra))


def initiative_lines(ax: plt.Axes, initiatives: pd.DataFrame) -> None:
    """A dotted line where each initiative started, its name written along it."""
    for name, start in zip(initiatives.navn.tolist(),
                           pd.to_datetime(initiatives.start_dato).tolist(), strict=True):
        position = start.year + (start.month - 1) / 12
        ax.axvline(position, color=palette.INITIATIVE, linestyle=":", linewidth=1)
        short = name if len(name) <= 28 else name[:27] + "…"
        ax.annotate(short, (position, 1), xycoords=("data", "axes fraction"), fontsize=6,
                    rotation=90, va="top", ha="right", color=palette.INITIATIVE,
                    xytext=(-1, -2), textcoords="offset points")


def initiatives_said(initiatives: pd.DataFrame | None) -> str:
    """The initiatives a chart marks, for its description: name and start."""
    if initiatives is None or initiatives.empty:
        return ""
    starts = pd.to_datetime(initiatives.start_dato).tolist()
    return " Indsatser markeret, hvor de startede: " + "; ".join(
        f"{name} (fra {date(start)})"
        for name, start in zip(initiatives.navn.tolist(), starts, strict=True)) + "."


def trajectory(series: pd.DataFrame, target: Target,
               initiatives: pd.DataFrame | None = None) -> Chart:
    """A target's values against the straight line from baseline to goal, with the
    initiatives serving it where they started."""
    rows = series_for(series, target)
    fig, ax = _figure(target.label, target.is_rate)
    line = target.trajectory([int(y) for y in rows.aar])
    if line:
        ax.plot([y for y, _ in line], [v for _, v in line], linestyle="--", color="#000000",
                linewidth=1, label="Målkurve")
    ax.plot(rows.aar, rows.vaerdi, color=COLOURS["SSH"], label="Værdi", linewidth=1.5)
    final = rows.endelig.astype(bool)
    ax.scatter(rows.aar[final], rows.vaerdi[final], color=COLOURS["SSH"], s=18, zorder=3)
    ax.scatter(rows.aar[~final], rows.vaerdi[~final], facecolors="white", s=18, zorder=3,
               edgecolors=COLOURS["SSH"], label="Foreløbig")
    if initiatives is not None and len(initiatives):
        initiative_lines(ax, initiatives)
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    show = pct if target.is_rate else number
    # As the dashboard's trend chart says it (its hover text): "2024: 8,8 % (foreløbigt
    # tal)"; the target line is not a value.
    shown = rows[rows.vaerdi.notna()]
    latest = [] if shown.empty else [
        f"Værdi: {shown.periode.iloc[-1]}: {show(float(shown.vaerdi.iloc[-1]))}"
        f"{'' if bool(shown.endelig.iloc[-1]) else ' (foreløbigt tal)'}"]
    return Chart(_svg(fig), target.label,
                 described(target.label, latest, initiatives_said(initiatives)))
