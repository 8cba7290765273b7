""""At least" between cells (sosu.metrics.linked.with_inequalities, release._inequalities):
a year's students with sick leave are at least any month's and at most the months added
up, and dropouts by calendar year never run ahead of the cohorts' dropouts. Hand-made
systems first, then a small municipality's sick-leave tables, attacked by a linear program
that builds the inequalities itself from the cells' names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from sosu.metrics import linked, release
from sosu.metrics.release import ALL, MUNICIPALITY, SITE
from tests.support import attacked_interval

WIDTH = linked.protection_width(3)


def _system(values: list[float], small: list[bool], equations: list[dict[int, float]],
            inequalities: list[dict[int, float]] | None = None, *,
            deferred: bool = False) -> linked.System:
    cells = pd.DataFrame({"value": np.array(values, dtype="float64"), "small": small,
                          "virtual": False, "headline": False})
    terms = pd.DataFrame([(number, cell, coefficient)
                          for number, equation in enumerate(equations)
                          for cell, coefficient in equation.items()],
                         columns=["equation", "cell", "coefficient"])
    rows = pd.DataFrame([(number, cell, coefficient)
                         for number, row in enumerate(inequalities or [])
                         for cell, coefficient in row.items()],
                        columns=["inequality", "cell", "coefficient"]).assign(deferred=deferred)
    cells, terms = linked.with_inequalities(cells, terms, rows)
    return linked.System(cells.assign(cell=cells.index), terms)


# total 5 (shown) = a (1, small, hidden) + b (4, hidden); m (4, shown) is a part of b's
# group: b >= m. The sum alone leaves a anywhere in 1..4; with b >= 4 it is 1.
VALUES = [5.0, 1.0, 4.0, 4.0]
SMALL = [False, True, False, False]
SUM = [{0: 1.0, 1: -1.0, 2: -1.0}]
B_AT_LEAST_M = [{2: 1.0, 3: -1.0}]


def test_an_inequality_pins_what_the_sum_alone_leaves_open() -> None:
    hidden = np.array([False, True, True, False])
    alone = _system(VALUES, SMALL, SUM)
    assert linked.narrowed(alone, hidden, np.array([1]), WIDTH).empty
    together = _system(VALUES, SMALL, SUM, B_AT_LEAST_M)
    extended = np.zeros(together.size, dtype=bool)
    extended[:4] = hidden
    found = linked.narrowed(together, extended, np.array([1]), WIDTH)
    assert list(found.cell) == [1]
    assert found.low.iloc[0] == pytest.approx(1.0) and found.high.iloc[0] == pytest.approx(1.0)


def test_a_slack_is_known_only_to_be_zero_or_more() -> None:
    system = _system([3.0, 3.0, 1.0], [False, False, True], [],
                     [{0: 1.0, 1: -1.0}, {0: 1.0, 2: -1.0}])  # 3 - 3 = 0, 3 - 1 = 2
    lower, upper = linked.knowledge(system)
    slack = system.flag("slack")
    assert slack.tolist() == [False, False, False, True, True]
    assert system.cells.value[slack].tolist() == [0.0, 2.0]
    assert (lower[slack] == 0).all() and np.isinf(upper[slack]).all()  # a 0 is not known


def test_an_inequality_the_data_break_is_left_out() -> None:
    system = _system([2.0, 5.0], [True, False], [], [{0: 1.0, 1: -1.0}])  # 2 >= 5: false
    assert not system.flag("slack").any() and system.terms.empty


def test_the_protection_hides_until_no_inequality_pins_a_count() -> None:
    system = _system(VALUES, SMALL, SUM, B_AT_LEAST_M)
    hidden = linked.suppress(system, threshold=3)
    assert hidden[3] or hidden[0]  # m or the total: one more unknown in the chain
    low, high = _attacked(np.array(VALUES), hidden[:4], SUM, B_AT_LEAST_M, cell=1)
    assert high - low >= WIDTH - 1e-9


def test_an_inequality_checked_last_is_still_protected_against() -> None:
    """Checked after the rest is protected (linked.protect, `deferred`): the sum alone
    needs nothing more hidden, the inequality then does."""
    system = _system(VALUES, SMALL, SUM, B_AT_LEAST_M, deferred=True)
    assert system.flag("deferred")[4:].all() and not system.flag("deferred")[:4].any()
    hidden = linked.suppress(system, threshold=3)
    low, high = _attacked(np.array(VALUES), hidden[:4], SUM, B_AT_LEAST_M, cell=1)
    assert high - low >= WIDTH - 1e-9


def _rows(rows: list[dict[int, float]], size: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        ([c for row in rows for c in row.values()],
         ([i for i, row in enumerate(rows) for _ in row], [c for row in rows for c in row])),
        shape=(len(rows), size))


def _attacked(values: np.ndarray, hidden: np.ndarray, equations: list[dict[int, float]],
              inequalities: list[dict[int, float]], *, cell: int) -> tuple[float, float]:
    """The attacker's interval (tests/support.attacked_interval) from rows of cells."""
    return attacked_interval(values, hidden, _rows(equations, len(values)),
                             _rows(inequalities, len(values)), cell=cell)


