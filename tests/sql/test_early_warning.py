"""The early warning's rules and back-test on the hand-made fixture in tests/data/early_warning.

Sick leave January–December 2025, 100 planned hours every month, so hours are per cent.
W01 SSA, O3 (month 35), active: Oct 15, Nov 10, Dec 8 -> 33/300 = 11 % > 10 %: Højt.
W02 SSA, O3, active: 4, 8, 12 -> 8 %, but each month up and 12 > 10: Stigende.
W03 SSH hired June 2025 (month 6 in December: S1, an early phase), active: 6, 6, 6 ->
    6 % > half of 10 %: Tidlig fase.
W04 SSA, O3, active: 6, 6, 6 -> 6 %: nothing, the same figures as W03 in a late phase.
W05 SSA, 50 % Oct-Dec but completed 15 December: not active, not listed.
W06 SSA dropped out 20 Nov (fravaer): Jun 5, Jul 0, Aug 40 -> 15 % in August, three
    months before: caught at 5 % and 10 %, not at 20 %.
W07 SSH dropped out 10 Oct (privatliv): 2 % every month: never caught.
W08 SSA switched to SSH (omvalg) 1 Dec, 50 % every month: listed, but not a dropout.
W09 SSA dropped out 15 Jul: three months before is April, before the tested months.
W10 SSA hired June 2022: 42 months in December, past the 38-month schedule: S4.

Tested months: June (January + 5) to December. At 10 %, listed per month: Jun W08; Jul
W08; Aug W06, W08; Sep W06, W08; Oct W05, W06, W08; Nov W05, W08; Dec W01, W02, W03, W05,
W08 = 1, 1, 2, 2, 3, 2, 5 (median 2) of 10, 10, 9, 9, 9, 8, 7 rows (shares median 2/9).

The page on the same fixture: tests/app/test_early_warning.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sosu.app.app_pages.early_warning_view import CHOICES
from sosu.domain.contract import schedule_rows
from sosu.metrics import metrics
from sosu.metrics.datasets import BACKTEST_THRESHOLDS
from sosu.store import db
from sosu.store.db import connect_read_only


@pytest.fixture(scope="module")
def con(early_warning_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(early_warning_db)
    yield connection
    connection.close()


def _signs(frame, student: str) -> set[str]:
    row = frame[frame.elev_id == student].iloc[0]
    return {sign for sign in ("hoejt", "stigende", "tidligt_tegn") if row[sign]}


def test_the_list_applies_each_rule_to_active_students_only(con) -> None:
    listing = metrics.early_warning(con, 0.10)
    assert list(listing.elev_id) == ["W01", "W02", "W03"]  # by last three months, highest first
    assert _signs(listing, "W01") == {"hoejt"}
    assert _signs(listing, "W02") == {"stigende"}
    assert _signs(listing, "W03") == {"tidligt_tegn"}
    w01 = listing[listing.elev_id == "W01"].iloc[0]
    assert w01.andel_3_mdr == pytest.approx(0.11)
    assert w01.maaneder_siden_ansaettelse == 35 and w01.anslaaet_fase == "O3"
    assert list(w01.udvikling) == pytest.approx([0] * 9 + [0.15, 0.10, 0.08])
    w03 = listing[listing.elev_id == "W03"].iloc[0]
    assert (w03.maaneder_siden_ansaettelse, w03.anslaaet_fase, w03.tidlig_fase) == (6, "S1", True)
    assert len(w03.udvikling) == 7  # hired in June: seven months of the last twelve
    assert set(listing.maaned) == {pd.Timestamp(2025, 12, 1)}


def test_active_students_are_what_the_list_is_a_share_of(con) -> None:
    active = metrics.active_students(con)
    assert (active.maaned.iloc[0], int(active.aktive.iloc[0])) == (pd.Timestamp(2025, 12, 1), 5)


@pytest.mark.parametrize(("threshold", "listed"), [
    (0.05, ["W01", "W02", "W03", "W04"]),  # 11 %, 8 %, 6 %, 6 %: all above 5 %
    (0.20, []),  # none above 20 %, none rising past it, none early above 10 %
])
def test_the_threshold_moves_every_rule(con, threshold: float, listed: list[str]) -> None:
    got = metrics.early_warning(con, threshold)
    assert sorted(got.elev_id) == sorted(listed)
    assert list(got.andel_3_mdr) == sorted(got.andel_3_mdr, reverse=True)


def test_restriction_to_a_site_and_an_education(con) -> None:
    assert list(metrics.early_warning(con, 0.10, ["Sted A"]).elev_id) == ["W01", "W02"]
    assert list(metrics.early_warning(con, 0.10, None, ["SSH"]).elev_id) == ["W03"]
    assert int(metrics.active_students(con, ["Sted B"]).aktive.iloc[0]) == 3  # W03, W04, W10


def test_phase_estimate_follows_the_standard_schedule(con) -> None:
    cursor = db.cursor(con)
    rows = dict(cursor.execute(
        "SELECT elev_id, s.fase FROM int_seneste_maaned JOIN int_elevforloeb "
        "USING (forloeb_nr) JOIN standardforloeb AS s USING (fase_id) "
        "WHERE maaned = DATE '2025-12-01'"  # the newest month, as the list shows it
    ).fetchall())
    assert rows["W10"] == "S4"  # 42 months: past the schedule's end, in its last phase
    assert rows["W01"] == "O3"
    phases = {(e, f): (start, end) for e, _n, f, start, end, _t in schedule_rows()}
    assert phases["SSH", "GF"] == (0, 5) and phases["SSH", "S1"] == (5, 7)
    assert phases["SSA", "O3"] == (27, 36) and phases["SSA", "S4"] == (36, 38)


def test_backtest_on_the_history(con) -> None:
    test = metrics.early_warning_backtest(con, [0.05, 0.10, 0.20]).set_index("graense")
    # Dropouts counted: W06 and W07 (W08 is a switch, W09's "three months before" is
    # April, before the tested months).
    assert list(test.frafaldne) == [2, 2, 2]
    assert list(test.fanget) == [1, 1, 0]
    at_10 = test.loc[0.10]
    assert at_10.andel_fanget == pytest.approx(0.5)
    assert at_10.fanget_nedre < 0.5 < at_10.fanget_oevre
    assert at_10.testede_maaneder == 7
    assert at_10.typisk_liste == 2
    assert at_10.typisk_andel_af_aktive == pytest.approx(2 / 9)
    # June-September (their next three months are in the data): listed W08 ×4, W06 in
    # August and September; W06 dropped out in November, within three months of both.
    assert (at_10.listede, at_10.listede_faldt_fra) == (6, 2)
    # All 38 rows June-September; dropouts within three months: W09 (June), W07 (July,
    # August, September), W06 (August, September).
    assert at_10.andel_alle_faldt_fra == pytest.approx(6 / 38)


def test_backtest_a_share_equal_to_the_threshold_is_not_over_it(con) -> None:
    # W06's August share is 45/300 = 15 % exactly: over 14.99 %, not over 15 %. The
    # back-test counts student-months between thresholds with DuckDB's histogram, whose
    # buckets must hold a value equal to their bound, as the list's "above" does.
    test = metrics.early_warning_backtest(con, [0.1499, 0.15, 0.1501]).set_index("graense")
    assert list(test.fanget) == [1, 0, 0]
    assert list(test.frafaldne) == [2, 2, 2]
    # September's 40/300 = 13.3 % is under both: only August lists W06.
    assert (test.loc[0.15].listede_faldt_fra, test.loc[0.1499].listede_faldt_fra) == (0, 1)


def test_backtest_thresholds_in_any_order_and_twice_count_once_each(con) -> None:
    tidy = metrics.early_warning_backtest(con, [0.05, 0.10, 0.20])
    untidy = metrics.early_warning_backtest(con, [0.20, 0.05, 0.10, 0.10])
    pd.testing.assert_frame_equal(untidy, tidy)


def _all_sites(con) -> list[str]:  # noqa: ANN001
    return [row[0] for row in con.execute(
        "SELECT DISTINCT oplaeringssted FROM int_elevforloeb ORDER BY 1").fetchall()]


@pytest.mark.parametrize("educations", [None, ["SSA"], ["SSH"], ["SSA", "SSH"]])
@pytest.mark.parametrize("thresholds", [
    [0.05, 0.10, 0.20], [0.15], [0.10, 0.15], list(CHOICES), [0.3, 0.05, 0.3]])
def test_backtest_counted_at_load_equals_counting_when_asked(con, thresholds,
                                                             educations) -> None:
    # Every site and offered thresholds: answered from int_tidlig_baand, made at load.
    # Naming every site takes the path that counts the student-months when asked.
    at_load = metrics.early_warning_backtest(con, thresholds, None, educations)
    asked = metrics.early_warning_backtest(con, thresholds, _all_sites(con), educations)
    pd.testing.assert_frame_equal(at_load, asked, check_exact=True)


def test_backtest_counted_at_load_keeps_a_share_equal_to_the_threshold_off(con) -> None:
    # 15 % is an offered threshold: W06's August share of exactly 15 % lies in the load's
    # band up to 15 %, so it is not over it.
    test = metrics.early_warning_backtest(con, [0.10, 0.15]).set_index("graense")
    assert list(test.fanget) == [1, 0]


def test_the_whole_country_backtest_is_answered_from_the_load(early_warning_db: Path,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"
    shutil.copy2(early_warning_db, path)
    with duckdb.connect(str(path)) as writable:
        writable.execute("DELETE FROM int_tidlig_baand")
    copy = connect_read_only(path)
    try:
        assert metrics.early_warning_backtest(copy, [0.10]).testede_maaneder.isna().all()
        assert (metrics.early_warning_backtest(copy, [0.1234]).testede_maaneder == 7).all()
    finally:
        copy.close()


def test_the_slider_offers_the_thresholds_counted_at_load(con) -> None:
    grid = con.execute("SELECT tidlig_graenser()").fetchone()[0]
    assert tuple(grid) == CHOICES
    assert set(BACKTEST_THRESHOLDS) <= set(CHOICES)


def test_backtest_without_history_is_empty_not_an_error(con) -> None:
    test = metrics.early_warning_backtest(con, [0.10], ["Intet sted"])
    assert list(test.frafaldne) == [0] and test.typisk_liste.isna().all()
