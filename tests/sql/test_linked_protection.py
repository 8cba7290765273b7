"""Protection over every output together (sosu.metrics.linked, sosu.metrics.release) and the privacy
auditor (sosu.metrics.privacy_audit): nothing a protected viewer can obtain, on any page, with
any filter, in any download or the scorecard, recomputes a hidden cell."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sosu.domain.roles import Viewer
from sosu.metrics import datasets, linked, metrics, privacy_audit, release
from sosu.metrics.datasets import Request
from sosu.metrics.release import ALL
from sosu.store.db import connect_read_only

FORUM = Viewer("kf", "kvalitetsforum")


def _system(values: Sequence[float], small: list[bool], equations: list[list[tuple[int, int]]],
            virtual: list[bool] | None = None) -> linked.System:
    cells = pd.DataFrame({"cell": range(len(values)), "value": values, "small": small,
                          "virtual": virtual or [False] * len(values),
                          "headline": [False] * len(values)})
    terms = pd.DataFrame([(e, c, float(k)) for e, eq in enumerate(equations) for c, k in eq],
                         columns=["equation", "cell", "coefficient"])
    return linked.System(cells, linked.keep_true_equations(terms, np.array(values, float)))


def _table_2x2() -> linked.System:
    """A 2×2 table with its margins: cells 0-3 inner (a b / c d), 4-5 row sums, 6-7
    column sums, 8 the total."""
    values = [2, 10, 20, 30, 12, 50, 22, 40, 62]
    rows = [[(4, 1), (0, -1), (1, -1)], [(5, 1), (2, -1), (3, -1)],
            [(6, 1), (0, -1), (2, -1)], [(7, 1), (1, -1), (3, -1)],
            [(8, 1), (4, -1), (5, -1)], [(8, 1), (6, -1), (7, -1)]]
    return _system(values, [v <= 3 for v in values], rows)


def test_a_lone_small_cell_is_recomputed_until_a_rectangle_hides_it() -> None:
    system = _table_2x2()
    primary = linked.suppress(system, complementary=False)
    assert list(np.flatnonzero(primary)) == [0]
    assert linked.determined(system, primary)[0]  # a = row sum - b
    hidden = linked.suppress(system)
    assert not (linked.determined(system, hidden) & linked.sensitive(system, hidden)).any()
    assert hidden[[0, 1, 2, 3]].all()  # a, b, c, d: each row and column keeps two unknowns


def test_a_cell_found_through_a_virtual_cell_is_protected() -> None:
    # x + v = 20 (v virtual, nobody is shown it), v = b + c with b, c shown: v is known by
    # substitution, so x is too, though its own equation holds two unknowns.
    values = [2, 18, 8, 10, 20]
    system = _system(values, [True, False, False, False, False],
                     [[(4, 1), (0, -1), (1, -1)], [(1, 1), (2, -1), (3, -1)]],
                     virtual=[False, True, False, False, False])
    primary = linked.suppress(system, complementary=False)
    assert linked.determined(system, primary)[0]
    hidden = linked.suppress(system)
    assert not (linked.determined(system, hidden) & linked.sensitive(system, hidden)).any()


def test_a_cell_given_away_by_substitution_is_protected_where_it_is_given_away() -> None:
    # Many sites, each with an age total T = v, a virtual cohort total of two shown years;
    # the national total is the sum of the T's. Sites 1 and 2 are small (hidden), site 0's
    # T is hidden beside its small age group (its other age group is a headline figure).
    # T0 = v0 = its years gives T0 away. Hiding another site's T in the national sum does
    # not help (that T is given away the same way): a year of site 0 must be hidden.
    sites = 250
    values: list[float] = []
    small: list[bool] = []
    virtual: list[bool] = []
    equations: list[list[tuple[int, int]]] = []

    def cell(value: float, *, is_virtual: bool = False) -> int:
        values.append(value)
        small.append(1 <= value <= 3 and not is_virtual)
        virtual.append(is_virtual)
        return len(values) - 1

    totals = []
    for site in range(sites):
        if site in (1, 2):
            totals.append(cell(site + 1))
            continue
        total, cohort = cell(10), cell(10, is_virtual=True)
        years = [cell(5), cell(5)]
        equations += [[(total, 1), (cohort, -1)], [(cohort, 1), *[(y, -1) for y in years]]]
        totals.append(total)
    young, old = cell(1), cell(9)
    equations.append([(totals[0], 1), (young, -1), (old, -1)])
    national = cell(sum(values[t] for t in totals))
    equations.append([(national, 1), *[(t, -1) for t in totals]])
    system = _system(values, small, equations, virtual=virtual)
    system.cells.loc[old, "headline"] = True

    hidden = linked.suppress(system)

    assert hidden[totals[0]] and hidden[young]
    assert not (linked.determined(system, hidden) & linked.sensitive(system, hidden)).any()
    assert not hidden[totals[3:]].any()  # no other site pays for site 0
    assert hidden.sum() <= 7


def test_ranges_give_the_interval_an_attacker_can_narrow_a_hidden_cell_to() -> None:
    # a + b = 4 and a + c = 3, all three hidden and none 0, which a viewer knows (zeros
    # are shown, a category row exists only when someone is in it): a lies in [1, 2].
    system = _system([1, 3, 2, 4, 3], [True, False, True, False, False],
                     [[(3, 1), (0, -1), (1, -1)], [(4, 1), (0, -1), (2, -1)]])
    hidden = np.array([True, True, True, False, False])
    interval = linked.ranges(system, hidden, np.array([0]))
    assert (interval.low[0], interval.high[0]) == (1, 2)


def test_cells_known_not_to_be_zero_pin_a_count_the_sums_alone_leave_open() -> None:
    """Three hidden years add up to the shown 3 (their total less the shown years): with
    every count ≥ 0 each lies in [0, 3], but none is 0 (each year's row exists, and
    zeros are shown), so each is exactly 1. The protection hides the total."""
    system = _system([1, 1, 1, 3], [True, True, True, False],
                     [[(3, 1), (0, -1), (1, -1), (2, -1)]])
    hidden = np.array([True, True, True, False])
    assert not linked.determined(system, hidden).any()  # the sum alone fixes none
    interval = linked.ranges(system, hidden, np.array([0, 1, 2]))
    assert list(interval.low) == list(interval.high) == [1, 1, 1]
    assert list(linked.narrowed(system, hidden, np.array([0, 1, 2]), 3).cell) == [0, 1, 2]
    protected = linked.suppress(system, threshold=3)
    assert protected[3] and linked.narrowed(system, protected, np.array([0, 1, 2]), 3).empty


def _narrow_pair() -> linked.System:
    """a + b = 2 (both 1, hidden as small, the 2 shown) and a + x = 11: neither a nor b can
    be recomputed once x is hidden too, but neither is 0, so each is 1."""
    values = [1, 1, 2, 10, 11]
    return _system(values, [True, True, False, False, False],
                   [[(2, 1), (0, -1), (1, -1)], [(4, 1), (0, -1), (3, -1)]])


def test_a_small_cell_narrowed_to_an_interval_below_the_threshold_is_widened() -> None:
    system = _narrow_pair()
    exact_only = linked.suppress(system)  # no threshold: recomputation only
    assert not (linked.determined(system, exact_only)
                & linked.sensitive(system, exact_only)).any()
    interval = linked.ranges(system, exact_only, np.array([0, 1]))
    assert list(interval.high - interval.low) == [0, 0]  # a + b = 2, neither 0: both 1
    assert list(linked.narrowed(system, exact_only, np.array([0, 1]), 3).cell) == [0, 1]

    hidden = linked.suppress(system, threshold=3)
    assert hidden[[0, 1]].all() and hidden[2]  # the total that bounded them is hidden
    assert not (linked.determined(system, hidden) & linked.sensitive(system, hidden)).any()
    assert linked.narrowed(system, hidden, np.array([0, 1]), 3).empty
    wide = linked.ranges(system, hidden, np.array([0, 1]))
    assert (wide.high - wide.low >= 3).all()


def test_a_group_too_large_to_solve_whole_is_checked_in_parts_or_left_undecided() -> None:
    system = _narrow_pair()
    exact_only, protected = linked.suppress(system), linked.suppress(system, threshold=3)
    groups = np.array([0, 1, -1, -1, -1])  # a and b in parts of their own, the rest shared
    for hidden in (exact_only, protected):
        found, undecided = linked.interval_check(system, hidden, np.array([0, 1]), 3, limit=0)
        assert found.empty and list(np.flatnonzero(undecided)) == [0, 1]  # not checked
    # In its part b is fixed at its value, so a + b = 2 fixes a: undecided, never "wide".
    found, undecided = linked.interval_check(system, exact_only, np.array([0, 1]), 3,
                                             limit=0, groups=groups)
    assert found.empty and list(np.flatnonzero(undecided)) == [0, 1]
    # Protected, the total is hidden: a part shows each wide enough.
    found, undecided = linked.interval_check(system, protected, np.array([0, 1]), 3,
                                             limit=0, groups=groups)
    assert found.empty and not undecided.any()
    made = linked.protect(system, threshold=3, limit=0)
    assert list(np.flatnonzero(made.undecided)) == [0, 1]
    assert list(np.flatnonzero(made.hidden)) == list(np.flatnonzero(exact_only))


def test_with_parts_the_protection_widens_what_a_part_leaves_narrow() -> None:
    """The release checks a group too large to solve whole in parts, and hides more around
    a count no part shows wide enough, until one does: nothing is left undecided."""
    system = _narrow_pair()
    groups = np.array([0, 1, -1, -1, -1])
    made = linked.protect(system, threshold=3, limit=0, groups=groups)
    assert not made.undecided.any()
    assert made.hidden[[0, 1]].all() and made.hidden[2]  # the total that bounded them
    found, undecided = linked.interval_check(system, made.hidden, np.array([0, 1]), 3,
                                             limit=0, groups=groups)
    assert found.empty and not undecided.any()
    wide = linked.ranges(system, made.hidden, np.array([0, 1]))
    assert (wide.high - wide.low >= 3).all()


def test_what_the_parts_leave_undecided_is_decided_in_the_whole_group() -> None:
    system = _narrow_pair()
    exact_only, protected = linked.suppress(system), linked.suppress(system, threshold=3)
    undecided = np.zeros(system.size, dtype=bool)
    undecided[[0, 1]] = True
    narrow, still = linked.decide_whole(system, exact_only, undecided, 3)
    assert list(narrow.cell) == [0, 1] and list(narrow.high - narrow.low) == [0, 0]
    assert not still.any()
    narrow, still = linked.decide_whole(system, protected, undecided, 3)
    assert narrow.empty and not still.any()


def test_narrowed_gives_the_intervals_ranges_gives() -> None:
    # A 3×3 table with margins; the four small cells hide one another, each within [0, 2]
    # or [1, 3].
    inner = np.array([[1, 1, 9], [1, 2, 12], [7, 8, 15]], dtype=float)
    values = [*inner.ravel(), *inner.sum(axis=1), *inner.sum(axis=0), inner.sum()]
    equations = [[(9 + r, 1)] + [(3 * r + c, -1) for c in range(3)] for r in range(3)]
    equations += [[(12 + c, 1)] + [(3 * r + c, -1) for r in range(3)] for c in range(3)]
    equations += [[(15, 1)] + [(9 + r, -1) for r in range(3)]]
    system = _system(values, [1 <= v <= 3 for v in values], equations)
    hidden = linked.suppress(system)
    cells = np.flatnonzero(hidden)
    reference = linked.ranges(system, hidden, cells)
    reference = reference[reference.high - reference.low < 3 - 1e-9].reset_index(drop=True)
    found = linked.narrowed(system, hidden, cells, 3)
    assert list(found.cell) == list(reference.cell) == [0, 1, 3, 4]
    assert np.allclose(found[["low", "high"]], reference[["low", "high"]])
    protected = linked.suppress(system, threshold=3)
    assert linked.narrowed(system, protected, np.flatnonzero(protected),
                           linked.protection_width(3)).empty


def test_equations_that_do_not_hold_in_the_data_are_dropped() -> None:
    terms = pd.DataFrame({"equation": [0, 0, 0, 1, 1, 1], "cell": [0, 1, 2, 0, 1, 2],
                          "coefficient": [1.0, -1.0, -1.0, 1.0, 1.0, -1.0]})
    kept = linked.keep_true_equations(terms, np.array([5.0, 2.0, 3.0]))
    assert kept.equation.nunique() == 1 and list(kept.coefficient) == [1.0, -1.0, -1.0]


@pytest.fixture(scope="module")
def demo_con(demo_db: Path):  # noqa: ANN201
    con = connect_read_only(demo_db)
    yield con
    con.close()


def _sites(con) -> list[str]:  # noqa: ANN001
    return metrics.sites(con)


def test_sick_leave_of_one_education_never_undoes_the_total(demo_con) -> None:  # noqa: ANN001
    """The reviewer's case: 'I alt' with both educations minus SSH alone gave SSA."""
    recovered = 0
    for site in _sites(demo_con):
        both = datasets.sick_leave(demo_con, FORUM, Request(site, ("SSH", "SSA"), (0, 9999)),
                                   "aar").set_index(["uddannelse", "aar"])
        ssh = datasets.sick_leave(demo_con, FORUM, Request(site, ("SSH",), (0, 9999)),
                                  "aar").set_index(["uddannelse", "aar"])
        for year in both.loc[ALL].index:
            if ("SSA", year) not in both.index or ("SSH", year) not in ssh.index:
                continue
            if both.loc[("SSA", year), "syge_timer_skjult"]:
                total, one = both.loc[(ALL, year)], ssh.loc[("SSH", year)]
                recovered += bool(not total.syge_timer_skjult and not one.syge_timer_skjult)
    assert recovered == 0


