"""One scorecard card per target."""

from __future__ import annotations

import streamlit as st

from dashboard import fmt
from queries.scorecard import Score

STATUS_ICON = {"nået": "✅", "på vej": "↗️", "ikke på vej": "⚠️", "usikker": "〰️",
               "for få data": "❔"}


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
        details = [f"Periode: {score.period or '–'}"]
        if target.baseline is not None:
            details.append(f"udgangspunkt {_value(score, target.baseline)} "
                           f"({target.baseline_periode or '–'})")
        if target.metric in ("frafald_hovedforloeb", "ansat_efter"):
            details.append(fmt.count_of(score.numerator, score.denominator))
            details.append(fmt.interval(score.lower, score.upper))
        if not score.final:
            details.append("foreløbigt tal")
        if score.explanation:
            details.append(score.explanation)
        st.caption(" · ".join(d for d in details if d))
