"""Presentation of dropout figures: Danish labels, hover texts, target lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sosu.app import charts, data
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


def incidence_frame(filters: Filters) -> pd.DataFrame:
    """Cumulative incidence of dropout and of completion per cohort, long: one row per
    cohort, outcome and month, with a Danish curve name and hover text."""
    frame = data.dataset("incidence", filters.request())
    if frame.empty:
        return frame
    parts = []
    for stem, word in (("frafald", "frafald"), ("gennemfoert", "gennemført")):
        part = frame[["uddannelse", "aargang", "maaneder", "i_risiko"]].assign(
            udfald=word, andel=frame[f"andel_{stem}"], nedre=frame[f"{stem}_nedre"],
            oevre=frame[f"{stem}_oevre"], andel_i_forloeb=frame.i_forloeb)
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long["kurve"] = (long.uddannelse + " " + long.aargang.astype(str) + ", " + long.udfald)
    long["hover"] = [f"{c}, {m} mdr.: {fmt.pct(a)} ({fmt.interval(lo, hi)}); stadig i "
                     f"forløb {fmt.pct(s)} ({fmt.number(r)} i risiko)"
                     for c, m, a, lo, hi, s, r in zip(
                         long.kurve, long.maaneder, long.andel, long.nedre, long.oevre,
                         long.andel_i_forloeb, long.i_risiko, strict=True)]
    return long


def projection_frame(filters: Filters) -> pd.DataFrame:
    """The running cohorts' projected final main-course dropout (the finished cohorts'
    own values are in the cohort table)."""
    frame = data.dataset("projections", filters.request())
    if frame.empty:
        return frame
    return frame[~frame.afsluttet.astype(bool)].reset_index(drop=True)


def add_projections(fig: go.Figure, projected: pd.DataFrame) -> go.Figure:
    """Each running cohort's projected final main-course dropout beside the cohorts: a
    hollow diamond with its 95 % interval."""
    for education, rows in projected.groupby("uddannelse", sort=False):
        value = rows.andel_frafald_hovedforloeb
        fig.add_trace(go.Scatter(
            x=rows.aargang, y=value, name=f"{education} fremskrevet", mode="markers",
            marker={"size": 12, "symbol": "diamond-open",
                    "color": charts.COLOURS.get(str(education))},
            error_y={"type": "data", "symmetric": False,
                     "array": rows.frafald_hovedforloeb_oevre - value,
                     "arrayminus": value - rows.frafald_hovedforloeb_nedre, "thickness": 1},
            hovertext=[f"Årgang {a}: ventes at ende på {fmt.pct(v)} frafald i hovedforløbet "
                       f"({fmt.interval(lo, hi)}); fremskrevet med årgangens egne måneder "
                       "og de tidligere årganges"
                       for a, v, lo, hi in zip(rows.aargang, value,
                                               rows.frafald_hovedforloeb_nedre,
                                               rows.frafald_hovedforloeb_oevre, strict=True)],
            hoverinfo="text"))
    return fig


def backtest_frame(filters: Filters) -> pd.DataFrame:
    """The projection's back-test, with Danish column names (the education team only)."""
    frame = data.projection_backtest(filters.request())
    if frame.empty:
        return frame
    return pd.DataFrame({
        "Uddannelse": frame.uddannelse, "Årgang": frame.aargang,
        "Måneder efter sidste ansættelse": frame.maaneder_efter,
        "Data pr.": [fmt.date(d) for d in frame.pr_dato],
        "Tidligere årgange": frame.tidligere_aargange,
        "Fremskrevet": [fmt.pct(v) for v in frame.fremskrevet],
        "95 %-interval": [f"{fmt.pct(lo, 0)}–{fmt.pct(hi, 0)}"
                          for lo, hi in zip(frame.nedre, frame.oevre, strict=True)],
        "Uafklaret": [fmt.pct(v, 0) for v in frame.uafklaret],
        "Faktisk": [fmt.pct(v) for v in frame.faktisk],
        "Intervallet ramte": ["ja" if d else "nej" for d in frame.daekket],
    })
