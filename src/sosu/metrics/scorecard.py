"""The Overblik scorecard: each target's latest value against its goal."""

from __future__ import annotations

import bisect
import dataclasses
import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from sosu.domain import fmt
from sosu.domain.targets import (
    BASELINE_DEFINITIONS,
    METRIC_NAMES,
    Target,
    period_cells,
    published_decimals,
    rounding_unit,
)
from sosu.metrics.metrics import Selection, _as_list
from sosu.store import db

MIN_STUDENTS_FOR_STATUS = 10
WAITING = "afventer data"
STATUSES = ("nået", "på vej", "ikke på vej", "usikker", WAITING, "for få data")
# Rates of students (k of n, with a Wilson interval); sick leave is hours over hours.
STUDENT_RATES = ("frafald_hovedforloeb", "ansat_efter")
Z = 1.96


def wilson(k: float, n: float) -> tuple[float, float]:
    """The 95 % Wilson interval of k of n, as sql/metrics/00_helpers.sql computes it."""
    p = k / n
    centre = p + Z ** 2 / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n ** 2))
    return (centre - spread) / (1 + Z ** 2 / n), (centre + spread) / (1 + Z ** 2 / n)


@dataclass(frozen=True)
class Baseline:
    """A target's baseline: the strategy's published figure, and the same period measured
    from the loaded data with the target's own metric (None when the period is not in
    the data, or its figure is hidden for the viewer)."""

    published: float | None
    period: str | None
    definition: str | None = None  # how the strategy measured it, when not like the target
    measured: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    hidden: bool = False  # the period is in the data, but its figure is hidden
    # The period measured the strategy's way (definition), from the data: (k, n).
    as_published: tuple[float, float] | None = None

    @property
    def used(self) -> float | None:
        """Where the trajectory starts: the measured value when there is one."""
        return self.measured if self.measured is not None else self.published


@dataclass(frozen=True)
class Projected:
    """A running cohort's projected final value (metrics.projection), used for a dropout
    target's status when no finished cohort is newer than the baseline."""

    year: int
    value: float
    lower: float
    upper: float
    unresolved: float  # the share the projection still leaves in training

    @property
    def period(self) -> str:
        return f"årgang {self.year}"


@dataclass(frozen=True)
class Score:
    target: Target  # with its baseline measured from the data, when it could be
    value: float | None
    period: str | None
    numerator: float | None
    denominator: float | None
    lower: float | None
    upper: float | None
    previous: float | None
    final: bool
    status: str
    # Where the straight line from baseline to goal says the value should be now.
    expected: float | None = None
    # Share of the way from baseline to goal, 0–1; None when there are too few data.
    fulfilment: float | None = None
    baseline: Baseline | None = None
    # The newest value is from the baseline's own period (or an older one).
    no_newer: bool = False
    projection: Projected | None = None  # the status comes from it when given
    # The newest period is in the data, but its figure is hidden for the viewer: too few
    # data to judge, though not because nothing was measured.
    hidden: bool = False

    @property
    def explanation(self) -> str:
        if self.status == "usikker":
            return ("forskellen fra udgangspunktet ligger inden for 95 %-intervallet: "
                    "årgangen er for lille til at vise en ændring")
        if self.status == WAITING:
            return f"{no_newer_text(self.target)}: intet at måle fremskridt på"
        if self.hidden:
            return f"tallet for {self.period} er skjult for dig (små tal beskyttes)"
        if self.status == "for få data":
            return f"under {MIN_STUDENTS_FOR_STATUS} elever eller ingen data"
        return ""

    @property
    def trend(self) -> str:
        """↑, ↓ or → against the previous value of the same series."""
        if self.value is None or self.previous is None:
            return ""
        if math.isclose(self.value, self.previous, rel_tol=1e-9, abs_tol=1e-12):
            return "→"
        return "↑" if self.value > self.previous else "↓"


def target_series(con: duckdb.DuckDBPyConnection, sites: Selection = None) -> pd.DataFrame:
    cursor = db.cursor(con)
    try:
        return db.frame(cursor, "SELECT * FROM maalserier(?::VARCHAR[])", [_as_list(sites)])
    finally:
        cursor.close()


