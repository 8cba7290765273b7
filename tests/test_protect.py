"""Small-number suppression on hand-made tables: primary cells, then complementary ones."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

from queries.protect import REST, SUFFIX, Spec, protect, protect_member

COHORT = Spec(keys=("u", "y"), counts=("n", "done", "drop", "active"), group="n",
              derived={"rate": ("drop", "n")}, sums=(("n", "done", "drop", "active"),))
REASONS = Spec(keys=("y", "reason"), counts=("k",), within=(("y",),))


def _row(n: int, done: int, drop: int, active: int, y: int = 1) -> dict:
    return {"u": "SSH", "y": y, "n": n, "done": done, "drop": drop, "active": active,
            "rate": drop / n}


def _hidden(frame: pd.DataFrame) -> dict[str, list[bool]]:
    return {c.removesuffix(SUFFIX): frame[c].tolist() for c in frame if c.endswith(SUFFIX)}


def test_counts_of_one_to_three_are_hidden_zero_and_four_are_not() -> None:
    frame = pd.DataFrame([_row(20, 16, 4, 0), _row(20, 17, 3, 0, y=2)])
    result = protect(frame, COHORT, 3)
    assert result["drop"].tolist()[0] == 4 and np.isnan(result["drop"].tolist()[1])
    # The rate built on the hidden count goes with it.
    assert _hidden(result)["rate"] == [False, True]
    # 20 = 17 + 3 + 0: with 3 hidden, 17 must go too, or 20 - 17 - 0 gives it back.
    assert _hidden(result)["done"] == [False, True]
    assert result.active.tolist() == [0, 0]


def test_a_small_group_hides_its_whole_row() -> None:
    result = protect(pd.DataFrame([_row(3, 0, 0, 3)]), COHORT, 3)
    assert all(flags == [True] for flags in _hidden(result).values())


def test_threshold_is_configurable() -> None:
    frame = pd.DataFrame([_row(20, 15, 5, 0)])
    assert not _hidden(protect(frame, COHORT, 3))["drop"][0]
    assert _hidden(protect(frame, COHORT, 5))["drop"][0]


def test_lone_hidden_row_in_a_group_takes_the_smallest_other_with_it() -> None:
    frame = pd.DataFrame({"y": [1, 1, 1, 2, 2], "reason": list("abcab"),
                          "k": [2, 10, 7, 5, 6]})
    result = protect(frame, REASONS, 3)
    assert _hidden(result)["k"] == [True, False, True, False, False]


def test_headline_figures_are_the_last_choice_for_a_complementary_cell() -> None:
    spec = Spec(keys=("u", "y"), counts=("n", "main", "basic"), group="n",
                sums=(("n", "main", "basic"),), headline=("main",))
    result = protect(pd.DataFrame({"u": ["SSA"], "y": [1], "n": [40], "main": [5],
                                   "basic": [2]}), spec, 3)
    # 40 = 5 + 2 and 2 is hidden: the bigger group total goes, not the headline 5.
    assert _hidden(result) == {"n": [True], "main": [False], "basic": [True]}


def test_virtual_cells_count_even_though_nobody_sees_them() -> None:
    spec = Spec(keys=("u", "y"), counts=("n", "drop", "drop_main"), group="n",
                virtual={"drop_basic": ("drop", ("drop_main",))},
                sums=(("drop", "drop_main", "drop_basic"),))
    frame = pd.DataFrame({"u": ["SSA"], "y": [1], "n": [40], "drop": [12], "drop_main": [10]})
    result = protect(frame, spec, 3)
    # 12 - 10 = 2 basic-course dropouts: one of the two shown figures must go.
    assert _hidden(result)["drop_main"] == [True] or _hidden(result)["drop"] == [True]
    assert "drop_basic" not in result


def test_a_site_hidden_alone_hides_a_second_site() -> None:
    members = {"A": pd.DataFrame([_row(20, 10, 5, 5)]), "B": pd.DataFrame([_row(10, 2, 4, 4)]),
               "C": pd.DataFrame([_row(30, 20, 5, 5)])}
    # B's 2 completions are hidden; with the total shown, A's 10 (the smallest other
    # site) must go too, and then one more cell in A's own row.
    result = protect_member(members, "A", COHORT, 3)
    assert _hidden(result)["done"] == [True]
    assert sum(_hidden(result)[c][0] for c in ("drop", "active")) == 1


def test_site_minus_total_cannot_reveal_the_unseen_rest() -> None:
    # A leder sees site A and the municipality; the rest (all other sites) had 2 dropouts.
    members = {"A": pd.DataFrame([_row(40, 30, 6, 4)]), REST: pd.DataFrame([_row(20, 14, 2, 4)])}
    result = protect_member(members, "A", COHORT, 3)
    assert _hidden(result)["drop"] == [True]


def test_a_site_without_the_row_is_not_chosen() -> None:
    members = {"A": pd.DataFrame([_row(20, 10, 2, 8)]),
               "B": pd.DataFrame([_row(20, 10, 5, 5, y=2)])}
    result = protect_member(members, "B", COHORT, 3)
    assert not any(flags[0] for flags in _hidden(result).values())


def _equations_hold(members: dict[str, pd.DataFrame], shown: dict[str, pd.DataFrame]) -> None:
    """No hidden cell can be recomputed from a row sum or from the total over the sites.

    The unseen rest is known only as the total minus every shown site, so it leaks
    when it is small and all shown sites are open; a shown site leaks when it is the
    only hidden one and there is no unseen rest.
    """
    for name, frame in shown.items():
        flags = frame[[c + SUFFIX for c in COHORT.counts]]
        lone = flags.sum(axis=1) == 1
        assert not lone.any(), f"{name}: one hidden cell in a row\n{frame}"
    for column in COHORT.counts:
        hidden = sum(int(frame[column + SUFFIX].iloc[0]) for frame in shown.values())
        if REST in members:
            rest = members[REST]
            small = 1 <= rest[column].iloc[0] <= 3 or rest.n.iloc[0] <= 3
            assert not (small and hidden == 0), f"{column}: the rest leaks\n{members}"
        else:
            assert hidden != 1, f"{column}: one hidden site\n{members}"


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_leave_a_lone_hidden_cell(seed: int) -> None:
    rng = random.Random(seed)
    members = {}
    for site in ["A", "B", "C", "D"][:rng.randint(2, 4)]:
        done, drop, active = (rng.choice([0, 1, 2, 3, 4, 6, 9, 15]) for _ in range(3))
        members[site] = pd.DataFrame([_row(max(done + drop + active, 1), done, drop, active)])
    if rng.random() < 0.5:
        members[REST] = members.pop(next(iter(members)))
    shown = {name: protect_member(members, name, COHORT, 3) for name in members if name != REST}
    _equations_hold(members, shown)


def test_marks_never_claim_a_complementary_cell_is_small() -> None:
    from queries.protect import marks

    result = protect(pd.DataFrame([_row(20, 17, 3, 0)]), COHORT, 3)
    assert marks(result, "drop", 3).tolist() == ["≤3"]
    assert marks(result, "done", 3).tolist() == ["skjult"]  # 17 is hidden, not small
    assert marks(result, "rate", 3).tolist() == ["≤3"]      # built on the 3
    assert marks(result, "n", 3).tolist() == [""]


MONTHS = Spec(keys=("aar", "maaned", "uddannelse"), counts=("elever", "syge"),
              within=(("aar", "uddannelse"), ("aar", "maaned")))


def _hide_in_groups_one_by_one(cells: Any) -> bool:
    """The grouping rule as first written, a group at a time: the reference."""
    changed = False
    for grouping in cells.groupings:
        every_cost = cells.cost()
        for g in range(len(grouping.starts)):
            rows = grouping.rows[grouping.group_of == g]
            lone = cells.hidden[:, rows, :].sum(axis=1) == 1
            lone &= cells.shown[:, None] & cells.count_columns[None, :]
            cost = every_cost[:, rows, :]
            choice = cost.argmin(axis=1)
            m, c = np.nonzero(lone & np.isfinite(cost.min(axis=1)))
            cells.hidden[m, rows[choice[m, c]], c] = True
            changed |= bool(len(m))
    return changed


def _month_rows(rng: random.Random, site: str) -> list[dict[str, object]]:
    rows = []
    for year in (2023, 2024):
        for month in range(1, rng.randint(2, 5)):
            for education in rng.sample(["SSA", "SSH", "I alt"], rng.randint(1, 3)):
                rows.append({"aar": year, "maaned": month, "uddannelse": education, "sted": site,
                             "elever": rng.choice([0, 1, 2, 3, 4, 5, 8, 12, 30]),
                             "syge": rng.choice([0, 1, 2, 4, 4, 7])})
    return rows


@pytest.mark.parametrize("seed", range(30))
def test_groups_are_settled_all_at_once_as_one_by_one(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """All groups of a grouping are settled in one array step; ties, absent rows, the
    unseen rest and cells of equal cost must come out exactly as a group at a time."""
    from queries import protect as module

    rng = random.Random(seed)
    sites = ["A", "B", "C", REST][:rng.randint(1, 4)]
    frame = pd.DataFrame([row for site in sites for row in _month_rows(rng, site)])
    at_once = module.protect_sites(frame, "sted", MONTHS, 3)
    monkeypatch.setattr(module._Cells, "hide_in_groups", _hide_in_groups_one_by_one)
    pd.testing.assert_frame_equal(at_once, module.protect_sites(frame, "sted", MONTHS, 3),
                                  check_exact=True)
    for (_site, _year, _education), group in at_once.groupby(["sted", "aar", "uddannelse"]):
        if len(group) > 1:
            assert group.elever_skjult.sum() != 1 and group.syge_skjult.sum() != 1