@pytest.mark.parametrize("name", sorted(datasets.RELEASED))
def test_a_filter_chooses_rows_and_never_changes_a_number(demo_con, name: str) -> None:  # noqa: ANN001
    fetch = datasets.BY_NAME[name]
    site = _sites(demo_con)[0]
    widest = fetch(demo_con, FORUM, Request(site, ("SSH", "SSA"), (0, 9999)))
    keys = [c for c in ("uddannelse", "aargang", "aar", "maaned", "aarsag", "fase",
                        "aldersgruppe", "arbejdssted") if c in widest]
    for educations in (("SSA",), ("SSH",)):
        for years in ((2019, 2020), (2022, 2022)):
            narrow = fetch(demo_con, FORUM, Request(site, educations, years))
            if narrow.empty:
                continue
            joined = narrow.merge(widest, on=keys, suffixes=("", "_bred"))
            assert len(joined) == len(narrow)
            for column in narrow.columns.difference(keys):
                pd.testing.assert_series_equal(joined[column], joined[column + "_bred"],
                                               check_names=False)




def test_the_auditor_sees_a_cell_shown_under_one_filter_and_hidden_under_another() -> None:
    observed = pd.DataFrame({
        "kind": ["kohorte"] * 2, "site": ["A"] * 2, "udd": ["SSA"] * 2,
        "period": ["2020"] * 2, "cat": [""] * 2, "measure": ["ansatte"] * 2,
        "value": [2.0, 2.0], "hidden": [True, False]})
    result = privacy_audit.AuditResult(FORUM)
    privacy_audit._consistent(result, observed)
    assert any(f.kind == privacy_audit.INCONSISTENT and "vist i ét udtræk" in f.what
               for f in result.findings)


