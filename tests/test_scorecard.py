"""Scorecard status on hand-made series: reached, on the way, uncertain, too few."""

from __future__ import annotations

import pandas as pd
import pytest

from queries.scorecard import score
from queries.targets import Target

DROPOUT = Target(id="d", label="Frafald", metric="frafald_hovedforloeb", maal_type="relativ",
                 maal=-0.07, frist=2026, retning="ned", uddannelse="SSH", baseline=0.16)
HIRES = Target(id="h", label="Ansatte", metric="ansatte", maal_type="absolut", maal=27,
               frist=2026, retning="op", uddannelse="SSH")


def _series(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metric", "uddannelse", "aar", "periode", "taeller",
                                       "naevner", "vaerdi", "nedre", "oevre", "endelig"])


@pytest.mark.parametrize(("k", "n", "lower", "upper", "status"), [
    (4, 40, 0.04, 0.23, "usikker"),        # 10 %, but 16 % is inside the interval
    (10, 400, 0.014, 0.045, "nået"),       # 2.5 %, interval clear of 16 %
    (60, 400, 0.118, 0.188, "usikker"),
    (4, 8, 0.2, 0.8, "for få data"),       # under 10 students
    (200, 1000, 0.176, 0.226, "ikke på vej"),
])
def test_dropout_status(k: int, n: int, lower: float, upper: float, status: str) -> None:
    series = _series([("frafald_hovedforloeb", "SSH", 2022, "årgang 2022", k, n, k / n,
                       lower, upper, True)])
    assert score(series, DROPOUT).status == status


def test_latest_finished_value_wins_and_trend_arrow() -> None:
    series = _series([
        ("ansatte", "SSH", 2024, "2024", 25, None, 25, None, None, True),
        ("ansatte", "SSH", 2025, "2025", 30, None, 30, None, None, True),
        ("ansatte", "SSH", 2026, "2026", 3, None, 3, None, None, False),
    ])
    result = score(series, HIRES)
    assert (result.value, result.period, result.status, result.trend) == (30, "2025", "nået", "↑")


def test_no_data_is_reported_as_such() -> None:
    assert score(_series([]), HIRES).status == "for få data"
