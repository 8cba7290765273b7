"""Plotly figures: colour-blind safe, contrast ≥ 3:1 (domain/palette.py), Danish numbers
and months, targets drawn in."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from sosu.domain import fmt, palette

COLOURS = palette.EDUCATION
SEQUENCE = palette.SEQUENCE
TARGET_STYLE = {"color": palette.TARGET, "dash": "dash", "width": 1.5}


def _safe(values: pd.Series) -> pd.Series:
    """Plotly reads a little HTML in labels; data (site names) must stay plain text."""
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        return values.map(lambda v: html.escape(str(v)))
    return values


# The trace types the dashboard draws, and the layout keys of Plotly's "plotly_white"
# theme that bar and line charts on x/y axes read. Plotly validates a figure's theme
# whole each time a figure is made: the whole of "plotly_white" (styles for 24 trace
# types, colour scales, maps, 3-D scenes) cost 11 ms of CPU per figure, this part 2 ms.
TRACE_TYPES = ("bar", "scatter")
_THEME_LAYOUT = ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel",
                 "paper_bgcolor", "plot_bgcolor", "xaxis", "yaxis", "shapedefaults",
                 "annotationdefaults", "title")


def _theme() -> go.layout.Template:
    white = pio.templates["plotly_white"]
    layout = white.layout.to_plotly_json()
    return go.layout.Template(layout={k: layout[k] for k in _THEME_LAYOUT if k in layout},
                              data={kind: white.data[kind] for kind in TRACE_TYPES})


THEME = _theme()


def _figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """The figure in one constructor, traces and layout as plain dicts with the theme set
    from the start: Plotly validates what it is given once, where each add_trace,
    update_layout or add_shape call validated its argument again (a chart built that way
    took 10 ms of CPU, built at once 2.5 ms; the figure is the same)."""
    return go.Figure(data=[_arrays(trace) for trace in traces],
                     layout={"template": THEME, **layout})


def _arrays(values: dict[str, Any]) -> dict[str, Any]:
    """Columns with a NumPy dtype as their NumPy arrays: Plotly reads a pandas column
    through narwhals into the very same array, at 0.1 ms of CPU a column. Columns of
    pandas' own dtypes (text, nullable numbers) are left to Plotly."""
    return {key: value.to_numpy() if isinstance(value, pd.Series)
            and isinstance(value.dtype, np.dtype)
            else _arrays(value) if isinstance(value, dict) else value
            for key, value in values.items()}


def _layout(title: str, y_title: str, percent: bool, **more: object) -> dict[str, Any]:
    """The common layout, and `more` of it (a key of `more` replaces the common one)."""
    layout: dict[str, Any] = {
        "title": title, "height": 380, "margin": {"t": 60, "b": 40},
        "legend": {"orientation": "h", "y": -0.15}, "separators": ",.",
        "hovermode": "closest", "font": {"size": 13},
        "yaxis": {"title": y_title, "tickformat": ".0%" if percent else ",d",
                  "rangemode": "tozero"},
    }
    return layout | more


