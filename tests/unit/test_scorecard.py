"""Scorecard status on hand-made series: reached, on the way, uncertain, too few."""

from __future__ import annotations

import pandas as pd
import pytest

from sosu.domain.targets import Target
from sosu.metrics.scorecard import measure_baseline, overall, score, statement

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
    assert "ingen data" in score(_series([]), HIRES).explanation


def test_a_hidden_figure_is_reported_as_hidden_not_as_missing() -> None:
    """55 hires a year hidden for Kvalitetsforum are no "under 10 elever"."""
    hidden = score(_series([("ansatte", "SSH", 2025, "2025", None, None, None, None, None,
                             True)]), HIRES)
    assert hidden.status == "for få data" and hidden.hidden
    assert hidden.explanation == "tallet for 2025 er skjult for dig (små tal beskyttes)"
    assert "skjult for dig" in statement(hidden) and "for få data til" not in statement(hidden)


def test_trajectory_is_the_straight_line_from_baseline_to_goal() -> None:
    # SSH: 16 % in cohort 2022, 7 % lower (14.88 %) by 2026.
    assert DROPOUT.baseline_year is None  # no period given on the hand-made target
    target = Target(**{**DROPOUT.__dict__, "baseline_periode": "årgang 2022"})
    assert target.expected(2024) == pytest.approx(0.16 - 0.0112 / 2)
    assert target.expected(2019) == pytest.approx(0.16)
    assert target.expected(2030) == pytest.approx(0.1488)
    both = Target(**{**target.__dict__, "baseline_periode": "SSH 2022 + SSA 2020"})
    assert both.baseline_year == 2022
    assert HIRES.expected(2024) == 27  # a yearly level has no line


@pytest.mark.parametrize(("year", "k", "lower", "upper", "status"), [
    (2024, 600, 0.143, 0.157, "på vej"),       # 15.0 % against 15.44 % expected
    (2025, 620, 0.148, 0.162, "usikker"),      # interval still holds 16 %
    (2025, 620, 0.150, 0.159, "ikke på vej"),  # 15.5 % against 15.16 % expected
])
def test_status_against_the_trajectory(year: int, k: int, lower: float, upper: float,
                                       status: str) -> None:
    target = Target(**{**DROPOUT.__dict__, "baseline_periode": "årgang 2022"})
    series = _series([("frafald_hovedforloeb", "SSH", year, f"årgang {year}", k, 4000,
                       k / 4000, lower, upper, True)])
    assert score(series, target).status == status


@pytest.mark.parametrize(("target", "value", "share"), [
    (DROPOUT, 0.152, 0.008 / 0.0112),
    (DROPOUT, 0.17, 0.0),
    (DROPOUT, 0.14, 1.0),
    (HIRES, 24, 24 / 27),
    (HIRES, 30, 1.0),
])
def test_fulfilment_is_the_share_of_the_way_covered(target: Target, value: float,
                                                    share: float) -> None:
    assert target.fulfilment(value) == pytest.approx(share)


def test_overall_fulfilment_is_weighted_and_leaves_out_too_few_data() -> None:
    heavy = Target(**{**HIRES.__dict__, "id": "h2", "vaegt": 2.0})
    series = _series([
        ("ansatte", "SSH", 2025, "2025", 27, None, 27, None, None, True),
        ("frafald_hovedforloeb", "SSH", 2024, "årgang 2024", 2, 5, 0.4, 0.1, 0.8, True),
    ])
    half = Target(**{**HIRES.__dict__, "id": "h3", "maal": 54})
    scores = [score(series, heavy), score(series, half), score(series, DROPOUT)]
    result = overall(scores)
    assert result.share == pytest.approx((2 * 1.0 + 1 * 0.5) / 3)
    assert result.certain == result.share  # no 'usikker' target here
    assert [t.id for t in result.left_out] == ["d"]


def test_uncertain_targets_count_zero_in_the_certain_share() -> None:
    target = Target(**{**DROPOUT.__dict__, "baseline_periode": "årgang 2022"})
    series = _series([("frafald_hovedforloeb", "SSH", 2024, "årgang 2024", 4, 40, 0.1, 0.04,
                       0.23, True)])
    result = overall([score(series, target)])
    assert result.share == 1.0 and result.certain == 0.0


def _counted(n: int, baseline: float, down: bool) -> int | None:
    """The certain count tried one count at a time, as the definition reads."""
    from sosu.metrics.scorecard import wilson

    if down:
        counts = [k for k in range(n + 1) if wilson(k, n)[1] < baseline]
        return max(counts) if counts else None
    counts = [k for k in range(n + 1) if wilson(k, n)[0] > baseline]
    return min(counts) if counts else None


@pytest.mark.parametrize("n", [1, 2, 10, 37, 100, 999, 20_000])
@pytest.mark.parametrize("baseline", [0.0, 0.001, 0.05, 0.108, 0.414, 0.9, 0.999, 1.0])
@pytest.mark.parametrize("direction", ["ned", "op"])
def test_certain_change_is_the_count_the_definition_gives(n: int, baseline: float,
                                                          direction: str) -> None:
    """Found by bisection, the same count as trying every count from 0 to n."""
    import dataclasses

    from sosu.metrics.scorecard import Score, certain_change

    target = dataclasses.replace(DROPOUT, baseline=baseline, retning=direction)
    said = certain_change(Score(target, 0.1, "årgang 2024", 1, n, None, None, None, True,
                                "usikker"))
    assert said is not None
    expected = _counted(n, baseline, direction == "ned")
    if expected is None:
        assert "kan " in said and "ikke" in said
    else:
        assert f"({expected} af {n}" in said


SICK = Target(id="s", label="Sygefravær", metric="sygefravaer", maal_type="absolut",
              maal=0.06, frist=2027, retning="ned", baseline=0.09, baseline_periode="2023")


def test_a_share_shown_without_its_hours_is_the_measured_baseline() -> None:
    """A protected viewer gets the sick-leave share, never the hours behind it: the share
    is the baseline measured, not a hidden figure."""
    shown = _series([("sygefravaer", None, 2023, "2023", None, None, 0.0884, None, None,
                      True)])
    baseline = measure_baseline(shown, SICK)
    assert baseline.measured == pytest.approx(0.0884) and not baseline.hidden
    hidden = _series([("sygefravaer", None, 2023, "2023", None, None, None, None, None,
                       True)])
    assert measure_baseline(hidden, SICK).hidden
