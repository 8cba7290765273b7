"""Suppression over linked tables: every cell a viewer can obtain, and every sum between them.

The figures a protected viewer can get share students: a site's cohort table, the same
site's hires per year, the municipality's total, the scorecard's series, the months of
a year. Hiding a small cell in one table protects nothing if another table, or a sum
across tables, gives it back. So the cells of all of them are one system:

- a **cell** is one number about one group (a count of students, or hours), identified
  by what it counts, not by the table that shows it: the municipality's SSA hires in 2021
  are one cell, whether the cohort table, the hires table or the scorecard shows them;
- an **equation** says one cell is the sum of others (the municipality is the sum of its
  sites, "I alt" of its educations, a year of its months, the hired of the completed,
  dropped out and active). Only equations that hold in the data are kept, so a
  coincidence can only make the protection stricter, never weaker;
- a **virtual** cell is one nobody is shown but anybody can compute from shown cells
  (basic-course dropouts = dropouts − main-course dropouts): it takes part in the
  equations and, when small, must itself not be recoverable;
- an **inequality** says one side is at least the other (a year's students with sick
  leave are at least any month's): it is an equation with a **slack** cell of its own,
  the difference, known only to be 0 or more (`with_inequalities`). So every check below
  (substitution, the exact check, the linear programs, the interval propagation and the
  widening) takes the inequalities as it takes the equations.

`suppress` hides every small cell (primary suppression, 1..threshold students) and then
more cells until no equation leaves a hidden cell alone (complementary suppression);
`determined` then checks the whole system exactly (linear algebra over every equation
together, not one at a time) and `suppress` hides more wherever a hidden cell could still
be computed, until none can. Given the threshold, it then hides more until no hidden
count of 1..threshold can be narrowed to one value
(`protection_width`; `narrowed`: linear programming over every equation, every cell ≥ 1
but the zeros, which are taken as known (`knowledge`): what an attacker who knows all of
that can narrow a cell down to), in every connected group of unknown cells of at most
`LIMIT` cells. `ranges` gives the same intervals with two linear programs per cell: the
reference `narrowed` is tested against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

# Cells whose value is at most this far from an equation's sum still satisfy it: hours
# are sums of decimals, and float addition of many of them is not exact.
TOLERANCE = 1e-6
# A cell where a random null-space vector is smaller than this counts as determined.
_NOT_DETERMINED = 1e-6
_HEADLINE_COST = 1e9  # a headline figure is chosen only when no other cell will do
_ZERO_COST = 1e12  # zeros are chosen last: hiding a 0 protects little and hides much

CELL_COLUMNS = ("cell", "value", "small", "virtual", "headline")


@dataclass
class System:
    """The cells and equations of everything one viewer scope can obtain.

    `cells`: one row per cell, indexed 0..n-1, with `value`, `small` (1..threshold
    students, or a figure about a group that small), `virtual` (never shown) and
    `headline` (the figures the pages are about: hidden last); and, in a release protected
    together with the one its scope was shown before (metrics.release.build's `before`),
    `fixed` (shown before with this value: known, never worth hiding), `forced` (hidden
    before with this value: hidden again) and `earlier` (a cell of that release whose
    value has changed since, an unknown of its own when it was hidden).
    `terms`: the equations as (equation, cell, coefficient) rows, each equation summing
    to zero (a total with +1, its parts with -1). An inequality is an equation with a
    `slack` cell (virtual, at least 0, see with_inequalities).
    """

    cells: pd.DataFrame
    terms: pd.DataFrame

    @property
    def size(self) -> int:
        return len(self.cells)

    def flag(self, name: str) -> np.ndarray:
        """A boolean column of the cells; all False where the system has none."""
        if name not in self.cells:
            return np.zeros(self.size, dtype=bool)
        return self.cells[name].to_numpy(dtype=bool)

    def matrix(self) -> sparse.csr_matrix:
        n_equations = int(self.terms.equation.max()) + 1 if len(self.terms) else 0
        return sparse.csr_matrix(
            (self.terms.coefficient.to_numpy(dtype="float64"),
             (self.terms.equation.to_numpy(), self.terms.cell.to_numpy())),
            shape=(n_equations, self.size))


def keep_true_equations(terms: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Only the equations that hold in the data, renumbered 0..m-1; an equation of fewer
    than two cells says nothing."""
    if terms.empty:
        return terms
    residual = (terms.coefficient * values[terms.cell.to_numpy()]).groupby(
        terms.equation).sum()
    scale = (terms.coefficient.abs() * np.abs(values[terms.cell.to_numpy()])).groupby(
        terms.equation).sum()
    sizes = terms.groupby("equation").cell.nunique()
    holds = (residual.abs() <= TOLERANCE * np.maximum(1.0, scale)) & (sizes >= 2)
    kept = terms[terms.equation.map(holds).to_numpy(dtype=bool)]
    codes, _ = pd.factorize(kept.equation, sort=True)
    return kept.assign(equation=codes).reset_index(drop=True)


def with_inequalities(cells: pd.DataFrame, terms: pd.DataFrame,
                      inequalities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cells and equations with the inequalities that hold in the data added: each
    (inequality, cell, coefficient) group says the sum of coefficient × cell is at least
    0, and becomes an equation with a new virtual `slack` cell of that sum, with -1:
    what a viewer knows of it is only that it is 0 or more (`knowledge`). An inequality
    that does not hold is left out, as an equation is (keep_true_equations); so is one of
    fewer than two cells. The slack cells come after `cells`, with the columns of the
    inequality's first cell (the caller names them), `slack` True; every other cell gets
    `slack` False. With a `deferred` column (per inequality), its slack cells are flagged
    `deferred`: protect checks their inequalities after the rest (see protect)."""
    cells = cells.assign(slack=False, deferred=False)
    if inequalities.empty:
        return cells, terms
    values = cells.value.to_numpy(dtype="float64")
    by = inequalities.inequality
    weighted = inequalities.coefficient * values[inequalities.cell.to_numpy()]
    side = weighted.groupby(by).sum()
    scale = weighted.abs().groupby(by).sum()
    holds = (side >= -TOLERANCE * np.maximum(1.0, scale)) & (
        inequalities.groupby("inequality").cell.nunique() >= 2)
    kept = inequalities[by.map(holds).to_numpy(dtype=bool)]
    if kept.empty:
        return cells, terms
    number, _ = pd.factorize(kept.inequality, sort=True)
    first = kept.groupby(number).cell.first().to_numpy()
    slack_ids = len(cells) + np.arange(len(first))
    late = kept.groupby(number).deferred.first().to_numpy(dtype=bool) \
        if "deferred" in kept else False
    slacks = cells.iloc[first].assign(
        value=np.maximum(side[holds].to_numpy(dtype="float64"), 0.0), small=False,
        virtual=True, headline=False, slack=True, deferred=late)
    start = int(terms.equation.max()) + 1 if len(terms) else 0
    added = pd.DataFrame({
        "equation": np.concatenate([start + number, start + np.arange(len(first))]),
        "cell": np.concatenate([kept.cell.to_numpy(), slack_ids]),
        "coefficient": np.concatenate([kept.coefficient.to_numpy(dtype="float64"),
                                       -np.ones(len(first))])})
    together = pd.concat([cells, slacks], ignore_index=True)
    return together, pd.concat([terms, added], ignore_index=True)


class _State:
    def __init__(self, system: System, *, hidden: np.ndarray | None = None,
                 given_up: np.ndarray | None = None) -> None:
        """`hidden`, `given_up`: carried over from an earlier stage (see protect)."""
        cells = system.cells
        self.values = cells.value.to_numpy(dtype="float64")
        self.virtual = cells.virtual.to_numpy(dtype=bool)
        self.small = cells.small.to_numpy(dtype=bool)
        self.fixed = system.flag("fixed")
        self.hidden = (self.small & ~self.virtual & ~self.fixed) | system.flag("forced")
        if hidden is not None:
            self.hidden |= hidden
        # Cells that cells shown before give away whatever is hidden now (nothing left to
        # hide in their equations is hideable): recorded, not protected (see unprotectable).
        self.given_up = np.zeros(len(cells), dtype=bool) if given_up is None \
            else given_up.copy()
        self.cost_base = np.where(self.values > 0, self.values, _ZERO_COST + self.values) + \
            np.where(cells.headline.to_numpy(dtype=bool), _HEADLINE_COST, 0.0)
        matrix = system.matrix()
        self.pattern = (matrix != 0).astype(np.int32).tocsr()
        self.rows, self.cols = self.pattern.nonzero()

    @property
    def unknown(self) -> np.ndarray:
        return self.hidden | self.virtual

    @property
    def hideable(self) -> np.ndarray:
        """Shown cells whose hiding hides something: not those shown before (`fixed`)."""
        return ~self.unknown & ~self.fixed

    @property
    def needs_protection(self) -> np.ndarray:
        """Cells that must not be recoverable: every hidden cell, and small virtual ones,
        except zeros (see sensitive)."""
        return (self.hidden | (self.virtual & self.small)) & (self.values != 0)

    def hide_cheapest(self, equations: np.ndarray) -> np.ndarray:
        """In each of these equations, hide the cheapest shown cell; the cells hidden."""
        none = np.zeros(0, dtype=np.int64)
        if not len(equations):
            return none
        wanted = np.zeros(self.pattern.shape[0], dtype=bool)
        wanted[equations] = True
        shown = self.hideable
        mask = wanted[self.rows] & shown[self.cols]
        rows, cols = self.rows[mask], self.cols[mask]
        if not len(rows):
            return none
        order = np.lexsort((cols, self.cost_base[cols], rows))
        rows, cols = rows[order], cols[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        chosen = np.unique(cols[first])
        self.hidden[chosen] = True
        return chosen


def _settle(state: _State) -> None:
    """The fast part: what an attacker finds by substitution. An equation with one
    unknown cell gives it; a virtual cell found so (basic-course dropouts, say) is then
    known and may leave another equation with one unknown. When the cell found needs
    protection, the cheapest shown cell of that equation is hidden instead. Each round
    settles every such equation at once. A virtual cell found before a cell it was found
    through is hidden stays known: that can only hide more, and the search need not start
    again (at national scale, starting again took thousands of rounds)."""
    known = ~state.unknown
    single_rows = np.zeros(state.pattern.shape[0], dtype=bool)
    while True:
        unknown = state.pattern @ (~known).astype(np.int32)
        single_rows[:] = unknown == 1
        if not single_rows.any():
            return
        # The one unknown cell of each such equation.
        in_single = single_rows[state.rows] & ~known[state.cols]
        found = np.unique(state.cols[in_single])
        leaking = state.needs_protection[state.cols[in_single]]
        if leaking.any():
            chosen = state.hide_cheapest(np.unique(state.rows[in_single][leaking]))
            if len(chosen):
                known[chosen] = False
                continue
            # Nothing shown is left in those equations: the exact check and _break handle
            # it, through the equations of the cells that give it away.
        known[found] = True


def determined(system: System, hidden: np.ndarray, *, seed: int = 0, vectors: int = 3,
               near: np.ndarray | None = None) -> np.ndarray:
    """Cells recoverable exactly from every shown cell and every equation together.

    The unknowns are the hidden and virtual cells; the equations restricted to them form
    a matrix A. A cell is determined exactly when its unit vector lies in A's row space,
    i.e. when every vector of A's null space is 0 there. Random vectors are projected onto
    the null space (least squares, to machine precision): a cell where every projection
    is 0 is determined. A random projection is 0 at a cell that is not determined with
    probability 0, and the gap is wide (about 1e-13 against 1e-2 on the demo): a value
    between the two, or a projection that did not converge, counts as determined, which
    errs on the side of hiding more. With `near`, only the connected groups of unknowns
    that hold one of those cells are checked (the others cannot have changed)."""
    virtual = system.cells.virtual.to_numpy(dtype=bool)
    unknown = hidden | virtual
    found = np.zeros(system.size, dtype=bool)
    matrix = system.matrix()
    if not unknown.any() or matrix.shape[0] == 0:
        return found
    columns = np.flatnonzero(unknown)
    sub = matrix[:, columns].tocsr()
    sub = sub[np.flatnonzero(np.diff(sub.indptr)), :]
    if sub.shape[0] == 0:
        return found
    if near is not None:
        sub, columns = _around(sub, columns, near)
        if not len(columns):
            return found
    # Each equation scaled to length 1: the row space, and so the answer, is the same, and
    # the least squares converge in fewer steps.
    lengths = np.sqrt(np.asarray(sub.multiply(sub).sum(axis=1)).ravel())
    sub = sparse.diags(1.0 / np.where(lengths > 0, lengths, 1.0)) @ sub
    transposed = sub.T.tocsr()
    projections = np.random.default_rng(seed).standard_normal((vectors, len(columns)))
    largest = np.zeros(len(columns))
    for vector in projections:
        solution = lsqr(transposed, vector, atol=1e-15, btol=1e-15, conlim=1e14,
                        iter_lim=50 * len(columns) + 1000)[0]
        residual = vector - transposed @ solution
        if np.linalg.norm(sub @ residual) > 1e-8 * max(1.0, float(np.linalg.norm(vector))):
            largest[:] = 0.0  # not converged: call every unknown determined
            break
        largest = np.maximum(largest, np.abs(residual))
    found[columns[largest < _NOT_DETERMINED]] = True
    return found


def _around(sub: sparse.csr_matrix, columns: np.ndarray,
            near: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The equations and unknowns of the connected groups that hold a cell of `near`."""
    n_rows = sub.shape[0]
    graph = sparse.bmat([[None, sub], [sub.T, None]]).tocsr()
    _, labels = connected_components(graph, directed=False)
    wanted = np.unique(labels[n_rows:][near[columns]])
    rows = np.isin(labels[:n_rows], wanted)
    keep = np.isin(labels[n_rows:], wanted)
    return sub[np.flatnonzero(rows)][:, np.flatnonzero(keep)].tocsr(), columns[keep]


@dataclass
class Protection:
    """What `protect` hides, and the hidden counts of 1..threshold whose interval it did
    not check: those in a connected group of more than `limit` unknown cells."""

    hidden: np.ndarray
    undecided: np.ndarray


def suppress(system: System, *, complementary: bool = True,
             threshold: int | None = None, limit: int | None = None) -> np.ndarray:
    """Which cells to hide: the small ones, then (with `complementary`) as many more as it
    takes for no hidden or small virtual cell to be recoverable from the rest, and (with
    `threshold`) for no hidden count of 1..threshold to be narrowed to one value (see
    `interval_check`, protection_width), in every connected group of at
    most `limit` unknown cells (the counts in larger ones: `protect`'s `undecided`).

    After a fix only the groups of unknowns it touched are checked again, with one random
    vector; the last check is of everything, with three. The interval step checks what
    its fixes touched with three vectors: hiding a cell can make only that cell
    recoverable, never one hidden before it."""
    return protect(system, complementary=complementary, threshold=threshold,
                   limit=limit).hidden


def protect(system: System, *, complementary: bool = True, threshold: int | None = None,
            limit: int | None = None, groups: np.ndarray | None = None) -> Protection:
    """`suppress`, and the hidden counts of 1..threshold whose interval it could not show
    wide enough: in a connected group of more than `limit` unknown cells, all of them; with
    `groups` (each cell's site, see _parts), only those that stayed narrow in their part
    however much was hidden around them (see _protect_intervals)."""
    state = _State(system)
    undecided = np.zeros(system.size, dtype=bool)
    if not complementary:
        return Protection(state.hidden.copy(), undecided)
    deferred = system.flag("deferred")
    # Inequalities flagged `deferred` are checked after everything else is protected, and
    # only then protected against (from what is hidden by then): hiding more only widens,
    # so the result holds for every equation and inequality. Protecting against all at
    # once let the greedy choices follow long inequalities (the dropouts of many years),
    # and on the demo hid every headline figure Kvalitetsforum was shown, where protecting
    # the rest first left nothing those inequalities could narrow.
    for stage in ([_without_equations_of(system, deferred), system] if deferred.any()
                  else [system]):
        state = _State(stage, hidden=state.hidden, given_up=state.given_up)
        _settle(state)
        _protect_exactly(state, stage)
        if threshold is not None:
            undecided = _protect_intervals(state, stage, threshold, limit, groups)
    # Cells the release shown before gives away (given_up) are undecided too: counted and
    # logged by the caller, never silently taken as protected.
    return Protection(state.hidden.copy(), undecided | state.given_up)


def _without_equations_of(system: System, cells: np.ndarray) -> System:
    """The system without the equations any of `cells` takes part in (renumbered)."""
    terms = system.terms
    dropped = terms.equation[cells[terms.cell.to_numpy()]].unique()
    kept = terms[~terms.equation.isin(dropped)]
    codes, _ = pd.factorize(kept.equation, sort=True)
    return System(system.cells, kept.assign(equation=codes).reset_index(drop=True))


def _protect_exactly(state: _State, system: System, near: np.ndarray | None = None, *,
                     vectors: int = 1) -> None:
    """Hide more until no cell that needs protection is determined. With `near`, start
    with the groups of unknowns around those cells and stop when they are clean (with
    `vectors` random vectors per check); without, end with a check of everything."""
    final = near is None
    for _ in range(200):
        known = determined(system, state.hidden, vectors=3 if near is None else vectors,
                           near=near)
        leaks = known & state.needs_protection & ~state.given_up
        if not leaks.any():
            if near is None or not final:
                return
            near = None
            continue
        before = state.hidden.copy()
        if not _break(state, np.flatnonzero(leaks), known=known):
            if not state.fixed.any():
                raise RuntimeError("suppression could not protect every cell")
            state.given_up |= leaks  # given away by what was shown before: see unprotectable
            continue
        _settle(state)
        near = (state.hidden & ~before) | leaks
    raise RuntimeError("suppression did not settle")


def _break(state: _State, leaks: np.ndarray, *, known: np.ndarray | None = None) -> bool:
    """Hide a cell near each leak, where it gives the leak away.

    With `known` (the unknown cells the exact check found determined), a leak is first
    followed through the equations that give it by substitution: those whose other
    unknown cells are all determined too (the hours of a site = a virtual cohort total
    that its shown years add up to). Where such an equation has a shown cell, the cheapest
    is hidden; where it has none, the search goes on from its determined cells. Hiding a
    cell anywhere else in the leak's equations (another site's total in the national sum,
    say) leaves that way in open, and at national scale took one round per site.

    Otherwise, or when no such equation is found: in an equation the leak takes part in
    with the fewest unknowns, the cheapest shown cell; when all its equations' cells are
    unknown already, one step further out, through the equations of those cells."""
    if known is not None and _break_substitution(state, leaks, known):
        return True
    frontier = np.zeros(state.pattern.shape[1], dtype=bool)
    frontier[leaks] = True
    counts = state.pattern @ state.unknown.astype(np.int32)
    has_shown = state.pattern @ state.hideable.astype(np.int32)
    for _ in range(6):
        terms = frontier[state.cols]
        rows, cols = state.rows[terms], state.cols[terms]
        hid = _hide_where_shown(state, rows, cols, has_shown, counts)
        if hid is not None:
            return hid
        reached = np.zeros(state.pattern.shape[0], dtype=bool)
        reached[rows] = True
        frontier[state.cols[reached[state.rows]]] = True
    return False


def _hide_where_shown(state: _State, rows: np.ndarray, cols: np.ndarray,
                      has_shown: np.ndarray, counts: np.ndarray) -> bool | None:
    """Of the (equation, cell) pairs `rows`, `cols`, those whose equation has a shown cell:
    for each cell, in its equation with the fewest unknowns, hide the cheapest shown cell;
    whether any was hidden. None when no equation has a shown cell (look further out)."""
    usable = has_shown[rows] > 0
    if not usable.any():
        return None
    return bool(len(state.hide_cheapest(_fewest_unknowns(rows[usable], cols[usable],
                                                         counts))))


def _fewest_unknowns(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each cell of `cols`, the one of its equations `rows` with the fewest unknowns."""
    order = np.lexsort((counts[rows], cols))
    rows, cols = rows[order], cols[order]
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols[1:] != cols[:-1]
    return np.unique(rows[first])


def _break_substitution(state: _State, leaks: np.ndarray, known: np.ndarray) -> bool:
    """_break along the equations that give each leak by substitution (see _break)."""
    unknown = state.unknown
    open_cells = unknown & ~known
    # An equation gives its unknown cells away by substitution when none of them is open.
    giving = (state.pattern @ open_cells.astype(np.int32)) == 0
    has_shown = state.pattern @ state.hideable.astype(np.int32)
    counts = state.pattern @ unknown.astype(np.int32)
    frontier = np.zeros(state.pattern.shape[1], dtype=bool)
    frontier[leaks] = True
    visited = frontier.copy()
    for _ in range(6):
        terms = frontier[state.cols] & giving[state.rows]
        rows, cols = state.rows[terms], state.cols[terms]
        if not len(rows):
            return False
        hid = _hide_where_shown(state, rows, cols, has_shown, counts)
        if hid is not None:
            return hid
        reached = np.zeros(state.pattern.shape[0], dtype=bool)
        reached[rows] = True
        frontier = np.zeros_like(frontier)
        frontier[state.cols[reached[state.rows]]] = True
        frontier &= known & ~visited
        visited |= frontier
    return False


def sensitive(system: System, hidden: np.ndarray) -> np.ndarray:
    """The cells no viewer may recompute: every hidden cell and every small virtual one,
    except those whose value is 0. A zero is not a figure about anyone (the dashboard shows
    zeros); it is hidden only in a row about 3 or fewer, where it could otherwise help
    recompute the row's other cells, and the exact check covers those. A zero can also be
    given away by the tables' shape alone (no row for a reason nobody left for), which no
    hiding can change."""
    cells = system.cells
    values = cells.value.to_numpy(dtype="float64")
    small_virtual = cells.virtual.to_numpy(dtype=bool) & cells.small.to_numpy(dtype=bool)
    return (hidden | small_virtual) & (values != 0)


def knowledge(system: System) -> tuple[np.ndarray, np.ndarray]:
    """The bounds a viewer knows each unknown cell within: lower and upper.

    Every hidden cell is printed with the same mark (metrics.protect.marks), so the mark
    tells nothing about its value. Whether a cell is 0 is taken as known: zeros are
    shown, a category row (a reason, a phase, an age band) exists only when someone is in
    it, and a zero hidden in a small row is no figure about anyone. So a cell of 0 is 0
    and any other is at least 1 (or its value, for a figure that is no count: hours). An
    attacker may know less than this, never more. A slack cell (an inequality's
    difference, see with_inequalities) is known only to be 0 or more."""
    values = system.cells.value.to_numpy(dtype="float64")
    slack = system.flag("slack")
    lower = np.where(slack, 0.0, np.minimum(values, 1.0))
    upper = np.where((values == 0) & ~slack, 0.0, np.inf)
    return lower, upper


def protection_width(_threshold: float) -> float:
    """How wide the interval of a hidden count of 1..threshold must stay: two values at
    least, so that no sum pins it (with what a viewer knows of zeros, `knowledge`). All
    of 1..threshold (a width of threshold - 1) would be the stronger goal: with linear
    programs alone it took Kvalitetsforum's release on the demo some 250 s, this width
    46-57 s, and with the equations' own bounds first (_propagated) 3.5-4.3 s (see
    docs/privacy.md)."""
    return 1.0


def ranges(system: System, hidden: np.ndarray, cells: np.ndarray, *,
           methods: tuple[str, ...] = ("highs",)) -> pd.DataFrame:
    """The feasible interval of each of `cells` (hidden or virtual) given every shown cell,
    every equation and which cells are 0 (`knowledge`): columns cell, low, high (NaN where
    every method failed). `methods`: SciPy's HiGHS solvers, each tried when the one before failed;
    "highs-ipm" (interior point, then crossover to an exact vertex) solves the national
    scale's largest group in some 13–25 s of CPU a program where the simplex takes
    50–250 s, but once in 22 programs there it stopped with a solve error where the dual
    simplex ("highs-ds") found the optimum."""
    virtual = system.cells.virtual.to_numpy(dtype=bool)
    values = system.cells.value.to_numpy(dtype="float64")
    unknown = hidden | virtual
    lower, upper = knowledge(system)
    matrix = system.matrix()
    known = np.where(unknown, 0.0, values)
    right = -(matrix @ known)
    columns = np.flatnonzero(unknown)
    position = {int(c): i for i, c in enumerate(columns)}
    sub = matrix[:, columns].tocsr()
    n_rows = sub.shape[0]
    graph = sparse.bmat([[None, sub], [sub.T, None]]).tocsr()
    _, labels = connected_components(graph, directed=False)
    result = []
    for cell in cells:
        label = labels[n_rows + position[int(cell)]]
        cols = np.flatnonzero(labels[n_rows:] == label)
        rows = np.flatnonzero(labels[:n_rows] == label)
        block = sub[rows][:, cols]
        target = int(np.flatnonzero(columns[cols] == cell)[0])
        mine = columns[cols]
        bounds = np.column_stack((lower[mine], upper[mine]))  # linprog takes inf as none
        if block.shape[0] == 0:
            result.append((int(cell), float(lower[cell]), float(upper[cell])))
            continue
        objective = np.zeros(len(cols))
        objective[target] = 1.0
        low = _solved(objective, block, right[rows], bounds, methods)
        high = _solved(-objective, block, right[rows], bounds, methods)
        top = -high.fun if high.status == 0 else (np.inf if high.status == 3 else np.nan)
        bottom = float(low.fun) if low.status == 0 else np.nan
        result.append((int(cell), bottom, float(top)))
    return pd.DataFrame(result, columns=["cell", "low", "high"])


def _solved(objective: np.ndarray, matrix: sparse.csr_matrix, right: np.ndarray,
            bounds: Any, methods: tuple[str, ...]) -> Any:
    """The first of `methods` to solve the program (optimal, or unbounded: status 0 or 3)."""
    result = None
    for method in methods:
        result = linprog(objective, A_eq=matrix, b_eq=right, bounds=bounds, method=method)
        if result.status in (0, 3):
            break
    return result


# Intervals -----------------------------------------------------------------------------

# An interval at most this much narrower than it must be still counts as wide enough:
# the linear programs are solved to about 1e-9.
_SLACK = 1e-9
# A dual value this far from 0 marks an equation that limits a cell's interval.
_BINDING = 1e-9
# Rounds of linear programs that push every open cell at once, before each cell still
# open gets programs of its own.
_ROUNDS = 8
# Small groups of unknowns are solved together, up to this many unknowns in one program:
# a program of a few thousand variables costs about what one of ten does.
_BATCH = 5_000
# A group of unknowns above LIMIT is checked in parts of this many sites (and the
# municipality's cells), cut this many ways at most (_open_in_parts).
_PART = 30
_PARTITIONS = 5
# Cells tried, cheapest first, for one that can be hidden without being recomputable.
_TRIED = 5
# `release.build` solves intervals whole only in groups of at most this many unknown
# cells, and larger groups in parts: a linear program over the national scale's largest
# group (178,000 unknowns) takes about a minute, and the exact check needs two per cell.
LIMIT = 20_000


@dataclass
class _Block:
    """Connected groups of unknown cells and every equation they take part in, as a linear
    program's constraints: matrix @ x = right, lower <= x <= upper (`knowledge`)."""

    cells: np.ndarray  # the system's ids of the unknowns
    equations: np.ndarray  # the system's ids of the equations
    matrix: sparse.csr_matrix
    right: np.ndarray
    values: np.ndarray  # the unknowns' true values: one feasible point
    lower: np.ndarray
    upper: np.ndarray

    def solve(self, objective: np.ndarray, upper: np.ndarray | None = None) -> Any:
        top = self.upper if upper is None else np.minimum(self.upper, upper)
        bounds = np.column_stack((self.lower, top))
        return linprog(objective, A_eq=self.matrix, b_eq=self.right, bounds=bounds,
                       method="highs")

    def point(self, result: Any) -> np.ndarray | None:
        """The solution, if it is a feasible point (checked here, not taken on trust)."""
        if result.status != 0 or result.x is None:
            return None
        x = np.asarray(result.x, dtype="float64")
        if (x < self.lower - 1e-6).any() or (x > self.upper + 1e-6).any():
            return None
        scale = np.maximum(1.0, np.maximum(np.abs(self.right), abs(self.matrix) @ np.abs(x)))
        if (np.abs(self.matrix @ x - self.right) > 1e-7 * scale).any():
            return None
        return np.clip(x, self.lower, self.upper)


def _blocks(system: System, hidden: np.ndarray, wanted: np.ndarray, limit: int | None,
            bounds: tuple[np.ndarray, np.ndarray]) -> tuple[list[_Block], list[_Block]]:
    """The connected groups of unknown cells that hold a cell of `wanted` and take part in
    an equation, one block each: those of at most `limit` unknowns, and the larger ones.
    `bounds`: every cell's lower and upper bound (`knowledge`)."""
    virtual = system.cells.virtual.to_numpy(dtype=bool)
    values = system.cells.value.to_numpy(dtype="float64")
    unknown = hidden | virtual
    matrix = system.matrix()
    columns = np.flatnonzero(unknown)
    if not len(columns) or not wanted.any() or matrix.shape[0] == 0:
        return [], []
    right = -(matrix @ np.where(unknown, 0.0, values))
    sub = matrix[:, columns].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr))
    sub = sub[rows].tocsr()
    graph = sparse.bmat([[None, sub], [sub.T, None]]).tocsr()
    _, labels = connected_components(graph, directed=False)
    row_labels, column_labels = labels[:len(rows)], labels[len(rows):]
    column_order = np.argsort(column_labels, kind="stable")
    row_order = np.argsort(row_labels, kind="stable")
    column_sorted, row_sorted = column_labels[column_order], row_labels[row_order]
    small: list[_Block] = []
    large: list[_Block] = []
    for label in np.unique(column_labels[wanted[columns]]):
        mine = column_order[np.searchsorted(column_sorted, label):
                            np.searchsorted(column_sorted, label, side="right")]
        equations = row_order[np.searchsorted(row_sorted, label):
                              np.searchsorted(row_sorted, label, side="right")]
        if not len(equations):
            continue  # in no equation: nothing bounds it from above
        block = _Block(columns[mine], rows[equations], sub[equations][:, mine].tocsr(),
                       right[rows[equations]], values[columns[mine]],
                       bounds[0][columns[mine]], bounds[1][columns[mine]])
        (large if limit is not None and len(mine) > limit else small).append(block)
    return small, large


