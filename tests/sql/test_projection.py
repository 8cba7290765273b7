"""Running cohorts projected with Aalen–Johansen (issue 24): hand-computed examples, the
back-test on the published figures, and the same protection as the Kaplan–Meier curve."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from sosu.domain.roles import Viewer
from sosu.domain.targets import load_targets
from sosu.metrics import datasets, metrics, projection
from sosu.metrics.datasets import EDUCATIONS, Request
from sosu.metrics.scorecard import score, statements, wilson
from sosu.store.db import connect_read_only
from tests import published_figures

TEAM = Viewer("team", "uddannelse")
FORUM = Viewer("kf", "kvalitetsforum")
Z = 1.96


def _counts(rows: list[tuple[str, int, int, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["uddannelse", "aargang", "maaneder", "udfald", "antal",
                                       "fulgt_alle"])


def _wilson_by_hand(share: float, size: float) -> tuple[float, float]:
    centre = share + Z ** 2 / (2 * size)
    spread = Z * math.sqrt(share * (1 - share) / size + Z ** 2 / (4 * size ** 2))
    return (centre - spread) / (1 + Z ** 2 / size), (centre + spread) / (1 + Z ** 2 / size)


# Five students: A drops out in the main course in month 1, B completes in month 2, C is
# still active in month 2 (censored), D drops out in month 3, E completes in month 4.
FIVE = _counts([("SSH", 2024, 1, "frafald_hovedforloeb", 1, 2),
                ("SSH", 2024, 2, "gennemfoert", 1, 2),
                ("SSH", 2024, 2, "aktiv", 1, 2),
                ("SSH", 2024, 3, "frafald_hovedforloeb", 1, 2),
                ("SSH", 2024, 4, "gennemfoert", 1, 2)])


def test_aalen_johansen_by_hand() -> None:
    table = projection.risk_table(FIVE)
    assert table.i_risiko.tolist() == [5, 4, 2, 1]
    estimate = projection.aalen_johansen(table)
    # Month 1: 1/5 drop out (F = 0.2, S = 0.8). Month 2: 1/4 complete (F_done = 0.8/4 =
    # 0.2, S = 0.6). Month 3: 1/2 drop out (F = 0.2 + 0.6/2 = 0.5, S = 0.3). Month 4: the
    # last completes (F_done = 0.2 + 0.3 = 0.5, S = 0).
    assert estimate.andel_frafald_hovedforloeb.tolist() == pytest.approx([0.2, 0.2, 0.5, 0.5])
    assert estimate.andel_gennemfoert.tolist() == pytest.approx([0, 0.2, 0.2, 0.5])
    assert estimate.i_forloeb.tolist() == pytest.approx([0.8, 0.6, 0.3, 0.0])
    # Kaplan–Meier with completion censored says 1 − 0.8 · 0.5 = 60 %: it overstates.
    # Delta method at month 4, month by month [(a − b)² h + b² (H − h) − (a h − b H)²] / n:
    # month 1: a 1, b 0.3/0.8 = 0.375: (0.390625 · 0.2 − 0.125²) / 5 = 0.0125
    # month 2: a 0.8, b 0.3/0.75 = 0.4, h 0, H 0.25: (0.16 · 0.25 − 0.1²) / 4 = 0.0075
    # month 3: a 0.6, b 0, h = H = 0.5: (0.36 · 0.5 − 0.3²) / 2 = 0.045
    # month 4: H = 1, h 0: 0.
    variance = 0.0125 + 0.0075 + 0.045
    assert estimate.var_frafald_hovedforloeb.iloc[-1] == pytest.approx(variance)
    # The interval: Wilson's on the effective number of students F(1 − F)/Var.
    lower, upper = _wilson_by_hand(0.5, 0.25 / variance)
    assert estimate.frafald_hovedforloeb_nedre.iloc[-1] == pytest.approx(lower)
    assert estimate.frafald_hovedforloeb_oevre.iloc[-1] == pytest.approx(upper)


def test_a_finished_cohort_gets_its_own_share_and_wilson_interval() -> None:
    counts = _counts([("SSA", 2020, 3, "frafald_grundforloeb", 4, 60),
                      ("SSA", 2020, 9, "frafald_hovedforloeb", 14, 60),
                      ("SSA", 2020, 38, "gennemfoert", 27, 60)])
    row = projection.projections(counts).iloc[0]
    assert row.andel_frafald_hovedforloeb == pytest.approx(14 / 45)
    assert (row.frafald_hovedforloeb_nedre, row.frafald_hovedforloeb_oevre) == pytest.approx(
        wilson(14, 45))
    assert bool(row.afsluttet) and row.i_forloeb == pytest.approx(0)


def test_a_running_cohort_borrows_the_earlier_cohorts_months_by_hand() -> None:
    # Running cohort 2024 (3 students, all followed 3 months): one main-course dropout in
    # month 1, two active. Earlier cohort 2023 (4 students): a main-course dropout in month
    # 5, three complete in month 6.
    counts = _counts([("SSH", 2023, 5, "frafald_hovedforloeb", 1, 20),
                      ("SSH", 2023, 6, "gennemfoert", 3, 20),
                      ("SSH", 2024, 1, "frafald_hovedforloeb", 1, 3),
                      ("SSH", 2024, 3, "aktiv", 2, 3)])
    table = projection.projected_table(counts, "SSH", 2024)
    assert table.maaneder.tolist() == [1, 3, 5, 6]
    assert table.i_risiko.tolist() == [3, 6, 4, 3]
    row = projection.projections(counts).set_index("aargang").loc[2024]
    # 1/3 in month 1, then the 2/3 still in training meet the earlier cohort's 1/4.
    assert row.andel_frafald_hovedforloeb == pytest.approx(1 / 3 + 2 / 3 * 1 / 4)
    assert row.i_forloeb == pytest.approx(0)
    # Month 1: a 1, b (0.5 − 1/3)/(2/3) = 0.25, h = H = 1/3: (0.1875 − 0.0625) / 3;
    # month 3: no one leaves: 0; month 5: a 2/3, b 0, h = H = 1/4: (1/9 − 1/36) / 4;
    # month 6: H = 1: 0.
    variance = (0.1875 - 0.0625) / 3 + (1 / 9 - 1 / 36) / 4
    assert variance == pytest.approx(0.0625)
    lower, upper = _wilson_by_hand(0.5, 0.25 / variance)
    assert (row.frafald_hovedforloeb_nedre, row.frafald_hovedforloeb_oevre) == pytest.approx(
        (lower, upper))


# On the published figures ---------------------------------------------------------------

@pytest.fixture(scope="module")
def con(published_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(published_db)
    yield connection
    connection.close()


WHOLE = Request(None, EDUCATIONS, (0, 9999))


def test_finished_cohorts_curves_end_at_their_own_figures(con) -> None:  # noqa: ANN001
    curves = datasets.incidence(con, TEAM, WHOLE)
    end = curves[(curves.uddannelse == "SSH") & (curves.aargang == 2022)].iloc[-1]
    assert end.andel_frafald == pytest.approx(6 / 37)
    assert end.andel_gennemfoert == pytest.approx(31 / 37)
    assert (end.frafald_nedre, end.frafald_oevre) == pytest.approx(wilson(6, 37))


def test_running_cohorts_are_projected_and_give_the_dropout_status(con) -> None:  # noqa: ANN001
    frame = datasets.projections(con, TEAM, WHOLE).set_index(["uddannelse", "aargang"])
    running = frame[~frame.afsluttet.astype(bool)]
    assert sorted(running.index) == [("SSA", 2023), ("SSH", 2024)]
    # SSH 2024: 2 of 30 in the main course by month 7; no SSH student of 2021-2022 left
    # the main course after month 10, where every 2024 student has been followed to.
    assert running.andel_frafald_hovedforloeb[("SSH", 2024)] == pytest.approx(2 / 30)
    series = datasets.target_series(con, TEAM)
    cohorts = datasets.cohorts(con, TEAM, WHOLE)
    target = next(t for t in load_targets() if t.id == "frafald_ssh")
    result = score(series, target, cohorts, datasets.projections(con, TEAM, WHOLE))
    assert result.projection is not None and result.projection.year == 2024
    assert result.status == "usikker"  # the interval still holds 10.8 %
    assert result.fulfilment is None
    assert "årgang 2024 ventes at ende på 6,7 %" in statements(result)[0]


def test_protected_roles_get_projections_only_for_complete_cohorts(con) -> None:  # noqa: ANN001
    table = datasets.scope_release(con, FORUM).tables["cohorts"]
    whole = table[table.oplaeringssted == datasets.MUNICIPALITY]
    hidden = whole[[f"{c}_skjult" for c in ("ansatte", "gennemfoert", "frafald",
                                             "frafald_hovedforloeb", "aktive")]].any(axis=1)
    incomplete = set(zip(whole.uddannelse[hidden], whole.aargang[hidden], strict=True))
    frame = datasets.projections(con, FORUM, WHOLE)
    for education, year in zip(frame.uddannelse, frame.aargang, strict=True):
        assert (education, year) not in incomplete
        assert not any(e == education and y <= year for e, y in incomplete)
    curves = datasets.incidence(con, FORUM, WHOLE)
    assert not any((e, y) in incomplete for e, y in zip(curves.uddannelse, curves.aargang,
                                                        strict=True))
    assert set(curves.maaneder % datasets.SURVIVAL_STEP) <= {0}
    assert (curves.i_risiko > FORUM.threshold).all()
    one_site = Request("Døgnplejen", EDUCATIONS, (0, 9999))
    assert datasets.projections(con, FORUM, one_site).empty
    assert datasets.incidence(con, FORUM, one_site).empty


def test_the_backtest_table(con) -> None:  # noqa: ANN001
    table = datasets.projection_backtest(con, TEAM, WHOLE)
    assert list(table.columns) == projection.BACKTEST_COLUMNS
    finished = {("SSA", 2019), ("SSA", 2020), ("SSH", 2021), ("SSH", 2022)}
    assert set(zip(table.uddannelse, table.aargang, strict=True)) == finished
    assert set(table.maaneder_efter) == {12, 24}
    row = table[(table.uddannelse == "SSH") & (table.aargang == 2022)
                & (table.maaneder_efter == 24)].iloc[0]
    assert row.pr_dato == dt.date(2024, 8, 1)  # 24 months after the last hire, 2022-08-01
    assert row.fremskrevet == pytest.approx(4 / 37) and row.faktisk == pytest.approx(4 / 37)
    assert bool(row.daekket)
    first = table[(table.uddannelse == "SSA") & (table.aargang == 2019)
                  & (table.maaneder_efter == 12)].iloc[0]
    # No earlier SSA cohort to borrow from: what is still unresolved is shown.
    assert first.tidligere_aargange == 0 and first.uafklaret > 0.5
    with pytest.raises(Exception, match="."):
        datasets.projection_backtest(con, FORUM, WHOLE)


def test_outcome_times_as_the_data_stood(con) -> None:  # noqa: ANN001
    then = metrics.outcome_times(con, dt.date(2023, 1, 1))
    ssh22 = then[(then.uddannelse == "SSH") & (then.aargang == 2022)]
    assert int(ssh22.antal.sum()) == 37
    assert int(ssh22[ssh22.udfald == "gennemfoert"].antal.sum()) == 0  # first completes 2023-09
    gone = len([s for s in published_figures.students()
                if str(s["elev_id"]).startswith("SSH2022") and "frafald" in s
                and s["frafald"][0] <= dt.date(2023, 1, 1)])  # type: ignore[index]
    assert 0 < gone < 6
    assert int(ssh22[ssh22.udfald == "aktiv"].antal.sum()) == 37 - gone
    assert not (then.aargang > 2022).any()

