"""One scorecard card per target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sosu.app import charts, ui
from sosu.domain import fmt
from sosu.metrics.scorecard import WAITING, Fulfilment, Score, series_for, statements

STATUS_ICON = {"nået": "✅", "på vej": "↗️", "ikke på vej": "⚠️", "usikker": "〰️",
               WAITING: "⏳", "for få data": "❔"}


def _value(score: Score, value: float | None) -> str:
    return fmt.pct(value) if score.target.is_rate else fmt.number(value)


def score_card(score: Score) -> None:
    target = score.target
    with st.container(border=True):
        st.markdown(f"**{target.label}**")
        st.metric("Seneste værdi", f"{_value(score, score.value)} {score.trend}",
                  help=f"Periode: {score.period or '–'}")
        st.markdown(f"{STATUS_ICON[score.status]} **{score.status}** · mål "
                    f"{_value(score, target.goal_value)} i {target.frist}")
        if score.fulfilment is not None:
            ui.fulfilment_bar(score.fulfilment, score.status)
        details = [f"Periode: {score.period or '–'}"]
        base = score.baseline
        if target.baseline is not None:
            measured = base is not None and base.measured is not None
            details.append(f"udgangspunkt {_value(score, target.baseline)} "
                           f"({target.baseline_periode or '–'}"
                           f"{', målt i data' if measured else ''})")
            if measured and base is not None:
                details.append(f"strategiens tal {_value(score, base.published)}"
                               + (f" ({base.definition})" if base.definition else ""))
        if score.expected is not None and target.maal_type != "absolut":
            details.append(f"målkurven siger {_value(score, score.expected)} nu")
        if target.metric in ("frafald_hovedforloeb", "ansat_efter"):
            details.append(fmt.count_of(score.numerator, score.denominator))
            details.append(fmt.interval(score.lower, score.upper))
        if not score.final:
            details.append("foreløbigt tal")
        if score.explanation:
            details.append(score.explanation)
        st.caption(" · ".join(d for d in details if d))
        # The same sentences as the report's summary (metrics.scorecard.statements).
        st.caption(" ".join(statements(score)))


def overall_card(result: Fulfilment, scores: list[Score]) -> None:
    """The weighted fulfilment over all targets, the way result contracts are scored."""
    waiting = {s.target.id for s in scores if s.status == WAITING}
    left_out = ", ".join(t.label for t in result.left_out if t.id not in waiting)
    later = ", ".join(t.label for t in result.left_out if t.id in waiting)
    st.metric("Samlet målopfyldelse (vægtet)", fmt.pct(result.share, 0),
              help="Hvert mål tæller med sin vægt fra data/targets.toml; et delvist nået mål "
                   "tæller med den andel af vejen fra udgangspunkt til mål, der er tilbagelagt.")
    st.caption(f"Heraf påvist ud over usikkerheden: {fmt.pct(result.certain, 0)} (mål med "
               "status 'usikker' tæller her 0).")
    if left_out:
        st.caption(f"Ikke med (for få data): {left_out}")
    if later:
        st.caption(f"Ikke med ({WAITING}: ingen nyere årgang eller periode end "
                   f"udgangspunktet): {later}")


def trend_chart(series: pd.DataFrame, score: Score) -> go.Figure:
    """The target's series against the straight line from baseline to goal."""
    target = score.target
    rows = series_for(series, target)
    return charts.trajectory(rows, target.trajectory([int(y) for y in rows.aar]),
                             target.label, target.is_rate)