def _batches(blocks: list[_Block]) -> Iterator[list[_Block]]:
    """Consecutive blocks of at most _BATCH unknowns together (a larger block alone)."""
    batch: list[_Block] = []
    size = 0
    for block in blocks:
        if batch and size + len(block.cells) > _BATCH:
            yield batch
            batch, size = [], 0
        batch.append(block)
        size += len(block.cells)
    if batch:
        yield batch


def _together(blocks: list[_Block]) -> _Block:
    """Independent blocks as one linear program: a feasible point of it is one of each."""
    if len(blocks) == 1:
        return blocks[0]
    return _Block(np.concatenate([b.cells for b in blocks]),
                  np.concatenate([b.equations for b in blocks]),
                  sparse.block_diag([b.matrix for b in blocks], format="csr"),
                  np.concatenate([b.right for b in blocks]),
                  np.concatenate([b.values for b in blocks]),
                  np.concatenate([b.lower for b in blocks]),
                  np.concatenate([b.upper for b in blocks]))


def _rounds(block: _Block, target: np.ndarray, width: float,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest value of every unknown over the feasible points found: the
    true values, and one point per round, from a linear program that pushes every open
    target up or down at once (random directions, then the opposite ones). Stops when a
    pair of rounds opens none."""
    low, high = block.values.copy(), block.values.copy()
    sign = np.ones(len(block.cells))
    before = -1
    for number in range(_ROUNDS):
        open_now = target & (high - low < width - _SLACK)
        count = int(open_now.sum())
        if not count:
            break
        if number % 2 == 0:
            if count == before:
                break
            before = count
            sign = rng.choice([-1.0, 1.0], size=len(block.cells))
        else:
            sign = -sign
        # Pushing a cell further than `width` above its value shows nothing more, and the
        # cap keeps one unbounded cell from leaving the whole program without a point.
        upper = np.where(open_now, block.values + width, np.inf)
        point = block.point(block.solve(np.where(open_now, -sign, 0.0), upper))
        if point is not None:
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)
    return low, high


@dataclass
class _Narrow:
    cell: int
    low: float
    high: float
    binding: np.ndarray  # the equations that limit the interval (the system's ids)


def _propagated(block: _Block, rounds: int = 50
                ) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Bounds every feasible point of the block keeps to (interval propagation): each
    equation bounds each of its unknowns by the others' bounds, until nothing narrows.
    Outer bounds, never tighter than the true ones: a cell they leave narrower than a
    width is narrower (a + b = 2, both at least 1, gives each 1 without a linear program).
    Also which equations give each unknown its bounds (unknowns × equations)."""
    matrix = block.matrix.tocoo()
    rows, cols, coefficient = matrix.row, matrix.col, matrix.data
    n_rows = matrix.shape[0]
    low = block.lower.astype("float64").copy()
    high = block.upper.astype("float64").copy()
    positive = coefficient > 0
    for _ in range(rounds):
        least = np.where(positive, coefficient * low[cols], coefficient * high[cols])
        most = np.where(positive, coefficient * high[cols], coefficient * low[cols])
        rests = []
        for term in (least, most):
            finite = np.isfinite(term)
            total = np.bincount(rows, np.where(finite, term, 0.0), n_rows)
            endless = np.bincount(rows, ~finite, n_rows)[rows] - ~finite
            rests.append((total[rows] - np.where(finite, term, 0.0), endless > 0))
        (rest_least, least_endless), (rest_most, most_endless) = rests
        right = block.right[rows]
        # coefficient * x = right - rest, rest between its least and most
        ax_low = np.where(most_endless, -np.inf, right - rest_most)
        ax_high = np.where(least_endless, np.inf, right - rest_least)
        new_low = np.where(positive, ax_low, ax_high) / coefficient
        new_high = np.where(positive, ax_high, ax_low) / coefficient
        lowest = low.copy()
        np.maximum.at(lowest, cols, new_low)
        highest = high.copy()
        np.minimum.at(highest, cols, new_high)
        if np.allclose(lowest, low, rtol=0, atol=1e-9) and \
                np.allclose(highest, high, rtol=0, atol=1e-9, equal_nan=False):
            break
        low, high = lowest, highest
    giving = ((new_low >= low[cols] - 1e-9) & np.isfinite(new_low)) | (
        (new_high <= high[cols] + 1e-9) & np.isfinite(new_high))
    limits = sparse.csr_matrix((np.ones(int(giving.sum())), (cols[giving], rows[giving])),
                               shape=(len(low), n_rows))
    return low, high, limits


def _exact(block: _Block, target: np.ndarray, low: np.ndarray, high: np.ndarray,
           width: float) -> list[_Narrow]:
    """Each target not yet shown to be wide enough gets its own maximum, and its minimum
    unless that is 0 already (exact); their solutions are feasible points too, and may show
    later targets wide enough. A target the equations' bounds alone (_propagated) leave
    narrower than `width` is narrow without a program: its interval is given as those
    bounds, limited by the equations that gave them."""
    outer_low, outer_high, limits = _propagated(block)

    def seen(result: Any) -> None:
        point = block.point(result)
        if point is not None:
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)

    found = []
    for position in np.flatnonzero(target & (high - low < width - _SLACK)):
        if high[position] - low[position] >= width - _SLACK:
            continue
        if outer_high[position] - outer_low[position] < width - _SLACK:
            limiting = limits.indices[limits.indptr[position]:limits.indptr[position + 1]]
            found.append(_Narrow(int(block.cells[position]), float(outer_low[position]),
                                 float(outer_high[position]), block.equations[limiting]))
            continue
        objective = np.zeros(len(block.cells))
        objective[position] = 1.0
        most = block.solve(-objective)
        seen(most)
        top = -float(most.fun) if most.status == 0 else (np.inf if most.status == 3
                                                          else np.nan)
        least = None
        bottom = float(block.lower[position])  # 1, or 0 for a zero (`knowledge`)
        if low[position] > bottom + _SLACK and top - low[position] < width - _SLACK:
            least = block.solve(objective)
            seen(least)
            bottom = float(least.fun) if least.status == 0 else np.nan
        if not np.isnan(top):  # the cell's exact extremes (an unbounded one has no point)
            high[position] = max(high[position], top)
        if not np.isnan(bottom):
            low[position] = min(low[position], bottom)
        if top - bottom >= width - _SLACK:
            continue
        binding = np.zeros(0, dtype=np.int64)
        for result in (most, least):
            if result is not None and result.status == 0:
                marginals = np.abs(np.asarray(result.eqlin.marginals))
                binding = np.union1d(binding, block.equations[marginals > _BINDING])
        found.append(_Narrow(int(block.cells[position]), bottom, top, binding))
    return found


