"""Sick leave for both educations and in total, with hover texts."""

from __future__ import annotations

import pandas as pd

from sosu.app import data
from sosu.app.filters import Filters
from sosu.domain import fmt


def _hover(frame: pd.DataFrame, period: pd.Series) -> list[str]:
    return [f"{u} {p}: {fmt.pct(a, 2)} ({fmt.number(s)} af {fmt.number(t)} timer, "
            f"{fmt.count(e)} elever)"
            for u, p, a, s, t, e in zip(frame.uddannelse, period, frame.andel, frame.syge_timer,
                                        frame.planlagte_timer, frame.elever, strict=True)]


def yearly(filters: Filters, site: str | None = None, whole: bool = False) -> pd.DataFrame:
    frame = data.dataset("sick_leave_by_year", filters.request(site, whole))
    if frame.empty:
        return frame
    return frame.assign(hover=_hover(frame, frame.aar))


def rolling(frame: pd.DataFrame, months: int = 3) -> pd.Series:
    """Each month's sick leave over it and the months before: Σ sick hours / Σ planned
    hours of `months` consecutive months of one education. Missing when any of them is
    missing or hidden (NA for protected viewers), so no hidden month is recomputed."""
    result = pd.Series(float("nan"), index=frame.index)
    for _, rows in frame.groupby("uddannelse", sort=False):
        rows = rows.sort_values("maaned")
        every = pd.date_range(rows.maaned.min(), rows.maaned.max(), freq="MS")
        full = rows.set_index("maaned").reindex(every)
        sick = full.syge_timer.astype(float).rolling(months, min_periods=months).sum()
        planned = full.planlagte_timer.astype(float).rolling(months,
                                                             min_periods=months).sum()
        share = (sick / planned.where(planned > 0)).reindex(rows.maaned)
        result.loc[rows.index] = share.to_numpy()
    return result


def monthly(filters: Filters) -> pd.DataFrame:
    frame = data.dataset("sick_leave_by_month", filters.request())
    if frame.empty:
        return frame
    return frame.assign(hover=_hover(frame, frame.maaned.map(fmt.month)),
                        andel_3_mdr=rolling(frame))
