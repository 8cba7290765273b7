"""Sick leave for both educations and in total, with hover texts."""

from __future__ import annotations

import pandas as pd

from dashboard import data, fmt
from dashboard.filters import Filters


def _by_education(name: str, filters: Filters) -> pd.DataFrame:
    parts = [data.metric(name, filters.sites, [e]).assign(uddannelse=e)
             for e in filters.educations]
    if len(filters.educations) > 1:
        parts.append(data.metric(name, filters.sites, filters.educations)
                     .assign(uddannelse="I alt"))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _hover(frame: pd.DataFrame, period: pd.Series) -> list[str]:
    return [f"{u} {p}: {fmt.pct(a, 2)} ({fmt.number(s)} af {fmt.number(t)} timer)"
            for u, p, a, s, t in zip(frame.uddannelse, period, frame.andel, frame.syge_timer,
                                     frame.planlagte_timer, strict=True)]


def yearly(filters: Filters) -> pd.DataFrame:
    frame = _by_education("sick_leave_by_year", filters)
    if frame.empty:
        return frame
    frame = frame[frame.aar.between(*filters.years)].copy()
    frame["hover"] = _hover(frame, frame.aar)
    return frame


def monthly(filters: Filters) -> pd.DataFrame:
    frame = _by_education("sick_leave_by_month", filters)
    if frame.empty:
        return frame
    frame = frame[frame.maaned.dt.year.between(*filters.years)].copy()
    frame["hover"] = _hover(frame, frame.maaned.dt.strftime("%m-%Y"))
    return frame
