"""The strategy's initiatives on the dashboard: markers on the trend charts of their
targets and the status table grouped by focus area, like the strategy's annex 1."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from sosu.app import charts, data, ui
from sosu.metrics import initiatives


def mark(fig: go.Figure, target_ids: list[str], dates: bool = False) -> go.Figure:
    """The chart with a labelled line where each of its targets' initiatives started."""
    charts.add_initiatives(fig, initiatives.started_for(data.initiatives(), target_ids), dates)
    return fig


def mark_metrics(fig: go.Figure, metrics: list[str], educations: list[str],
                 dates: bool = False) -> go.Figure:
    """Mark the initiatives of the targets on these metrics, for the chosen educations."""
    targets, _problem = data.targets()
    ids = [t.id for t in targets if t.metric in metrics
           and (not t.uddannelse or t.uddannelse in educations)]
    return mark(fig, ids, dates)


def status_section() -> None:
    frame = data.initiatives()
    if frame.empty:
        st.caption("Ingen indsatser indlæst. Læg filen indsatser.csv i datamappen for at "
                   "følge strategiens indsatser her og på graferne.")
        return
    targets, _problem = data.targets()
    st.subheader("Indsatser")
    for code, title, table in initiatives.status_tables(frame, {t.id: t.label for t in targets}):
        st.markdown(f"**{title}**")
        ui.dataframe(table, f"indsatser_{code}")
    st.caption(f"{initiatives.legend(frame)}. Indsatser med et mål vises som en prikket linje på "
               "målets grafer, fra den måned de startede.")
