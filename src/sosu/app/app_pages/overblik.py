import pandas as pd
import streamlit as st

from sosu.app import data, ui
from sosu.app.app_pages.initiatives_view import mark, status_section
from sosu.app.app_pages.report_view import report_section
from sosu.app.app_pages.scorecard_view import overall_card, score_card, trend_chart
from sosu.metrics.datasets import EDUCATIONS, Request
from sosu.metrics.scorecard import WAITING, Score, overall, score, series_for


def trend_table(series: pd.DataFrame, result: Score) -> pd.DataFrame:
    """A trend chart's figures: each period's value beside the line to the goal."""
    target = result.target
    rows = series_for(series, target)
    line = dict(target.trajectory([int(y) for y in rows.aar]))
    value = "andel" if target.is_rate else "antal"
    return pd.DataFrame({
        "periode": rows.periode, value: rows.vaerdi,
        f"{value}_maalkurve": [line.get(int(y)) for y in rows.aar],
        "endelig": rows.endelig.astype(bool)})


if ui.page_header("Overblik", "Strategiens mål: seneste værdi mod målet, med udgangspunkt og "
                  "hvilken årgang eller periode tallet kommer fra."):
    targets, problem = data.targets()
    if problem:
        st.error(f"Målfilen data/targets.toml kan ikke bruges: {problem}")
    series = data.target_series()
    # The municipality's cohorts: each baseline measured the strategy's way beside ours.
    whole = Request(None, EDUCATIONS, data.year_span() or (0, 0))
    cohorts = data.dataset("cohorts", whole)
    # Running cohorts projected (Aalen–Johansen): a dropout target's status when no
    # finished cohort is newer than its baseline.
    projections = data.dataset("projections", whole)
    scores = [score(series, target, cohorts, projections) for target in targets]
    overall_card(overall(scores), scores)
    columns = st.columns(3)
    for index, result in enumerate(scores):
        with columns[index % 3]:
            score_card(result)
    st.caption("Status: nået · på vej (på eller bedre end den lige linje fra udgangspunkt til "
               "mål) · ikke på vej · usikker (ændringen ligger inden for usikkerheden) · "
               f"{WAITING} (ingen nyere årgang eller periode end udgangspunktet) · for få "
               "data (under 10 elever, eller tallet er skjult for dig). Andele vises med "
               "95 %-interval (Wilson); – betyder ingen data endnu eller skjult.")
    # A toggle, not an expander: a collapsed expander still draws its eight charts in
    # every browser, and Kvalitetsforum opens this page all at once (docs/performance.md).
    if st.toggle("Vis udviklingen mod hvert mål", key="vis_udvikling"):
        trend_columns = st.columns(2)
        for index, result in enumerate(scores):
            with trend_columns[index % 2]:
                # Each chart with its table and an accessible description (ui.chart).
                ui.chart(mark(trend_chart(series, result), [result.target.id]),
                         trend_table(series, result), f"udvikling_{result.target.id}",
                         f"trend_{result.target.id}")
    status_section()
    report_section()
