"""Recruitment figures shaped for charts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sosu.app import charts, data
from sosu.app.filters import Filters
from sosu.domain import fmt
from sosu.metrics.datasets import ALL
from sosu.metrics.protect import SUFFIX, is_protected

INTERNAL = {"intern_ufaglaert": "Egne ufaglærte", "intern_ssh": "Egne SSH'ere → SSA"}


def target_lines(fig: go.Figure, metrics: list[str], educations: list[str]) -> None:
    targets, _problem = data.targets()
    for target in targets:
        if target.metric in metrics and (not target.uddannelse
                                         or target.uddannelse in educations):
            charts.add_target(fig, target.goal_value,
                              f"Mål: {target.label.lower()} ≥ {fmt.number(target.goal_value)}",
                              charts.COLOURS.get(target.uddannelse or ""))


def hires_frame(filters: Filters) -> pd.DataFrame:
    return data.dataset("hires", filters.request())


def per_education(hires: pd.DataFrame) -> pd.DataFrame:
    return hires[hires.uddannelse != ALL]


def internal_frame(hires: pd.DataFrame) -> pd.DataFrame:
    """Internal recruitment per year for both educations together, as the targets count it."""
    educations = hires.uddannelse.unique()
    per_year = hires[hires.uddannelse == (ALL if ALL in educations else educations[0])]
    frame = per_year.melt(id_vars="aar", value_vars=list(INTERNAL), var_name="kilde",
                          value_name="antal")
    frame["gruppe"] = frame.kilde.map(INTERNAL)
    if is_protected(hires):
        frame["antal" + SUFFIX] = per_year.melt(
            id_vars="aar", value_vars=[c + SUFFIX for c in INTERNAL]).value.to_numpy()
    frame["hover"] = [f"{g} {a}: {fmt.count(k)}" for g, a, k in
                      zip(frame.gruppe, frame.aar, frame.antal, strict=True)]
    return frame


def age_frame(filters: Filters) -> pd.DataFrame:
    frame = data.dataset("age_bands", filters.request())
    if frame.empty:
        return frame
    frame = frame.assign(hover=[
        f"{u}, {g} år: {fmt.count_of(k, n)} ({fmt.pct(k / n if k == k and n else None, 0)})"
        for u, g, k, n in zip(frame.uddannelse, frame.aldersgruppe, frame.antal, frame.i_alt,
                              strict=True)])
    return frame
