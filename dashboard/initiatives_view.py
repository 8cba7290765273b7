"""The strategy's initiatives: markers on the trend charts of their targets and the
status table grouped by focus area, like the strategy's annex 1."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data
from etl.contract import FOKUSOMRAADER, INDSATS_STATUS
from queries import fmt

# A sign beside the words, so status never rests on colour alone.
STATUS_SIGNS = {
    "implementeret": "●",
    "delvist_implementeret": "◐",
    "paa_vej": "→",
    "afventer": "‖",
    "ikke_implementeret": "○",
}


def status_text(code: str) -> str:
    return f"{STATUS_SIGNS.get(code, '')} {INDSATS_STATUS.get(code, code)}".strip()


def for_targets(target_ids: list[str]) -> pd.DataFrame:
    """Started initiatives serving any of the targets, once each, in order of start."""
    frame = data.initiatives()
    if frame.empty:
        return frame
    rows = frame[frame.maal_id.isin(target_ids) & frame.start_dato.notna()]
    rows = rows.drop_duplicates("navn").sort_values(["start_dato", "navn"])
    return rows.assign(status_tekst=rows.status.map(status_text))


def mark(fig: go.Figure, target_ids: list[str], dates: bool = False) -> go.Figure:
    """The chart with a labelled line where each of its targets' initiatives started."""
    charts.add_initiatives(fig, for_targets(target_ids), dates)
    return fig


def mark_metrics(fig: go.Figure, metrics: list[str], educations: list[str],
                 dates: bool = False) -> go.Figure:
    """Mark the initiatives of the targets on these metrics, for the chosen educations."""
    targets, _problem = data.targets()
    ids = [t.id for t in targets if t.metric in metrics
           and (not t.uddannelse or t.uddannelse in educations)]
    return mark(fig, ids, dates)


def status_tables() -> list[tuple[str, pd.DataFrame]]:
    """One table per focus area: initiative, start, status and the targets it serves."""
    frame = data.initiatives()
    if frame.empty:
        return []
    targets, _problem = data.targets()
    labels = {t.id: t.label for t in targets}
    tables = []
    for code, title in FOKUSOMRAADER.items():
        rows = frame[frame.fokusomraade == code]
        if rows.empty:
            continue
        served = rows.groupby("navn", sort=False).maal_id.agg(
            lambda ids: ", ".join(labels.get(i, i) for i in ids.dropna()) or "–")
        first = rows.drop_duplicates("navn").set_index("navn")
        tables.append((title, pd.DataFrame({
            "Indsats": first.index,
            "Start": [fmt.month(d) if pd.notna(d) else "ikke startet" for d in first.start_dato],
            "Status": [status_text(s) for s in first.status],
            "Mål": served.reindex(first.index).to_list(),
        })))
    return tables


def status_section() -> None:
    tables = status_tables()
    if not tables:
        st.caption("Ingen indsatser indlæst. Læg filen indsatser.csv i datamappen for at "
                   "følge strategiens indsatser her og på graferne.")
        return
    st.subheader("Indsatser")
    for title, table in tables:
        st.markdown(f"**{title}**")
        st.dataframe(table, hide_index=True, width="stretch", key=f"indsatser_{title}")
    st.caption("● Implementeret · ◐ Delvist implementeret · → På vej · ‖ Afventer · "
               "○ Ikke implementeret. Indsatser med et mål vises som en prikket linje på "
               "målets grafer, fra den måned de startede.")