def _parts(block: _Block, groups: np.ndarray,
           rng: np.random.Generator) -> Iterator[tuple[np.ndarray, _Block]]:
    """A large block in parts: the unknowns of _PART groups drawn at random (sites, in the
    release) and every shared one (group < 0: the municipality's), each part a program of
    its own with every other unknown fixed at its true value. A feasible point of a part,
    with those values, is one of the whole block."""
    labels = groups[block.cells]
    shared = labels < 0
    members = rng.permutation(np.unique(labels[~shared]))
    by_column = block.matrix.tocsc()
    for start in range(0, max(len(members), 1), _PART):
        inside = shared | np.isin(labels, members[start:start + _PART])
        rows = np.unique(by_column[:, np.flatnonzero(inside)].indices)
        if not len(rows):
            continue
        matrix = block.matrix[rows]
        right = block.right[rows] - matrix @ np.where(inside, 0.0, block.values)
        yield inside, _Block(block.cells[inside], block.equations[rows],
                             matrix[:, np.flatnonzero(inside)].tocsr(), right,
                             block.values[inside], block.lower[inside], block.upper[inside])


def _open_in_parts(block: _Block, target: np.ndarray, width: float, groups: np.ndarray,
                   rng: np.random.Generator) -> list[_Narrow]:
    """The targets of a large block that no part shows wide enough, with their interval in
    a part and the equations that limit it there. The parts' rounds (_rounds) run over up
    to _PARTITIONS ways of cutting the block, until one shows no target more wide enough;
    the targets left get their own programs (_exact) in the last way's parts. Two points
    from two parts are two points of the block, so their spread counts too. A target
    narrowed in its part may be wide in the block: the parts see less freedom."""
    low, high = block.values.copy(), block.values.copy()
    still = target.copy()
    parts: list[tuple[np.ndarray, _Block]] = []
    for _ in range(_PARTITIONS):
        before = int(still.sum())
        parts = list(_parts(block, groups, rng))
        for inside, part in parts:
            if still[inside].any():
                part_low, part_high = _rounds(part, still[inside], width, rng)
                low[inside] = np.minimum(low[inside], part_low)
                high[inside] = np.maximum(high[inside], part_high)
        still = target & (high - low < width - _SLACK)
        if not still.any():
            return []
        if int(still.sum()) == before:
            break
    found: dict[int, _Narrow] = {}
    for inside, part in parts:
        if not still[inside].any():
            continue
        part_low, part_high = low[inside], high[inside]
        for narrow in _exact(part, still[inside], part_low, part_high, width):
            found.setdefault(narrow.cell, narrow)
        low[inside], high[inside] = part_low, part_high
        still = target & (high - low < width - _SLACK)
    none = np.zeros(0, dtype=np.int64)
    return [found.get(int(cell), _Narrow(int(cell), np.nan, np.nan, none))
            for cell in block.cells[still]]


