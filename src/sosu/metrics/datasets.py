"""What each viewer may see: every figure the dashboard shows, restricted and protected.

Each function takes the Viewer first. The site restriction is checked here (a
leder asking for another site's figures is refused whatever the page or URL
said). The education team gets each figure as asked. For viewers who may not see
individuals, every figure is a selection of rows from their scope's release
(metrics.release): all outputs they can obtain, computed for every site, education
and year at once and protected together, so a filter chooses rows and never changes
a number.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sosu.domain.roles import Viewer
from sosu.metrics import metrics, projection, release, scorecard
from sosu.metrics.protect import flag_columns
from sosu.metrics.release import MUNICIPALITY, Release
from sosu.store import db, published
from sosu.store.published import PublishedStore

Sites = list[str] | None  # a set of sites; None: all
# A figure for a set of sites: as one group, or each site on its own; given the third
# argument, only those sites on their own and the others added up as one keyed REST.
Fetch = Callable[[Sites, bool, Sites], pd.DataFrame]
ALL = "I alt"
SITE = "oplaeringssted"  # the key of each row's site in a figure fetched site by site


@dataclass(frozen=True)
class Request:
    """The shared filters: one site or the whole municipality, educations, years.

    `every_site` asks for each site the viewer may see at once, as its own page would
    show it, keyed by `oplaeringssted`."""

    site: str | None
    educations: tuple[str, ...]
    years: tuple[int, int]
    every_site: bool = False

    def __post_init__(self) -> None:
        # An education named twice is one choice (and would double every row).
        object.__setattr__(self, "educations", tuple(dict.fromkeys(self.educations)))

    @property
    def sites(self) -> list[str] | None:
        """The site restriction as the query layer takes it: None for all sites."""
        return [self.site] if self.site else None


def sites(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> list[str]:
    return viewer.visible_sites(metrics.sites(con))


_log = logging.getLogger(__name__)
EDUCATIONS = ("SSH", "SSA")  # the filter's choices, in the order the pages list them
_RELEASES: OrderedDict[tuple[object, ...], Release] = OrderedDict()
_RELEASE_LOCK = threading.Lock()
_KEY_LOCKS: dict[tuple[object, ...], threading.Lock] = {}
_KEPT_RELEASES = 16


def _release_key(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> tuple[object, ...] | None:
    """The database file version the connection reads (path, inode, mtime, size) and the
    viewer's scope; None when the version is not known. A load writes a new file (another
    inode), so the version names one load; asking the file for its load information too
    cost more than the rest of a page's query (a cursor and a query per output)."""
    version = db.attached_version(con)
    if version is None:
        return None
    return (version, viewer.scope)