def series_for(series: pd.DataFrame, target: Target) -> pd.DataFrame:
    mask = series.metric == target.metric
    if target.uddannelse:
        mask &= series.uddannelse == target.uddannelse
    else:
        mask &= series.uddannelse.isna()
    return series[mask].sort_values("aar").reset_index(drop=True)


def _cell_rows(series: pd.DataFrame, metric: str, cells: list[tuple[str | None, int]]
               ) -> list[pd.Series] | None:
    """The series row of each (education, year) cell, or None when one is missing."""
    rows = []
    for education, year in cells:
        mask = (series.metric == metric) & (series.aar == year)
        mask &= series.uddannelse.isna() if education is None else (
            series.uddannelse == education)
        found = series[mask]
        if found.empty:
            return None
        rows.append(found.iloc[0])
    return rows


def _period_row(series: pd.DataFrame, target: Target) -> pd.Series | None:
    """The series row of exactly the baseline's period ('SSH 2022 + SSA 2020'), if any."""
    mask = (series.metric == target.metric) & (series.periode == target.baseline_periode)
    mask &= series.uddannelse.isna() if target.uddannelse is None else (
        series.uddannelse == target.uddannelse)
    found = series[mask]
    return None if found.empty else found.iloc[0]


def measure_baseline(series: pd.DataFrame, target: Target,
                     cohorts: pd.DataFrame | None = None) -> Baseline:
    """The baseline period measured from the data with the target's own metric, beside
    the strategy's published figure (and, given the cohort table, the period measured
    the strategy's way, e.g. all dropout)."""
    published = Baseline(target.baseline, target.baseline_periode, target.baseline_definition)
    cells = target.baseline_cells
    if target.baseline is None or not cells:
        return published
    rows = _cell_rows(series, target.metric, cells)
    together = _period_row(series, target)
    if together is not None and (rows is None or len(rows) > 1 and any(
            pd.isna(r.taeller) or pd.isna(r.naevner) for r in rows)):
        # The strategy's cohorts together, as the series has them: shown even where a
        # part alone is hidden for the viewer.
        rows = [together]
    if rows is None or not all(bool(r.endelig) for r in rows):
        return published
    if len(rows) == 1 and pd.notna(rows[0].vaerdi) and (
            pd.isna(rows[0].taeller) or pd.isna(rows[0].naevner)):
        # A share shown without what it is made of (sick leave: hours are never shown to
        # a protected viewer): the share is the measured baseline.
        return dataclasses.replace(published, measured=float(rows[0].vaerdi),
                                   as_published=_as_published(target, cells, cohorts))
    if any(pd.isna(r.taeller) for r in rows) or (
            target.is_rate and any(pd.isna(r.naevner) for r in rows)):
        return dataclasses.replace(published, hidden=True)
    k = float(sum(r.taeller for r in rows))
    n = float(sum(r.naevner for r in rows)) if target.is_rate else None
    if n == 0:
        return published
    return dataclasses.replace(published, measured=k / n if n else k, numerator=k,
                               denominator=n,
                               as_published=_as_published(target, cells, cohorts))


def _as_published(target: Target, cells: list[tuple[str | None, int]],
                  cohorts: pd.DataFrame | None) -> tuple[float, float] | None:
    column = BASELINE_DEFINITIONS.get(target.baseline_definition or "")
    if column is None or cohorts is None or cohorts.empty or column not in cohorts:
        return None
    k = n = 0.0
    for education, year in cells:
        rows = cohorts[(cohorts.aargang == year)
                       & ((cohorts.uddannelse == education) if education else True)]
        if rows.empty or rows[column].isna().any() or rows.ansatte.isna().any():
            return None
        k += float(rows[column].sum())
        n += float(rows.ansatte.sum())
    return (k, n) if n else None


def _within_noise(target: Target, row: pd.Series) -> bool:
    """A cohort rate whose 95 % interval still contains the baseline has not shown a change."""
    if target.baseline is None or pd.isna(row.nedre) or pd.isna(row.oevre):
        return False
    return bool(row.nedre <= target.baseline <= row.oevre)