# A small municipality's sick leave in 2019: who was sick in which month, at which site.
# Akutteamet's counts are small; Skovbrynet's October shows its year's students all at once.
SICK = (
    [(f"s{i}", "Skovbrynet", "SSH", "2019-10") for i in range(4)]
    + [(f"s{i}", "Skovbrynet", "SSA", "2019-10") for i in range(4, 11)]
    + [("s0", "Skovbrynet", "SSH", "2019-08"), ("s4", "Skovbrynet", "SSA", "2019-08")]
    + [("a1", "Akutteamet", "SSH", "2019-08"), ("a1", "Akutteamet", "SSH", "2019-09"),
       ("a3", "Akutteamet", "SSA", "2019-08"), ("a4", "Akutteamet", "SSA", "2019-10")]
    + [(f"b{i}", "Bakken", "SSH", month) for i in range(5)
       for month in ("2019-08", "2019-09", "2019-10")]
    + [(f"b{i}", "Bakken", "SSA", month) for i in range(5, 10)
       for month in ("2019-08", "2019-10")]
)


def _sick_frames() -> dict[str, pd.DataFrame]:
    """The sick-leave tables as the query layer gives them to the release: students
    counted once per row's group, hours summed, every site, education and "I alt", and
    the municipality."""
    months = pd.DataFrame(SICK, columns=["elev", SITE, "uddannelse", "maaned"]).assign(
        planlagte_timer=150.0, syge_timer=7.5)
    months["maaned"] = pd.to_datetime(months.maaned)
    months["aar"] = months.maaned.dt.year
    whole = [months, months.assign(**{SITE: MUNICIPALITY})]
    every = pd.concat([*whole, *(w.assign(uddannelse=ALL) for w in whole)])

    def counted(by: list[str]) -> pd.DataFrame:
        frame = every.groupby([SITE, "uddannelse", *by], as_index=False).agg(
            elever=("elev", "nunique"), planlagte_timer=("planlagte_timer", "sum"),
            syge_timer=("syge_timer", "sum"))
        return frame.assign(andel=frame.syge_timer / frame.planlagte_timer)

    by_month = counted(["maaned", "aar"]).assign(andel_3_mdr=np.nan)
    return {"sick_leave_by_year": counted(["aar"]), "sick_leave_by_month": by_month}


def _attacker_inequalities(keys: pd.DataFrame) -> list[dict[int, float]]:
    """From the cells' names alone: each year's students >= each month's, <= their sum."""
    numbered = keys.assign(i=np.arange(len(keys)))
    students = numbered[numbered.measure == "elever"]
    years = students[students.kind == "syg_aar"]
    months = students[students.kind == "syg_md"]
    rows: list[dict[int, float]] = []
    for year in years.itertuples():
        mine = months[(months.site == year.site) & (months.udd == year.udd)
                      & (months.period.str[:4] == year.period)].i.tolist()
        rows += [{year.i: 1.0, month: -1.0} for month in mine]
        rows.append({**{month: 1.0 for month in mine}, year.i: -1.0})
    return rows


