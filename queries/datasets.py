"""What each viewer may see: every figure the dashboard shows, restricted and protected.

Each function takes the Viewer first. The site restriction is checked here (a
leder asking for another site's figures is refused whatever the page or URL
said), year ranges and aggregation happen here (so suppression sees the figures
exactly as they are shown), and for viewers who may not see individuals every
frame goes through queries.protect before it leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from access.roles import AccessDenied, Viewer
from queries import metrics, scorecard
from queries.protect import REST, Spec, flag_columns, protect, protect_site, protect_sites

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
    show it, keyed by `oplaeringssted` (see one_site)."""

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


def _protected(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
               fetch: Fetch, spec: Spec) -> pd.DataFrame:
    site = request.site
    viewer.require_site(site)
    if request.every_site:
        if viewer.may_see_individuals:
            return fetch(None, True, None)
        members, visible = _members(con, viewer, fetch)
        if SITE not in members:  # nothing at all for the chosen educations
            return members
        every = protect_sites(members, SITE, spec, viewer.threshold)
        return every[every[SITE].isin(visible)].reset_index(drop=True)
    if viewer.may_see_individuals:
        return fetch([site] if site else None, False, None)
    if site is None:
        frame = fetch(None, False, None).reset_index(drop=True)
        return protect(frame, spec, viewer.threshold) if len(frame) else frame
    members, _visible = _members(con, viewer, fetch)
    if SITE not in members:  # nothing at all for the chosen educations
        return members
    return protect_site(members, SITE, site, spec, viewer.threshold)


def _members(con: duckdb.DuckDBPyConnection, viewer: Viewer,
             fetch: Fetch) -> tuple[pd.DataFrame, list[str]]:
    """(members, the sites the viewer may see). A site is protected against every other
    view the viewer can open: each site they may see and the total, so also the sites
    they may not see added up (REST). One query gives them all."""
    everywhere = metrics.sites(con)
    visible = viewer.visible_sites(everywhere)
    if not visible:
        return pd.DataFrame(), visible
    hidden_sites = [s for s in everywhere if s not in visible]
    members = fetch(None, True, visible if hidden_sites else None)
    if SITE not in members:  # nothing at all for the chosen educations
        return members, visible
    # Each member's rows together, members in a fixed order: ties between equally good
    # complementary cells are then always broken the same way.
    codes, names = pd.factorize(members[SITE])
    order = pd.Index([*visible, REST]).get_indexer(names)[codes]
    return members.iloc[order.argsort(kind="stable")], visible


def from_every_site(viewer: Viewer, name: str, request: Request) -> Request | None:
    """The every_site request a protected viewer's one-site figure is best cut from (the
    protection needs every site's figures anyway, and one answer then serves each site
    the viewer opens), or None when the figure is asked for as it is."""
    if request.site is None or viewer.may_see_individuals or name not in PROTECTED_PER_SITE:
        return None
    viewer.require_site(request.site)
    return replace(request, site=None, every_site=True)


def one_site(every: pd.DataFrame, site: str) -> pd.DataFrame:
    """One site's rows of an `every_site` answer: what the site's own request gives."""
    if SITE not in every:
        return every
    return every[every[SITE] == site].drop(columns=SITE).reset_index(drop=True)


def _by(frame: pd.DataFrame, *columns: str) -> list[str]:
    """Grouping columns, led by the site when the frame holds each site on its own."""
    return [SITE, *columns] if SITE in frame else list(columns)


def _years(frame: pd.DataFrame, column: str, years: tuple[int, int]) -> pd.DataFrame:
    return frame[frame[column].between(*years)] if len(frame) else frame


def _pooled_years(viewer: Viewer, years: tuple[int, int]) -> tuple[int, int]:
    """Figures summed over years use every year for protected viewers.

    Two overlapping ranges (2019–2023 and 2019–2022) would otherwise give the
    figures of the year between them by subtraction, small or not.
    """
    return years if viewer.may_see_individuals else (0, 9999)


# Cohorts -------------------------------------------------------------------

_RATES = {
    "frafald": ("frafald", "ansatte"),
    "frafald_hovedforloeb": ("frafald_hovedforloeb", "ansatte"),
    "frafald_hovedforloeb_uden_omvalg": ("frafald_hovedforloeb_uden_omvalg", "ansatte"),
    "gennemfoert": ("gennemfoert", "ansatte"),
    "ansat_efter": ("ansat_efter", "ansatte"),
    "ansat_efter_af_gennemfoerte": ("ansat_efter", "gennemfoert"),
}

# Protected viewers get dropout counted one way only (with switches, as the strategy's
# target): the switch counts are mostly 1–3, and showing both ways would hide the
# headline figures with them.
_SWITCH_STEMS = ("omvalg", "frafald_uden_omvalg", "frafald_hovedforloeb_uden_omvalg")
SWITCH_COLUMNS = tuple(
    c for stem in _SWITCH_STEMS
    for c in (stem, f"andel_{stem}", f"{stem}_nedre", f"{stem}_oevre"))

