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

from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from sosu.domain.roles import Viewer
from sosu.metrics import datasets, linked, metrics, release
from sosu.metrics.datasets import Request
from sosu.metrics.protect import SUFFIX
from sosu.metrics.release import ALL, MUNICIPALITY, OUTPUTS, SITE

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
    observed = pd.concat([f for f in seen if len(f)], ignore_index=True)
    truth = release.build(datasets.release_frames(con, viewer), viewer.threshold,
                          complementary=False)
    return _judge(result, observed, truth, viewer.threshold, narrowing=narrowing,
                  interval_limit=interval_limit)


def _judge(result: AuditResult, observed: pd.DataFrame, truth: release.Release,
           threshold: int, *, narrowing: bool,
           interval_limit: int | None = None) -> AuditResult:
    states = observed.assign(key=release.key(observed)).groupby("key").agg(
        hidden_min=("hidden", "min"), hidden_max=("hidden", "max"),
        low=("value", "min"), high=("value", "max"))
    both = states.index[states.hidden_min != states.hidden_max]
    result.findings += [Finding(_name(c), "vist i ét udtræk, skjult i et andet", INCONSISTENT)
                        for c in both]
    differ = states.index[~states.hidden_max.to_numpy(dtype=bool)
                          & ((states.high - states.low).abs() > linked.TOLERANCE).to_numpy()]
    result.findings += [Finding(_name(c), "to forskellige tal", INCONSISTENT) for c in differ]
    cells = truth.system.cells
    index = pd.Series(np.arange(len(cells)), index=release.key(truth.keys))
    names = [str(k) for k in index.index]
    shown_keys = states.index[~states.hidden_max.to_numpy(dtype=bool)]
    hidden_keys = states.index[states.hidden_min.to_numpy(dtype=bool)]
    unknown_to_registry = [k for k in states.index if k not in index.index]
    for cell in unknown_to_registry:
        result.findings.append(Finding(_name(cell), "ikke i registret", INCONSISTENT))
    shown = np.zeros(len(cells), dtype=bool)
    shown[index.reindex(shown_keys).dropna().to_numpy(dtype=int)] = True
    told_hidden = np.zeros(len(cells), dtype=bool)
    told_hidden[index.reindex(hidden_keys).dropna().to_numpy(dtype=int)] = True
    values = cells.value.to_numpy(dtype="float64")
    small = cells.small.to_numpy(dtype=bool)
    virtual = cells.virtual.to_numpy(dtype=bool)
    hidden = ~shown & ~virtual  # not shown anywhere: unknown to the viewer
    result.cells = int((shown | told_hidden).sum())
    result.shown = int(shown.sum())
    result.hidden_small = int((told_hidden & small).sum())
    result.hidden_other = int((told_hidden & ~small).sum())
    must_not_be_known = linked.sensitive(truth.system, told_hidden)
    found = linked.determined(truth.system, hidden) & must_not_be_known
    for cell in np.flatnonzero(found):
        result.findings.append(Finding(_name(names[cell]),
                                       f"kan regnes ud præcist ({values[cell]:g})"))
    if narrowing:
        candidates = np.flatnonzero(told_hidden & small & ~found & (values >= 1)
                                    & (values <= threshold))
        result.ranges_checked = len(candidates)
        width = linked.protection_width(threshold)
        narrow, undecided = linked.interval_check(
            truth.system, hidden, candidates, width, limit=interval_limit,
            groups=release.site_groups(truth.keys))
        if 0 < undecided.sum() <= WHOLE_AT_MOST:
            whole, still = linked.decide_whole(truth.system, hidden, undecided, width)
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
