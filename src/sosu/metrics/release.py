"""Everything a protected viewer can obtain, protected together: the output registry.

A leder or a Kvalitetsforum member can open every page for every site they may see, with
every education choice and year range, download it, and get the quarterly report. Each of
those outputs is a selection of rows from one **release** per viewer scope: the tables
below (OUTPUTS), computed once for every site the viewer may see and for the
municipality, for every education and year, and protected together (metrics.linked).
Filters only choose rows of it; they never change a number. So no combination of
filters, pages and downloads gives two different answers about the same students, and
every sum between them (sites → municipality, educations → "I alt", months → year,
reasons and phases → all dropouts, hires → cohorts, the scorecard → its cohorts) is one
equation of the system the suppression protects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sosu.metrics import linked
from sosu.metrics.protect import REST, SUFFIX
from sosu.store.published import Published

MUNICIPALITY = "\x00kommunen"  # the site key of the municipality's own rows
SITE = "oplaeringssted"
ALL = "I alt"
POOLED = "alle"  # the period of figures summed over every year
DIMENSIONS = ("kind", "site", "udd", "period", "cat", "measure")
# The scorecard's series name the cells they are taken from in two helper columns: the
# strategy's "latest finished cohorts together" is SSH of one year plus SSA of another.
SERIES_EDUCATION = "_celle_uddannelse"
SERIES_PERIOD = "_celle_periode"


@dataclass(frozen=True)
class Output:
    """One table a protected viewer can obtain, and what its cells count.

    Two outputs whose cells have the same (kind, site, education, period, category,
    measure) show the same number: the cohort table's and the hires table's hires of a
    year are one cell."""

    name: str
    kind: str
    education: str = "uddannelse"
    period: str | None = None  # None: summed over every year (POOLED)
    category: str | None = None
    counts: tuple[str, ...] = ()
    # Columns that show another category's cell: column → (category, measure).
    totals: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    group: str | None = None  # when this count is small, the whole row is
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    virtual: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    sums: tuple[tuple[str, ...], ...] = ()
    headline: tuple[str, ...] = ()
    # Hours: cells of the system (they add up as counts do), never "small" by their own
    # value, and never shown: planned hours are about 145 per student and month, so any
    # of them beside the counts gives a hidden count back (a year's hours less its shown
    # months, or a row's hours where its count is hidden). A viewer gets shares instead.
    hours: tuple[str, ...] = ()
    # Categories whose counts are hours (the scorecard's sick-leave series): likewise.
    hour_categories: tuple[str, ...] = ()
    # Shares over consecutive months: column → (the share's sources, months), hidden
    # where a month of the window hides its group (see rolling_share).
    rolling: Mapping[str, tuple[tuple[str, str], int]] = field(default_factory=dict)


_RATES = {
    "frafald": ("frafald", "ansatte"),
    "frafald_hovedforloeb": ("frafald_hovedforloeb", "ansatte"),
    "gennemfoert": ("gennemfoert", "ansatte"),
    "ansat_efter": ("ansat_efter", "ansatte"),
    "ansat_efter_af_gennemfoerte": ("ansat_efter", "gennemfoert"),
}


ROLLING_MONTHS = 3


def _sick(name: str, kind: str, period: str) -> Output:
    """Sick leave: the share of a group of students' planned hours, shown where the count
    of students is (a share where the count is hidden would weigh it against the total)."""
    share = ("syge_timer", "planlagte_timer")
    return Output(name, kind, period=period, counts=("elever",), group="elever",
                  hours=share, derived={"andel": (*share, "elever")},
                  rolling={"andel_3_mdr": (share, ROLLING_MONTHS)} if period == "maaned"
                  else {})


# A share of hours is released rounded to what the pages show (5,23 %): as a float in
# full, `Fraction(share).limit_denominator()` gave its hours back, and hours are counts
# (Output.hours).
SHARE_DECIMALS = 4


def _shares_of_hours(output: Output, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The rows of each column that is a share of hours: column → row mask."""
    every = np.ones(len(frame), dtype=bool)
    if output.hours:
        return {column: every for column in (*output.derived, *output.rolling)}
    if output.hour_categories and output.category:
        in_hours = frame[output.category].isin(output.hour_categories).to_numpy()
        return {column: in_hours for column in output.derived}
    return {}


def rolling_share(frame: pd.DataFrame, shares: tuple[str, str], months: int,
                  by: list[str]) -> pd.Series:
    """Each month's share over it and the months before: Σ part / Σ whole (`shares`) of
    `months` consecutive calendar months of one group of `by` (column `maaned`);
    missing where any of them is missing."""
    part, whole = (_over_months(frame, column, months, by) for column in shares)
    return part / whole.where(whole > 0)


def _over_months(frame: pd.DataFrame, column: str, months: int, by: list[str]) -> pd.Series:
    """`column` summed over each row's `months` consecutive calendar months in its group;
    NaN where a month is missing or NaN."""
    result = pd.Series(np.nan, index=frame.index, dtype="float64")
    if frame.empty:
        return result
    for _, rows in frame.groupby(by, sort=False, dropna=False):
        every = pd.date_range(rows.maaned.min(), rows.maaned.max(), freq="MS")
        full = rows.set_index("maaned")[column].astype("float64").reindex(every)
        summed = full.rolling(months, min_periods=months).sum().reindex(rows.maaned)
        result.loc[rows.index] = summed.to_numpy()
    return result


