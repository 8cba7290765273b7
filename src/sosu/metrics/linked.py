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
  equations and, when small, must itself not be recoverable.

`suppress` hides every small cell (primary suppression, 1..threshold students) and then
more cells until no equation leaves a hidden cell alone (complementary suppression);
`determined` then checks the whole system exactly (linear algebra over every equation
together, not one at a time) and `suppress` hides more wherever a hidden cell could still
be computed, until none can. `ranges` gives each small hidden cell's feasible interval
(linear programming with every cell ≥ 0): what an attacker who knows every equation can
narrow it down to.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    `headline` (the figures the pages are about: hidden last).
    `terms`: the equations as (equation, cell, coefficient) rows, each equation summing
    to zero (a total with +1, its parts with -1).
    """

    cells: pd.DataFrame
    terms: pd.DataFrame

    @property
    def size(self) -> int:
        return len(self.cells)

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


class _State:
    def __init__(self, system: System) -> None:
        cells = system.cells
        self.values = cells.value.to_numpy(dtype="float64")
        self.virtual = cells.virtual.to_numpy(dtype=bool)
        self.small = cells.small.to_numpy(dtype=bool)
        self.hidden = self.small & ~self.virtual
        self.cost_base = np.where(self.values > 0, self.values, _ZERO_COST + self.values) + \
            np.where(cells.headline.to_numpy(dtype=bool), _HEADLINE_COST, 0.0)
        matrix = system.matrix()
        self.pattern = (matrix != 0).astype(np.int32).tocsr()
        self.rows, self.cols = self.pattern.nonzero()

    @property
    def unknown(self) -> np.ndarray:
        return self.hidden | self.virtual

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
        shown = ~self.unknown
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


def suppress(system: System, *, complementary: bool = True) -> np.ndarray:
    """Which cells to hide: the small ones, then (with `complementary`) as many more as it
    takes for no hidden or small virtual cell to be recoverable from the rest.

    After a fix only the groups of unknowns it touched are checked again, with one random
    vector; the last check is of everything, with three."""
    state = _State(system)
    if not complementary:
        return state.hidden.copy()
    _settle(state)
    near: np.ndarray | None = None  # None: check everything
    for _ in range(200):
        leaks = determined(system, state.hidden, vectors=3 if near is None else 1,
                           near=near) & state.needs_protection
        if not leaks.any():
            if near is None:
                return state.hidden.copy()
            near = None
            continue
        before = state.hidden.copy()
        if not _break(state, np.flatnonzero(leaks)):
            raise RuntimeError("suppression could not protect every cell")
        _settle(state)
        near = (state.hidden & ~before) | leaks
    raise RuntimeError("suppression did not settle")


def _break(state: _State, leaks: np.ndarray) -> bool:
    """Hide a cell near each leak: in an equation it takes part in with the fewest unknowns,
    the cheapest shown cell. When all its equations' cells are unknown already (it is
    recovered through other unknown cells that are themselves recovered), look one step
    further out, through the equations of those cells."""
    frontier = np.zeros(state.pattern.shape[1], dtype=bool)
    frontier[leaks] = True
    counts = state.pattern @ state.unknown.astype(np.int32)
    has_shown = state.pattern @ (~state.unknown).astype(np.int32)
    for _ in range(6):
        terms = frontier[state.cols]
        rows, cols = state.rows[terms], state.cols[terms]
        usable = has_shown[rows] > 0
        if usable.any():
            rows, cols = rows[usable], cols[usable]
            order = np.lexsort((counts[rows], cols))
            rows, cols = rows[order], cols[order]
            first = np.ones(len(cols), dtype=bool)
            first[1:] = cols[1:] != cols[:-1]
            return bool(len(state.hide_cheapest(np.unique(rows[first]))))
        reached = np.zeros(state.pattern.shape[0], dtype=bool)
        reached[rows] = True
        frontier[state.cols[reached[state.rows]]] = True
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


def ranges(system: System, hidden: np.ndarray, cells: np.ndarray) -> pd.DataFrame:
    """The feasible interval of each of `cells` (hidden or virtual) given every shown cell,
    every equation and every cell ≥ 0: columns cell, low, high."""
    virtual = system.cells.virtual.to_numpy(dtype=bool)
    values = system.cells.value.to_numpy(dtype="float64")
    unknown = hidden | virtual
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
        bounds = (0, None)
        if block.shape[0] == 0:
            result.append((int(cell), 0.0, np.inf))
            continue
        objective = np.zeros(len(cols))
        objective[target] = 1.0
        low = linprog(objective, A_eq=block, b_eq=right[rows], bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=block, b_eq=right[rows], bounds=bounds,
                       method="highs")
        top = -high.fun if high.status == 0 else np.inf
        result.append((int(cell), float(low.fun) if low.status == 0 else 0.0, float(top)))
    return pd.DataFrame(result, columns=["cell", "low", "high"])