def scope_release(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Release:
    """Every output the viewer's scope can obtain, protected together; computed once per
    database file version and scope (a member who opens the next page or site reads rows
    of it). Not cached for a connection whose file version is unknown."""
    key = _release_key(con, viewer)
    if key is None:
        return _build(con, viewer)
    with _RELEASE_LOCK:
        if key in _RELEASES:
            _RELEASES.move_to_end(key)
            return _RELEASES[key]
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:  # a second session asking meanwhile waits for this computation
        return _made(con, viewer, key)


def _made(con: duckdb.DuckDBPyConnection, viewer: Viewer, key: tuple[object, ...]) -> Release:
    """The release of `key`, made now unless it was made while the caller waited; the
    caller holds the key's lock."""
    with _RELEASE_LOCK:
        if key in _RELEASES:
            return _RELEASES[key]
    made = _build(con, viewer)
    with _RELEASE_LOCK:
        _RELEASES[key] = made
        _KEY_LOCKS.pop(key, None)
        while len(_RELEASES) > _KEPT_RELEASES:
            _RELEASES.popitem(last=False)
    return made


@dataclass
class Reservation:
    """A release a background thread is about to make (the dashboard's preparation of a
    new file): its key's lock is taken when the thread is started, so a page that asks
    for the release meanwhile waits for that thread's computation instead of starting a
    second one (whichever reached the lock first made it before). The thread ends it with
    `fulfil` or `cancel`; the lock may be released from that thread."""

    key: tuple[object, ...]
    viewer: Viewer
    lock: threading.Lock
    ended: bool = False

    def fulfil(self, con: duckdb.DuckDBPyConnection) -> Release:
        try:
            return _made(con, self.viewer, self.key)
        finally:
            self.cancel()

    def cancel(self) -> None:
        if not self.ended:
            self.ended = True
            self.lock.release()


def reserve_release(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Reservation | None:
    """Take the lock of `viewer`'s release for a thread about to make it; None when it is
    made already, being made, or its file version is unknown."""
    key = _release_key(con, viewer)
    if key is None:
        return None
    with _RELEASE_LOCK:
        if key in _RELEASES:
            return None
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            return None
    return Reservation(key, viewer, lock)


def forget_releases() -> None:
    """Drop every cached release (the bench times a first view; tests change the rules)."""
    with _RELEASE_LOCK:
        _RELEASES.clear()


def _site_frames(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                 fetch: Fetch) -> pd.DataFrame:
    """One output for every site the viewer may see, the others added up as REST, and the
    municipality (MUNICIPALITY): one long frame keyed by `oplaeringssted`."""
    everywhere = metrics.sites(con)
    visible = viewer.visible_sites(everywhere)
    hidden_sites = [s for s in everywhere if s not in visible]
    # With no visible site, a name no site has keeps every site in REST.
    apart = (visible or ["\x00ingen"]) if hidden_sites else None
    per_site = fetch(None, True, apart)
    whole = fetch(None, False, None)
    whole.insert(0, SITE, MUNICIPALITY)
    frames = [f for f in (per_site, whole) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else whole


def _build(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Release:
    """The scope's release, protected together with what the scope was shown before from
    this database's place (store.published's shown_before), and kept for the next."""
    everywhere = metrics.sites(con)
    unseen = [s for s in everywhere if s not in viewer.visible_sites(everywhere)]
    store = _published(con, viewer, everywhere)
    made = release.build(release_frames(con, viewer), viewer.threshold,
                         rest_is_one_site=len(unseen) == 1,
                         before=store.shown_before if store is not None else None,
                         hidden_elsewhere=_hidden_by_the_forum(con, viewer))
    if made.undecided.any():
        _log.warning("%d skjulte tal kunne ikke beskyttes helt for %s: tal vist før giver dem "
                     "(eller en gruppe var for stor til at afgøre)", int(made.undecided.sum()),
                     viewer.role_label)
    if store is not None and made.shown_as is not None:
        try:
            store.keep(made.shown_as)
        except OSError as error:  # the figures are made; the page must not fail for this
            _log.error("Det viste kunne ikke gemmes (%s, fejl %s): den næste indlæsnings "
                       "tal beskyttes uden det", type(error).__name__, error.errno)
    return made


def _hidden_by_the_forum(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> np.ndarray | None:
    """For a leder: the cells Kvalitetsforum's release of this load hides (their keys).
    A leder's release hides them too, so what any leder is shown is shown to
    Kvalitetsforum as well, and someone in both (a site manager who sits in the forum)
    or leders together learn nothing the forum's release, protected on its own and
    against its earlier loads, does not give. None for Kvalitetsforum itself."""
    if viewer.role != "leder":
        return None
    forum = scope_release(con, Viewer("kvalitetsforum", "kvalitetsforum",
                                      threshold=viewer.threshold))
    return release.key(forum.keys).to_numpy(dtype=str)[forum.hidden]


def _published(con: duckdb.DuckDBPyConnection, viewer: Viewer,
               everywhere: list[str]) -> PublishedStore | None:
    """Where the scope's releases from this database's place are kept: by role and the
    sites the viewer sees of this load, in order (not as the users file writes them: a
    site listed twice, in another order or without data is the same scope), not by
    threshold (a member shown a release at 3 and one at 5 holds both). None for a
    connection whose file is not known (nothing else can be shown from it)."""
    version = db.attached_version(con)
    if version is None:
        return None
    seen = tuple(viewer.visible_sites(everywhere)) if viewer.role == "leder" else ()
    return published.store_for(Path(version[0]), (viewer.role, seen))


def release_frames(con: duckdb.DuckDBPyConnection,
                   viewer: Viewer) -> dict[str, pd.DataFrame]:
    """Every released output unprotected, for the release to protect together."""
    every_year = (0, 9999)
    frames = {
        name: _site_frames(con, viewer, fetch)
        for name, fetch in _fetches(con, every_year).items()
    }
    frames["target_series"] = _series_frame(con)
    return frames


def _series_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = scorecard.target_series(con, None)
    frame.insert(0, SITE, MUNICIPALITY)
    return series_cells(frame)


def series_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The series with the education and period of the cells each row is taken from."""
    frame = frame.copy()
    education = frame.uddannelse.fillna(ALL).astype(str)
    period = frame.aar.astype(str)
    # "SSH 2022 + SSA 2020": the strategy's latest finished cohorts together.
    together = frame.periode.str.contains("+", regex=False)
    parts = frame.periode[together].str.split(" + ", regex=False)
    education[together] = parts.map(lambda p: "+".join(x.split(" ")[0] for x in p))
    period[together] = parts.map(lambda p: "+".join(x.split(" ")[1] for x in p))
    frame[release.SERIES_EDUCATION] = education
    frame[release.SERIES_PERIOD] = period
    return frame


def _fetches(con: duckdb.DuckDBPyConnection, years: tuple[int, int]) -> dict[str, Fetch]:
    """Each released output's query for every education and the given years."""
    request = Request(None, EDUCATIONS, years)
    return {
        "cohorts": _cohort_fetch(con, request, protected=True),
        "hires": _hires_fetch(con, request),
        "sick_leave_by_year": _sick_fetch(con, request, "aar"),
        "sick_leave_by_month": _sick_fetch(con, request, "maaned"),
        "dropout_reasons": _reasons_fetch(con, request),
        "dropout_phases": _pooled_fetch(con, request, metrics.dropout_phases,
                                        ["uddannelse", "fase", "frafald_hovedforloeb"]),
        "age_bands": _pooled_fetch(con, request, metrics.age_bands,
                                   ["uddannelse", "aldersgruppe"]),
        "workplaces": _pooled_fetch(con, request, _workplaces, ["uddannelse", "arbejdssted"]),
    }


def _released(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
              name: str) -> pd.DataFrame:
    """A protected viewer's rows of one released output, as the request selects them."""
    viewer.require_site(request.site)
    frame = scope_release(con, viewer).tables[name]
    if request.every_site:
        visible = viewer.visible_sites(metrics.sites(con))
        rows = frame[SITE].isin(visible).to_numpy()
    else:
        rows = (frame[SITE] == (request.site or MUNICIPALITY)).to_numpy()
    frame = frame[rows]
    chosen = list(request.educations)
    if name in ("sick_leave_by_year", "sick_leave_by_month", "hires") and len(chosen) > 1:
        chosen.append(ALL)
    frame = frame[frame.uddannelse.isin(chosen)]
    if name in ("sick_leave_by_year", "sick_leave_by_month"):
        # Each chosen education's rows together, in the order chosen, then "I alt".
        place = pd.Index(chosen).get_indexer(pd.Index(frame.uddannelse))
        frame = frame.iloc[place.argsort(kind="stable")]
    period = _PERIODS.get(name)
    if period is not None:
        frame = _years(frame, period, request.years)
    if name in _BY_CODE:  # never by count: a row's place would say which hidden is larger
        frame = frame.sort_values(_by(frame, *_BY_CODE[name]), kind="stable")
    frame = frame.drop(columns=[c for c in ("frafald_hovedforloeb",) if c in frame
                                and name == "dropout_phases"])
    if not request.every_site:
        frame = frame.drop(columns=SITE)
    return frame.reset_index(drop=True)


# Rows of categories in the order of their codes (the team's own tables list the most
# common first).
_BY_CODE = {"dropout_reasons": ("aar", "uddannelse", "aarsag"),
            "workplaces": ("uddannelse", "arbejdssted")}
_PERIODS = {"cohorts": "aargang", "hires": "aar", "sick_leave_by_year": "aar",
            "sick_leave_by_month": "aar", "dropout_reasons": "aar"}


def _as_asked(viewer: Viewer, request: Request, fetch: Fetch, name: str,
              con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The figure as asked for the education team; the release's rows for anyone else."""
    if not viewer.may_see_individuals:
        return _released(con, viewer, request, name)
    viewer.require_site(request.site)
    if request.every_site:
        return fetch(None, True, None)
    return fetch(request.sites, False, None)


def _by(frame: pd.DataFrame, *columns: str) -> list[str]:
    """Grouping columns, led by the site when the frame holds each site on its own."""
    return [SITE, *columns] if SITE in frame else list(columns)


def _years(frame: pd.DataFrame, column: str, years: tuple[int, int]) -> pd.DataFrame:
    return frame[frame[column].between(*years)] if len(frame) else frame


# Cohorts -------------------------------------------------------------------

# Protected viewers get dropout counted one way only (with switches, as the strategy's
# target): the switch counts are mostly 1–3, and showing both ways would hide the
# headline figures with them.
_SWITCH_STEMS = ("omvalg", "frafald_uden_omvalg", "frafald_hovedforloeb_uden_omvalg")
SWITCH_COLUMNS = tuple(
    c for stem in _SWITCH_STEMS
    for c in (stem, f"andel_{stem}", f"{stem}_nedre", f"{stem}_oevre"))


def _cohort_fetch(con: duckdb.DuckDBPyConnection, request: Request, *,
                  protected: bool) -> Fetch:
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.cohorts(con, sites, request.educations, by_site, apart)
        if protected:
            frame = frame.drop(columns=[c for c in SWITCH_COLUMNS if c in frame])
        return _years(frame, "aargang", request.years)
    return fetch


def cohorts(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    return _as_asked(viewer, request, _cohort_fetch(con, request, protected=False), "cohorts",
                     con)


# Sick leave ----------------------------------------------------------------

def _sick_fetch(con: duckdb.DuckDBPyConnection, request: Request, period: str) -> Fetch:
    function = metrics.sick_leave_by_year if period == "aar" else metrics.sick_leave_by_month
    labels = [*request.educations, ALL] if len(request.educations) > 1 else [
        *request.educations]

    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = function(con, sites, request.educations, by_site, True, apart)
        frame["uddannelse"] = frame.uddannelse.fillna(ALL)
        # Each chosen education, then all of them ("I alt", only when there are two),
        # each education's rows together as the page draws them.
        place = pd.Index(labels).get_indexer(pd.Index(frame.uddannelse))
        frame = frame[place >= 0].iloc[place[place >= 0].argsort(kind="stable")]
        if frame.empty:
            return pd.DataFrame(columns=[
                *([SITE] if by_site else []), "uddannelse", period, "aar", "elever",
                "planlagte_timer", "syge_timer", "andel",
                *(["andel_3_mdr"] if period == "maaned" else [])])
        frame = frame.reset_index(drop=True)
        if period == "maaned":
            frame["aar"] = frame.maaned.dt.year
            # Over every month, before the years are chosen: the first month of a chosen
            # year has its months before.
            # (its sources and months as the release declares them)
            for column, (shares, months) in release.OUTPUTS[
                    "sick_leave_by_month"].rolling.items():
                frame[column] = release.rolling_share(frame, shares, months,
                                                      _by(frame, "uddannelse"))
        return _years(frame, "aar", request.years)
    return fetch


def sick_leave(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
               period: str) -> pd.DataFrame:
    """Per education, plus "I alt" when more than one is chosen; period "aar" or "maaned"."""
    name = "sick_leave_by_year" if period == "aar" else "sick_leave_by_month"
    return _as_asked(viewer, request, _sick_fetch(con, request, period), name, con)


# Dropout reasons and phases ------------------------------------------------

def _with_group_total(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(i_alt=pd.Series(dtype="float64"))
    return frame.assign(i_alt=frame.groupby(group).antal.transform("sum"))


def _reasons_fetch(con: duckdb.DuckDBPyConnection, request: Request) -> Fetch:
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.dropout_reasons(con, sites, request.educations, by_site, apart)
        frame = _years(frame, "aar", request.years)
        return _with_group_total(frame, _by(frame, "aar", "uddannelse"))
    return fetch


def dropout_reasons(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                    request: Request) -> pd.DataFrame:
    return _as_asked(viewer, request, _reasons_fetch(con, request), "dropout_reasons", con)


def _pooled(frame: pd.DataFrame, by: list[str], years: tuple[int, int]) -> pd.DataFrame:
    frame = _years(frame, "aar", years)
    frame = frame.groupby(_by(frame, *by), as_index=False).agg(antal=("antal", "sum"))
    return _with_group_total(frame, _by(frame, "uddannelse"))


Summed = Callable[..., pd.DataFrame]


def _pooled_fetch(con: duckdb.DuckDBPyConnection, request: Request, function: Summed,
                  by: list[str]) -> Fetch:
    """Counts summed over the request's years (all years for protected viewers: two
    overlapping ranges would otherwise give the year between them by subtraction)."""
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = function(con, sites, request.educations, by_site, apart)
        return _pooled(frame, by, request.years)
    return fetch


def dropout_phases(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                   request: Request) -> pd.DataFrame:
    """Dropouts per phase, summed over the chosen years (all years for protected viewers)."""
    fetch = _pooled_fetch(con, request, metrics.dropout_phases, ["uddannelse", "fase"])
    return _as_asked(viewer, request, fetch, "dropout_phases", con)


# Cumulative incidence and projections (Aalen–Johansen) ------------------------

SURVIVAL_STEP = 3  # months between the points protected viewers see
_COHORT_ROW = ("ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb", "aktive")
_INCIDENCE_CAUSES = ("frafald", "gennemfoert")


def _complete_cohorts(con: duckdb.DuckDBPyConnection,
                      viewer: Viewer) -> dict[tuple[str, int], dict[str, int]]:
    """The municipality's cohorts whose every count the viewer's cohort table shows, with
    the totals shown there of each outcome the curves draw."""
    table = scope_release(con, viewer).tables["cohorts"]
    whole = table[table[SITE] == MUNICIPALITY]
    complete = whole[~whole[[f"{c}_skjult" for c in _COHORT_ROW]].any(axis=1)]
    return {(str(row.uddannelse), int(row.aargang)):
            {cause: int(row[cause]) for cause in (*_INCIDENCE_CAUSES, "aktive")}
            for _, row in complete.iterrows()}


def _incidence_points(curve: pd.DataFrame, threshold: int,
                      totals: dict[str, int]) -> list[pd.Series]:
    """One cohort's points under the curve rule. Each point tells what happened up to the
    end of its month: the leavers of each outcome since the previous point (0 or more than
    `threshold`) and, as `i_risiko`, how many are still in training after the month (more
    than `threshold`, or 0 once a finished cohort has ended). Read at the start of the
    month, hired − still in training gave the leavers before the month, and the point's
    count then gave the month's own leavers: a step of one student. The cohort table's
    totals minus the points' sums give the leavers after the last point; a point whose
    tail would be 1–`threshold` for an outcome is left out, and its leavers join the
    tail, until no tail is."""
    after = np.append(curve.i_risiko.to_numpy(dtype=float)[1:], 0.0)
    kept: list[pd.Series] = []
    since = dict.fromkeys(_INCIDENCE_CAUSES, 0)
    for (_, row), remaining in zip(curve.iterrows(), after, strict=True):
        for cause in _INCIDENCE_CAUSES:
            since[cause] += int(row[cause])
        ended = remaining == 0 and totals["aktive"] == 0  # for a running one: censored
        if int(row["maaneder"]) % SURVIVAL_STEP or (remaining <= threshold and not ended):
            continue
        if all(n == 0 or n > threshold for n in since.values()):
            point = row.copy()
            point["i_risiko"] = remaining
            for cause in _INCIDENCE_CAUSES:
                point[cause] = since[cause]
            kept.append(point)
            since = dict.fromkeys(_INCIDENCE_CAUSES, 0)
    while kept and any(0 < totals[c] - sum(int(p[c]) for p in kept) <= threshold
                       for c in _INCIDENCE_CAUSES):
        kept.pop()
    return kept


def _coarse_incidence(frame: pd.DataFrame, threshold: int,
                      totals: dict[tuple[str, int], dict[str, int]]) -> pd.DataFrame:
    """The incidence curves of the cohorts in `totals` under the curve rule
    (`_incidence_points`)."""
    kept: list[pd.Series] = []
    for (education, year), curve in frame.sort_values("maaneder").groupby(
            ["uddannelse", "aargang"]):
        kept += _incidence_points(curve, threshold, totals[(str(education), int(str(year)))])
    return pd.DataFrame(kept, columns=frame.columns).reset_index(drop=True)


def _protected_scope(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                     request: Request) -> dict[tuple[str, int], dict[str, int]] | None:
    """None for the education team; else the cohorts a protected viewer may get curves
    and projections for: the municipality's only (for one site: none)."""
    viewer.require_site(request.site)
    if viewer.may_see_individuals:
        return None
    if request.site is not None:
        return {}
    return _complete_cohorts(con, viewer)


def incidence(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Each cohort's cumulative incidence of dropout and of completion by months since
    hire (Aalen–Johansen; completion competes with dropout, the active are censored).
    Protected viewers get the municipality's (none for one site), quarterly, only for
    cohorts whose every count their cohort table shows."""
    shown = _protected_scope(con, viewer, request)
    counts = metrics.outcome_times(con, None, request.sites, request.educations)
    frame = _years(projection.curves(counts), "aargang", request.years)
    if shown is None or frame.empty:
        return frame
    keep = [(u, int(a)) in shown for u, a in zip(frame.uddannelse, frame.aargang, strict=True)]
    return _coarse_incidence(frame[keep], viewer.threshold, shown)


_PROJECTION_COLUMNS = ["uddannelse", "aargang", "afsluttet", "fulgt_alle", "i_forloeb",
                       "andel_frafald_hovedforloeb", "frafald_hovedforloeb_nedre",
                       "frafald_hovedforloeb_oevre"]


def projections(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                request: Request) -> pd.DataFrame:
    """Each cohort's projected final main-course dropout with its 95 % interval (a
    finished cohort's is its own). A running cohort's projection rests on the earlier
    cohorts of its education too, so a protected viewer gets it only when that cohort and
    every earlier one of its education are complete in their cohort table, and never
    for one site."""
    shown = _protected_scope(con, viewer, request)
    counts = metrics.outcome_times(con, None, request.sites, request.educations)
    frame = projection.projections(counts)
    if frame.empty:
        return pd.DataFrame(columns=_PROJECTION_COLUMNS)
    frame = frame[_PROJECTION_COLUMNS]
    if shown is not None:
        keep = [all((u, y) in shown for y in frame.aargang[(frame.uddannelse == u)
                                                           & (frame.aargang <= a)])
                for u, a in zip(frame.uddannelse, frame.aargang, strict=True)]
        frame = frame[keep]
    return _years(frame, "aargang", request.years).reset_index(drop=True)


def projection_backtest(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                        request: Request) -> pd.DataFrame:
    """The projection tried on every finished cohort, 12 and 24 months after its last
    hire: the education team only (the data as they stood on a date are not released)."""
    viewer.require_individuals()
    data_date = db.load_info(con).get("data_pr")
    if data_date is None:
        return pd.DataFrame(columns=projection.BACKTEST_COLUMNS)

    def counts_on(day: object) -> pd.DataFrame:
        return metrics.outcome_times(con, day, request.sites, request.educations)

    return projection.backtest(counts_on, data_date)  # type: ignore[arg-type]


# Hires ---------------------------------------------------------------------

def _hires_fetch(con: duckdb.DuckDBPyConnection, request: Request) -> Fetch:
    counts = ["ansatte", "intern_ufaglaert", "intern_ssh", "alder_25_plus"]

    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = _years(metrics.hires(con, sites, request.educations, by_site, apart), "aar",
                       request.years)
        if frame.empty or len(request.educations) < 2:
            return frame
        total = frame.groupby(_by(frame, "aar"), as_index=False)[counts].sum()
        return pd.concat([frame, total.assign(uddannelse=ALL)], ignore_index=True)
    return fetch


def hires(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Hires per year and education, plus "I alt" per year (the internal-recruitment targets
    count both educations together)."""
    return _as_asked(viewer, request, _hires_fetch(con, request), "hires", con)


def age_bands(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    fetch = _pooled_fetch(con, request, metrics.age_bands, ["uddannelse", "aldersgruppe"])
    return _as_asked(viewer, request, fetch, "age_bands", con)


def _workplaces(con: duckdb.DuckDBPyConnection, sites: Sites, educations: Sites,
                by_site: bool, apart: Sites) -> pd.DataFrame:
    frame = metrics.hired_after_by_workplace(con, sites, educations, by_site, apart)
    return frame.rename(columns={"aargang": "aar"})


def workplaces(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Where graduates were hired, summed over cohorts (all cohorts for protected viewers)."""
    fetch = _pooled_fetch(con, request, _workplaces, ["uddannelse", "arbejdssted"])
    return _as_asked(viewer, request, fetch, "workplaces", con)


# Scorecard and students ----------------------------------------------------

def target_series(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """The municipality's series behind the scorecard; for protected viewers the rows of
    their release, so each series cell is hidden exactly where the page showing the same
    students hides it."""
    if viewer.may_see_individuals:
        return scorecard.target_series(con, None)
    frame = scope_release(con, viewer).tables["target_series"]
    helpers = [SITE, release.SERIES_EDUCATION, release.SERIES_PERIOD]
    frame = frame.drop(columns=[*helpers, *flag_columns(frame)])
    return frame.reset_index(drop=True)


def initiatives(con: duckdb.DuckDBPyConnection, _viewer: Viewer) -> pd.DataFrame:
    """The strategy's initiatives: about the organisation, not students, so every role
    sees all of them and nothing is suppressed."""
    return metrics.initiatives(con)


def students(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """One row per student: the education team only."""
    viewer.require_individuals()
    frame = metrics.students(con, request.sites,
                             request.educations)
    return _years(frame, "aargang", request.years)


# Completeness ----------------------------------------------------------------

def completeness(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                 request: Request) -> pd.DataFrame:
    """How complete each figure's basis is, per measure, year and education: the education
    team only. A share known beside a basis that a protected viewer's release hides, or
    shows as an interval, would give the hidden count back (the missing dropouts of a
    year are often 1-3), and the release protects counts, not shares of them; so protected
    roles see the figures without it, as before (docs/privacy.md)."""
    viewer.require_individuals()
    viewer.require_site(request.site)
    frame = metrics.completeness(con, request.sites, request.educations)
    return _years(frame, "aar", request.years).reset_index(drop=True)


# The load ------------------------------------------------------------------------

def loaded_files(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """The files of the load in use and where they came from; their row counts for the
    education team only: a file's rows are a sum the release does not hold (the sick-
    leave file's rows are every month's students added up), so beside the months a
    protected viewer sees, they gave a hidden month's count back."""
    files = json.loads(str(db.load_info(con).get("filer") or "{}"))
    frame = pd.DataFrame([{"fil": name, "kilde": f["kilde"], "rækker": f["raekker"]}
                          for name, f in files.items()], columns=["fil", "kilde", "rækker"])
    return frame if viewer.may_see_individuals else frame.drop(columns="rækker")


# Early warning ---------------------------------------------------------------

# The thresholds the back-test always tries, beside the one chosen on the page.
BACKTEST_THRESHOLDS = (0.05, 0.075, 0.10, 0.125, 0.15, 0.20)


def early_warning(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
                  threshold: float) -> pd.DataFrame:
    """The students to follow up now: the education team only."""
    viewer.require_individuals()
    return metrics.early_warning(con, threshold, request.sites,
                                 request.educations)


def active_students(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                    request: Request) -> pd.DataFrame:
    viewer.require_individuals()
    return metrics.active_students(con, request.sites,
                                   request.educations)


def early_warning_backtest(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
                           threshold: float) -> pd.DataFrame:
    """How the list would have done on the history, at the chosen and the usual thresholds."""
    viewer.require_individuals()
    thresholds = sorted({*BACKTEST_THRESHOLDS, round(threshold, 4)})
    return metrics.early_warning_backtest(
        con, thresholds, request.sites, request.educations)


# The figures a protected viewer gets as rows of their release (metrics.release).
RELEASED = frozenset(release.OUTPUTS) - {"target_series"}

BY_NAME: dict[str, Callable[[duckdb.DuckDBPyConnection, Viewer, Request], pd.DataFrame]] = {
    "cohorts": cohorts,
    "sick_leave_by_year": lambda con, viewer, request: sick_leave(con, viewer, request, "aar"),
    "sick_leave_by_month": lambda con, viewer, request: sick_leave(con, viewer, request,
                                                                   "maaned"),
    "dropout_reasons": dropout_reasons,
    "dropout_phases": dropout_phases,
    "incidence": incidence,
    "projections": projections,
    "hires": hires,
    "age_bands": age_bands,
    "workplaces": workplaces,
    "students": students,
}