def _target(value: float, text: str, colour: str | None = None
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A target line's shape and label: a dashed line across the chart at `value`,
    labelled above its left end (what Plotly's add_hline draws, at a fraction of its CPU)."""
    style = dict(TARGET_STYLE, color=colour or TARGET_STYLE["color"])
    shape = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": value,
             "y1": value, "line": style}
    label = {"text": text, "showarrow": False, "xref": "x domain", "x": 0,
             "xanchor": "left", "yref": "y", "y": value, "yanchor": "bottom"}
    return shape, label


def add_target(fig: go.Figure, value: float, text: str, colour: str | None = None) -> None:
    """A target line (see _target) on a figure already built."""
    shape, label = _target(value, text, colour)
    fig.add_shape(**shape)
    fig.add_annotation(**label)


INITIATIVE_STYLE = {"color": palette.INITIATIVE, "dash": "dot", "width": 1}
LABEL_LENGTH = 26


def _short(name: str) -> str:
    return name if len(name) <= LABEL_LENGTH else name[:LABEL_LENGTH - 1] + "…"


def _first_x(fig: go.Figure, dates: bool) -> float | None:
    """The chart's first x as a fractional year (None for an empty chart)."""
    values = [x for trace in fig.data if getattr(trace, "x", None) is not None
              for x in trace.x if x is not None]
    if not values:
        return None
    if dates:
        first = min(pd.Timestamp(v) for v in values)
        return first.year + (first.month - 1) / 12
    return float(min(float(v) for v in values))


def add_initiatives(fig: go.Figure, initiatives: pd.DataFrame, dates: bool = False) -> None:
    """A dotted line where each initiative started, labelled with its name (hover: the
    whole name, status and date). On a yearly axis the line sits at the start month's
    place in the year; labels of initiatives close together are stacked, not overlaid."""
    if initiatives.empty:
        return
    first = _first_x(fig, dates)
    placed: list[float] = []
    starts = pd.to_datetime(initiatives.start_dato).tolist()
    for name, status, start in zip(initiatives.navn.tolist(), initiatives.status_tekst.tolist(),
                                   starts, strict=True):
        position = start.year + (start.month - 1) / 12
        if first is not None and position < first:
            continue  # started before the chart begins: a line there would stretch the axis
        # A label runs about three years to the right on a ten-year axis.
        level = sum(1 for other in placed if abs(other - position) < 3)
        placed.append(position)
        fig.add_vline(
            x=start.timestamp() * 1000 if dates else position,
            line=INITIATIVE_STYLE,
            annotation={
                "text": html.escape(_short(str(name))),
                "hovertext": html.escape(f"{name} · {status} · fra {fmt.date(start)}"),
                "font": {"size": 10, "color": INITIATIVE_STYLE["color"]},
                "yshift": -14 * level, "xanchor": "left", "showarrow": False,
            },
            annotation_position="top right",
        )


def _with_targets(layout: dict[str, Any],
                  lines: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """The layout with these target lines (shapes and labels), if any."""
    if lines:
        layout["shapes"] = [shape for shape, _label in lines]
        layout["annotations"] = [label for _shape, label in lines]
    return layout


def rate_by_cohort(frame: pd.DataFrame, count: str, total: str, title: str,
                   targets: dict[str, float] | None = None, stem: str | None = None
                   ) -> go.Figure:
    """Rate per cohort (columns andel_<stem>, <stem>_nedre/_oevre from the SQL view) with
    its Wilson interval; running cohorts drawn hollow."""
    stem = stem or count
    traces: list[dict[str, Any]] = []
    for education, rows in frame.groupby("uddannelse", sort=False):
        rate = rows[f"andel_{stem}"]
        lower, upper = rows[f"{stem}_nedre"], rows[f"{stem}_oevre"]
        hover = [
            f"Årgang {a}: {fmt.pct(r)} ({fmt.count_of(k, n)})"
            f"{'' if done else ' – årgangen er ikke færdig'}<br>{fmt.interval(lo, hi)}"
            for a, r, k, n, done, lo, hi in zip(
                rows.aargang, rate, rows[count], rows[total], rows.afsluttet,
                lower, upper, strict=True)
        ]
        traces.append({
            "type": "scatter", "x": rows.aargang, "y": rate, "name": str(education),
            "mode": "lines+markers", "line": {"color": COLOURS.get(str(education))},
            "marker": {"size": 10, "symbol": ["circle" if d else "circle-open"
                                              for d in rows.afsluttet]},
            "error_y": {"type": "data", "symmetric": False, "array": upper - rate,
                        "arrayminus": rate - lower, "thickness": 1},
            "hovertext": hover, "hoverinfo": "text",
        })
    lines = [_target(value, f"Mål {education}: {fmt.pct(value)}", COLOURS.get(education))
             for education, value in (targets or {}).items()]
    return _figure(traces, _with_targets(_layout(title, "Andel", percent=True, xaxis={
        "title": "Årgang (ansættelsesår) · hul markør = årgangen er ikke færdig", "dtick": 1}),
        lines))


def bars(frame: pd.DataFrame, x: str, y: str, colour: str, title: str, y_title: str,
         percent: bool = False, stacked: bool = False, hover: str | None = None,
         labels: dict[str, str] | None = None) -> go.Figure:
    traces: list[dict[str, Any]] = []
    for index, (group, rows) in enumerate(frame.groupby(colour, sort=False)):
        name = (labels or {}).get(str(group), str(group))
        traces.append({
            "type": "bar", "x": _safe(rows[x]), "y": rows[y], "name": html.escape(name),
            "marker": {"color": COLOURS.get(str(group), SEQUENCE[index % len(SEQUENCE)])},
            "hovertext": _safe(rows[hover]) if hover else None,
            "hoverinfo": "text+name" if hover else None,
        })
    return _figure(traces, _layout(
        title, y_title, percent, barmode="stack" if stacked else "group",
        xaxis={"dtick": 1 if pd.api.types.is_integer_dtype(frame[x]) else None}))


def lines(frame: pd.DataFrame, x: str, y: str, colour: str, title: str, y_title: str,
          percent: bool = False, hover: str | None = None) -> go.Figure:
    traces: list[dict[str, Any]] = []
    for index, (group, rows) in enumerate(frame.groupby(colour, sort=False)):
        traces.append({
            "type": "scatter", "x": _safe(rows[x]), "y": rows[y], "name": html.escape(str(group)),
            "mode": "lines+markers",
            "line": {"color": COLOURS.get(str(group), SEQUENCE[index % len(SEQUENCE)]),
                     "shape": "hv" if x == "maaneder" else "linear"},
            "hovertext": _safe(rows[hover]) if hover else None,
            "hoverinfo": "text" if hover else None,
        })
    return _figure(traces, _layout(title, y_title, percent))


def trajectory(rows: pd.DataFrame, line: list[tuple[int, float]], title: str,
               percent: bool) -> go.Figure:
    """A target's values per year (hollow while not final) and the line to its goal."""
    traces: list[dict[str, Any]] = []
    if line:
        traces.append({"type": "scatter", "x": [x for x, _ in line], "y": [y for _, y in line],
                       "name": "Målkurve", "mode": "lines", "line": TARGET_STYLE})
    traces.append({
        "type": "scatter", "x": rows.aar, "y": rows.vaerdi, "name": "Værdi",
        "mode": "lines+markers", "line": {"color": SEQUENCE[0]},
        "marker": {"size": 9, "symbol": ["circle" if f else "circle-open" for f in rows.endelig]},
        "hovertext": [f"{p}: {fmt.pct(v) if percent else fmt.number(v)}"
                      f"{'' if f else ' (foreløbigt tal)'}"
                      for p, v, f in zip(rows.periode, rows.vaerdi, rows.endelig, strict=True)],
        "hoverinfo": "text"})
    return _figure(traces, _layout(title, "", percent, xaxis={"dtick": 1}, height=260,
                                   margin={"t": 40, "b": 20}))


def rolling_months(frame: pd.DataFrame, title: str, y_title: str,
                   hover: str = "hover") -> go.Figure:
    """A rate per month (column `andel`, faint points behind) and its three-month rolling
    rate (`andel_3_mdr`, a line) per education: eight years of noisy months show their
    trend. The line carries the reading at full contrast; the points are context."""
    traces: list[dict[str, Any]] = []
    for index, (group, rows) in enumerate(frame.groupby("uddannelse", sort=False)):
        colour = COLOURS.get(str(group), SEQUENCE[index % len(SEQUENCE)])
        name = html.escape(str(group))
        traces.append({
            "type": "scatter", "x": rows.maaned, "y": rows.andel, "name": f"{name}, pr. måned",
            "mode": "markers", "marker": {"color": colour, "size": 5, "opacity": 0.35},
            "legendgroup": name, "hovertext": _safe(rows[hover]), "hoverinfo": "text"})
        traces.append({
            "type": "scatter", "x": rows.maaned, "y": rows.andel_3_mdr,
            "name": f"{name}, 3 mdr. glidende", "mode": "lines",
            "line": {"color": colour, "width": 2.5}, "legendgroup": name,
            "hovertext": [f"{name} {fmt.month(m)}: {fmt.pct(v, 2)} de seneste 3 måneder"
                          for m, v in zip(rows.maaned, rows.andel_3_mdr, strict=True)],
            "hoverinfo": "text", "connectgaps": False})
    layout = _layout(title, y_title, percent=True)
    ticks = _month_ticks(frame.maaned.tolist() if len(traces) else [])
    if ticks:
        layout["xaxis"] = ticks
    return _figure(traces, layout)


SHORT_MONTHS = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.",
                "okt.", "nov.", "dec.")


def _month_ticks(xs: list[Any], ticks: int = 10) -> dict[str, Any] | None:
    """Danish month ticks (every n months, at most about `ticks`) for these x values."""
    dates = sorted({pd.Timestamp(x) for x in xs if x is not None and not pd.isna(x)})
    if not dates:
        return None
    first, last = dates[0], dates[-1]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= ticks)
    start = pd.Timestamp(first.year, 1 if step >= 12 else first.month, 1)
    values = [v for v in pd.date_range(start, last, freq=f"{step}MS") if v >= first]
    text = [str(v.year) if step >= 12 else f"{SHORT_MONTHS[v.month - 1]} {v.year}"
            for v in values]
    return {"tickvals": values, "ticktext": text}


