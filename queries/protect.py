"""Small-number suppression with complementary cells, for viewers who may not see individuals.

The ministry's discretion rule hides any count of 1 to `threshold` students and
every figure built on a group that small (primary suppression). Hiding one cell
is not enough when it can be recomputed: from the other cells of a sum in the
same row (ansatte = gennemført + frafald + aktive), from the other rows of a
group whose total is shown, or from the other training sites and the
municipality's total. Each such "equation" that has exactly one hidden cell gets
a second one hidden (complementary suppression), repeated until nothing changes.

A protected frame keeps its columns: hidden cells are NA, and every protected
column `c` gets a boolean `c_skjult` beside it, and `c_lille` telling whether the
cell (or a count it is built on) is itself small. The UI prints "≤3" for those and
"skjult" for the complementary ones, which are hidden although they are larger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUFFIX = "_skjult"
SMALL = "_lille"
REST = "\x00resten"  # the sites a viewer may not see, as one member nobody is shown


@dataclass(frozen=True)
class Spec:
    """What a frame's columns mean for disclosure."""

    keys: tuple[str, ...]
    # Student counts shown to the viewer.
    counts: tuple[str, ...]
    # The number of students a row is about: when it is small, the whole row is.
    group: str | None = None
    # Shown columns that would reveal these counts (rates, intervals, hours).
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Counts nobody is shown but anybody can compute: name → (minuend, subtrahends).
    virtual: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # Equations inside a row: (total, part, part, ...); any cell may be virtual.
    sums: tuple[tuple[str, ...], ...] = ()
    # Groupings of rows: rows equal in these columns add up to a total shown beside them
    # (reasons within a year; educations and "I alt" within a month; months within a year).
    within: tuple[tuple[str, ...], ...] = ()
    # The figures the page is about: hidden as a complementary cell only when no other
    # cell will do, so a tangential count does not take the headline with it.
    headline: tuple[str, ...] = ()

    @property
    def all_counts(self) -> list[str]:
        return [*self.counts, *self.virtual]


def _values(frame: pd.DataFrame, spec: Spec) -> np.ndarray:
    """[row, count column] including the virtual ones; missing counts are 0."""
    counts = np.nan_to_num(frame[list(spec.counts)].to_numpy(dtype="float64"))
    index = {name: i for i, name in enumerate(spec.counts)}
    virtual = [counts[:, index[minuend]] - counts[:, [index[s] for s in subtrahends]].sum(axis=1)
               for minuend, subtrahends in spec.virtual.values()]
    return np.column_stack([counts, *virtual]) if virtual else counts


def _primary(values: np.ndarray, spec: Spec, threshold: int) -> np.ndarray:
    hidden = (values >= 1) & (values <= threshold)
    if spec.group:
        small_group = values[:, spec.counts.index(spec.group)] <= threshold
        hidden |= small_group[:, None]
    return hidden


def primary(frame: pd.DataFrame, spec: Spec, threshold: int) -> pd.DataFrame:
    """Cells of 1..threshold students, and whole rows about that few."""
    return pd.DataFrame(_primary(_values(frame, spec), spec, threshold),
                        columns=spec.all_counts, index=frame.index)


class _Grouping:
    """Groups of rows that add up to a shown total, laid end to end for numpy's reduceat:
    `rows` is every group's rows in turn, `starts` where each group begins in it."""

    def __init__(self, groups: list[np.ndarray]) -> None:
        lengths = np.array([len(rows) for rows in groups], dtype=np.int64)
        self.rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if groups else lengths
        self.group_of = np.repeat(np.arange(len(groups)), lengths)