OUTPUTS: dict[str, Output] = {o.name: o for o in (
    Output(
        "cohorts", "kohorte", period="aargang",
        counts=("ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb", "aktive",
                "ansat_efter"),
        group="ansatte",
        derived={column: sources for stem, sources in _RATES.items()
                 for column in (f"andel_{stem}", f"{stem}_nedre", f"{stem}_oevre")},
        virtual={"frafald_grundforloeb": ("frafald", ("frafald_hovedforloeb",)),
                 "ikke_ansat_efter": ("gennemfoert", ("ansat_efter",))},
        sums=(("ansatte", "gennemfoert", "frafald", "aktive"),
              ("frafald", "frafald_hovedforloeb", "frafald_grundforloeb"),
              ("gennemfoert", "ansat_efter", "ikke_ansat_efter")),
        headline=("ansatte", "frafald_hovedforloeb", "ansat_efter")),
    Output(
        "hires", "kohorte", period="aar",
        counts=("ansatte", "intern_ufaglaert", "intern_ssh", "alder_25_plus"),
        group="ansatte",
        virtual={"ekstern": ("ansatte", ("intern_ufaglaert", "intern_ssh")),
                 "alder_under_25": ("ansatte", ("alder_25_plus",))},
        sums=(("ansatte", "intern_ufaglaert", "intern_ssh", "ekstern"),
              ("ansatte", "alder_25_plus", "alder_under_25")),
        headline=("ansatte", "intern_ufaglaert", "intern_ssh")),
    _sick("sick_leave_by_year", "syg_aar", "aar"),
    _sick("sick_leave_by_month", "syg_md", "maaned"),
    Output("dropout_reasons", "aarsag", period="aar", category="aarsag", counts=("antal",),
           totals={"i_alt": (ALL, "antal")}),
    Output("dropout_phases", "fase", category="fase", counts=("antal",),
           totals={"i_alt": (ALL, "antal")}),
    Output("age_bands", "alder", category="aldersgruppe", counts=("antal",),
           totals={"i_alt": (ALL, "antal")}),
    Output("workplaces", "arbejdssted", category="arbejdssted", counts=("antal",),
           totals={"i_alt": (ALL, "antal")}),
    Output("target_series", "maal", education=SERIES_EDUCATION, period=SERIES_PERIOD,
           category="metric", counts=("taeller", "naevner"), hour_categories=("sygefravaer",),
           derived={c: ("taeller", "naevner") for c in ("vaerdi", "nedre", "oevre")}),
)}

# Figures of one kind that another kind's cells add up to (over every year, per site and
# education): all of a site's dropouts are its reasons' total, its phases' total, ...
IDENTITIES: tuple[tuple[tuple[str, str, str], tuple[str, str, str]], ...] = (
    (("aarsag", ALL, "antal"), ("kohorte", "", "frafald")),
    (("fase", ALL, "antal"), ("kohorte", "", "frafald")),
    (("fase", "hovedforloeb", "antal"), ("kohorte", "", "frafald_hovedforloeb")),
    (("alder", ALL, "antal"), ("kohorte", "", "ansatte")),
    (("arbejdssted", ALL, "antal"), ("kohorte", "", "ansat_efter")),
    # The age band under 25 (metrics/aldersfordeling.sql) is the hires under 25.
    (("alder", "16–24", "antal"), ("kohorte", "", "alder_under_25")),
)
# The kind of a slack cell: how far one side of an inequality is above the other
# (metrics.linked.with_inequalities). Its key names the inequality's first cell.
SLACK = "~mindst"
# ... of an inequality checked after the rest is protected (linked.protect, `deferred`).
SLACK_CHECKED_LAST = "~mindst~sidst"


@dataclass
class Release:
    """The protected tables of one viewer scope, each keyed by `oplaeringssted` (a site,
    or MUNICIPALITY for the municipality's own rows), and the system they were
    protected as (for the privacy auditor)."""

    tables: dict[str, pd.DataFrame]
    system: linked.System
    hidden: np.ndarray
    keys: pd.DataFrame  # the cells' DIMENSIONS, row i = cell i
    # Hidden counts of 1..threshold whose interval the protection could not show wide
    # enough: in a connected group of more than metrics.linked.LIMIT unknown cells, those
    # that stayed narrow in their part with nothing left to hide (see linked.protect).
    undecided: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # The release as its scope is shown it, for the next load's release (store.published).
    shown_as: Published | None = None


# Building the cells ----------------------------------------------------------------

def _dimension(frame: pd.DataFrame, column: str | None, default: str) -> pd.Series:
    if column is None:
        return pd.Series(default, index=frame.index, dtype="object")
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m")
    return values.astype("object").where(values.notna(), ALL).astype(str)


