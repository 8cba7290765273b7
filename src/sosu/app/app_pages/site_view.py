"""One training site beside the whole municipality; the student list for the education team."""

from __future__ import annotations

import pandas as pd

from sosu.app import data
from sosu.app.app_pages.sygefravaer_view import yearly
from sosu.app.filters import ALL_SITES, Filters
from sosu.app.viewer import current_viewer
from sosu.metrics.datasets import ALL
from sosu.metrics.protect import SUFFIX

COLUMNS = ["uddannelse", "aargang", "ansatte", "gennemfoert", "frafald", "aktive",
           "ansat_efter", "andel_frafald", "andel_ansat_efter"]


def _shown(frame: pd.DataFrame, who: str) -> pd.DataFrame:
    columns = [c for c in frame
               if str(c).removesuffix(SUFFIX) in COLUMNS]
    return frame[columns].assign(hvem=who)


def comparison(site: str, filters: Filters) -> pd.DataFrame:
    own = data.dataset("cohorts", filters.request(site))
    if own.empty:
        return own
    everyone = data.dataset("cohorts", filters.request(whole=True))
    frame = pd.concat([_shown(own, site), _shown(everyone, ALL_SITES)], ignore_index=True)
    frame = frame[["hvem", *[c for c in frame if c != "hvem"]]]
    return frame.sort_values(["uddannelse", "aargang", "hvem"], ignore_index=True)


def _one_row_per_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Both educations together when both are chosen ("I alt"), else the one chosen."""
    return frame[frame.uddannelse == ALL] if (frame.uddannelse == ALL).any() else frame


def sick_leave_comparison(site: str, filters: Filters) -> pd.DataFrame:
    parts = [_one_row_per_year(frame).assign(hvem=who) for who, frame in (
        (site, yearly(filters, site)), (ALL_SITES, yearly(filters, whole=True)))
        if not frame.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def students(site: str, filters: Filters) -> pd.DataFrame | None:
    """The site's students, for the education team only (None for every other role)."""
    if not current_viewer().may_see_individuals:
        return None
    return data.dataset("students", filters.request(site))
