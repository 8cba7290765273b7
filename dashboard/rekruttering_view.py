"""Recruitment figures shaped for charts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, data, fmt
from dashboard.filters import Filters

INTERNAL = {"intern_ufaglaert": "Egne ufaglærte", "intern_ssh": "Egne SSH'ere → SSA"}


def target_lines(fig: go.Figure, metrics: list[str], educations: list[str]) -> None:
    targets, _problem = data.targets()
    for target in targets:
        if target.metric in metrics and (not target.uddannelse
                                         or target.uddannelse in educations):
            charts.add_target(fig, target.goal_value,
                              f"Mål: {target.label.lower()} ≥ {fmt.number(target.goal_value)}",
                              charts.COLOURS.get(target.uddannelse or ""))


def internal_frame(hires: pd.DataFrame) -> pd.DataFrame:
    per_year = hires.groupby("aar", as_index=False)[list(INTERNAL)].sum()
    frame = per_year.melt(id_vars="aar", var_name="kilde", value_name="antal")
    frame["gruppe"] = frame.kilde.map(INTERNAL)
    return frame


def age_frame(filters: Filters) -> pd.DataFrame:
    frame = data.metric("age_bands", filters.sites, filters.educations)
    if frame.empty:
        return frame
    frame = frame[frame.aar.between(*filters.years)]
    frame = frame.groupby(["uddannelse", "aldersgruppe"], as_index=False).agg(
        antal=("antal", "sum"))
    totals = frame.groupby("uddannelse").antal.transform("sum")
    frame["hover"] = [f"{u}, {g} år: {fmt.count_of(k, n)} ({fmt.pct(k / n, 0)})"
                      for u, g, k, n in zip(frame.uddannelse, frame.aldersgruppe, frame.antal,
                                            totals, strict=True)]
    return frame