def cell_rows(output: Output, frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """One row per (frame row, count column), virtual ones included, with the cell's
    DIMENSIONS, value, small, virtual and headline, and where it stands in the frame."""
    base = pd.DataFrame({
        "site": frame[SITE].astype(str),
        "udd": _dimension(frame, output.education, ALL),
        "period": _dimension(frame, output.period, POOLED),
    })
    category = _dimension(frame, output.category, "")
    group_small = (frame[output.group].fillna(0) <= threshold).to_numpy() \
        if output.group else np.zeros(len(frame), dtype=bool)
    parts = []
    columns: list[tuple[str, str, str, pd.Series, bool]] = []  # column, measure, cat, ...
    for column in (*output.counts, *output.hours):
        columns.append((column, column, "", frame[column], False))
    for column, (cat, measure) in output.totals.items():
        columns.append((column, measure, cat, frame[column], False))
    for name, (minuend, subtrahends) in output.virtual.items():
        difference = frame[minuend] - frame[list(subtrahends)].sum(axis=1)
        columns.append((name, name, "", difference, True))
    for column, measure, cat, series, virtual in columns:
        value = series.fillna(0).to_numpy(dtype="float64")
        small = group_small.copy()
        if column not in output.hours:
            counted = (value >= 1) & (value <= threshold)
            small |= counted & ~category.isin(output.hour_categories).to_numpy()
        parts.append(base.assign(
            kind=output.kind, cat=cat if cat else category, measure=measure, value=value,
            small=small, virtual=virtual, headline=column in output.headline,
            output=output.name, row=np.arange(len(frame)), column=column))
    return pd.concat(parts, ignore_index=True)


def key(frame: pd.DataFrame) -> pd.Series:
    """Each cell's identity as one string (its DIMENSIONS joined)."""
    key = frame[DIMENSIONS[0]].astype(str)
    for column in DIMENSIONS[1:]:
        key = key + "\x1f" + frame[column].astype(str)
    return key


def _unique_cells(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells shown by several outputs are one cell: (cells, cell id of every row)."""
    ids, _ = pd.factorize(key(rows))
    grouped = rows.assign(cell=ids).groupby("cell", sort=True)
    cells = grouped.first()[list(DIMENSIONS)].reset_index()
    values = grouped.value
    spread = (values.max() - values.min()).abs().max() if len(rows) else 0.0
    if spread > linked.TOLERANCE * max(1.0, float(rows.value.abs().max())):
        raise ValueError("two outputs show different numbers for the same cell")
    cells["value"] = values.first().to_numpy()
    cells["small"] = grouped.small.any().to_numpy()
    cells["virtual"] = grouped.virtual.all().to_numpy() | (cells.site == REST).to_numpy()
    cells["headline"] = grouped.headline.any().to_numpy()
    return cells, ids


def _pooled_cells(cells: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """For every figure with years, its sum over every year (POOLED): nobody is shown it,
    everybody can add it up, and the pooled tables (phases, ages, workplaces) equal it."""
    dated = cells[(cells.period != POOLED) & cells.kind.isin(["kohorte", "aarsag"])]
    sums = dated.groupby(["kind", "site", "udd", "cat", "measure"], as_index=False).agg(
        value=("value", "sum"))
    sums["period"] = POOLED
    sums["small"] = (sums.value >= 1) & (sums.value <= threshold)
    sums["virtual"] = True
    sums["headline"] = False
    return pd.concat([cells, sums], ignore_index=True)


# Equations ---------------------------------------------------------------------------

def _sum_terms(cells: pd.DataFrame, by: list[str], total: np.ndarray,
               part: np.ndarray) -> pd.DataFrame:
    """Within each group of `by`, the one total cell = the sum of the part cells."""
    chosen = cells[total | part]
    if chosen.empty:
        return pd.DataFrame(columns=["equation", "cell", "coefficient"])
    equation = chosen.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    is_total = total[chosen.index.to_numpy()]
    terms = pd.DataFrame({"equation": equation, "cell": chosen.index.to_numpy(),
                          "coefficient": np.where(is_total, 1.0, -1.0)})
    totals_per_equation = pd.Series(is_total).groupby(equation).sum()
    ok = totals_per_equation[totals_per_equation == 1].index
    return terms[terms.equation.isin(ok)]


def _row_terms(cells: pd.DataFrame) -> list[pd.DataFrame]:
    """Sums inside a row of one output: hired = completed + dropped out + active, ..."""
    terms = []
    for output in OUTPUTS.values():
        mine = (cells.kind == output.kind).to_numpy()
        for equation in output.sums:
            total = mine & (cells.measure == equation[0]).to_numpy()
            part = mine & cells.measure.isin(equation[1:]).to_numpy()
            terms.append(_sum_terms(cells, ["site", "udd", "period", "cat"], total, part))
    return terms


def _equations(cells: pd.DataFrame, main_phases: list[str]) -> pd.DataFrame:
    """Every sum between the cells, numbered: (equation, cell, coefficient)."""
    everything = list(DIMENSIONS)
    terms = [*_row_terms(cells)]
    site = (cells.site == MUNICIPALITY).to_numpy()
    terms.append(_sum_terms(cells, [c for c in everything if c != "site"], site, ~site))
    education = (cells.udd == ALL).to_numpy()
    terms.append(_sum_terms(cells, [c for c in everything if c != "udd"], education,
                            cells.udd.isin(["SSH", "SSA"]).to_numpy()))
    total_category = (cells.cat == ALL).to_numpy() & cells.kind.isin(
        ["aarsag", "fase", "alder", "arbejdssted"]).to_numpy()
    part_category = ~total_category & cells.kind.isin(
        ["aarsag", "fase", "alder", "arbejdssted"]).to_numpy() & (cells.cat != "hovedforloeb")
    terms.append(_sum_terms(cells, [c for c in everything if c != "cat"], total_category,
                            part_category))
    # The main-course phases add up to the main-course dropouts.
    main_total = ((cells.kind == "fase") & (cells.cat == "hovedforloeb")).to_numpy()
    main_part = ((cells.kind == "fase") & cells.cat.isin(main_phases)).to_numpy()
    terms.append(_sum_terms(cells, ["site", "udd", "period", "measure"], main_total,
                            main_part))
    # The years of a figure add up to its POOLED sum.
    pooled = (cells.period == POOLED).to_numpy() & cells.kind.isin(
        ["kohorte", "aarsag"]).to_numpy()
    terms.append(_sum_terms(cells, [c for c in everything if c != "period"], pooled,
                            cells.kind.isin(["kohorte", "aarsag"]).to_numpy() & ~pooled))
    # The months of a year add up to the year (hours only: a student counts once a year).
    months = cells.assign(period=np.where(cells.kind == "syg_md", cells.period.str[:4],
                                          cells.period),
                          kind=np.where(cells.kind == "syg_md", "syg_aar", cells.kind))
    hours = cells.measure.isin(["planlagte_timer", "syge_timer"]).to_numpy()
    terms.append(_sum_terms(months, everything, (cells.kind == "syg_aar").to_numpy() & hours,
                            (cells.kind == "syg_md").to_numpy() & hours))
    for (kind_a, cat_a, measure_a), (kind_b, cat_b, measure_b) in IDENTITIES:
        a = ((cells.kind == kind_a) & (cells.cat == cat_a) & (cells.measure == measure_a)
             & (cells.period == POOLED)).to_numpy()
        b = ((cells.kind == kind_b) & (cells.cat == cat_b) & (cells.measure == measure_b)
             & (cells.period == POOLED)).to_numpy()
        terms.append(_sum_terms(cells, ["site", "udd"], a, b))
    terms.extend(_series_terms(cells))
    return _numbered(terms, "equation", ["equation", "cell", "coefficient"])


def _numbered(parts: list[pd.DataFrame], number: str, columns: list[str]) -> pd.DataFrame:
    """Parts each numbered from 0 in column `number`, as one frame numbered on."""
    offset = 0
    numbered = []
    for part in parts:
        if part.empty:
            continue
        numbered.append(part.assign(**{number: part[number] + offset}))
        offset = int(numbered[-1][number].max()) + 1
    if not numbered:
        return pd.DataFrame(columns=columns)
    return pd.concat(numbered, ignore_index=True)


def _inequalities(cells: pd.DataFrame) -> pd.DataFrame:
    """What holds by definition as "at least" rather than as a sum, numbered:
    (inequality, cell, coefficient), each saying the sum of coefficient × cell is 0 or
    more (metrics.linked.with_inequalities keeps those that hold in the data).

    - Students with sick leave are counted once per group: a year's are at least any
      month's and at most the months added up; likewise a site's or an education's part
      of the municipality's or "I alt" where the sum does not hold (a student who moved
      is in both sites and once in the municipality).
    - A student drops out after being hired: for every year T, the dropouts of the
      calendar years up to T (the reasons' "I alt") are at most the dropouts of the
      cohorts hired up to T.
    - Sick leave is registered only inside an employment (etl/rules.py): a year's
      students with sick leave are at most the students hired up to that year less those
      who dropped out in the years before.
    """
    everything = list(DIMENSIONS)
    students = ((cells.measure == "elever") & cells.kind.isin(["syg_aar", "syg_md"])
                ).to_numpy()
    months = cells.assign(period=np.where(cells.kind == "syg_md", cells.period.str[:4],
                                          cells.period),
                          kind=np.where(cells.kind == "syg_md", "syg_aar", cells.kind))
    site = (cells.site == MUNICIPALITY).to_numpy()
    education = (cells.udd == ALL).to_numpy()
    values = cells.value.to_numpy(dtype="float64")
    parts = [
        _union(_sum_terms(months, everything, students & (cells.kind == "syg_aar").to_numpy(),
                          students & (cells.kind == "syg_md").to_numpy()), values),
        _union(_sum_terms(cells, [c for c in everything if c != "site"], students & site,
                          students & ~site), values, where_unequal=True),
        _union(_sum_terms(cells, [c for c in everything if c != "udd"], students & education,
                          students & cells.udd.isin(["SSH", "SSA"]).to_numpy()), values,
               where_unequal=True),
        _dropouts_after_hire(cells),
        _sick_within_employment(cells),
    ]
    together = _numbered(parts, "inequality",
                         ["inequality", "cell", "coefficient", "deferred"])
    return together.assign(deferred=together.get("deferred", False)).fillna(
        {"deferred": False}).astype({"deferred": bool})


def _union(groups: pd.DataFrame, values: np.ndarray, *,
           where_unequal: bool = False) -> pd.DataFrame:
    """A count over a union of groups (`groups`: equations as _sum_terms gives them, the
    total +1, its parts -1): at least each part, at most the parts added up. With
    `where_unequal`, only where the sum does not hold (where it holds, the equation says
    all of it)."""
    if groups.empty:
        return pd.DataFrame(columns=["inequality", "cell", "coefficient"])
    if where_unequal:
        residual = (groups.coefficient * values[groups.cell.to_numpy()]).groupby(
            groups.equation).sum()
        groups = groups[groups.equation.isin(residual.index[residual.abs() > linked.TOLERANCE])]
    totals = groups[groups.coefficient > 0][["equation", "cell"]].rename(
        columns={"cell": "total"})
    pairs = groups[groups.coefficient < 0].merge(totals, on="equation")
    n_pairs = len(pairs)
    at_least = pd.DataFrame({  # total - part >= 0
        "inequality": np.repeat(np.arange(n_pairs), 2),
        "cell": np.column_stack((pairs.total.to_numpy(), pairs.cell.to_numpy())).ravel(),
        "coefficient": np.tile([1.0, -1.0], n_pairs)})
    codes, _ = pd.factorize(groups.equation, sort=True)
    at_most = pd.DataFrame({  # the parts added up - total >= 0
        "inequality": n_pairs + codes, "cell": groups.cell.to_numpy(),
        "coefficient": -groups.coefficient.to_numpy(dtype="float64")})
    return pd.concat([at_least, at_most], ignore_index=True)


def _dropouts_after_hire(cells: pd.DataFrame) -> pd.DataFrame:
    """For each site, education and year T: the cohorts' dropouts hired up to T less the
    dropouts of the calendar years up to T, at least 0 (see _inequalities)."""
    dated = cells[cells.period != POOLED]
    by_year = dated[(dated.kind == "aarsag") & (dated.cat == ALL) & (dated.measure == "antal")]
    by_cohort = dated[(dated.kind == "kohorte") & (dated.measure == "frafald")]
    both = pd.concat([by_cohort.assign(coefficient=1.0), by_year.assign(coefficient=-1.0)])
    if by_year.empty or by_cohort.empty:
        return pd.DataFrame(columns=["inequality", "cell", "coefficient"])
    years = both[["site", "udd", "period"]].drop_duplicates().rename(
        columns={"period": "up_to"})
    terms = both.drop(columns="cell", errors="ignore").reset_index(names="cell").merge(
        years, on=["site", "udd"])
    terms = terms[terms.period <= terms.up_to]
    number = terms.groupby(["site", "udd", "up_to"], sort=True).ngroup().to_numpy()
    # Checked last: see linked.protect.
    return pd.DataFrame({"inequality": number, "cell": terms.cell.to_numpy(),
                         "coefficient": terms.coefficient.to_numpy(dtype="float64"),
                         "deferred": True})


def _sick_within_employment(cells: pd.DataFrame) -> pd.DataFrame:
    """For each site, education and year Y of sick leave: the cohorts hired up to Y less
    the dropouts of the calendar years before Y less Y's students with sick leave, at
    least 0 (see _inequalities). Checked last, as the dropouts' rows are."""
    dated = cells[cells.period != POOLED]
    sick = dated[(dated.kind == "syg_aar") & (dated.measure == "elever")]
    hired = dated[(dated.kind == "kohorte") & (dated.measure == "ansatte")]
    left = dated[(dated.kind == "aarsag") & (dated.cat == ALL) & (dated.measure == "antal")]
    if sick.empty or hired.empty:
        return pd.DataFrame(columns=["inequality", "cell", "coefficient", "deferred"])
    years = sick.drop(columns="cell", errors="ignore").reset_index(names="sick")[
        ["site", "udd", "period", "sick"]].rename(columns={"period": "year"})
    parts = []
    for frame, coefficient, before in ((hired, 1.0, False), (left, -1.0, True)):
        terms = frame.drop(columns="cell", errors="ignore").reset_index(names="cell")[
            ["site", "udd", "period", "cell"]].merge(years, on=["site", "udd"])
        keep = terms.period < terms.year if before else terms.period <= terms.year
        parts.append(terms[keep].assign(coefficient=coefficient))
    parts.append(years.assign(cell=years.sick, coefficient=-1.0))
    terms = pd.concat(parts, ignore_index=True)
    number = terms.groupby("sick", sort=True).ngroup().to_numpy()
    return pd.DataFrame({"inequality": number, "cell": terms.cell.to_numpy(),
                         "coefficient": terms.coefficient.to_numpy(dtype="float64"),
                         "deferred": True})


def _series_terms(cells: pd.DataFrame) -> list[pd.DataFrame]:
    """The scorecard's series are cohort, hires and sick-leave cells of the municipality:
    each series cell equals the cell it is taken from (or the sum, for the strategy's
    'latest finished cohorts together')."""
    series = cells[cells.kind == "maal"]
    if series.empty:
        return []
    source = {("frafald_hovedforloeb", "taeller"): ("kohorte", "frafald_hovedforloeb"),
              ("frafald_hovedforloeb", "naevner"): ("kohorte", "ansatte"),
              ("ansat_efter", "taeller"): ("kohorte", "ansat_efter"),
              ("ansat_efter", "naevner"): ("kohorte", "ansatte"),
              ("ansatte", "taeller"): ("kohorte", "ansatte"),
              ("intern_ufaglaert", "taeller"): ("kohorte", "intern_ufaglaert"),
              ("intern_ssh", "taeller"): ("kohorte", "intern_ssh"),
              ("sygefravaer", "taeller"): ("syg_aar", "syge_timer"),
              ("sygefravaer", "naevner"): ("syg_aar", "planlagte_timer")}
    index = pd.Series(cells.index, index=key(cells))
    rows = []
    for number, (cell, row) in enumerate(series.iterrows()):  # a few hundred rows
        if (row["cat"], row["measure"]) not in source:
            continue
        kind, measure = source[(row["cat"], row["measure"])]
        periods = str(row["period"]).split("+")
        educations = str(row["udd"]).split("+")
        for udd, period in zip(educations, periods, strict=True):
            wanted = "\x1f".join([kind, MUNICIPALITY, udd, period, "", measure])
            if wanted in index:
                rows.append((number, int(index[wanted]), -1.0))
        rows.append((number, int(str(cell)), 1.0))
    return [pd.DataFrame(rows, columns=["equation", "cell", "coefficient"])]


# The release ---------------------------------------------------------------------------

def build(frames: dict[str, pd.DataFrame], threshold: int, *,
          complementary: bool = True, rest_is_one_site: bool = False,
          before: Callable[[str], Published | Sequence[Published] | None] | None = None,
          hidden_elsewhere: np.ndarray | None = None) -> Release:
    """Protect every output together. `frames` holds each output's rows for every site the
    viewer may see, REST (the sites they may not, added up) and MUNICIPALITY, keyed by
    `oplaeringssted`. `rest_is_one_site`: REST is a single site, whose every figure the
    municipality less the viewer's own sites would give: each of its cells is then
    protected like a small count (never recomputable), not only the small ones.
    `before`: given the figures' fingerprint, the release or releases this scope was
    shown before (store.published's shown_before), which this one is protected together
    with (see joined).
    `hidden_elsewhere`: the keys of cells a wider scope's release of the same load hides
    (Kvalitetsforum's, for a leder): hidden here too, so that whoever holds both learns
    nothing from this one the wider one does not show."""
    rows = [cell_rows(OUTPUTS[name], frame.reset_index(drop=True), threshold)
            for name, frame in frames.items() if len(frame)]
    if not rows:
        empty = pd.DataFrame(columns=[*DIMENSIONS, *linked.CELL_COLUMNS[1:]])
        system = linked.System(empty, pd.DataFrame(columns=["equation", "cell",
                                                             "coefficient"]))
        return Release({n: f.copy() for n, f in frames.items()}, system,
                       np.zeros(0, dtype=bool), empty)
    every = pd.concat(rows, ignore_index=True)
    cells, ids = _unique_cells(every)
    phases = frames.get("dropout_phases", pd.DataFrame())
    main_phases = sorted(phases.loc[phases.frafald_hovedforloeb.astype(bool), "fase"]
                         .unique()) if "frafald_hovedforloeb" in phases else []
    cells = _pooled_cells(_main_course(cells, main_phases, threshold), threshold)
    if rest_is_one_site:
        cells.loc[cells.site == REST, "small"] = True
    terms = linked.keep_true_equations(_equations(cells, main_phases),
                                       cells.value.to_numpy(dtype="float64"))
    cells, terms = _with_slacks(cells, terms)
    system = linked.System(cells.assign(cell=cells.index), terms)
    keys = key(cells).to_numpy(dtype=str)
    made_from = fingerprint(keys, system)
    asked = before(made_from) if before is not None else None
    shown_before = [asked] if isinstance(asked, Published) else list(asked or ())
    joint = joined(system, keys, shown_before) if shown_before else system
    if hidden_elsewhere is not None:
        joint = _hidden_as_elsewhere(joint, keys, hidden_elsewhere)
    protection = linked.protect(joint, complementary=complementary, threshold=threshold,
                                limit=linked.LIMIT, groups=site_groups(joint.cells))
    small = cells.small.to_numpy(dtype=bool)
    # A count shown before with this value is known (and the protection takes it so), but
    # a count of 1..threshold is not printed, even then (a threshold raised since); nor
    # is a cell the wider scope hides.
    fixed = joint.flag("fixed")[:len(cells)]
    hidden = protection.hidden[:len(cells)] | (small & fixed)
    if hidden_elsewhere is not None:
        hidden |= np.isin(keys, hidden_elsewhere)
    tables = {name: _protected(OUTPUTS[name], frame.reset_index(drop=True),
                               every[every.output == name], ids[every.output == name],
                               hidden, small)
              for name, frame in frames.items()}
    shown_as = Published(
        fingerprint=made_from,
        previous=" ".join(earlier.fingerprint for earlier in shown_before),
        keys=keys, values=cells.value.to_numpy(dtype="float64"), small=small,
        virtual=cells.virtual.to_numpy(dtype=bool), hidden=hidden,
        equation=terms.equation.to_numpy(dtype=np.int64),
        cell=terms.cell.to_numpy(dtype=np.int64),
        coefficient=terms.coefficient.to_numpy(dtype="float64"))
    return Release(tables, system, hidden, cells[list(DIMENSIONS)],
                   protection.undecided[:len(cells)], shown_as)


def _with_slacks(cells: pd.DataFrame, terms: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                    pd.DataFrame]:
    """The cells and equations with the inequalities (_inequalities), each slack cell of
    kind SLACK, named by its first cell and its number."""
    cells, terms = linked.with_inequalities(cells, terms, _inequalities(cells))
    slack = cells.slack.to_numpy(dtype=bool)
    cells.loc[slack, "cat"] = cells.kind[slack] + ":" + cells.measure[slack]
    cells.loc[slack, "kind"] = np.where(cells.deferred[slack], SLACK_CHECKED_LAST, SLACK)
    cells.loc[slack, "measure"] = [str(n) for n in range(int(slack.sum()))]
    return cells, terms


def _hidden_as_elsewhere(system: linked.System, keys: np.ndarray,
                         hidden_elsewhere: np.ndarray) -> linked.System:
    """The system with every cell the wider scope hides hidden from the start (`forced`),
    unless it was shown before (known: the protection takes it as known either way)."""
    elsewhere = np.zeros(system.size, dtype=bool)
    elsewhere[:len(keys)] = np.isin(keys, hidden_elsewhere)
    forced = (system.flag("forced") | elsewhere) & ~system.flag("fixed")
    return linked.System(system.cells.assign(forced=forced), system.terms)


def fingerprint(keys: np.ndarray, system: linked.System) -> str:
    """The figures a release is made from (cells, values, equations), as a digest: the same
    figures give the same release."""
    digest = hashlib.sha256()
    digest.update("\x1e".join(keys).encode())
    digest.update(system.cells.value.to_numpy(dtype="float64").tobytes())
    for column in ("equation", "cell", "coefficient"):
        digest.update(system.terms[column].to_numpy(dtype="float64").tobytes())
    return digest.hexdigest()[:32]


def joined(system: linked.System, keys: np.ndarray,
           before: Published | Sequence[Published]) -> linked.System:
    """This release's system and the ones its scope was shown before, as one: what a
    viewer who kept them all knows. A cell with the same value in this release and an
    earlier one is one cell: shown before, it is known (`fixed`: never hidden to protect
    another, as hiding it now hides nothing); hidden before, it stays hidden (`forced`),
    as showing it now would show it in the earlier release too. A cell whose value has
    changed (or that is new) is two cells, the earlier one (`earlier`) known where it was
    shown and an unknown where it was hidden, protected like any other (a small one must
    not be recomputable, nor pinned). The earlier releases' equations join this one's, on
    their cells so merged: a total shown in both less the parts shown in both is a
    difference of two loads' hidden cells. A changed cell's change is an unknown of its
    own, whose direction is known. Of several earlier releases (a rollback showed older
    figures again, store.published), a changed cell with the same value in two of them
    is one earlier cell, known if either showed it. A slack cell (an inequality's
    difference) is never one cell of two releases: that two differences are equal is
    not known, so each earlier one is an unknown of its own. Cells 0..n-1 of the result
    are this release's, in order."""
    befores = [before] if isinstance(before, Published) else list(before)
    cells = system.cells
    values = cells.value.to_numpy(dtype="float64")
    index = pd.Index(keys)
    fixed = np.zeros(len(cells), dtype=bool)
    forced = np.zeros(len(cells), dtype=bool)
    added: list[pd.DataFrame] = []
    size = len(cells)
    # The earlier cells added so far (not slacks), by key: their id and value.
    earlier_ids: dict[str, tuple[int, float]] = {}
    known_earlier: list[int] = []  # earlier cells another earlier release showed
    terms = [system.terms]
    first = (int(system.terms.equation.max()) + 1) if len(system.terms) else 0
    for shown in befores:
        position = index.get_indexer(shown.keys)
        kind_before = np.array([str(k).split("\x1f", 1)[0] for k in shown.keys],
                               dtype=object)
        slack_before = np.isin(kind_before, [SLACK, SLACK_CHECKED_LAST])
        position[slack_before] = -1
        found = position >= 0
        same = found.copy()
        same[found] = np.abs(shown.values[found] - values[position[found]]) <= \
            linked.TOLERANCE * np.maximum(1.0, np.abs(values[position[found]]))
        shown_before = ~shown.hidden & ~shown.virtual
        hidden_before = shown.hidden & ~shown.virtual
        fixed[position[same & shown_before]] = True
        forced[position[same & hidden_before]] = True
        ids = np.where(same, position, 0)
        # The same cell with the same value in an earlier release joined already.
        again = np.zeros(len(shown.keys), dtype=bool)
        for cell in np.flatnonzero(~same & ~slack_before):
            met = earlier_ids.get(str(shown.keys[cell]))
            if met is not None and abs(met[1] - shown.values[cell]) <= \
                    linked.TOLERANCE * max(1.0, abs(met[1])):
                again[cell] = True
                ids[cell] = met[0]
                if shown_before[cell]:
                    known_earlier.append(met[0])
        changed = ~same & ~again
        dimensions = pd.DataFrame([str(k).split("\x1f") for k in shown.keys[changed]],
                                  columns=list(DIMENSIONS), dtype="object")
        added.append(dimensions.assign(
            value=shown.values[changed], small=shown.small[changed],
            virtual=~shown_before[changed], headline=False, fixed=shown_before[changed],
            forced=False, earlier=True, slack=slack_before[changed],
            deferred=kind_before[changed] == SLACK_CHECKED_LAST))
        ids[changed] = size + np.arange(int(changed.sum()))
        for cell in np.flatnonzero(changed & ~slack_before):
            earlier_ids.setdefault(str(shown.keys[cell]), (int(ids[cell]),
                                                           float(shown.values[cell])))
        size += int(changed.sum())
        # A cell in both loads whose value changed: the change is a cell too, whose
        # direction the viewer is taken to know (counts of a closed period only grow):
        # now = before + change, or before - change, the change at least 1.
        moved = found & changed
        step = values[position[moved]] - shown.values[moved]
        added.append(dimensions[moved[changed]].assign(
            kind=lambda frame: frame.kind + "~endring", value=np.abs(step), small=False,
            virtual=True, headline=False, fixed=False, forced=False, earlier=False,
            slack=False, deferred=False))
        change_ids = size + np.arange(int(moved.sum()))
        size += int(moved.sum())
        terms.append(pd.DataFrame({
            "equation": shown.equation + first,
            "cell": ids[shown.cell], "coefficient": shown.coefficient}))
        first += int(shown.equation.max()) + 1 if len(shown.equation) else 0
        number = first + np.arange(int(moved.sum()))
        first += int(moved.sum())
        terms.append(pd.DataFrame({
            "equation": np.concatenate([number, number, number]),
            "cell": np.concatenate([position[moved], ids[moved], change_ids]),
            "coefficient": np.concatenate([np.ones(len(step)), -np.ones(len(step)),
                                           -np.sign(step)])}))
    current = cells.assign(fixed=fixed, forced=forced & ~fixed, earlier=False,
                           slack=system.flag("slack"), deferred=system.flag("deferred"),
                           virtual=cells.virtual.to_numpy(dtype=bool) & ~fixed)
    joint_cells = pd.concat([current, *added], ignore_index=True)
    if known_earlier:
        joint_cells.loc[known_earlier, "fixed"] = True
        joint_cells.loc[known_earlier, "virtual"] = False
    joint_cells["cell"] = joint_cells.index
    return linked.System(joint_cells, _distinct_equations(pd.concat(terms,
                                                                    ignore_index=True)))


def _distinct_equations(terms: pd.DataFrame) -> pd.DataFrame:
    """Each equation once (the earlier release repeats most of this one's), numbered
    0..m-1."""
    terms = terms.sort_values(["equation", "cell"], kind="stable")
    signature = (terms.cell.astype(str) + ":" + terms.coefficient.astype(str)).groupby(
        terms.equation).agg(",".join)
    kept = signature.index[~signature.duplicated()]
    terms = terms[terms.equation.isin(kept)]
    codes, _ = pd.factorize(terms.equation, sort=True)
    return terms.assign(equation=codes).reset_index(drop=True)


def site_groups(cells: pd.DataFrame) -> np.ndarray:
    """Each cell's site as a number, for checking intervals in parts of a large group of
    unknowns (metrics.linked._parts), in the release and the auditor; -1 for the
    municipality's and the unseen rest's cells, which every part holds."""
    codes, _ = pd.factorize(cells.site)
    return np.where(cells.site.isin([MUNICIPALITY, REST]).to_numpy(), -1, codes)


def _main_course(cells: pd.DataFrame, main: list[str], threshold: int) -> pd.DataFrame:
    """A virtual 'hovedforloeb' category of the phases: the main-course phases summed."""
    rows = cells[(cells.kind == "fase") & cells.cat.isin(main)]
    sums = rows.groupby(["kind", "site", "udd", "period", "measure"], as_index=False).agg(
        value=("value", "sum"))
    sums["cat"] = "hovedforloeb"
    sums["small"] = (sums.value >= 1) & (sums.value <= threshold)
    sums["virtual"] = True
    sums["headline"] = False
    return pd.concat([cells, sums], ignore_index=True)


def _protected(output: Output, frame: pd.DataFrame, rows: pd.DataFrame, ids: np.ndarray,
               hidden: np.ndarray, small: np.ndarray) -> pd.DataFrame:
    """The frame with NA in hidden cells and a `_skjult` flag beside every protected
    column (metrics.protect). Which hidden cells are small stays here: see protect."""
    shown = rows[~rows.virtual.to_numpy(dtype=bool)]
    ids = ids[~rows.virtual.to_numpy(dtype=bool)]
    flags: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column in shown.column.unique():
        mine = (shown.column == column).to_numpy()
        is_hidden = np.zeros(len(frame), dtype=bool)
        is_small = np.zeros(len(frame), dtype=bool)
        is_hidden[shown.row.to_numpy()[mine]] = hidden[ids[mine]]
        is_small[shown.row.to_numpy()[mine]] = small[ids[mine]]
        flags[column] = (is_hidden, is_small)
    for column, sources in output.derived.items():
        if column in frame and all(s in flags for s in sources):
            flags[column] = (np.any([flags[s][0] for s in sources], axis=0),
                             np.any([flags[s][1] for s in sources], axis=0))
    if output.group in flags:
        group_hidden = flags[output.group][0]
        for column, (_shares, months) in output.rolling.items():
            if column in frame:  # hidden where any month of its window hides its group
                hides = frame.assign(_hides=group_hidden.astype("float64"))
                window = _over_months(hides, "_hides", months, [SITE, "uddannelse"])
                flags[column] = (~(window == 0).to_numpy(), flags[output.group][1])
    for column in output.hours:  # never shown (see Output.hours)
        if column in flags:
            flags[column] = (np.ones(len(frame), dtype=bool), flags[column][1])
    if output.hour_categories and output.category:
        in_hours = frame[output.category].isin(output.hour_categories).to_numpy()
        for column in output.counts:
            if column in flags:
                flags[column] = (flags[column][0] | in_hours, flags[column][1])
    columns: dict[str, object] = {c: frame[c].array for c in frame.columns}
    extra: dict[str, np.ndarray] = {}
    shares = _shares_of_hours(output, frame)
    for column, (is_hidden, _small) in flags.items():
        if column not in frame:
            continue
        values = frame[column].to_numpy(dtype="float64", copy=True)
        if column in shares:
            rounded = shares[column]
            values[rounded] = np.round(values[rounded], SHARE_DECIMALS)
        values[is_hidden] = np.nan
        columns[column] = values
        extra[column + SUFFIX] = is_hidden
    columns.update(extra)
    return pd.DataFrame(columns, index=frame.index)