def danish_months(fig: go.Figure, ticks: int = 10) -> None:
    """Month axes in Danish: Plotly writes English month names and has no Danish locale
    in Streamlit, so the ticks are set here (every n months, at most about `ticks`)."""
    found = _month_ticks([x for trace in fig.data if getattr(trace, "x", None) is not None
                          for x in trace.x], ticks)
    if found:
        fig.update_xaxes(found)


def danish_percent_ticks(fig: go.Figure, most: int = 8) -> None:
    """Percent ticks as Danish writes them, "10 %" (Plotly's ".0%" gives "10%"): ticks
    chosen from the largest value drawn (points, interval tops, target lines)."""
    if fig.layout.yaxis.tickformat != ".0%":
        return
    values: list[float] = []
    for trace in fig.data:
        raw = getattr(trace, "y", None)
        ys = [float(y) for y in (() if raw is None else raw)
              if y is not None and not pd.isna(y)]
        values += ys
        error = getattr(trace, "error_y", None)
        if error is not None and error.array is not None and ys:
            values += [y + float(e) for y, e in zip(trace.y, error.array, strict=False)
                       if y is not None and e is not None and not pd.isna(y) and not pd.isna(e)]
    values += [float(shape.y0) for shape in fig.layout.shapes
               if shape.y0 is not None and shape.y0 == shape.y1 and shape.yref == "y"]
    top = max([v for v in values if v == v] or [1.0])
    step = next((s for s in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25)
                 if top / s <= most), 0.5)
    ticks = [round(i * step, 4) for i in range(int(top / step) + 2)]
    decimals = 0 if abs(step * 100 - round(step * 100)) < 1e-9 else 1
    # Set on the one y axis the charts have: update_yaxes looks for every y axis and
    # validates its whole argument again (0.5 ms of CPU more a chart).
    fig.layout.yaxis.tickvals = ticks
    fig.layout.yaxis.ticktext = [fmt.pct(t, decimals) for t in ticks]


_TAGS = re.compile(r"<[^>]+>")


def describe(fig: go.Figure) -> str:
    """The chart's accessible name and description: its title and each series' latest
    point as the hover text says it (Danish numbers, counts, intervals)."""
    title = fig.layout.title.text or "Graf"
    latest = []
    for trace in fig.data:
        if getattr(trace, "y", None) is None or not trace.name or trace.name == "Målkurve":
            continue
        points = [i for i, y in enumerate(trace.y) if y is not None and not pd.isna(y)]
        if not points:
            continue
        last = points[-1]
        texts = trace.hovertext
        if texts is not None and not isinstance(texts, str) and len(texts) > last:
            said = str(texts[last])
        else:
            x, y = trace.x[last], trace.y[last]
            percent = fig.layout.yaxis.tickformat == ".0%"
            said = f"{x}: {fmt.pct(y) if percent else fmt.number(y, 1)}"
        said = html.unescape(_TAGS.sub(" ", said)).strip()
        name = html.unescape(str(trace.name))
        latest.append(said if said.startswith(name) else f"{name}: {said}")
    if not latest:
        return f"{title}. Ingen værdier."
    return f"{title}. Seneste værdi – " + "; ".join(latest) + ". Tallene står i tabellen."
