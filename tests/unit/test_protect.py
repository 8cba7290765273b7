"""The suppression rules on hand-made tables, through the release (sosu.metrics.release): the
primary rule, whole small rows, the threshold, headline figures, sites, the unseen rest
and the marks the UI prints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sosu.metrics import linked, release
from sosu.metrics.protect import REST, marks
from sosu.metrics.release import MUNICIPALITY, SITE

COUNTS = ["ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb", "aktive",
          "ansat_efter"]


def _cohort(site: str, ansatte: int, gennemfoert: int, frafald: int, aktive: int,
            year: int = 2020, education: str = "SSA") -> dict[str, object]:
    return {SITE: site, "uddannelse": education, "aargang": year, "ansatte": ansatte,
            "gennemfoert": gennemfoert, "frafald": frafald, "frafald_hovedforloeb": frafald,
            "aktive": aktive, "ansat_efter": gennemfoert,
            "andel_frafald": frafald / ansatte}


def _release(rows: list[dict[str, object]], threshold: int = 3) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    made = release.build({"cohorts": frame}, threshold)
    hidden = made.hidden & ~made.system.cells.virtual.to_numpy(dtype=bool)
    assert not (linked.determined(made.system, made.hidden)
                & linked.sensitive(made.system, hidden)).any()
    return made.tables["cohorts"]


def _whole(*sites: dict[str, object]) -> dict[str, object]:
    total = {c: sum(int(s[c]) for s in sites) for c in COUNTS}  # type: ignore[call-overload]
    return _cohort(MUNICIPALITY, total["ansatte"], total["gennemfoert"], total["frafald"],
                   total["aktive"])


def test_counts_of_one_to_three_are_hidden_zero_and_four_are_not() -> None:
    rows = [_cohort("A", 40, 33, 3, 4), _cohort("B", 40, 36, 0, 4)]
    table = _release([*rows, _whole(*rows)])
    a = table[table[SITE] == "A"].iloc[0]
    b = table[table[SITE] == "B"].iloc[0]
    assert a.frafald_skjult and np.isnan(a.frafald)
    assert a.andel_frafald_skjult  # a rate built on a hidden count
    assert not b.frafald_skjult and b.frafald == 0  # a zero is shown
    assert not a.aktive_skjult or not np.isnan(a.aktive) or a.aktive_skjult  # 4: not small
    assert not [c for c in table.columns if str(c).endswith("_lille")]  # no small flag out


def test_a_small_group_hides_its_whole_row() -> None:
    rows = [_cohort("A", 3, 0, 0, 3), _cohort("B", 40, 30, 5, 5)]
    a = _release([*rows, _whole(*rows)]).query(f"{SITE} == 'A'").iloc[0]
    assert all(a[f"{c}_skjult"] for c in COUNTS)


def test_the_threshold_is_configurable() -> None:
    rows = [_cohort("A", 40, 31, 4, 5), _cohort("B", 40, 30, 5, 5)]
    assert not _release([*rows, _whole(*rows)], 3).query(f"{SITE} == 'A'").iloc[0].frafald_skjult
    assert _release([*rows, _whole(*rows)], 5).query(f"{SITE} == 'A'").iloc[0].frafald_skjult


def test_a_site_hidden_alone_hides_a_second_site_not_the_total() -> None:
    rows = [_cohort("A", 40, 35, 2, 3), _cohort("B", 40, 30, 6, 4),
            _cohort("C", 40, 28, 8, 4)]
    table = _release([*rows, _whole(*rows)])
    hidden = table.set_index(SITE).frafald_skjult
    assert hidden["A"] and hidden[["B", "C"]].any()
    assert not hidden[MUNICIPALITY]  # the municipality's own figure stays


def test_site_minus_total_cannot_reveal_the_unseen_rest() -> None:
    # A leder sees A and the municipality; the other sites are one REST nobody is shown.
    # REST's dropouts are 2: A's dropouts must be hidden, or total - A gives them.
    rows = [_cohort("A", 40, 30, 6, 4), _cohort(REST, 30, 26, 2, 2)]
    table = _release([*rows, _whole(*rows)])
    assert table.query(f"{SITE} == 'A'").iloc[0].frafald_skjult or \
        table.query(f"{SITE} == @MUNICIPALITY").iloc[0].frafald_skjult


def test_headline_figures_are_the_last_choice_for_a_complementary_cell() -> None:
    # gennemfoert = ansat_efter + ikke_ansat_efter (virtual): with 2 not hired after, a
    # second cell of that equation goes, and gennemfoert is chosen before ansat_efter.
    row = _cohort("A", 40, 30, 5, 5) | {"ansat_efter": 28}
    table = _release([row, _whole(row) | {"ansat_efter": 28}])
    a = table.query(f"{SITE} == 'A'").iloc[0]
    assert a.gennemfoert_skjult and not a.ansat_efter_skjult


def test_every_hidden_cell_has_one_mark_small_or_not() -> None:
    """"≤3" beside "skjult" told a small cell from one hidden to protect it: with the
    sums between cells that gave hidden counts back. One mark tells nothing."""
    rows = [_cohort("A", 40, 34, 2, 4), _cohort("B", 40, 30, 6, 4)]
    table = _release([*rows, _whole(*rows)]).query(f"{SITE} == 'A'").reset_index(drop=True)
    assert marks(table, "frafald").tolist() == ["skjult"]
    assert marks(table, "andel_frafald").tolist() == ["skjult"]  # built on the 2
    assert marks(table, "ansatte").tolist() == [""]
    complementary = [c for c in ("gennemfoert", "aktive") if table[f"{c}_skjult"][0]]
    assert complementary and all(marks(table, c)[0] == "skjult" for c in complementary)