def _status(target: Target, row: pd.Series) -> str:
    value = float(row.vaerdi)
    small = target.metric in STUDENT_RATES and (row.naevner < MIN_STUDENTS_FOR_STATUS)
    if small:
        return "for få data"
    if _within_noise(target, row):
        return "usikker"
    if target.reached(value):
        return "nået"
    expected = target.expected(int(row.aar))
    if expected is not None and target.maal_type != "absolut":
        return "på vej" if target.better_or_equal(value, expected) else "ikke på vej"
    return "ikke på vej"


def _no_newer(target: Target, row: pd.Series) -> bool:
    """The value is from the baseline's own period, or an older one: no change to judge."""
    cells = target.baseline_cells
    if target.baseline is None or not cells:
        return False
    if period_cells(str(row.periode), target.uddannelse) == cells:
        return True
    return int(row.aar) < max(year for _education, year in cells)


def _projected(target: Target, projections: pd.DataFrame | None) -> Projected | None:
    """The most advanced running cohort newer than the baseline, projected: the oldest
    one, which rests most on its own months."""
    start = target.baseline_year
    if (projections is None or projections.empty or target.metric != "frafald_hovedforloeb"
            or start is None):
        return None
    rows = projections[(~projections.afsluttet.astype(bool)) & (projections.aargang > start)
                       & projections.andel_frafald_hovedforloeb.notna()]
    if target.uddannelse:
        rows = rows[rows.uddannelse == target.uddannelse]
    if rows.empty:
        return None
    row = rows.sort_values("aargang").iloc[0]
    return Projected(int(row.aargang), float(row.andel_frafald_hovedforloeb),
                     float(row.frafald_hovedforloeb_nedre),
                     float(row.frafald_hovedforloeb_oevre), float(row.i_forloeb))


def _projected_status(target: Target, projected: Projected) -> str:
    """On the way or not by a projection; never 'nået' before the cohort has finished."""
    if target.baseline is not None and projected.lower <= target.baseline <= projected.upper:
        return "usikker"
    expected = target.expected(projected.year)
    if expected is None:
        return "usikker"
    return "på vej" if target.better_or_equal(projected.value, expected) else "ikke på vej"


def score(series: pd.DataFrame, target: Target, cohorts: pd.DataFrame | None = None,
          projections: pd.DataFrame | None = None) -> Score:
    """The target's newest value against its goal. The baseline is measured from the data
    when its period is loaded (`cohorts`: the cohort table, for the strategy's own
    definition beside it), and the trajectory runs from there. When no finished cohort
    is newer than the baseline, a dropout target's status comes from the most advanced
    running cohort's projection (`projections`: metrics.projection), with no
    fulfilment percentage (nothing newer has been measured)."""
    baseline = measure_baseline(series, target, cohorts)
    if baseline.measured is not None:
        target = target.rebased(baseline.measured)
    rows = series_for(series, target)
    finished = rows[rows.endelig]
    chosen = finished if len(finished) else rows
    if chosen.empty:
        return Score(target, None, None, None, None, None, None, None, False, "for få data",
                     baseline=baseline)
    latest = chosen.iloc[-1]
    if pd.isna(latest.vaerdi):  # suppressed for this viewer: a figure on too few students
        return Score(target, None, str(latest.periode), None, None, None, None, None,
                     bool(latest.endelig), "for få data", baseline=baseline, hidden=True)
    previous = chosen.iloc[-2].vaerdi if len(chosen) > 1 else None
    status = _status(target, latest)
    no_newer = _no_newer(target, latest)
    projected = _projected(target, projections) if no_newer else None
    if no_newer and target.maal_type != "absolut" and status != "for få data":
        # Nothing newer than the baseline has been measured: a projection, or no judgement.
        status = _projected_status(target, projected) if projected else WAITING
    value = float(latest.vaerdi)
    return Score(
        target=target,
        value=value,
        period=str(latest.periode),
        numerator=_number(latest.taeller),
        denominator=_number(latest.naevner),
        lower=_number(latest.nedre),
        upper=_number(latest.oevre),
        previous=_number(previous),
        final=bool(latest.endelig),
        status=status,
        expected=target.expected(int(latest.aar)),
        fulfilment=None if status in ("for få data", WAITING) or (
            no_newer and target.maal_type != "absolut") else target.fulfilment(value),
        baseline=baseline,
        no_newer=no_newer,
        projection=projected,
    )


