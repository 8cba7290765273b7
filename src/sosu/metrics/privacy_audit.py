"""The privacy auditor: can a viewer recompute anything the dashboard hides from them?

It asks the query layer, as the viewer, for every output the viewer can obtain (every
released table for the municipality, for every site at once and for each site alone,
with each education choice and several year ranges, and the scorecard's series), and
records every cell it is shown and every cell it is told is hidden. Then it plays the
attacker:

1. **Consistency**: a cell (the same students, counted the same way) must read the same
   in every output and under every filter. Two answers would undo the suppression.
2. **Exact recomputation**: with every shown cell and every sum between cells that holds
   in the data (the registry's equations: sites → municipality, educations → "I alt",
   months → year, rows, reasons and phases → all dropouts, hires → cohorts, scorecard →
   its cohorts), which hidden cells are determined exactly (linear algebra over all
   equations together, metrics.linked.determined)?
3. **Narrowing**: for each hidden count of 1..threshold, the feasible interval given all
   that, every cell ≥ 1 and whether a cell is 0 taken as known (linked.knowledge: zeros
   are shown, a category row exists only when someone is in it; every hidden cell has one
   mark) (linear programming). An interval of one value (narrower than
   linked.protection_width) gives the count back.

The true values come from the education team's unprotected figures; the hidden set only
from what the viewer was shown, so the auditor tests the outputs, not the protection's
own bookkeeping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sosu.domain.roles import Viewer
from sosu.metrics import datasets, linked, metrics, release
from sosu.metrics.datasets import Request
from sosu.metrics.protect import SUFFIX
from sosu.metrics.release import ALL, MUNICIPALITY, OUTPUTS, SITE
from sosu.store import db, scratch
from sosu.store.published import Published

EDUCATION_CHOICES = (("SSH",), ("SSA",), ("SSH", "SSA"))


EXACT, NARROWED, INCONSISTENT = "præcist", "indsnævret", "uoverensstemmelse"


@dataclass
class Finding:
    cell: str
    what: str
    kind: str = EXACT


# Hidden counts the parts of a large group leave undecided are solved in their whole group
# when there are at most this many: two interior-point programs a cell, some 25 s of CPU
# at the national scale's largest group.
WHOLE_AT_MOST = 100


@dataclass
class AuditResult:
    viewer: Viewer
    requests: int = 0
    cells: int = 0
    shown: int = 0
    hidden_small: int = 0
    hidden_other: int = 0
    findings: list[Finding] = field(default_factory=list)
    ranges_checked: int = 0
    ranges_undecided: int = 0  # in a group too large to solve whole, and no part showed
    ranges_whole: int = 0  # no part showed them wide, so solved in their whole group

    @property
    def hidden(self) -> int:
        return self.hidden_small + self.hidden_other

    def summary(self) -> str:
        who = self.viewer.role_label + (f" ({', '.join(self.viewer.sites)})"
                                        if self.viewer.sites else "")
        return (f"{who}: {self.requests} udtræk, {self.cells} celler, {self.shown} vist, "
                f"{self.hidden} skjult ({self.hidden_small} på 1-{self.viewer.threshold} "
                f"elever, {self.hidden_other} for at beskytte dem); "
                f"{self.count(EXACT)} kan regnes ud, {self.count(NARROWED)} kan indsnævres, "
                f"{self.count(INCONSISTENT)} uoverensstemmelser"
                + (f"; {self.ranges_whole} intervaller afgjort i hele deres gruppe"
                   if self.ranges_whole else "")
                + (f"; {self.ranges_undecided} intervaller ikke afgjort (for stor gruppe)"
                   if self.ranges_undecided else ""))

    def count(self, kind: str) -> int:
        return sum(finding.kind == kind for finding in self.findings)


def _year_ranges(span: tuple[int, int]) -> list[tuple[int, int]]:
    first, last = span
    ranges = {(first, last), (first, max(first, last - 1)), (min(last, first + 1), last)}
    ranges |= {(year, year) for year in range(first, last + 1)}
    return sorted(ranges)


def requests(con: duckdb.DuckDBPyConnection, viewer: Viewer, *,
             sites_alone: int | None = None) -> Iterator[Request]:
    """Every request the filters allow, as far as it can change a number: the municipality,
    every site at once, and each site alone (the first `sites_alone` of them when given),
    each with every education choice and year range."""
    span = metrics.year_span(con)
    if span is None:
        return
    visible = datasets.sites(con, viewer)
    alone = visible if sites_alone is None else visible[:sites_alone]
    for educations in EDUCATION_CHOICES:
        for years in _year_ranges((int(span[0]), int(span[1]))):
            yield Request(None, educations, years)
            yield Request(None, educations, years, every_site=True)
            for site in alone:
                yield Request(site, educations, years)


def _observed(frame: pd.DataFrame, name: str, site: str | None) -> pd.DataFrame:
    """The cells an output shows: dimensions, value, hidden."""
    if frame.empty:
        return pd.DataFrame()
    frame = frame.reset_index(drop=True)
    if SITE not in frame:
        frame = frame.assign(**{SITE: site or MUNICIPALITY})
    if name == "target_series":
        frame = datasets.series_cells(frame)
    rows = release.cell_rows(OUTPUTS[name], frame, threshold=0)
    rows = rows[~rows.virtual.to_numpy(dtype=bool)]
    hidden = np.zeros(len(rows), dtype=bool)
    for column in rows.column.unique():
        mine = (rows.column == column).to_numpy()
        at = rows.row.to_numpy()[mine]
        values = frame[column].to_numpy(dtype="float64")[at]
        flag = (frame[column + SUFFIX].to_numpy(dtype=bool)[at] if column + SUFFIX in frame
                else np.zeros(len(at), dtype=bool))
        hidden[mine] = flag | np.isnan(values)
    return rows.assign(hidden=hidden)[[*release.DIMENSIONS, "value", "hidden"]]


def audit(con: duckdb.DuckDBPyConnection, viewer: Viewer, *, sites_alone: int | None = None,
          narrowing: bool = True, interval_limit: int | None = None) -> AuditResult:
    """Everything the viewer can obtain, and what of the hidden can be worked out. With
    `interval_limit`, intervals in a connected group of more unknown cells than that are
    not computed exactly but shown wide enough in parts of it, or counted as undecided
    (a national database's largest group is too large for the exact programs)."""
    result = AuditResult(viewer)
    observed = _obtain(con, viewer, result, sites_alone=sites_alone)
    truth = release.build(datasets.release_frames(con, viewer), viewer.threshold,
                          complementary=False)
    states = _consistent(result, observed)
    cells = truth.system.cells
    shown, told_hidden = _seen(result, states, release.key(truth.keys))
    hidden = ~shown & ~cells.virtual.to_numpy(dtype=bool)  # not shown: unknown to the viewer
    _count(result, cells, shown, told_hidden)
    return _attack(result, truth.system, hidden, told_hidden, viewer.threshold,
                   narrowing=narrowing, interval_limit=interval_limit)


def audit_loads(before: Path, after: Path, viewer: Viewer, *,
                narrowing: bool = True, viewer_before: Viewer | None = None) -> AuditResult:
    """A viewer who kept what they obtained from one load and obtains everything again
    after the next: what of either load's hidden cells can be worked out from both?

    The two database files are put in a folder of its own one after the other, as a load
    swaps a new file in, so the second load's release is made as the dashboard makes it (protected
    together with the first, store.published). The attacker knows which cells kept their
    value (the worst case): such a cell is one cell of both loads, every other is two
    (metrics.release.joined, with what the viewer was shown of the first load as its
    shown cells), with both loads' equations. The result counts the second load's
    outputs; its findings are about both loads' cells.

    With `viewer_before`, the first load is obtained as that viewer: someone who holds two
    scopes (a leder who sits in Kvalitetsforum), of two loads or of one (`before` and
    `after` the same file)."""
    seen: list[tuple[pd.DataFrame, release.Release]] = []
    result = AuditResult(viewer)
    with tempfile.TemporaryDirectory(prefix=f"{scratch.prefix()}revision-",
                                     dir=scratch.folder()) as workdir:
        live = Path(workdir) / "sosu.duckdb"
        for source, who in ((before, viewer_before or viewer), (after, viewer)):
            copy = Path(workdir) / ".kopi.duckdb"
            shutil.copyfile(source, copy)
            os.replace(copy, live)  # a new file, as a load writes one
            con = db.connect_read_only(live)
            try:
                result = AuditResult(who)
                observed = _obtain(con, who, result)
                truth = release.build(datasets.release_frames(con, who),
                                      who.threshold, complementary=False)
            finally:
                con.close()
            seen.append((_consistent(result, observed), truth))
    (states_before, truth_before), (states_after, truth_after) = seen
    keys_before = release.key(truth_before.keys)
    shown_before, _told = _seen(AuditResult(viewer_before or viewer), states_before,
                                keys_before)
    system_before = truth_before.system
    first = Published(
        fingerprint="", previous="", keys=keys_before.to_numpy(dtype=str),
        values=system_before.cells.value.to_numpy(dtype="float64"),
        small=system_before.cells.small.to_numpy(dtype=bool),
        virtual=system_before.cells.virtual.to_numpy(dtype=bool),
        hidden=~shown_before & ~system_before.cells.virtual.to_numpy(dtype=bool),
        equation=system_before.terms.equation.to_numpy(dtype=np.int64),
        cell=system_before.terms.cell.to_numpy(dtype=np.int64),
        coefficient=system_before.terms.coefficient.to_numpy(dtype="float64"))
    keys_after = release.key(truth_after.keys)
    joint = release.joined(truth_after.system, keys_after.to_numpy(dtype=str), first)
    n = len(keys_after)
    shown_after, told_after = _seen(result, states_after, keys_after)
    _count(result, truth_after.system.cells, shown_after, told_after)
    known = np.zeros(joint.size, dtype=bool)
    known[:n] = shown_after
    known |= joint.flag("fixed")
    virtual = joint.cells.virtual.to_numpy(dtype=bool)
    told_hidden = np.zeros(joint.size, dtype=bool)
    told_hidden[:n] = told_after
    small = joint.cells.small.to_numpy(dtype=bool)
    shown_again = np.flatnonzero(shown_after & joint.flag("forced")[:n] & small[:n]
                                 & (joint.cells.value.to_numpy()[:n] != 0))
    names = release.key(joint.cells).to_numpy(dtype=str)
    result.findings += [Finding(_name(names[c]), "skjult før, vist nu med samme tal")
                        for c in shown_again]
    return _attack(result, joint, ~known & ~virtual, told_hidden, viewer.threshold,
                   narrowing=narrowing)


def _obtain(con: duckdb.DuckDBPyConnection, viewer: Viewer, result: AuditResult, *,
            sites_alone: int | None = None) -> pd.DataFrame:
    """Every cell the viewer is shown or told is hidden, output by output."""
    obtained: dict[str, list[pd.DataFrame]] = {name: [] for name in datasets.RELEASED}
    for request in requests(con, viewer, sites_alone=sites_alone):
        for name in obtained:
            frame = datasets.BY_NAME[name](con, viewer, request)
            if SITE not in frame:
                frame = frame.assign(**{SITE: request.site or MUNICIPALITY})
            obtained[name].append(frame)
            result.requests += 1
    obtained["target_series"] = [datasets.target_series(con, viewer).assign(
        **{SITE: MUNICIPALITY})]
    result.requests += 1
    seen = [_observed(pd.concat(frames, ignore_index=True), name, None)
            for name, frames in obtained.items() if frames]
    return pd.concat([f for f in seen if len(f)], ignore_index=True)


def _consistent(result: AuditResult, observed: pd.DataFrame) -> pd.DataFrame:
    """Each cell's states across outputs; a cell shown once and hidden once, or shown
    with two numbers, is a finding."""
    states = observed.assign(key=release.key(observed)).groupby("key").agg(
        hidden_min=("hidden", "min"), hidden_max=("hidden", "max"),
        low=("value", "min"), high=("value", "max"))
    both = states.index[states.hidden_min != states.hidden_max]
    result.findings += [Finding(_name(c), "vist i ét udtræk, skjult i et andet", INCONSISTENT)
                        for c in both]
    differ = states.index[~states.hidden_max.to_numpy(dtype=bool)
                          & ((states.high - states.low).abs() > linked.TOLERANCE).to_numpy()]
    result.findings += [Finding(_name(c), "to forskellige tal", INCONSISTENT) for c in differ]
    return states


def _seen(result: AuditResult, states: pd.DataFrame,
          keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which of the cells `keys` the viewer was shown, and which told hidden."""
    index = pd.Series(np.arange(len(keys)), index=keys.to_numpy())
    for cell in states.index[~states.index.isin(index.index)]:
        result.findings.append(Finding(_name(cell), "ikke i registret", INCONSISTENT))
    shown_keys = states.index[~states.hidden_max.to_numpy(dtype=bool)]
    hidden_keys = states.index[states.hidden_min.to_numpy(dtype=bool)]
    shown = np.zeros(len(keys), dtype=bool)
    shown[index.reindex(shown_keys).dropna().to_numpy(dtype=int)] = True
    told_hidden = np.zeros(len(keys), dtype=bool)
    told_hidden[index.reindex(hidden_keys).dropna().to_numpy(dtype=int)] = True
    return shown, told_hidden


def _count(result: AuditResult, cells: pd.DataFrame, shown: np.ndarray,
           told_hidden: np.ndarray) -> None:
    small = cells.small.to_numpy(dtype=bool)
    result.cells = int((shown | told_hidden).sum())
    result.shown = int(shown.sum())
    result.hidden_small = int((told_hidden & small).sum())
    result.hidden_other = int((told_hidden & ~small).sum())


def _attack(result: AuditResult, system: linked.System, hidden: np.ndarray,
            told_hidden: np.ndarray, threshold: int, *, narrowing: bool,
            interval_limit: int | None = None) -> AuditResult:
    """Every cell that must not be known and is determined by the rest, and (with
    `narrowing`) every hidden count of 1..threshold pinned to an interval narrower than
    linked.protection_width."""
    cells = system.cells
    names = release.key(cells).to_numpy(dtype=str)
    values = cells.value.to_numpy(dtype="float64")
    small = cells.small.to_numpy(dtype=bool)
    must_not_be_known = linked.sensitive(system, told_hidden)
    found = linked.determined(system, hidden) & must_not_be_known
    for cell in np.flatnonzero(found):
        result.findings.append(Finding(_name(names[cell]),
                                       f"kan regnes ud præcist ({values[cell]:g})"))
    if narrowing:
        earlier = system.flag("earlier") & cells.virtual.to_numpy(dtype=bool)
        candidates = np.flatnonzero((told_hidden | earlier) & small & ~found & (values >= 1)
                                    & (values <= threshold))
        result.ranges_checked = len(candidates)
        width = linked.protection_width(threshold)
        narrow, undecided = linked.interval_check(
            system, hidden, candidates, width, limit=interval_limit,
            groups=release.site_groups(cells))
        if 0 < undecided.sum() <= WHOLE_AT_MOST:
            whole, still = linked.decide_whole(system, hidden, undecided, width)
            result.ranges_whole = int(undecided.sum() - still.sum())
            narrow = pd.concat([narrow, whole], ignore_index=True)
            undecided = still
        result.ranges_undecided = int(undecided.sum())
        result.findings += [
            Finding(_name(names[int(cell)]), f"kan indsnævres til {low:g}–{high:g}", NARROWED)
            for cell, low, high in zip(narrow.cell, narrow.low, narrow.high, strict=True)]
    return result


def _name(key: str) -> str:
    kind, site, udd, period, cat, measure = key.split("\x1f")
    site = "hele kommunen" if site == MUNICIPALITY else site
    site = "de andre steder" if site == release.REST else site
    parts = [kind, site, udd if udd != ALL else "i alt", period, cat, measure]
    return " / ".join(p for p in parts if p)


def protected_viewers(con: duckdb.DuckDBPyConnection, threshold: int) -> list[Viewer]:
    """Kvalitetsforum and a manager of every site."""
    return [Viewer("kvalitetsforum", "kvalitetsforum", threshold=threshold),
            *[Viewer(f"leder {site}", "leder", (site,), threshold=threshold)
              for site in metrics.sites(con)]]
