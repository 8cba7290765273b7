"""Presentation of dropout figures: Danish labels, hover texts, target lines."""

from __future__ import annotations

import pandas as pd

from sosu.app import data
from sosu.app.filters import Filters
from sosu.domain import fmt
from sosu.domain.contract import AARSAGER, FASER


def goals(metric: str = "frafald_hovedforloeb") -> dict[str, float]:
    targets, _problem = data.targets()
    return {t.uddannelse or "I alt": t.goal_value for t in targets if t.metric == metric}


def goal_lines(metric: str, decimals: int = 1) -> list[tuple[float, str]]:
    """Each target of `metric` as (level, label), the label naming the target's own
    deadline from the targets file (it is editable, so no year is written here)."""
    targets, _problem = data.targets()
    return [(t.goal_value, f"Mål {t.frist}: {fmt.pct(t.goal_value, decimals)}")
            for t in targets if t.metric == metric]


def has_switch_counts(cohorts: pd.DataFrame) -> bool:
    """Dropout without switches (omvalg) is the education team's view only."""
    return "frafald_hovedforloeb_uden_omvalg" in cohorts


def reason_frame(filters: Filters) -> pd.DataFrame:
    frame = data.dataset("dropout_reasons", filters.request())
    if frame.empty:
        return frame
    frame = frame.assign(aarsag_tekst=frame.aarsag.map(AARSAGER))
    frame["hover"] = [f"{u} {a}: {t} – {fmt.count_of(k, n)}"
                      for u, a, t, k, n in zip(frame.uddannelse, frame.aar, frame.aarsag_tekst,
                                               frame.antal, frame.i_alt, strict=True)]
    return frame


def phase_frame(filters: Filters, site: str | None = None) -> pd.DataFrame:
    frame = data.dataset("dropout_phases", filters.request(site))
    if frame.empty:
        return frame
    order = {code: i for i, code in enumerate(FASER)}
    frame = frame.assign(orden=frame.fase.map(order)).sort_values(["orden", "uddannelse"])
    frame["fase_tekst"] = frame.fase.map(FASER)
    frame["hover"] = [f"{u}, {t}: {fmt.count_of(k, n)} frafald"
                      for u, t, k, n in zip(frame.uddannelse, frame.fase_tekst, frame.antal,
                                            frame.i_alt, strict=True)]
    return frame.drop(columns="orden")


def survival_frame(filters: Filters) -> pd.DataFrame:
    frame = data.dataset("survival", filters.request())
    if frame.empty:
        return frame
    frame = frame.assign(kurve=frame.uddannelse + " " + frame.aargang.astype(str))
    frame["hover"] = [f"{c}, {m} mdr.: {fmt.pct(s)} i forløb ({int(r)} i risiko)"
                      for c, m, s, r in zip(frame.kurve, frame.maaneder, frame.andel_i_forloeb,
                                            frame.i_risiko, strict=True)]
    return frame