def statements(score: Score) -> list[str]:
    """Everything the scorecard and the report's summary say about a target, in order:
    where it stands, the baseline when the data differ from the strategy's figure, and,
    when no certain change is shown, the smallest change the cohort could show."""
    lines = [statement(score)]
    note = baseline_note(score)
    if note:
        lines.append(note)
    target = score.target
    certain = (score.value is not None and target.baseline is not None
               and not score.no_newer and score.status != "usikker"
               and change_word(target, target.baseline, score.value, score.lower,
                               score.upper) in ("faldet", "steget"))
    hint = None if certain else certain_change(score)
    if hint:
        lines.append(hint)
    return lines


# The statements: one wording for the scorecard, Overblik and the report ----------------

def shown(target: Target, value: float | None) -> str:
    """A target's figure at the precision the dashboard and the report show it."""
    return fmt.pct(value) if target.is_rate else fmt.number(value)


def no_newer_text(target: Target) -> str:
    return ("ingen nyere årgang endnu" if target.metric in STUDENT_RATES
            else "ingen nyere periode endnu")


def change_word(target: Target, baseline: float, value: float, lower: float | None = None,
                upper: float | None = None, no_newer: bool = False) -> str:
    """The one decision on how a value compares with its baseline, in words:
    'ingen nyere årgang endnu' (or 'periode') when the value is the baseline's own period,
    'uændret' when the two are the same at the shown precision, 'ingen sikker ændring'
    when the value's 95 % interval holds the baseline, else 'faldet' or 'steget'."""
    if no_newer:
        return no_newer_text(target)
    if shown(target, value) == shown(target, baseline):
        return "uændret"
    if lower is not None and upper is not None and lower <= baseline <= upper:
        return "ingen sikker ændring"
    return "faldet" if value < baseline else "steget"


def _counted(score: Score) -> str:
    if score.target.metric in STUDENT_RATES and score.denominator:
        return f", {fmt.count_of(score.numerator, score.denominator)}"
    return ""


def statement(score: Score) -> str:
    """Where a target stands, in one plain Danish sentence: the scorecard shows it, and
    the report's summary is these sentences."""
    target = score.target
    goal = (f"målet er {shown(target, target.goal_value)} i {target.frist} – "
            f"status: {score.status}"
            f"{' (fremskrevet)' if score.projection is not None else ''}")
    if score.value is None and score.hidden:
        return (f"{target.label}: tallet for {score.period} er skjult for dig (små tal "
                f"beskyttes), så målet kan ikke vurderes; {goal}.")
    if score.value is None:
        return f"{target.label}: for få data til at vurdere målet; {goal}."
    now = f"{shown(target, score.value)} ({score.period}{_counted(score)})"
    if target.baseline is None:
        return f"{target.label} var {now}; {goal}."
    start = f"{shown(target, target.baseline)} ({target.baseline_periode})"
    word = change_word(target, target.baseline, score.value, score.lower, score.upper,
                       score.no_newer)
    if score.no_newer:
        text = f"{target.label} er {now} – {word}"
        if score.projection is not None:
            p = score.projection
            text = (f"{target.label} er {now} – ingen nyere afsluttet årgang endnu; "
                    f"{p.period} ventes at ende på {shown(target, p.value)} "
                    f"({fmt.interval(p.lower, p.upper)}, fremskrevet)")
    elif word == "uændret":
        text = f"{target.label} er uændret: {now} mod {start}"
    elif word == "ingen sikker ændring":
        text = (f"{target.label} er {now} mod {start} – ingen sikker ændring (95 %-"
                "intervallet rummer udgangspunktet)")
    else:
        text = f"{target.label} er {word} fra {start} til {now}"
    return f"{text}; {goal}."


