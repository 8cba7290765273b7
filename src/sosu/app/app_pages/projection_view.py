"""The Frafald page's competing-risk parts: running cohorts' projections beside the
cohorts, the cumulative-incidence curves and the projection's back-test."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sosu.app import charts, ui
from sosu.app.app_pages.frafald_view import (
    add_projections,
    backtest_frame,
    incidence_frame,
    projection_frame,
)
from sosu.app.filters import Filters
from sosu.app.viewer import current_viewer


def with_projections(fig: go.Figure, filters: Filters, with_switch: bool) -> pd.DataFrame:
    """Add each running cohort's projected final main-course dropout to the dropout chart;
    the projection counts switches as dropout, as the target does, so none without."""
    projected = projection_frame(filters) if with_switch else pd.DataFrame()
    if len(projected):
        add_projections(fig, projected)
    return projected


def projection_table(projected: pd.DataFrame) -> None:
    if projected.empty:
        return
    st.caption("◇ Fremskrevet: en igangværende årgangs forventede frafald i hovedforløbet, "
               "når alle er færdige, med 95 %-interval (Aalen–Johansen: frafald og "
               "gennemførelse konkurrerer, aktive elever censureres; årgangens egne "
               "måneder, derefter de tidligere årganges).")
    ui.table(projected.drop(columns=["afsluttet"]).rename(
        columns={"i_forloeb": "andel_uafklaret"}), "frafald_fremskrevet", "projections")


def incidence_section(filters: Filters) -> None:
    """On request, as Overblik's trend charts: a curve per cohort and outcome is the
    heaviest chart to draw, and the charts above answer the page's first questions."""
    if not st.toggle("Vis andel stadig i forløb, frafaldet og gennemført over tid "
                     "(kumuleret incidens)", key="vis_overlevelse"):
        return
    curves = incidence_frame(filters)
    if curves.empty:
        return
    ui.chart(charts.lines(curves, "maaneder", "andel", "kurve",
                          "Andel frafaldet og gennemført efter måneder siden ansættelse "
                          "(kumuleret incidens, Aalen–Johansen)", "Andel af årgangen",
                          percent=True, hover="hover"),
             curves, "kumuleret_incidens", "survival")
    st.caption("Frafald og gennemførelse er konkurrerende udfald: en elev, der har "
               "gennemført, kan ikke længere falde fra. Igangværende elever censureres. "
               "(Kaplan–Meier-kurven, som behandlede gennemførte som censurerede og derfor "
               "overvurderede frafaldet, er erstattet.)")


def backtest_section(filters: Filters) -> None:
    """The back-test rests on the data as they stood on past dates: the team's only."""
    if not current_viewer().may_see_individuals or not st.toggle(
            "Vis fremskrivningen prøvet på afsluttede årgange", key="vis_afproevning"):
        return
    backtest = backtest_frame(filters)
    if backtest.empty:
        return
    st.caption("For hver afsluttet årgang: fremskrivningen med data, som de så ud 12 og 24 "
               "måneder efter årgangens sidste ansættelse, mod årgangens faktiske frafald i "
               "hovedforløbet. 'Uafklaret' er den andel, fremskrivningen stadig havde i "
               "forløb (uden tidligere årgange at låne af bliver den en nedre grænse).")
    ui.table(backtest, "fremskrivning_afproevet", "backtest")