def _narrowed(system: System, hidden: np.ndarray, cells: np.ndarray, width: float, *,
              limit: int | None = None, groups: np.ndarray | None = None,
              seed: int = 0) -> tuple[list[_Narrow], list[_Narrow]]:
    """The cells of `cells` whose interval is narrower than `width`, in cell order, and
    those not decided: in a group of more than `limit` unknowns, those no part of it shows
    wide enough (_open_in_parts; every one, without `groups`). A cell is wide enough as
    soon as two feasible points lie `width` apart in it (_rounds); only the others get a
    minimum and maximum (_exact)."""
    wanted = np.zeros(system.size, dtype=bool)
    wanted[np.asarray(cells, dtype=np.int64)] = True
    blocks, large = _blocks(system, hidden, wanted, limit, knowledge(system))
    rng = np.random.default_rng(seed)
    found: list[_Narrow] = []
    for batch in _batches(blocks):
        merged = _together(batch)
        low, high = _rounds(merged, wanted[merged.cells], width, rng)
        start = 0
        for block in batch:
            end = start + len(block.cells)
            found += _exact(block, wanted[block.cells], low[start:end], high[start:end],
                            width)
            start = end
    found.sort(key=lambda narrow: narrow.cell)
    partly: list[_Narrow] = []
    for block in large:
        target = wanted[block.cells]
        if groups is not None:
            partly += _open_in_parts(block, target, width, groups, rng)
        else:
            partly += [_Narrow(int(cell), np.nan, np.nan, np.zeros(0, dtype=np.int64))
                       for cell in block.cells[target]]
    partly.sort(key=lambda narrow: narrow.cell)
    return found, partly