def baseline_note(score: Score) -> str | None:
    """The sentence on the baseline, when the data tell another story than the strategy's
    figure: another definition, another value, or a period not in the data."""
    base = score.baseline
    target = score.target
    if base is None or base.published is None or not target.baseline_cells:
        return None
    as_written = (fmt.pct(base.published, published_decimals(base.published))
                  if target.is_rate else fmt.number(base.published))
    published = f"Strategiens {as_written}"
    if base.measured is None:
        why = ("er skjult for dig (små tal beskyttes)" if base.hidden
               else "er ikke i de indlæste data")
        return (f"Udgangspunktet er strategiens tal, {as_written} ({base.period}): "
                f"{base.period} {why}.")
    if abs(base.measured - base.published) < rounding_unit(base.published,
                                                           target.is_rate) - 1e-12:
        return None
    many = len(target.baseline_cells) > 1
    same = ("samme årganges" if many else "samme årgangs") if target.metric in STUDENT_RATES \
        else "samme periodes"
    counts = (f" ({fmt.count_of(base.numerator, base.denominator)})"
              if target.metric in STUDENT_RATES else "")
    measured = f"{same} {METRIC_NAMES[target.metric]} er {shown(target, base.measured)}{counts}"
    if base.definition:
        way = (f" ({fmt.count_of(*base.as_published)})" if base.as_published else "")
        text = f"{published} er {base.definition} for {base.period}{way}; {measured}."
    else:
        text = f"{published} for {base.period} svarer ikke til data: {measured}."
    if target.maal_type == "absolut":
        return text
    return text + " Målkurven og målet regnes fra tallet i data."


def certain_change(score: Score) -> str | None:
    """The smallest change the cohort's size can show as certain: how far a cohort rate
    of this many students must move from the baseline before its 95 % interval leaves it
    ("med 37 elever skal frafaldet under 2,7 %, før et fald er sikkert")."""
    target = score.target
    n = score.denominator
    if (target.metric not in STUDENT_RATES or target.baseline is None or not n
            or score.value is None):
        return None
    n = int(n)
    down = target.retning == "ned"
    noun = "frafaldet" if target.metric == "frafald_hovedforloeb" else "andelen"
    baseline = target.baseline
    # Both ends of the interval grow with k, so the counts that clear the baseline are a
    # run from 0 (down) or up to n (up), found by bisection: a national cohort of 20,000
    # tried one count at a time cost 15 ms of every Overblik view.
    if down:
        k = bisect.bisect_left(range(n + 1), True,
                               key=lambda count: wilson(count, n)[1] >= baseline) - 1
        if k < 0:
            return f"Med {n} elever kan et fald fra {shown(target, target.baseline)} ikke " \
                   "vises som sikkert."
        return (f"Med {n} elever skal {noun} under {fmt.pct((k + 1) / n)} ({k} af {n}"
                f"{' eller færre' if k else ''}), før et fald er sikkert.")
    k = bisect.bisect_left(range(n + 1), True, key=lambda count: wilson(count, n)[0] > baseline)
    if k > n:
        return f"Med {n} elever kan en stigning fra {shown(target, target.baseline)} ikke " \
               "vises som sikker."
    return (f"Med {n} elever skal {noun} over {fmt.pct((k - 1) / n)} ({k} af {n} eller "
            "flere), før en stigning er sikker.")


@dataclass(frozen=True)
class Fulfilment:
    share: float | None
    # The same, with every 'usikker' target at 0: what the data have shown beyond noise.
    certain: float | None
    counted: list[Target]
    left_out: list[Target]


def overall(scores: list[Score]) -> Fulfilment:
    """Weighted fulfilment over targets with enough data; partial fulfilment counts."""
    counted = [s for s in scores if s.fulfilment is not None]
    weight = sum(s.target.vaegt for s in counted)

    def weighted(include_uncertain: bool) -> float | None:
        if not weight:
            return None
        return sum(s.target.vaegt * (s.fulfilment or 0.0) for s in counted
                   if include_uncertain or s.status != "usikker") / weight + 0.0

    return Fulfilment(weighted(True), weighted(False), [s.target for s in counted],
                      [s.target for s in scores if s.fulfilment is None])


def _number(value: object) -> float | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return float(value)  # type: ignore[arg-type]
