"""Sick leave for both educations and in total, with hover texts."""

from __future__ import annotations

import pandas as pd

from sosu.app import data
from sosu.app.filters import Filters
from sosu.domain import fmt


def _hover(frame: pd.DataFrame, period: pd.Series) -> list[str]:
    """A protected viewer gets shares and counts, never hours (metrics.release.Output)."""
    return [f"{u} {p}: {fmt.pct(a, 2)} ("
            + ("" if pd.isna(t) else f"{fmt.number(s)} af {fmt.number(t)} timer, ")
            + f"{fmt.count(e)} elever)"
            for u, p, a, s, t, e in zip(frame.uddannelse, period, frame.andel, frame.syge_timer,
                                        frame.planlagte_timer, frame.elever, strict=True)]


def yearly(filters: Filters, site: str | None = None, whole: bool = False) -> pd.DataFrame:
    frame = data.dataset("sick_leave_by_year", filters.request(site, whole))
    if frame.empty:
        return frame
    return frame.assign(hover=_hover(frame, frame.aar))


def monthly(filters: Filters) -> pd.DataFrame:
    frame = data.dataset("sick_leave_by_month", filters.request())
    if frame.empty:
        return frame
    return frame.assign(hover=_hover(frame, frame.maaned.map(fmt.month)))