def test_the_auditor_decides_in_the_whole_group_what_no_part_decides(
        minimal_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts that decide nothing (as in a group too large to solve whole): the auditor
    solves each such count in its whole group, and on a protected release finds none
    narrowed."""
    def nothing_decided(system, hidden, cells, width, **_):  # noqa: ANN001, ANN202
        undecided = np.zeros(system.size, dtype=bool)
        undecided[np.asarray(cells, dtype=np.int64)] = True
        return pd.DataFrame({"cell": [], "low": [], "high": []}), undecided

    monkeypatch.setattr(linked, "interval_check", nothing_decided)
    monkeypatch.setattr(privacy_audit, "WHOLE_AT_MOST", 10_000)
    con = connect_read_only(minimal_db)
    try:
        result = privacy_audit.audit(con, FORUM, interval_limit=0)
    finally:
        con.close()
    assert result.ranges_whole == result.ranges_checked > 0
    assert result.ranges_undecided == 0 and not result.findings
    assert "afgjort i hele deres gruppe" in result.summary()


# Planned hours are about 145 per student and month (the demo's 1,987 site-months: 128–160):
# where they stand beside a hidden count, the count is the hours divided by that.
_HOURS_PER_STUDENT_MONTH = 144.5


def _protected_viewers(con) -> list[Viewer]:  # noqa: ANN001
    return [FORUM, *(Viewer(f"leder-{n}", "leder", (site,))
                     for n, site in enumerate(_sites(con)[:3]))]


def test_hours_never_give_a_hidden_count_back(demo_con) -> None:  # noqa: ANN001
    """The reviewer's attack: a site-month whose student count was hidden to protect a
    small one showed its planned hours; hours / 145 gave the count (37 of 39 exactly),
    and with the sums between sites and educations five small counts. A protected viewer
    gets no hours at all (a year's hours less its shown months are the hidden months too)
    and no share where the count is hidden."""
    team = Viewer("team", "uddannelse")
    estimated = shares_beside_hidden = rows_checked = 0
    for viewer in _protected_viewers(demo_con):
        sites = list(viewer.sites) if viewer.sites else [*_sites(demo_con), None]
        for period in ("maaned", "aar"):
            for site in sites:
                request = Request(site, ("SSH", "SSA"), (0, 9999))
                shown = datasets.sick_leave(demo_con, viewer, request, period)
                truth = datasets.sick_leave(demo_con, team, request, period)
                key = ["uddannelse", period]
                both = shown.merge(truth[[*key, "elever"]], on=key, suffixes=("", "_sand"))
                hidden = both[both.elever.isna()]
                estimate = (hidden.planlagte_timer / _HOURS_PER_STUDENT_MONTH).round()
                estimated += int(estimate.notna().sum())
                shares_beside_hidden += int(hidden.andel.notna().sum())
                assert shown.planlagte_timer.isna().all() and shown.syge_timer.isna().all()
                rows_checked += len(hidden)
    assert rows_checked > 0, "the demo hides no sick-leave count: the test proves nothing"
    assert estimated == 0 and shares_beside_hidden == 0


def test_a_rolling_share_is_shown_only_where_its_three_months_are(demo_con) -> None:  # noqa: ANN001
    """Three months' share over a hidden month would weigh it against the shown ones:
    each window of shown months and its shares would give the hidden count."""
    windows = 0
    for viewer in _protected_viewers(demo_con):
        for site in list(viewer.sites) or [*_sites(demo_con), None]:
            frame = datasets.sick_leave(demo_con, viewer, Request(site, ("SSH", "SSA"),
                                                                  (0, 9999)), "maaned")
            for _, rows in frame.groupby("uddannelse"):
                counts = rows.set_index("maaned").elever
                for month in rows[rows.andel_3_mdr.notna()].maaned:
                    window = pd.date_range(end=month, periods=3, freq="MS")
                    assert counts.reindex(window).notna().all(), (viewer.role, site, month)
                    windows += 1
    assert windows > 0


def test_the_education_team_gets_the_rolling_share_over_every_month(demo_con) -> None:  # noqa: ANN001
    """The query layer's three months (Σ sick hours / Σ planned hours), the same for the
    team whatever years are chosen: the first chosen month has its months before."""
    team = Viewer("team", "uddannelse")
    whole = datasets.sick_leave(demo_con, team, Request(None, ("SSH",), (0, 9999)), "maaned")
    one_year = datasets.sick_leave(demo_con, team, Request(None, ("SSH",), (2022, 2022)),
                                   "maaned")
    january = whole.set_index("maaned").loc["2021-11-01":"2022-01-01"]
    assert one_year.andel_3_mdr.iloc[0] == pytest.approx(
        january.syge_timer.sum() / january.planlagte_timer.sum())
    assert one_year.andel_3_mdr.tolist() == pytest.approx(
        whole[whole.aar == 2022].andel_3_mdr.tolist())


def test_a_files_row_count_never_gives_a_hidden_month_back(demo_con) -> None:  # noqa: ANN001
    """The reviewer's attack: the sick-leave file's rows are every month's students added
    up; less the months a protected viewer sees, they were a hidden month's count."""
    team = Viewer("team", "uddannelse")
    counts = datasets.loaded_files(demo_con, team).set_index("fil")["rækker"]
    months = datasets.sick_leave(demo_con, team, Request(None, ("SSH", "SSA"), (0, 9999)),
                                 "maaned")
    assert counts["sygefravaer"] == months[months.uddannelse == ALL].elever.sum()
    for viewer in _protected_viewers(demo_con):
        files = datasets.loaded_files(demo_con, viewer)
        assert list(files.columns) == ["fil", "kilde"] and len(files) == len(counts)


def test_a_share_of_hours_is_released_as_the_pages_show_it(demo_con) -> None:  # noqa: ANN001
    """The reviewer's attack: a share in full, turned back into a fraction with the shown
    count and 128-160 planned hours a student-month, gave the planned hours exactly (898
    of 1,216 site-months). Rounded to 0.01 percentage point, as the pages show it, a
    share fits thousands of (sick, planned) pairs."""
    from fractions import Fraction

    exact = 0
    for period in ("maaned", "aar"):
        frame = datasets.sick_leave(demo_con, FORUM, Request(None, ("SSH", "SSA"), (0, 9999)),
                                    period)
        shares = [*frame.andel.dropna(), *frame.get("andel_3_mdr", pd.Series()).dropna()]
        assert shares and all(round(a, release.SHARE_DECIMALS) == a for a in shares)
        exact += sum(Fraction(a).limit_denominator(10**7).denominator > 10**4 for a in shares)
    series = datasets.target_series(demo_con, FORUM)
    sick = series[series.metric == "sygefravaer"].vaerdi.dropna()
    assert len(sick) and all(round(v, release.SHARE_DECIMALS) == v for v in sick)
    assert exact == 0