def interval_check(system: System, hidden: np.ndarray, cells: np.ndarray, width: float, *,
                   limit: int | None = None,
                   groups: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells of `cells` (hidden or virtual) whose feasible interval, given every shown
    cell, every equation and which cells are 0 (`knowledge`), is narrower than `width`:
    columns cell, low, high (the exact interval, as `ranges` gives it, or the bounds the
    equations alone give where those show it narrower (_propagated); NaN where a linear
    program failed, which counts as narrowed); and the cells not decided. In a connected
    group of more than `limit` unknowns no interval is computed exactly: a cell there is
    wide enough when a part of the group (see _parts, given `groups`) shows it, else
    undecided."""
    found, partly = _narrowed(system, hidden, cells, width, limit=limit, groups=groups)
    frame = pd.DataFrame({"cell": [n.cell for n in found], "low": [n.low for n in found],
                          "high": [n.high for n in found]})
    undecided = np.zeros(system.size, dtype=bool)
    undecided[[n.cell for n in partly]] = True
    return frame, undecided


def decide_whole(system: System, hidden: np.ndarray, undecided: np.ndarray,
                 width: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells `interval_check` left undecided, each solved in its whole group (two
    programs a cell, interior point, else dual simplex, see `ranges`): those narrower
    than `width`, as interval_check gives them, and those still undecided (a program that
    failed: no interval, so neither wide nor a finding with made-up bounds)."""
    exact = ranges(system, hidden, np.flatnonzero(undecided), methods=("highs-ipm", "highs-ds"))
    spread = (exact.high - exact.low).to_numpy(dtype="float64")
    failed = np.isnan(spread)
    narrow = ~failed & (spread < width - _SLACK)
    still = np.zeros(system.size, dtype=bool)
    still[exact.cell[failed].to_numpy(dtype=np.int64)] = True
    return exact[narrow].reset_index(drop=True), still


def narrowed(system: System, hidden: np.ndarray, cells: np.ndarray,
             width: float) -> pd.DataFrame:
    """The cells of `cells` whose feasible interval is narrower than `width`, exactly (no
    group is too large): see interval_check."""
    return interval_check(system, hidden, cells, width)[0]


def interval_targets(system: System, hidden: np.ndarray, threshold: float) -> np.ndarray:
    """The cells whose interval must be at least protection_width wide: every hidden
    small cell with a value of 1..threshold (the auditor's rule), and every such cell of
    the release shown before that has changed since (`earlier`, unknown now)."""
    cells = system.cells
    values = cells.value.to_numpy(dtype="float64")
    virtual = cells.virtual.to_numpy(dtype=bool)
    return (((hidden & ~virtual) | (system.flag("earlier") & virtual))
            & cells.small.to_numpy(dtype=bool) & (values >= 1) & (values <= threshold))


def _protect_intervals(state: _State, system: System, threshold: float,
                       limit: int | None, groups: np.ndarray | None = None) -> np.ndarray:
    """Hide more until no hidden count of 1..threshold has an interval narrower than
    protection_width (given which cells are 0, see `knowledge`). A narrowed cell gets a
    shown cell of an equation that limits its interval hidden (_widen); then the exact
    check runs around it, and the cells that were narrowed are checked again. Hiding a
    cell can only widen an interval (the feasible points before are feasible after), so a
    cell found wide enough stays so.

    In a connected group of more than `limit` unknowns no interval is computed whole.
    Without `groups` its counts are not checked and are returned as undecided. With
    `groups` a cell no part shows wide enough (_open_in_parts) is widened like a narrowed
    one, in its part: the whole group may leave it wide, but that is too large to tell, so
    this may hide more than needed, never less. Only a cell that stays narrow in its part
    with nothing left to hide is returned as undecided."""
    open_cells = np.flatnonzero(interval_targets(system, state.hidden, threshold))
    undecided = np.zeros(system.size, dtype=bool)
    partly: list[_Narrow] = []
    for _ in range(200):
        found, partly = _narrowed(system, state.hidden, open_cells,
                                  protection_width(threshold), limit=limit, groups=groups)
        if groups is None:
            undecided[[narrow.cell for narrow in partly]] = True
            partly = []
        narrow_ones = sorted(found + partly, key=lambda narrow: narrow.cell)
        if not narrow_ones:
            return undecided
        before = state.hidden.copy()
        if not _widen(state, system, narrow_ones):
            if not found:
                break
            if not state.fixed.any():
                raise RuntimeError("suppression could not protect every interval")
            # Pinned by cells shown before (a total shown last month, its rows now each
            # at least 1): nothing hideable is left to widen it. Recorded as undecided.
            for narrow in found:
                undecided[narrow.cell] = True
            state.given_up[[narrow.cell for narrow in found]] = True
            open_cells = np.array([n.cell for n in partly], dtype=np.int64)
            if not len(open_cells):
                return undecided
            continue
        _settle(state)
        _protect_exactly(state, system, near=state.hidden & ~before, vectors=3)
        open_cells = np.array([narrow.cell for narrow in narrow_ones], dtype=np.int64)
    else:
        if found:
            raise RuntimeError("interval protection did not settle")
    undecided[[narrow.cell for narrow in partly]] = True
    return undecided


def _widen(state: _State, system: System, found: list[_Narrow]) -> bool:
    """For each narrowed cell, hide a shown cell of an equation that limits its interval
    (a dual value not 0), or if none is shown, of its own equations; else look further out
    as _break does. Of those, the cell that would stand alone as the only unknown in the
    fewest equations (each such equation would give it away and need one more cell
    hidden), then the cheapest; and of the first _TRIED so ordered, the first that hidden
    could not be recomputed (one that could, such as a column's total when every other
    total is shown, widens nothing and only needs more cells hidden to protect it). A
    narrowed cell whose equations a cell hidden for another touches waits for the next
    check: that cell may widen it too."""
    by_equation = state.pattern
    by_cell = state.pattern.T.tocsr()

    def cells_of(equations: np.ndarray) -> np.ndarray:
        parts = [by_equation.indices[by_equation.indptr[e]:by_equation.indptr[e + 1]]
                 for e in equations]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def equations_of(cell: int) -> np.ndarray:
        return by_cell.indices[by_cell.indptr[cell]:by_cell.indptr[cell + 1]]

    shown = state.hideable
    unknowns = state.pattern @ state.unknown.astype(np.int32)
    touched = np.zeros(state.pattern.shape[0], dtype=bool)
    choices: list[np.ndarray] = []
    hid = False
    for narrow in found:
        if len(narrow.binding) and (touched[narrow.binding].any()
                                    or touched[equations_of(narrow.cell)].any()):
            continue
        options = np.zeros(0, dtype=np.int64)
        for equations in (narrow.binding, equations_of(narrow.cell)):
            options = cells_of(equations)
            options = options[shown[options]]
            if len(options):
                break
        if not len(options):
            before = state.hidden.copy()
            if _break(state, np.array([narrow.cell])):
                hid = True
                for cell in np.flatnonzero(state.hidden & ~before):
                    touched[equations_of(int(cell))] = True
                shown = state.hideable
            continue
        alone = np.array([int((unknowns[equations_of(int(c))] == 0).sum()) for c in options])
        options = options[np.lexsort((options, state.cost_base[options], alone))][:_TRIED]
        choices.append(options)
        touched[equations_of(int(options[0]))] = True
    # Try every narrowed cell's first choice at once, then the next for those whose choice
    # would be recomputable, and so on (one check of the groups they are in per try).
    waiting = list(range(len(choices)))
    for attempt in range(_TRIED):
        trying = {i: int(choices[i][attempt]) for i in waiting if attempt < len(choices[i])}
        if not trying:
            break
        hidden = state.hidden.copy()
        hidden[list(trying.values())] = True
        near = np.zeros(system.size, dtype=bool)
        near[list(trying.values())] = True
        recomputable = determined(system, hidden, vectors=1, near=near)
        waiting = [i for i, pick in trying.items() if recomputable[pick]]
        for pick in trying.values():
            if not recomputable[pick]:
                state.hidden[pick] = True
    for i in waiting:  # each of its choices would be recomputable: the first, and the
        state.hidden[int(choices[i][0])] = True  # exact check hides what protects it
    return hid or bool(choices)
