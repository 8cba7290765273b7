"""A synthetic municipality (no real people) for the demo and the tests.

Seeded and deterministic. The latest finished cohorts reproduce the figures the
strategy published (SSH 2022: 37 hired, 31 completed, 19 hired after; SSA 2020:
45, 27, 15; sick leave 2023 8.84 %; the 2023 dropout-reason table; 98 hires in
2023 of whom 11 own unskilled and 5 own SSH staff) and later years move
plausibly towards the targets. Exact figures are built in by construction
(fixed counts, shuffled), never found by trying seeds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from sosu.domain.contract import FILES, INDSATSER, schedule_rows
from sosu.etl.demoseal import write_marker

SITES = ("Døgnplejen Nord", "Døgnplejen Syd", "Omsorgscenter Engly", "Omsorgscenter Fjordhaven",
         "Omsorgscenter Skovbrynet", "Rehabiliteringscenter Strandvejen")
SMALL_SITE = "Akutteamet"  # 1–3 students a year: shows small-number suppression
WORKPLACES = {"SSH": ("Døgnplejen", "Omsorgscentre/daghjem", "SSA-elev", "Akutteam"),
              "SSA": ("Døgnplejen", "Omsorgscentre/daghjem", "Rehabilitering", "Akutteam")}

FIRST_YEAR = 2019
HIRES = {"SSA": {2019: 48, 2020: 45, 2021: 52, 2022: 55, 2023: 58, 2024: 57, 2025: 60},
         "SSH": {2019: 30, 2020: 32, 2021: 35, 2022: 37, 2023: 40, 2024: 33, 2025: 31}}
LATER_HIRES = {"SSA": 54, "SSH": 29}
DROPOUT_RATE = {"SSA": {2019: .42, 2021: .37, 2022: .35, 2023: .33}, "SSH": {2019: .2, 2020: .21,
                2021: .19, 2023: .15}}
LATER_DROPOUT = {"SSA": .31, "SSH": .14}
# Dropouts per cohort by calendar year of dropout. Chosen so that the dropouts dated
# 2023 are exactly the published 28 (SSA) and 9 (SSH).
DROPOUT_YEARS = {
    ("SSA", 2019): {2019: 8, 2020: 7, 2021: 4, 2022: 1},
    ("SSA", 2020): {2020: 6, 2021: 6, 2022: 4, 2023: 2},
    ("SSA", 2021): {2021: 7, 2022: 6, 2023: 5, 2024: 1},
    ("SSA", 2022): {2022: 6, 2023: 9, 2024: 3, 2025: 1},
    ("SSA", 2023): {2023: 12, 2024: 5, 2025: 2},
    ("SSH", 2019): {2019: 3, 2020: 3},
    ("SSH", 2020): {2020: 4, 2021: 3},
    ("SSH", 2021): {2021: 4, 2022: 3},
    ("SSH", 2022): {2022: 3, 2023: 3},
    ("SSH", 2023): {2023: 6},
}
REASONS_2023 = {
    "SSA": {"privatliv": 6, "faglige_krav": 5, "fravaer": 4, "sygdom": 3, "skift_ssa_ssh": 3,
            "job_anden_kommune": 3, "flyttet": 1, "doedsfald": 1, "andet": 2},
    "SSH": {"faglige_krav": 5, "forkert_valg": 2, "andet": 2},
}
REASON_WEIGHTS = {
    "SSA": REASONS_2023["SSA"],
    "SSH": {"faglige_krav": 5, "forkert_valg": 2, "andet": 2, "privatliv": 2, "fravaer": 1,
            "sygdom": 1},
}
# The published cohorts: exact completions and where the graduates were hired.
PUBLISHED = {
    ("SSH", 2022): {"Døgnplejen": 7, "Omsorgscentre/daghjem": 7, "SSA-elev": 5},
    ("SSA", 2020): {"Døgnplejen": 8, "Omsorgscentre/daghjem": 5, "Rehabilitering": 2},
}
HIRED_AFTER_RATE = {"SSH": .6, "SSA": .57}
SHARE_25_PLUS = {"SSA": .82, "SSH": .73}
UNSKILLED_2023 = {"SSA": 6, "SSH": 5}
SICK_LEAVE = {2019: .095, 2020: .103, 2021: .096, 2022: .091, 2023: .0884, 2024: .085,
              2025: .080}
LATER_SICK_LEAVE = .078
DURATION_MONTHS = {"SSH": (17, 21), "SSA": (36, 42)}
# Sick leave before calibration to each year's level: a month with any sick leave for a
# student of average proneness, the typical share of such a month (a few days), and
# the chance that a month starts a long absence (2-4 months, away most of each).
SICK_MONTH_CHANCE = 0.25
SHORT_ABSENCE_SHARE = 0.12
LONG_ABSENCE_CHANCE = 0.008
GF_MONTHS = 5  # the basic course; later dropouts are in the main course


@dataclass
class Student:
    elev_id: str
    uddannelse: str
    ansat: dt.date
    alder: int
    sted: str
    rekruttering: str
    planned_end: dt.date
    frafald: dt.date | None = None
    aarsag: str | None = None
    afsluttet: dt.date | None = None
    efter: tuple[str, str, dt.date | None] | None = None
    sick_proneness: float = 1.0
    months: list[dt.date] = field(default_factory=list)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, min(day.day, 28))


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


class _Generator:
    def __init__(self, today: dt.date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.students: list[Student] = []
        self.next_id = 1

    def new_id(self) -> str:
        self.next_id += 1
        return f"E{self.next_id - 1:05d}"

    def hire_date(self, year: int, february: bool) -> dt.date:
        month = 2 if february else 8
        return dt.date(year, month, self.rng.randint(1, 20))

    def ages(self, education: str, count: int) -> list[int]:
        older = round(SHARE_25_PLUS[education] * count)
        ages = [self.rng.randint(25, 58) for _ in range(older)]
        ages += [self.rng.randint(17, 24) for _ in range(count - older)]
        self.rng.shuffle(ages)
        return ages

    def sites(self, count: int) -> list[str]:
        small = self.rng.randint(1, 3)
        sites = [SMALL_SITE] * small + [SITES[i % len(SITES)] for i in range(count - small)]
        self.rng.shuffle(sites)
        return sites

    def recruitment(self, education: str, year: int, count: int) -> list[str]:
        unskilled = UNSKILLED_2023[education] if year == 2023 else self.rng.randint(3, 6)
        own_ssh = 0 if year == 2023 or education == "SSH" else self.rng.randint(2, 7)
        kinds = ["ufaglaert"] * unskilled + ["ssh"] * own_ssh
        kinds += ["ekstern"] * (count - len(kinds))
        self.rng.shuffle(kinds)
        return kinds

    def cohort(self, education: str, year: int, count: int) -> list[Student]:
        cohort = []
        ages, sites = self.ages(education, count), self.sites(count)
        kinds = self.recruitment(education, year, count)
        for i in range(count):
            hired = self.hire_date(year, february=i % 5 < 3)
            low, high = DURATION_MONTHS[education]
            cohort.append(Student(
                self.new_id(), education, hired, ages[i], sites[i], kinds[i],
                planned_end=_add_months(hired, self.rng.randint(low, high)),
                sick_proneness=self.rng.lognormvariate(0, 0.6)))
        return [s for s in cohort if s.ansat <= self.today]


def _dropout_plan(education: str, year: int, count: int) -> dict[int, int]:
    if (education, year) in DROPOUT_YEARS:
        return DROPOUT_YEARS[(education, year)]
    rate = DROPOUT_RATE[education].get(year, LATER_DROPOUT[education])
    total = round(rate * count)
    shares = (.4, .35, .17, .08) if education == "SSA" else (.55, .45)
    plan = {year + k: int(total * s) for k, s in enumerate(shares)}
    plan[year] += total - sum(plan.values())
    return plan


def _assign_dropouts(gen: _Generator, cohort: list[Student], plan: dict[int, int],
                     main_course_only: bool) -> None:
    rng = gen.rng
    for year, count in sorted(plan.items()):
        candidates = []
        for student in cohort:
            if student.frafald:
                continue
            earliest = _add_months(student.ansat, GF_MONTHS if main_course_only else 1)
            start = max(earliest, dt.date(year, 1, 1))
            end = min(dt.date(year, 12, 28), student.planned_end - dt.timedelta(days=20),
                      gen.today)
            if start <= end:
                candidates.append((student, start, end))
        if year > gen.today.year:
            continue
        if year == gen.today.year:  # the year is not over: only what has happened so far
            count = min(count, len(candidates))
        if len(candidates) < count:
            raise RuntimeError(f"demo plan infeasible: {cohort[0].uddannelse} {year}")
        for student, start, end in rng.sample(candidates, count):
            student.frafald = start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _assign_reasons(gen: _Generator) -> None:
    for education in ("SSA", "SSH"):
        dropped = sorted((s for s in gen.students if s.frafald and s.uddannelse == education),
                         key=lambda s: (s.frafald, s.elev_id))
        in_2023 = [s for s in dropped if s.frafald and s.frafald.year == 2023]
        table = [r for r, n in REASONS_2023[education].items() for _ in range(n)]
        if len(in_2023) != len(table):
            raise RuntimeError(f"demo: {len(in_2023)} {education} dropouts in 2023")
        gen.rng.shuffle(table)
        for student, reason in zip(in_2023, table, strict=True):
            student.aarsag = reason
        weights = REASON_WEIGHTS[education]
        for student in dropped:
            if student.aarsag is None:
                student.aarsag = gen.rng.choices(list(weights), list(weights.values()))[0]


def _phase(student: Student) -> str:
    """The phase by the standard schedule, the one the early warning estimates with."""
    assert student.frafald
    months = _months_between(student.ansat, student.frafald)
    rows = [r for r in schedule_rows() if r[0] == student.uddannelse]
    return next((phase for _e, _n, phase, _from, to, _early in rows if months < to),
                rows[-1][2])


def _complete(gen: _Generator, cohort: list[Student]) -> None:
    for student in cohort:
        if not student.frafald and student.planned_end <= gen.today:
            student.afsluttet = student.planned_end


def _hired_after(gen: _Generator, cohort: list[Student], key: tuple[str, int]) -> None:
    completers = [s for s in cohort if s.afsluttet]
    education = key[0]
    if key in PUBLISHED:
        places = [p for p, n in PUBLISHED[key].items() for _ in range(n) if p != "SSA-elev"]
    else:
        hired = round(HIRED_AFTER_RATE[education] * len(completers) + gen.rng.uniform(-2, 2))
        hired = max(0, min(hired, len(completers)))
        places = [gen.rng.choice(WORKPLACES[education][:3] if education == "SSA"
                                 else WORKPLACES[education][:2]) for _ in range(hired)]
    gen.rng.shuffle(completers)
    for student in completers:
        if student.efter:
            continue
        if places and student.afsluttet:
            day = student.afsluttet + dt.timedelta(days=gen.rng.randint(0, 45))
            student.efter = ("ja", places.pop(), day if day <= gen.today else None)
        else:
            student.efter = ("nej", "", None)


def _ssh_staff_to_ssa(gen: _Generator, ssh_cohort: list[Student]) -> list[Student]:
    """Five SSH 2022 graduates hired as SSA students in August 2023 (own SSH staff)."""
    early = [s for s in ssh_cohort if not s.frafald and s.ansat.month == 2][:5]
    moved = []
    for student in early:
        student.planned_end = _add_months(student.ansat, 17)  # done by July 2023
        student.afsluttet = student.planned_end
        ssa_hire = dt.date(2023, 8, gen.rng.randint(1, 20))
        student.efter = ("ja", "SSA-elev", ssa_hire)
        moved.append(Student(student.elev_id, "SSA", ssa_hire, student.alder + 1, student.sted,
                             "ssh", planned_end=_add_months(ssa_hire, 38),
                             sick_proneness=student.sick_proneness))
    return moved


def _match_age_share(gen: _Generator, cohort: list[Student], education: str) -> None:
    """Keep the published share aged 25+ after students joined from another cohort."""
    wanted = round(SHARE_25_PLUS[education] * len(cohort))
    own = [s for s in cohort if s.rekruttering != "ssh" or s.ansat.month != 8]
    while (older := sum(s.alder >= 25 for s in cohort)) != wanted:
        pool = [s for s in own if (s.alder < 25) == (older < wanted)]
        student = gen.rng.choice(pool)
        student.alder = gen.rng.randint(25, 40) if older < wanted else gen.rng.randint(18, 24)


def _build(gen: _Generator) -> None:
    ssh_staff: list[Student] = []  # SSH 2022 graduates who become SSA students in 2023
    for year in range(FIRST_YEAR, gen.today.year + 1):
        for education in ("SSH", "SSA"):
            key = (education, year)
            count = HIRES[education].get(year, LATER_HIRES[education])
            joining = ssh_staff if key == ("SSA", 2023) else []
            cohort = gen.cohort(education, year, count - len(joining)) + joining
            if joining:
                _match_age_share(gen, cohort, education)
            _assign_dropouts(gen, cohort, _dropout_plan(education, year, count),
                             main_course_only=key in PUBLISHED)
            if key == ("SSH", 2022):
                ssh_staff = _ssh_staff_to_ssa(gen, cohort)
            _complete(gen, cohort)
            gen.students += cohort
    by_cohort: dict[tuple[str, int], list[Student]] = {}
    for student in gen.students:
        by_cohort.setdefault((student.uddannelse, student.ansat.year), []).append(student)
    for key, cohort in sorted(by_cohort.items()):
        _hired_after(gen, cohort, key)
    _assign_reasons(gen)


def _sick_share(gen: _Generator, student: Student, months_left: int, warning: bool) -> float:
    """One month's sick hours as a share of planned hours, before calibration.

    Sick leave is concentrated, as in the municipality's own figures: most months have
    none, most sick months a few days, and a few students are away most of a month or
    several. Students who drop out because of absence or illness are increasingly sick
    in their last months, the pattern the early warning looks for.
    """
    rng = gen.rng
    if warning and months_left < 4:
        return rng.uniform(0.1, 0.3) * (4 - months_left)
    if rng.random() < min(0.9, SICK_MONTH_CHANCE * student.sick_proneness):
        return min(1.0, rng.expovariate(1 / SHORT_ABSENCE_SHARE))
    return 0.0


def _sick_leave(gen: _Generator) -> list[list[str]]:
    rows: list[tuple[Student, dt.date, float, float]] = []
    for student in gen.students:
        end = student.afsluttet or student.frafald or gen.today
        month = student.ansat.replace(day=1)
        warning = student.aarsag in ("fravaer", "sygdom") or student.sick_proneness > 3
        long_absence = 0  # months left of a long absence
        while month <= end.replace(day=1):
            planned = gen.rng.choice((128.0, 136.0, 148.0, 152.0, 160.0))
            if not long_absence and gen.rng.random() < LONG_ABSENCE_CHANCE:
                long_absence = gen.rng.randint(2, 4)
            if long_absence:
                share = gen.rng.uniform(0.5, 1.0)
                long_absence -= 1
            else:
                share = _sick_share(gen, student, _months_between(month, end), warning)
            rows.append((student, month, planned, planned * share))
            month = _add_months(month, 1)
    return _calibrate(rows)


@dataclass
class _SickMonth:
    student: Student
    month: dt.date
    planned: float
    sick: float


def _calibrate(raw: list[tuple[Student, dt.date, float, float]]) -> list[list[str]]:
    """Scale each year's sick hours to its level; then hit 2023's 8.84 % to 0.1 h."""
    rows = [_SickMonth(student, month, planned, min(sick, planned))
            for student, month, planned, sick in raw]
    by_year: dict[int, list[_SickMonth]] = {}
    for row in rows:
        by_year.setdefault(row.month.year, []).append(row)
    for year, months in by_year.items():
        wanted = SICK_LEAVE.get(year, LATER_SICK_LEAVE) * sum(r.planned for r in months)
        for _round in range(20):  # a month sick throughout takes no more: spread the rest
            growing = [r for r in months if 0 < r.sick < r.planned]
            total = sum(r.sick for r in months)
            if abs(wanted - total) < 0.5 or not growing:
                break
            part = sum(r.sick for r in growing)
            factor = (wanted - (total - part)) / part
            for row in growing:
                row.sick = min(row.sick * factor, row.planned)
        for row in months:
            row.sick = round(row.sick, 1)
    in_2023 = [r for r in rows if r.month.year == 2023]
    wanted = round(0.0884 * sum(r.planned for r in in_2023), 1)
    missing = round(wanted - sum(r.sick for r in in_2023), 1)
    for row in sorted(in_2023, key=lambda r: -r.sick):
        if abs(missing) < 0.05:
            break
        step = max(min(missing, row.planned - row.sick), -row.sick)
        row.sick = round(row.sick + step, 1)
        missing = round(missing - step, 1)
    return [[r.student.elev_id, r.student.uddannelse, r.month.strftime("%Y-%m"),
             f"{r.planned:.1f}", f"{r.sick:.1f}", r.student.sted] for r in rows]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _rows(gen: _Generator) -> dict[str, list[list[str]]]:
    students = sorted(gen.students, key=lambda s: (s.ansat, s.elev_id, s.uddannelse))
    return {
        "elever": [[s.elev_id, s.uddannelse, _iso(s.ansat), str(s.alder), s.sted,
                    s.rekruttering] for s in students],
        "gennemfoerte": [[s.elev_id, s.uddannelse, _iso(s.afsluttet)]
                         for s in students if s.afsluttet],
        "frafald": [[s.elev_id, s.uddannelse, _iso(s.frafald), s.aarsag or "", _phase(s),
                     s.sted] for s in students if s.frafald],
        "sygefravaer": _sick_leave(gen),
        "efter_uddannelse": [[s.elev_id, s.uddannelse, s.efter[0], s.efter[1],
                              _iso(s.efter[2])] for s in students if s.efter],
    }


# The strategy's initiatives (seed 004: the focus areas' lists and annex 1), with the
# target each serves where the strategy makes the link. Dates as the strategy gives
# them ("primo 2023" = January 2023, "efteråret 2024" = September 2024); an initiative
# not started has no date.
INITIATIVES = (
    ("Elevløn under grundforløbet for alle elever", "foer", "2022-01-01", "Implementeret",
     "ansatte_ssa"),
    ("Voksenelevløn til alle elever over 25 år", "foer", "2022-01-01", "Implementeret",
     "ansatte_ssh"),
    ("Uddannelsessitet 'Bliv elev i kommunen'", "foer", "2023-01-01", "Implementeret", ""),
    ("EUV1-forløb til egne ufaglærte med to års erfaring", "foer", "2023-01-01",
     "Implementeret", "intern_ufaglaert"),
    ("AMU-kurser til ufaglærte", "foer", "2024-05-01", "Implementeret", "intern_ufaglaert"),
    ("Spireordning: fritidsjob for 14–17-årige", "foer", "", "Afventer", ""),
    ("Sprogundervisning i oplæringsperioderne", "under", "2021-01-01", "Implementeret",
     "frafald_ssa"),
    ("Praksislab med simulationsudstyr", "under", "2021-01-01", "Delvist implementeret", ""),
    ("Personlige vejledere", "under", "2023-01-01", "Implementeret", "frafald_ssa"),
    ("Personlige vejledere", "under", "2023-01-01", "Implementeret", "frafald_ssh"),
    ("Tre dages snusepraktik under grundforløbet", "under", "2023-08-01", "Implementeret",
     "frafald_ssh"),
    ("Tæt opfølgning på fravær og omsorgssamtaler", "under", "2023-01-01", "Implementeret",
     "sygefravaer"),
    ("Tæt opfølgning allerede fra grundforløbet", "under", "2024-01-01", "Implementeret",
     "frafald_ssa"),
    ("Kompetencesamtaler med oplæringsvejledere", "under", "2024-03-01", "Implementeret", ""),
    ("Struktureret velkomst i alle oplæringsperioder", "under", "2024-01-01",
     "Delvist implementeret", "frafald_ssh"),
    ("Oplæring af alle vejledere i EduAdm", "under", "2024-10-01", "På vej", ""),
    ("Digitalt uddannelsesoverblik", "under", "", "Ikke implementeret", ""),
    ("Karrieresamtaler med elever i sidste del af uddannelsen", "efter", "2024-09-01",
     "Implementeret", "ansat_efter"),
    ("Mentorordning for nyuddannede (pilot)", "efter", "", "Afventer", "ansat_efter"),
    ("Samtaler om SSA-uddannelse ved SSH'ernes MUS", "efter", "", "På vej", "intern_ssh"),
)


def write_demo(out_dir: Path, today: dt.date | None = None, seed: int = 2024) -> dict[str, int]:
    """Write the five contract CSV files and the initiatives; return the row count of each."""
    gen = _Generator(today or dt.date.today(), seed)
    _build(gen)
    tables = _rows(gen)
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec in FILES:
        with open(out_dir / f"{spec.name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.column_names)
            writer.writerows(tables[spec.name])
    with open(out_dir / "indsatser.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INDSATSER.column_names)
        writer.writerows(INITIATIVES)
    write_marker(out_dir)
    return {**{spec.name: len(tables[spec.name]) for spec in FILES},
            INDSATSER.name: len(INITIATIVES)}
