"""Static charts for the PDF, drawn offline with matplotlib (no browser, nothing
downloaded), in the dashboard's colour-blind safe palette and readable in grey."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: the report is built on servers and in tests
# Every text drawn is data or a label, never a formula: "$" must not start mathtext,
# or an initiative named "Kursus $\\frac{a}{b$" breaks every report. The setting is read
# by every Text matplotlib creates (titles, annotations, legends, ticks).
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sosu.domain import palette  # noqa: E402
from sosu.domain.fmt import number, pct  # noqa: E402
from sosu.domain.targets import Target  # noqa: E402
from sosu.metrics.scorecard import series_for  # noqa: E402

COLOURS = {**palette.EDUCATION, "Stedet": palette.SITE, "Hele kommunen": "#000000"}
MARKERS = {"SSH": "o", "SSA": "s", "I alt": "^", "Stedet": "o", "Hele kommunen": "s"}
SIZE = (4.6, 2.9)  # inches; two a row on A4, so text stays readable when printed


def _figure(title: str, percent: bool) -> tuple[plt.Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=SIZE, dpi=150)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Sick leave moves in tenths of a per cent: one decimal keeps the ticks apart.
    ax.yaxis.set_major_formatter(FuncFormatter(
        (lambda v, _: pct(v, 1)) if percent else (lambda v, _: number(v))))
    ax.tick_params(labelsize=8)
    return fig, ax


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def target_line(ax: plt.Axes, value: float, text: str) -> None:
    ax.axhline(value, color="#000000", linestyle="--", linewidth=1)
    ax.annotate(text, (0, value), xycoords=("axes fraction", "data"), fontsize=7,
                xytext=(2, 2), textcoords="offset points")


def lines_by_education(frame: pd.DataFrame, x: str, y: str, title: str, percent: bool,
                       goals: dict[str, float] | None = None) -> bytes:
    """One line per education; hidden (suppressed) values leave gaps, never zeros."""
    fig, ax = _figure(title, percent)
    for education, rows in frame.groupby("uddannelse", sort=False):
        name = str(education)
        ax.plot(rows[x], rows[y], marker=MARKERS.get(name, "o"), markersize=4,
                color=COLOURS.get(name, palette.SITE), label=name, linewidth=1.5)
    for name, value in (goals or {}).items():
        target_line(ax, value, f"Mål {name}: {pct(value) if percent else number(value)}")
    if len(frame):
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    return _png(fig)


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


def trajectory(series: pd.DataFrame, target: Target,
               initiatives: pd.DataFrame | None = None) -> bytes:
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
    return _png(fig)
