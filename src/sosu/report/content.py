"""What the quarterly report says: gathered once, through the same viewer-aware query
layer as the dashboard, so the PDF shows exactly what its reader may see."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from sosu.domain.fmt import date, pct
from sosu.domain.roles import Viewer
from sosu.domain.targets import Target
from sosu.metrics import datasets, metrics
from sosu.metrics.datasets import ALL, EDUCATIONS, Request
from sosu.metrics.initiatives import started_for, status_tables
from sosu.metrics.scorecard import Fulfilment, Score, overall, score, series_for, statements
from sosu.store import db

FOCUS_AREAS = {
    "foer": "Før uddannelse: rekruttering",
    "under": "Under uddannelse: frafald og sygefravær",
    "efter": "Efter uddannelse: fastholdelse",
}
# Which focus area each target metric belongs to (the strategy's three areas).
FOCUS_OF_METRIC = {"ansatte": "foer", "intern_ufaglaert": "foer", "intern_ssh": "foer",
                   "frafald_hovedforloeb": "under", "sygefravaer": "under",
                   "ansat_efter": "efter"}


class ReportError(ValueError):
    """A report that cannot be made (bad quarter, no data); the message is for users."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", text.strip())
        if not match:
            raise ReportError(f"kvartalet {text!r} skal skrives som fx 2025Q3")
        return cls(int(match[1]), int(match[2]))

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        following = (dt.date(self.year + 1, 1, 1) if self.number == 4
                     else dt.date(self.year, 3 * self.number + 1, 1))
        return following - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass
class Section:
    key: str
    title: str
    scores: list[Score]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class ReportContent:
    quarter: Quarter
    viewer: Viewer
    site: str | None
    data_pr: dt.date
    loaded: dt.datetime | None
    scores: list[Score]
    fulfilment: Fulfilment
    summary: list[str]
    sections: list[Section]
    series: pd.DataFrame
    notes: list[str]
    initiatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    target_labels: dict[str, str] = field(default_factory=dict)


def _up_to(frame: pd.DataFrame, column: str, last: dt.date) -> pd.DataFrame:
    if frame.empty:
        return frame
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return frame[values.dt.date <= last]
    return frame[values <= last.year]


def summary_lines(scores: list[Score], fulfilment: Fulfilment) -> list[str]:
    """A few plain Danish sentences: where each target stands (the scorecard's own
    statements, metrics.scorecard.statements), and the whole."""
    lines = [" ".join(statements(result)) for result in scores]
    if fulfilment.share is not None:
        lines.append(f"Samlet målopfyldelse, vægtet: {pct(fulfilment.share, 0)} "
                     f"({len(fulfilment.counted)} af "
                     f"{len(fulfilment.counted) + len(fulfilment.left_out)} mål med nok data); "
                     f"påvist ud over usikkerheden: {pct(fulfilment.certain, 0)}.")
    return lines


def _notes(viewer: Viewer, cohorts: pd.DataFrame, data_pr: dt.date,
           quarter: Quarter) -> list[str]:
    finished = cohorts[cohorts.afsluttet.astype(bool)] if len(cohorts) else cohorts
    by_education = {e: sorted(int(y) for y in finished[finished.uddannelse == e].aargang)
                    for e in EDUCATIONS}
    notes = [f"Data pr. {date(data_pr)}. Rapporten dækker perioder til og med "
             f"{date(quarter.last_day)}; senere årgange, år og måneder er udeladt.",
             "Afsluttede årgange (ingen aktive elever): " + "; ".join(
                 f"{e} {', '.join(map(str, years)) or 'ingen'}"
                 for e, years in by_education.items()) + ". Andre årgange er foreløbige.",
             "Andele vises med 95 %-interval (Wilson). Status 'usikker' betyder, at "
             "intervallet stadig rummer udgangspunktet; 'afventer data', at den nyeste "
             "afsluttede årgang eller det nyeste hele år er udgangspunktets eget, så der "
             "endnu intet er at måle fremskridt på.",
             "Udgangspunktet er målt i data på samme måde som målet, når dets periode er "
             "indlæst; strategiens tal står ved siden af. Et frafaldsmål uden nyere "
             "afsluttet årgang vurderes på den mest fremskredne igangværende årgangs "
             "fremskrevne frafald (Aalen–Johansen: frafald og gennemførelse konkurrerer, "
             "aktive elever censureres), markeret 'fremskrevet' og uden målopfyldelse."]
    if viewer.may_see_individuals:
        notes.append("Rapporten er lavet til uddannelsesteamet: små tal er ikke skjult. "
                     "Giv den ikke videre uden for teamet.")
    else:
        notes.append(f"Tal på {viewer.threshold} elever eller færre er skjult, og enkelte "
                     "andre tal er skjult med dem, så de skjulte ikke kan regnes ud "
                     "(diskretionsreglen). Alle vises som 'skjult'.")
    return notes