COHORTS = Spec(
    keys=("uddannelse", "aargang"),
    counts=("ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb", "aktive",
            "ansat_efter"),
    group="ansatte",
    derived={column: sources for stem, sources in _RATES.items() if stem not in _SWITCH_STEMS
             for column in (f"andel_{stem}", f"{stem}_nedre", f"{stem}_oevre")},
    virtual={
        "frafald_grundforloeb": ("frafald", ("frafald_hovedforloeb",)),
        "ikke_ansat_efter": ("gennemfoert", ("ansat_efter",)),
    },
    sums=(
        ("ansatte", "gennemfoert", "frafald", "aktive"),
        ("frafald", "frafald_hovedforloeb", "frafald_grundforloeb"),
        ("gennemfoert", "ansat_efter", "ikke_ansat_efter"),
    ),
    headline=("ansatte", "frafald_hovedforloeb", "ansat_efter"),
)


def cohorts(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.cohorts(con, sites, request.educations, by_site, apart)
        if not viewer.may_see_individuals:
            frame = frame.drop(columns=[c for c in SWITCH_COLUMNS if c in frame])
        return _years(frame, "aargang", request.years)

    return _protected(con, viewer, request, fetch, COHORTS)


# Sick leave ----------------------------------------------------------------

def _sick_spec(period: str) -> Spec:
    within: tuple[tuple[str, ...], ...] = ((period,),)
    if period == "maaned":  # the months of a year add up to the year shown beside them
        within += (("uddannelse", "aar"),)
    keys = ("uddannelse", period) if period == "aar" else ("uddannelse", period, "aar")
    return Spec(keys=keys, counts=("elever",), group="elever",
                derived={c: ("elever",) for c in ("andel", "planlagte_timer", "syge_timer")},
                within=within)


def sick_leave(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
               period: str) -> pd.DataFrame:
    """Per education, plus "I alt" when more than one is chosen; period "aar" or "maaned"."""
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
            return pd.DataFrame(columns=["uddannelse", period, "aar", "elever"])
        frame = frame.reset_index(drop=True)
        if period == "maaned":
            frame["aar"] = frame.maaned.dt.year
        return _years(frame, "aar", request.years)

    return _protected(con, viewer, request, fetch, _sick_spec(period))


# Dropout reasons and phases ------------------------------------------------

def _with_group_total(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(i_alt=pd.Series(dtype="float64"))
    return frame.assign(i_alt=frame.groupby(group).antal.transform("sum"))


REASONS = Spec(keys=("aar", "uddannelse", "aarsag"), counts=("antal", "i_alt"),
               within=(("aar", "uddannelse"),))


def dropout_reasons(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                    request: Request) -> pd.DataFrame:
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.dropout_reasons(con, sites, request.educations, by_site, apart)
        frame = _years(frame, "aar", request.years)
        return _with_group_total(frame, _by(frame, "aar", "uddannelse"))

    return _protected(con, viewer, request, fetch, REASONS)


def _pooled(frame: pd.DataFrame, by: list[str], years: tuple[int, int]) -> pd.DataFrame:
    frame = _years(frame, "aar", years)
    frame = frame.groupby(_by(frame, *by), as_index=False).agg(antal=("antal", "sum"))
    return _with_group_total(frame, _by(frame, "uddannelse"))


PHASES = Spec(keys=("uddannelse", "fase"), counts=("antal", "i_alt"), within=(("uddannelse",),))


def dropout_phases(con: duckdb.DuckDBPyConnection, viewer: Viewer,
                   request: Request) -> pd.DataFrame:
    """Dropouts per phase, summed over the chosen years (all years for protected viewers)."""
    years = _pooled_years(viewer, request.years)

    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.dropout_phases(con, sites, request.educations, by_site, apart)
        return _pooled(frame, ["uddannelse", "fase"], years)

    return _protected(con, viewer, request, fetch, PHASES)


# Survival ------------------------------------------------------------------

SURVIVAL_STEP = 3  # months between the points protected viewers see


def _coarse_survival(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Quarterly points, each only if its at-risk group and the dropouts since the
    previous point shown are both more than `threshold` (or no dropouts at all)."""
    kept: list[pd.Series] = []
    for _, curve in frame.sort_values("maaneder").groupby(["uddannelse", "aargang"]):
        since = 0
        for _, row in curve.iterrows():
            since += int(row["frafald"])
            if int(row["maaneder"]) % SURVIVAL_STEP or float(row["i_risiko"]) <= threshold:
                continue
            if since == 0 or since > threshold:
                point = row.copy()
                point["frafald"] = since  # dropouts since the previous point shown
                kept.append(point)
                since = 0
    return pd.DataFrame(kept, columns=frame.columns).reset_index(drop=True)


def survival(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Kaplan–Meier curves. Protected viewers see the municipality's, quarterly."""
    viewer.require_site(request.site)
    frame = metrics.survival(con, request.sites, request.educations)
    frame = _years(frame, "aargang", request.years)
    if viewer.may_see_individuals:
        return frame
    if request.site is not None:
        raise AccessDenied("Overlevelseskurver vises kun for hele kommunen for din rolle: "
                           "på et enkelt oplæringssted bliver tallene for små.")
    return _coarse_survival(frame, viewer.threshold)


# Hires ---------------------------------------------------------------------

HIRES = Spec(
    keys=("aar", "uddannelse"),
    counts=("ansatte", "intern_ufaglaert", "intern_ssh", "alder_25_plus"),
    group="ansatte",
    headline=("ansatte", "intern_ufaglaert", "intern_ssh"),
    virtual={"ekstern": ("ansatte", ("intern_ufaglaert", "intern_ssh")),
             "alder_under_25": ("ansatte", ("alder_25_plus",))},
    sums=(("ansatte", "intern_ufaglaert", "intern_ssh", "ekstern"),
          ("ansatte", "alder_25_plus", "alder_under_25")),
    within=(("aar",),),
)


def hires(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Hires per year and education, plus "I alt" per year (the internal-recruitment targets
    count both educations together)."""
    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = _years(metrics.hires(con, sites, request.educations, by_site, apart), "aar",
                       request.years)
        if frame.empty or len(request.educations) < 2:
            return frame
        total = frame.groupby(_by(frame, "aar"), as_index=False)[list(HIRES.counts)].sum()
        return pd.concat([frame, total.assign(uddannelse=ALL)], ignore_index=True)

    return _protected(con, viewer, request, fetch, HIRES)


AGES = Spec(keys=("uddannelse", "aldersgruppe"), counts=("antal", "i_alt"),
            within=(("uddannelse",),))


def age_bands(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    years = _pooled_years(viewer, request.years)

    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.age_bands(con, sites, request.educations, by_site, apart)
        return _pooled(frame, ["uddannelse", "aldersgruppe"], years)

    return _protected(con, viewer, request, fetch, AGES)


WORKPLACES = Spec(keys=("uddannelse", "arbejdssted"), counts=("antal", "i_alt"),
                  within=(("uddannelse",),))


def workplaces(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request) -> pd.DataFrame:
    """Where graduates were hired, summed over cohorts (all cohorts for protected viewers)."""
    years = _pooled_years(viewer, request.years)

    def fetch(sites: Sites, by_site: bool, apart: Sites) -> pd.DataFrame:
        frame = metrics.hired_after_by_workplace(con, sites, request.educations, by_site,
                                                 apart)
        frame = frame.rename(columns={"aargang": "aar"})
        return _pooled(frame, ["uddannelse", "arbejdssted"], years)

    return _protected(con, viewer, request, fetch, WORKPLACES)


# Scorecard and students ----------------------------------------------------

SERIES = Spec(keys=("metric", "uddannelse", "aar"), counts=("taeller", "naevner"),
              derived={c: ("taeller", "naevner") for c in ("vaerdi", "nedre", "oevre")},
              within=(("metric", "aar"),))


def target_series(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """The municipality's series behind the scorecard; student counts protected."""
    frame = scorecard.target_series(con, None)
    if viewer.may_see_individuals or frame.empty:
        return frame
    hours = frame.metric == "sygefravaer"  # hours of many students, not counts of students
    counted = protect(frame[~hours].reset_index(drop=True), SERIES, viewer.threshold)
    counted = counted.drop(columns=flag_columns(counted))
    return pd.concat([counted, frame[hours]], ignore_index=True)


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


# The figures whose protection for one site needs every site's figures (_protected):
# for these, a request with every_site gives each site's protected rows at once.
PROTECTED_PER_SITE = frozenset({
    "cohorts", "sick_leave_by_year", "sick_leave_by_month", "dropout_reasons",
    "dropout_phases", "hires", "age_bands", "workplaces"})

BY_NAME: dict[str, Callable[[duckdb.DuckDBPyConnection, Viewer, Request], pd.DataFrame]] = {
    "cohorts": cohorts,
    "sick_leave_by_year": lambda con, viewer, request: sick_leave(con, viewer, request, "aar"),
    "sick_leave_by_month": lambda con, viewer, request: sick_leave(con, viewer, request,
                                                                   "maaned"),
    "dropout_reasons": dropout_reasons,
    "dropout_phases": dropout_phases,
    "survival": survival,
    "hires": hires,
    "age_bands": age_bands,
    "workplaces": workplaces,
    "students": students,
}
