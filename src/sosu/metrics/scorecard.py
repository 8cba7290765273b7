"""The Overblik scorecard: each target's latest value against its goal."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from sosu.domain.targets import Target
from sosu.metrics.metrics import Selection, _as_list
from sosu.store import db

MIN_STUDENTS_FOR_STATUS = 10
STATUSES = ("nået", "på vej", "ikke på vej", "usikker", "for få data")


@dataclass(frozen=True)
class Score:
    target: Target
    value: float | None
    period: str | None
    numerator: float | None
    denominator: float | None
    lower: float | None
    upper: float | None
    previous: float | None
    final: bool
    status: str
    # Where the straight line from baseline to goal says the value should be now.
    expected: float | None = None
    # Share of the way from baseline to goal, 0–1; None when there are too few data.
    fulfilment: float | None = None

    @property
    def explanation(self) -> str:
        if self.status == "usikker":
            return ("forskellen fra udgangspunktet ligger inden for 95 %-intervallet: "
                    "årgangen er for lille til at vise en ændring")
        if self.status == "for få data":
            return f"under {MIN_STUDENTS_FOR_STATUS} elever eller ingen data"
        return ""

    @property
    def trend(self) -> str:
        """↑, ↓ or → against the previous value of the same series."""
        if self.value is None or self.previous is None:
            return ""
        if math.isclose(self.value, self.previous, rel_tol=1e-9, abs_tol=1e-12):
            return "→"
        return "↑" if self.value > self.previous else "↓"


def target_series(con: duckdb.DuckDBPyConnection, sites: Selection = None) -> pd.DataFrame:
    cursor = db.cursor(con)
    try:
        return db.frame(cursor, "SELECT * FROM maalserier(?::VARCHAR[])", [_as_list(sites)])
    finally:
        cursor.close()


def series_for(series: pd.DataFrame, target: Target) -> pd.DataFrame:
    mask = series.metric == target.metric
    if target.uddannelse:
        mask &= series.uddannelse == target.uddannelse
    else:
        mask &= series.uddannelse.isna()
    return series[mask].sort_values("aar").reset_index(drop=True)


def _within_noise(target: Target, row: pd.Series) -> bool:
    """A cohort rate whose 95 % interval still contains the baseline has not shown a change."""
    if target.baseline is None or pd.isna(row.nedre) or pd.isna(row.oevre):
        return False
    return bool(row.nedre <= target.baseline <= row.oevre)


def _status(target: Target, row: pd.Series) -> str:
    value = float(row.vaerdi)
    small = target.metric in ("frafald_hovedforloeb", "ansat_efter") and (
        row.naevner < MIN_STUDENTS_FOR_STATUS)
    if small:
        return "for få data"
    if _within_noise(target, row):
        return "usikker"
    if target.reached(value):
        return "nået"
    expected = target.expected(int(row.aar))
    if expected is not None and target.maal_type != "absolut":
        return "på vej" if target.better_or_equal(value, expected) else "ikke på vej"
    return "ikke på vej"


def score(series: pd.DataFrame, target: Target) -> Score:
    rows = series_for(series, target)
    finished = rows[rows.endelig]
    chosen = finished if len(finished) else rows
    if chosen.empty:
        return Score(target, None, None, None, None, None, None, None, False, "for få data")
    latest = chosen.iloc[-1]
    if pd.isna(latest.vaerdi):  # suppressed for this viewer: a figure on too few students
        return Score(target, None, str(latest.periode), None, None, None, None, None,
                     bool(latest.endelig), "for få data")
    previous = chosen.iloc[-2].vaerdi if len(chosen) > 1 else None
    status = _status(target, latest)
    value = float(latest.vaerdi)
    return Score(
        target=target,
        value=value,
        period=str(latest.periode),
        numerator=_number(latest.taeller),
        denominator=_number(latest.naevner),
        lower=_number(latest.nedre),
        upper=_number(latest.oevre),
        previous=_number(previous),
        final=bool(latest.endelig),
        status=status,
        expected=target.expected(int(latest.aar)),
        fulfilment=None if status == "for få data" else target.fulfilment(value),
    )


@dataclass(frozen=True)
class Fulfilment:
    share: float | None
    # The same, with every 'usikker' target at 0: what the data have shown beyond noise.
    certain: float | None
    counted: list[Target]
    left_out: list[Target]


def overall(scores: list[Score]) -> Fulfilment:
    """Weighted fulfilment over targets with enough data; partial fulfilment counts."""
    counted = [s for s in scores if s.fulfilment is not None]
    weight = sum(s.target.vaegt for s in counted)

    def weighted(include_uncertain: bool) -> float | None:
        if not weight:
            return None
        return sum(s.target.vaegt * (s.fulfilment or 0.0) for s in counted
                   if include_uncertain or s.status != "usikker") / weight

    return Fulfilment(weighted(True), weighted(False), [s.target for s in counted],
                      [s.target for s in scores if s.fulfilment is None])


def _number(value: object) -> float | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return float(value)  # type: ignore[arg-type]