def _pinned(made: release.Release) -> list[str]:
    """The hidden counts of 1..3 the attacker pins to one value, by name."""
    cells = made.system.cells
    real = ~cells.slack.to_numpy(dtype=bool)
    values = cells.value.to_numpy(dtype="float64")[real]
    keys = made.keys[real].reset_index(drop=True)
    slack_rows = made.system.terms.cell.isin(np.flatnonzero(~real))
    equal_terms = made.system.terms[~made.system.terms.equation.isin(
        made.system.terms.equation[slack_rows])]
    equations = [dict(zip(group.cell, group.coefficient, strict=True))
                 for _, group in equal_terms.groupby("equation")]
    hidden = made.hidden[real] | cells.virtual.to_numpy(dtype=bool)[real]
    inequalities = _attacker_inequalities(keys)
    names = release.key(keys).to_numpy(dtype=str)
    pinned = []
    for cell in np.flatnonzero(made.hidden[real] & (values >= 1) & (values <= 3)):
        low, high = _attacked(values, hidden, equations, inequalities, cell=int(cell))
        if high - low < WIDTH - 1e-9:
            pinned.append(names[cell].replace("\x1f", " "))
    return pinned


def test_the_sick_leave_release_leaves_no_count_pinned_by_year_and_month() -> None:
    made = release.build(_sick_frames(), 3)
    assert made.system.flag("slack").any()
    assert made.hidden[:len(made.keys)].any()
    assert _pinned(made) == []


def test_without_the_inequalities_the_same_release_pins_counts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack above can fail: protected as if only the sums held, the attacker pins
    Akutteamet's small counts."""
    monkeypatch.setattr(release, "_inequalities", lambda cells: pd.DataFrame(
        columns=["inequality", "cell", "coefficient"]))
    made = release.build(_sick_frames(), 3)
    assert not made.system.flag("slack").any()
    assert _pinned(made)


def test_dropouts_by_year_never_run_ahead_of_the_cohorts() -> None:
    """For each year T: the cohorts' dropouts up to T less the calendar years' up to T."""
    cells = pd.DataFrame({
        "kind": ["kohorte", "kohorte", "aarsag", "aarsag"], "site": "A", "udd": "SSH",
        "period": ["2019", "2020", "2019", "2020"], "cat": ["", "", ALL, ALL],
        "measure": ["frafald", "frafald", "antal", "antal"], "value": [2.0, 1.0, 1.0, 2.0]})
    rows = release._dropouts_after_hire(cells)
    by_year = {number: dict(zip(group.cell, group.coefficient, strict=True))
               for number, group in rows.groupby("inequality")}
    assert list(by_year.values()) == [{0: 1.0, 2: -1.0},
                                      {0: 1.0, 1: 1.0, 2: -1.0, 3: -1.0}]


def test_students_with_sick_leave_are_at_most_those_employed() -> None:
    """Hired up to the year, less those who dropped out in the years before."""
    cells = pd.DataFrame({
        "kind": ["kohorte", "kohorte", "aarsag", "aarsag", "syg_aar"], "site": "A",
        "udd": "SSH", "period": ["2019", "2020", "2019", "2020", "2020"],
        "cat": ["", "", ALL, ALL, ""],
        "measure": ["ansatte", "ansatte", "antal", "antal", "elever"],
        "value": [5.0, 4.0, 1.0, 2.0, 7.0]})
    rows = release._sick_within_employment(cells)
    assert rows.deferred.all()
    assert dict(zip(rows.cell, rows.coefficient, strict=True)) == {
        0: 1.0, 1: 1.0, 2: -1.0, 4: -1.0}  # 5 + 4 - 1 - 7 >= 0; 2020's dropouts not yet
