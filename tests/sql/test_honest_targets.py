"""Honest targets (issue 24) on a municipality built from the strategy's published figures:
baselines measured like the value, no change claimed where there is none, and the report's
summary and the scorecard reading the same statements."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sosu.domain.roles import Viewer
from sosu.domain.targets import Target, TargetsError, load_targets
from sosu.metrics import datasets
from sosu.metrics.datasets import EDUCATIONS, Request
from sosu.metrics.scorecard import (
    WAITING,
    Baseline,
    Score,
    baseline_note,
    certain_change,
    change_word,
    overall,
    score,
    statements,
)
from sosu.report.content import Quarter, gather, summary_lines
from sosu.store.db import connect_read_only

TEAM = Viewer("team", "uddannelse")
FORUM = Viewer("kf", "kvalitetsforum")


@pytest.fixture(scope="module")
def con(published_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(published_db)
    yield connection
    connection.close()


def _scores(con, viewer: Viewer) -> dict[str, Score]:  # noqa: ANN001
    series = datasets.target_series(con, viewer)
    cohorts = datasets.cohorts(con, viewer, Request(None, EDUCATIONS, (0, 9999)))
    return {t.id: score(series, t, cohorts) for t in load_targets()}


def _base(result: Score) -> Baseline:
    assert result.baseline is not None
    return result.baseline


def test_the_fixture_holds_the_published_figures(con) -> None:  # noqa: ANN001
    cohorts = datasets.cohorts(con, TEAM, Request(None, EDUCATIONS, (0, 9999)))
    rows = {(r.uddannelse, r.aargang): r for r in cohorts.itertuples()}
    ssh, ssa = rows[("SSH", 2022)], rows[("SSA", 2020)]
    assert (ssh.ansatte, ssh.gennemfoert, ssh.ansat_efter, ssh.frafald,
            ssh.frafald_hovedforloeb) == (37, 31, 19, 6, 4)
    assert (ssa.ansatte, ssa.gennemfoert, ssa.ansat_efter, ssa.frafald) == (45, 27, 15, 18)
    sick = datasets.sick_leave(con, TEAM, Request(None, EDUCATIONS, (2023, 2023)), "aar")
    assert sick[sick.uddannelse == "I alt"].andel.iloc[0] == pytest.approx(0.0884)


@pytest.mark.parametrize("viewer", [TEAM, FORUM], ids=["uddannelse", "kvalitetsforum"])
def test_dropout_baselines_are_measured_as_main_course_dropout(con, viewer: Viewer) -> None:  # noqa: ANN001
    scores = _scores(con, viewer)
    ssh, ssa = scores["frafald_ssh"], scores["frafald_ssa"]
    assert _base(ssh).measured == pytest.approx(4 / 37)
    assert _base(ssh).published == 0.16
    assert _base(ssa).measured == pytest.approx(14 / 45)
    assert _base(ssa).as_published == (18, 45)
    if viewer is TEAM:
        assert _base(ssh).as_published == (6, 37)
        total = " (6 af 37)"
    else:
        # 6 of 37 beside 4 of 37 would show the 2 basic-course dropouts: the release hides
        # the cohort's total, and the sentence leaves its count out.
        assert _base(ssh).as_published is None
        total = ""
    assert baseline_note(ssh) == (
        f"Strategiens 16 % er frafald i alt for årgang 2022{total}; samme årgangs frafald "
        "i hovedforløbet er 10,8 % (4 af 37). Målkurven og målet regnes fra tallet i data.")
    assert (baseline_note(ssa) or "").startswith(
        "Strategiens 40 % er frafald i alt for årgang 2020 (18 af 45); samme årgangs frafald "
        "i hovedforløbet er 31,1 % (14 af 45).")
    # The trajectory and the relative goal run from the measured baseline.
    assert ssh.target.baseline == pytest.approx(4 / 37)
    assert ssh.target.goal_value == pytest.approx(4 / 37 * 0.93)
    assert ssh.target.expected(2022) == pytest.approx(4 / 37)


def test_same_period_is_waiting_for_data_with_no_fulfilment(con) -> None:  # noqa: ANN001
    scores = _scores(con, TEAM)
    for name in ("frafald_ssh", "frafald_ssa", "sygefravaer", "ansat_efter"):
        result = scores[name]
        assert result.status == WAITING, name
        assert result.fulfilment is None, name
    assert "ingen nyere årgang endnu" in statements(scores["frafald_ssh"])[0]
    assert "ingen nyere periode endnu" in statements(scores["sygefravaer"])[0]
    assert [t.id for t in overall(list(scores.values())).left_out] == [
        "frafald_ssh", "frafald_ssa", "sygefravaer", "ansat_efter"]


def test_a_rounded_published_figure_gets_no_sentence(con) -> None:  # noqa: ANN001
    scores = _scores(con, TEAM)
    hired_after = scores["ansat_efter"]
    assert _base(hired_after).measured == pytest.approx(34 / 82)
    assert baseline_note(hired_after) is None  # 41.46 % is 41.4 %
    assert baseline_note(scores["sygefravaer"]) is None


@pytest.mark.parametrize("viewer", [TEAM, FORUM], ids=["uddannelse", "kvalitetsforum"])
def test_no_change_is_claimed_anywhere_in_the_report(con, viewer: Viewer) -> None:  # noqa: ANN001
    content = gather(con, viewer, Quarter(2025, 2), load_targets())
    text = " ".join(content.summary)
    assert not re.search(r"\b(faldet|steget)\b", text), text
    assert "er faldet fra 16,0 %" not in text
    # The summary is the scorecard's own statements, target by target.
    assert content.summary[:len(content.scores)] == [" ".join(statements(s))
                                                      for s in content.scores]
    assert summary_lines(content.scores, content.fulfilment) == content.summary


def test_the_smallest_certain_change_for_the_cohort(con) -> None:  # noqa: ANN001
    scores = _scores(con, TEAM)
    # 0 of 37 has a Wilson upper bound of 9.4 % < 10.8 %; 1 of 37 has 13.8 %.
    assert certain_change(scores["frafald_ssh"]) == (
        "Med 37 elever skal frafaldet under 2,7 % (0 af 37), før et fald er sikkert.")
    assert "Med 37 elever" in " ".join(statements(scores["frafald_ssh"]))


# The wording on hand-made values ---------------------------------------------------------

DROPOUT = Target(id="d", label="Frafald", metric="frafald_hovedforloeb", maal_type="relativ",
                 maal=-0.07, frist=2026, retning="ned", uddannelse="SSH", baseline=0.108,
                 baseline_periode="årgang 2022")
SICK = Target(id="s", label="Sygefravær", metric="sygefravaer", maal_type="pp", maal=-0.01,
              frist=2027, retning="ned", baseline=0.0884, baseline_periode="2023")


@pytest.mark.parametrize(("target", "baseline", "value", "lower", "upper", "same", "word"), [
    (SICK, 0.0884, 0.08844, None, None, False, "uændret"),       # 8,8 % both
    (SICK, 0.0884, 0.0884, None, None, True, "ingen nyere periode endnu"),
    (SICK, 0.0884, 0.0801, None, None, False, "faldet"),
    (DROPOUT, 0.108, 0.10, 0.04, 0.23, False, "ingen sikker ændring"),
    (DROPOUT, 0.108, 0.108, 0.04, 0.23, True, "ingen nyere årgang endnu"),
    (DROPOUT, 0.40, 0.10, 0.04, 0.23, False, "faldet"),
    (DROPOUT, 0.108, 0.30, 0.25, 0.35, False, "steget"),
])
def test_one_function_decides_the_wording(target: Target, baseline: float, value: float,
                                          lower: float | None, upper: float | None,
                                          same: bool, word: str) -> None:
    assert change_word(target, baseline, value, lower, upper, same) == word


def _series(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metric", "uddannelse", "aar", "periode", "taeller",
                                       "naevner", "vaerdi", "nedre", "oevre", "endelig"])


def test_a_rounding_difference_is_unchanged_on_every_surface() -> None:
    series = _series([("sygefravaer", None, 2023, "2023", 884, 10000, 0.0884, None, None, True),
                      ("sygefravaer", None, 2024, "2024", 8849, 100000, 0.08849, None, None,
                       True)])
    result = score(series, SICK)
    assert result.target.baseline == pytest.approx(0.0884)  # measured in 2023
    sentence = statements(result)[0]
    assert sentence.startswith("Sygefravær er uændret: 8,8 % (2024) mod 8,8 % (2023)")
    assert not re.search(r"\b(faldet|steget)\b", " ".join(summary_lines([result],
                                                                        overall([result]))))


def test_a_baseline_period_not_in_the_data_uses_the_published_figure_and_says_so() -> None:
    series = _series([("sygefravaer", None, 2024, "2024", 800, 10000, 0.08, None, None, True)])
    result = score(series, SICK)
    assert result.baseline is not None and result.baseline.measured is None
    assert result.target.baseline == 0.0884
    assert baseline_note(result) == ("Udgangspunktet er strategiens tal, 8,84 % (2023): 2023 er "
                                     "ikke i de indlæste data.")
    assert statements(result)[0].startswith("Sygefravær er faldet fra 8,8 % (2023) til 8,0 %")


def test_a_baseline_definition_must_be_known(tmp_path: Path) -> None:
    path = tmp_path / "maal.toml"
    path.write_text('[[maal]]\nid = "x"\nlabel = "X"\nmetric = "frafald_hovedforloeb"\n'
                    'baseline = 0.16\nbaseline_periode = "årgang 2022"\n'
                    'baseline_definition = "noget andet"\nmaal_type = "relativ"\nmaal = -0.07\n'
                    'frist = 2026\nretning = "ned"\n', encoding="utf-8")
    with pytest.raises(TargetsError, match="baseline_definition"):
        load_targets(path)