def gather(con: duckdb.DuckDBPyConnection, viewer: Viewer, quarter: Quarter,
           targets: list[Target], site: str | None = None) -> ReportContent:
    info = db.load_info(con)
    data_pr = info.get("data_pr")
    if not isinstance(data_pr, dt.date):
        raise ReportError("databasen har ingen data endnu")
    if quarter.first_day > data_pr:
        raise ReportError(f"data rækker kun til {data_pr.isoformat()}; vælg et tidligere "
                          "kvartal")
    viewer.require_site(site)
    if site is not None and site not in metrics.sites(con):
        raise ReportError(f"oplæringsstedet {site!r} har ingen elever i data")
    span = metrics.year_span(con) or (quarter.year, quarter.year)
    request = Request(site, EDUCATIONS, (span[0], quarter.year))
    series = _up_to(datasets.target_series(con, viewer), "aar", quarter.last_day)
    # The scorecard is the municipality's: its baselines are measured on all sites.
    municipality = Request(None, EDUCATIONS, request.years)
    whole = datasets.cohorts(con, viewer, municipality)
    projections = datasets.projections(con, viewer, municipality)
    scores = [score(series, target, whole, projections) for target in targets]
    fulfilment = overall(scores)
    cohorts = datasets.cohorts(con, viewer, request)
    frames = {
        "foer": {"hires": datasets.hires(con, viewer, request)},
        "under": {"cohorts": cohorts,
                  "sick": _up_to(datasets.sick_leave(con, viewer, request, "aar"), "aar",
                                 quarter.last_day)},
        "efter": {"cohorts": cohorts},
    }
    sections = [Section(key, title,
                        [s for s in scores if FOCUS_OF_METRIC[s.target.metric] == key],
                        frames[key])
                for key, title in FOCUS_AREAS.items()]
    if site is not None:
        sections.append(_site_section(con, viewer, request, site))
    loaded = info.get("indlaest_tid")
    return ReportContent(quarter, viewer, site, data_pr,
                         loaded if isinstance(loaded, dt.datetime) else None, scores,
                         fulfilment, summary_lines(scores, fulfilment), sections, series,
                         _notes(viewer, cohorts, data_pr, quarter),
                         datasets.initiatives(con, viewer), {t.id: t.label for t in targets})


def _site_section(con: duckdb.DuckDBPyConnection, viewer: Viewer, request: Request,
                  site: str) -> Section:
    whole = Request(None, request.educations, request.years)
    frames = {"site_cohorts": datasets.cohorts(con, viewer, request),
              "all_cohorts": datasets.cohorts(con, viewer, whole),
              "site_sick": datasets.sick_leave(con, viewer, request, "aar"),
              "all_sick": datasets.sick_leave(con, viewer, whole, "aar")}
    for key in ("site_sick", "all_sick"):
        frame = frames[key]
        if len(frame) and (frame.uddannelse == ALL).any():
            frames[key] = frame[frame.uddannelse == ALL]
    return Section("sted", f"Oplæringssted: {site}", [], frames)


def target_rows(content: ReportContent, target: Target) -> pd.DataFrame:
    return series_for(content.series, target)


def marked_initiatives(content: ReportContent, target: Target) -> pd.DataFrame:
    """The target's initiatives started by the end of the quarter: its chart's markers."""
    return started_for(content.initiatives, [target.id], content.quarter.last_day)


def initiative_table(content: ReportContent, focus: str) -> pd.DataFrame | None:
    """The focus area's initiatives with their current status, as on Overblik."""
    if content.initiatives.empty:
        return None
    tables = status_tables(content.initiatives, content.target_labels)
    return next((table for code, _title, table in tables if code == focus), None)