class _Cells:
    """Every member's cells on one shared grid: [member, row key, count column].

    Built from one long frame (a column names each row's member) with array
    operations, so a site page protected against hundreds of other sites stays fast.
    Absent rows are present=False, value 0 and never hidden.
    """

    def __init__(self, frame: pd.DataFrame, by: str, spec: Spec, threshold: int) -> None:
        member_codes, names = pd.factorize(frame[by], sort=False)
        self.names = [str(name) for name in names]
        self.columns = spec.all_counts
        # Row keys numbered in order of first appearance, as the members list them.
        key_codes = frame.groupby(list(spec.keys), sort=False, dropna=False).ngroup().to_numpy()
        _, first = np.unique(key_codes, return_index=True)
        key_frame = frame[list(spec.keys)].iloc[first].reset_index(drop=True)
        self.member_codes, self.key_codes = member_codes, key_codes
        shape = (len(self.names), len(key_frame), len(self.columns))
        self.values = np.zeros(shape)
        self.hidden = np.zeros(shape, dtype=bool)
        self.present = np.zeros(shape[:2], dtype=bool)
        values = _values(frame, spec)
        self.values[member_codes, key_codes] = values
        self.hidden[member_codes, key_codes] = _primary(values, spec, threshold)
        self.present[member_codes, key_codes] = True
        self.small = self.hidden.copy()  # before any complementary cell is added
        self.shown = np.array([name != REST for name in self.names])
        self.real = np.array([c not in spec.virtual for c in self.columns])
        self.groupings = [_Grouping([np.asarray(rows) for rows in key_frame.groupby(
            list(grouping), sort=False, dropna=False).indices.values() if len(rows) > 1])
            for grouping in spec.within]
        self.equations = [np.array([self.columns.index(c) for c in eq]) for eq in spec.sums]
        self.count_columns = np.array([c in spec.counts for c in self.columns])
        self.penalty = np.array([1e9 if c in spec.headline else 0.0 for c in self.columns])

    def cost(self) -> np.ndarray:
        """Which open cell to hide next: the smallest positive value, headline figures
        after the others, zeros last."""
        cost = np.where(self.values > 0, self.values, 1e12 + self.values) + self.penalty
        return np.where(self.hidden | ~self.present[:, :, None], np.inf, cost)

    def hide_in_rows(self) -> bool:
        changed = False
        for equation in self.equations:
            lone = (self.hidden[:, :, equation].sum(axis=2) == 1) & self.shown[:, None]
            cost = self.cost()[:, :, equation]
            cost[:, :, ~self.real[equation]] = np.inf  # nobody sees a virtual cell
            choice = cost.argmin(axis=2)
            possible = lone & np.isfinite(cost.min(axis=2))
            m, k = np.nonzero(possible)
            self.hidden[m, k, equation[choice[m, k]]] = True
            changed |= bool(len(m))
        return changed

    def hide_in_groups(self) -> bool:
        changed = False
        for grouping in self.groupings:
            if not grouping.starts.size:
                continue
            # The groups of one grouping share no cell: all of them are settled at once,
            # [member, group, column], instead of a Python loop over 150 month groups.
            rows, starts = grouping.rows, grouping.starts
            hidden = np.add.reduceat(self.hidden[:, rows, :].astype(np.int32), starts, axis=1)
            lone = (hidden == 1) & self.shown[:, None, None] & self.count_columns[None, None, :]
            cost = self.cost()[:, rows, :]
            lowest = np.minimum.reduceat(cost, starts, axis=1)
            # The first row of its group with the lowest cost, as argmin would choose it.
            at_lowest = cost == lowest[:, grouping.group_of, :]
            first = np.minimum.reduceat(
                np.where(at_lowest, np.arange(len(rows))[None, :, None], len(rows)),
                starts, axis=1)
            m, g, c = np.nonzero(lone & np.isfinite(lowest))
            self.hidden[m, rows[first[m, g, c]], c] = True
            changed |= bool(len(m))
        return changed

    def hide_across(self) -> bool:
        if len(self.names) < 2:
            return False
        lone = self.hidden.sum(axis=0) == 1
        cost = self.cost()
        cost[~self.shown] = np.inf  # the unseen rest cannot take the second hidden cell
        choice = cost.argmin(axis=0)
        possible = lone & np.isfinite(cost.min(axis=0))
        k, c = np.nonzero(possible)
        self.hidden[choice[k, c], k, c] = True
        return bool(len(k))

    def member_hidden(self, m: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(hidden, small) for one member's rows, in the order the member lists them."""
        rows = self.key_codes[self.member_codes == m]
        return (pd.DataFrame(self.hidden[m, rows], columns=self.columns),
                pd.DataFrame(self.small[m, rows], columns=self.columns))


def _settle(cells: _Cells) -> None:
    for _ in range(50):
        changed = cells.hide_in_rows()
        changed |= cells.hide_in_groups()
        changed |= cells.hide_across()
        if not changed:
            return


_MEMBER = "\x00medlem"  # the column naming each row's member, when given as frames


def protect(frame: pd.DataFrame, spec: Spec, threshold: int) -> pd.DataFrame:
    """One frame on its own (the municipality as a whole)."""
    return protect_member({"": frame}, "", spec, threshold)


def protect_member(members: dict[str, pd.DataFrame], shown: str, spec: Spec,
                   threshold: int) -> pd.DataFrame:
    """The frame of one site, protected against every other view the viewer can open.

    `members` holds one frame per site the viewer may see, plus REST for the sites
    they may not (derivable as the total minus what they see, so never shown and
    never chosen as a complementary cell). Together they add up to the total.
    """
    if members[shown].empty:
        return members[shown].reset_index(drop=True)
    long = pd.concat([frame.assign(**{_MEMBER: name}) for name, frame in members.items()
                      if len(frame)], ignore_index=True)
    return protect_site(long, _MEMBER, shown, spec, threshold)


def protect_site(frame: pd.DataFrame, by: str, shown: str, spec: Spec,
                 threshold: int) -> pd.DataFrame:
    """protect_member for members given as one long frame, column `by` naming each row's
    member (REST for the unseen rest), members in the order they appear."""
    rows = (frame[by] == shown).to_numpy()
    own = frame[rows].drop(columns=by).reset_index(drop=True)
    if own.empty:
        return own
    cells = _Cells(frame.reset_index(drop=True), by, spec, threshold)
    _settle(cells)
    return apply(own, *cells.member_hidden(cells.names.index(shown)), spec)


def protect_sites(frame: pd.DataFrame, by: str, spec: Spec, threshold: int) -> pd.DataFrame:
    """protect_site for every member but REST at once, `by` kept: which cells are hidden
    does not depend on the member shown, so one settling serves every site a viewer
    may open (each member's rows equal protect_site's for it)."""
    frame = frame.reset_index(drop=True)
    seen = (frame[by] != REST).to_numpy()
    if not seen.any():
        return frame[seen].reset_index(drop=True)
    cells = _Cells(frame, by, spec, threshold)
    _settle(cells)
    every = (cells.member_codes, cells.key_codes)
    hidden = pd.DataFrame(cells.hidden[every][seen], columns=cells.columns)
    small = pd.DataFrame(cells.small[every][seen], columns=cells.columns)
    return apply(frame[seen].reset_index(drop=True), hidden, small, spec)


def apply(frame: pd.DataFrame, hidden: pd.DataFrame, small: pd.DataFrame,
          spec: Spec) -> pd.DataFrame:
    """NA in hidden cells; `_skjult` and `_lille` flags beside every protected column."""
    sources = {column: [column] for column in spec.counts}
    sources.update({c: list(s) for c, s in spec.derived.items() if c in frame})
    position = {name: i for i, name in enumerate(hidden.columns)}
    hidden_cells, small_cells = hidden.to_numpy(dtype=bool), small.to_numpy(dtype=bool)
    # Built as one dict of whole columns in the final order: one frame, no copies between.
    columns: dict[str, object] = {c: frame[c].array for c in frame.columns}
    flags: dict[str, np.ndarray] = {}
    for column, counts in sources.items():
        where = [position[c] for c in counts]
        flag = np.asarray(hidden_cells[:, where].any(axis=1), dtype=bool)
        values = frame[column].to_numpy(dtype="float64", copy=True)
        values[flag] = np.nan
        columns[column] = values
        flags[column + SUFFIX] = flag
        flags[column + SMALL] = np.asarray(small_cells[:, where].any(axis=1), dtype=bool)
    columns.update(flags)  # new flags after the frame's columns; a flag it has stays put
    return pd.DataFrame(columns, index=frame.index)


COMPLEMENTARY_MARK = "skjult"


def marks(frame: pd.DataFrame, column: str, threshold: int) -> pd.Series:
    """What to print in each cell instead of the value: "≤3" where the figure is about
    that few students, "skjult" where it is not (0 or more) but hidden so a small one
    cannot be recomputed, "" where the value is shown."""
    if column + SUFFIX not in frame:
        return pd.Series("", index=frame.index)
    small = frame.get(column + SMALL, frame[column + SUFFIX])
    return pd.Series([(f"≤{threshold}" if s else COMPLEMENTARY_MARK) if h else ""
                      for h, s in zip(frame[column + SUFFIX], small, strict=True)],
                     index=frame.index)


def flag_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame if str(c).endswith((SUFFIX, SMALL))]


def is_protected(frame: pd.DataFrame) -> bool:
    return any(str(c).endswith(SUFFIX) for c in frame.columns)
