"""One training site beside the whole municipality, with small numbers suppressed."""

from __future__ import annotations

import pandas as pd

from dashboard import data, fmt
from dashboard.filters import Filters
from dashboard.suppression import suppress
from dashboard.viewer import current_viewer

COUNTS = ["ansatte", "gennemfoert", "frafald", "aktive", "ansat_efter"]


def _cohort_rows(sites: list[str] | None, filters: Filters, who: str) -> pd.DataFrame:
    frame = data.metric("cohorts", sites, filters.educations)
    if frame.empty:
        return frame
    frame = frame[frame.aargang.between(*filters.years)]
    result = frame[["uddannelse", "aargang", *COUNTS]].copy()
    result.insert(0, "hvem", who)
    result["frafald_andel"] = [fmt.pct(r) for r in frame.andel_frafald]
    result["ansat_efter_andel"] = [fmt.pct(r) for r in frame.andel_ansat_efter]
    return result


def _suppressed(own: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide counts of `threshold` or fewer, and every rate built on a hidden count."""
    hidden = suppress(own.astype("object"), "ansatte", COUNTS[1:], threshold)
    mark = f"≤{threshold}"
    small_group = own.ansatte <= threshold
    hidden.loc[small_group, "ansatte"] = mark
    for rate, count in (("frafald_andel", "frafald"), ("ansat_efter_andel", "ansat_efter")):
        hidden.loc[small_group | (hidden[count] == mark), rate] = mark
    return hidden


def comparison(site: str, filters: Filters) -> pd.DataFrame:
    viewer = current_viewer()
    own = _cohort_rows([site], filters, site)
    if own.empty:
        return own
    if not viewer.may_see_individuals:
        own = _suppressed(own, viewer.threshold)
    everyone = _cohort_rows(None, filters, "Hele kommunen")
    frame = pd.concat([own.astype("object"), everyone.astype("object")], ignore_index=True)
    return frame.sort_values(["uddannelse", "aargang", "hvem"], ignore_index=True)


def sick_leave_comparison(site: str, filters: Filters) -> pd.DataFrame:
    parts = []
    for who, sites in ((site, [site]), ("Hele kommunen", None)):
        frame = data.metric("sick_leave_by_year", sites, filters.educations)
        if not frame.empty:
            parts.append(frame[frame.aar.between(*filters.years)].assign(hvem=who))
    if not parts:
        return pd.DataFrame()
    frame = pd.concat(parts, ignore_index=True)
    viewer = current_viewer()
    if not viewer.may_see_individuals:
        frame = frame[frame.elever > viewer.threshold]
    frame["hover"] = [f"{h} {a}: {fmt.pct(s, 2)} ({e} elever)"
                      for h, a, s, e in zip(frame.hvem, frame.aar, frame.andel, frame.elever,
                                            strict=True)]
    return frame
