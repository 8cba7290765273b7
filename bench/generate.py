"""Seeded contract-format CSV data at any scale, up to national.

    python bench/generate.py OUT_DIR --students-per-year 20000 --years 10 --seed 1

Writes the five contract files (elever, gennemfoerte, frafald, sygefravaer,
efter_uddannelse) so that `sosu load` accepts them. Rows are written as each cohort
is generated: only one year's cohort is ever held in memory, so ten years at
national scale (20,000 hires a year, about 5 million sick-leave months) need well
under 100 MiB.

Distributions follow the demo municipality (etl/demo.py): 60 % SSA, dropout
falling from 42 % to 31 % (SSA) and 20 % to 14 % (SSH) over the years, mostly
early in the programme, reasons weighted as in the 2023 table, 57–60 % of
graduates hired afterwards, sick leave around 8–9 % of planned hours with a few
sickly students and rising sickness before a dropout. Students are spread over
Denmark's 98 municipalities (very unequal in size) with 5–7 training sites each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sosu.domain.contract import FILES  # noqa: E402
from sosu.etl.demo import (  # noqa: E402
    DURATION_MONTHS,
    GF_MONTHS,
    HIRED_AFTER_RATE,
    REASON_WEIGHTS,
    SHARE_25_PLUS,
    WORKPLACES,
)
from sosu.etl.demoseal import write_marker  # noqa: E402

MUNICIPALITIES = (
    "København", "Frederiksberg", "Albertslund", "Ballerup", "Brøndby", "Dragør", "Gentofte",
    "Gladsaxe", "Glostrup", "Herlev", "Hvidovre", "Høje-Taastrup", "Ishøj", "Lyngby-Taarbæk",
    "Rødovre", "Tårnby", "Vallensbæk", "Allerød", "Egedal", "Fredensborg", "Frederikssund",
    "Furesø", "Gribskov", "Halsnæs", "Helsingør", "Hillerød", "Hørsholm", "Rudersdal",
    "Bornholm", "Greve", "Køge", "Lejre", "Roskilde", "Solrød", "Faxe", "Guldborgsund",
    "Holbæk", "Kalundborg", "Lolland", "Næstved", "Odsherred", "Ringsted", "Slagelse", "Sorø",
    "Stevns", "Vordingborg", "Assens", "Faaborg-Midtfyn", "Kerteminde", "Langeland",
    "Middelfart", "Nordfyns", "Nyborg", "Odense", "Svendborg", "Ærø", "Billund", "Esbjerg",
    "Fanø", "Fredericia", "Haderslev", "Kolding", "Sønderborg", "Tønder", "Varde", "Vejen",
    "Vejle", "Aabenraa", "Favrskov", "Hedensted", "Horsens", "Norddjurs", "Odder", "Randers",
    "Samsø", "Silkeborg", "Skanderborg", "Syddjurs", "Aarhus", "Herning", "Holstebro",
    "Ikast-Brande", "Lemvig", "Ringkøbing-Skjern", "Skive", "Struer", "Viborg", "Brønderslev",
    "Frederikshavn", "Hjørring", "Jammerbugt", "Læsø", "Mariagerfjord", "Morsø", "Rebild",
    "Thisted", "Vesthimmerland", "Aalborg",
)
assert len(MUNICIPALITIES) == 98
SITE_KINDS = ("Døgnplejen Nord", "Døgnplejen Syd", "Omsorgscenter Engly", "Plejecenter Fjordhaven",
              "Rehabiliteringscenter", "Sygeplejen", "Akutteamet")
SSA_SHARE = 0.6
# Dropout probability, first to last cohort (the demo's 2019 level falling to its later one).
DROPOUT = {"SSA": (0.42, 0.31), "SSH": (0.20, 0.14)}
UNSKILLED_SHARE = 0.09
OWN_SSH_SHARE = 0.09  # of SSA hires only
SICK_LEVEL = (0.095, 0.080)  # sick hours / planned hours, first to last calendar year
PLANNED_HOURS = (128.0, 136.0, 148.0, 152.0, 160.0)
SICK_MONTH_SHARE = 0.7  # months with any sickness
PRONENESS_SIGMA = 0.6
# E[proneness] * share * E[uniform(0, 2)] = exp(σ²/2) * 0.7: divide it out so the mean
# sick share is the level.
SICK_SCALE = 1 / (2.718281828459045 ** (PRONENESS_SIGMA ** 2 / 2) * SICK_MONTH_SHARE)


@dataclass(frozen=True)
class Student:
    elev_id: str
    uddannelse: str
    ansat: dt.date
    alder: int
    sted: str
    rekruttering: str
    planned_end: dt.date
    frafald: dt.date | None
    afsluttet: dt.date | None
    proneness: float


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, min(day.day, 28))


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _phase(student: Student) -> str:
    assert student.frafald
    months = _months_between(student.ansat, student.frafald)
    if months < GF_MONTHS:
        return "GF"
    period = (months - GF_MONTHS) // 4
    number = min(period // 2 + 1, 3 if student.uddannelse == "SSH" else 6)
    return f"{'S' if period % 2 == 0 else 'O'}{number}"


def _between(low: float, high: float, index: int, count: int) -> float:
    return low + (high - low) * (index / max(count - 1, 1))


class Generator:
    def __init__(self, students_per_year: int, years: int, today: dt.date, seed: int,
                 municipalities: int) -> None:
        self.rng = random.Random(seed)
        self.per_year = students_per_year
        self.today = today
        self.first_year = today.year - years + 1
        self.years = years
        self.sites, self.site_weights = self._sites(municipalities)
        self.next_id = 1

    def _sites(self, count: int) -> tuple[list[str], list[float]]:
        """~6 sites per municipality; municipalities as unequal as Denmark's (Zipf-like)."""
        sites: list[str] = []
        weights: list[float] = []
        chosen = list(MUNICIPALITIES[:count])
        sizes = [1 / (rank ** 0.9) for rank in range(1, len(chosen) + 1)]
        self.rng.shuffle(sizes)
        for municipality, size in zip(chosen, sizes, strict=True):
            kinds = self.rng.sample(SITE_KINDS, self.rng.randint(5, 7))
            for kind in kinds:
                share = 0.05 if kind == "Akutteamet" else 1.0  # a small site in most places
                sites.append(f"{kind} {municipality}" if count > 1 else kind)
                weights.append(size * share * self.rng.uniform(0.6, 1.4))
        return sites, weights

    def cohort(self, year: int) -> list[Student]:
        rng = self.rng
        index = year - self.first_year
        ssa = round(SSA_SHARE * self.per_year)
        students = []
        places = rng.choices(self.sites, self.site_weights, k=self.per_year)
        for number in range(self.per_year):
            education = "SSA" if number < ssa else "SSH"
            hired = dt.date(year, 2 if rng.random() < 0.6 else 8, rng.randint(1, 20))
            if hired > self.today:
                continue
            older = rng.random() < SHARE_25_PLUS[education]
            age = rng.randint(25, 58) if older else rng.randint(17, 24)
            draw = rng.random()
            if draw < UNSKILLED_SHARE:
                kind = "ufaglaert"
            elif education == "SSA" and draw < UNSKILLED_SHARE + OWN_SSH_SHARE:
                kind = "ssh"
            else:
                kind = "ekstern"
            low, high = DURATION_MONTHS[education]
            planned_end = _add_months(hired, rng.randint(low, high))
            rate = _between(*DROPOUT[education], index, self.years)
            frafald = None
            if rng.random() < rate:
                # Early in the programme is likeliest: the basic course and first periods.
                fraction = rng.random() ** 1.7
                days = (planned_end - hired).days - 20
                frafald = hired + dt.timedelta(days=max(1, int(fraction * days)))
                if frafald > self.today:
                    frafald = None  # has not happened yet: still active
            afsluttet = planned_end if frafald is None and planned_end <= self.today else None
            students.append(Student(
                f"E{self.next_id:07d}", education, hired, age, places[number], kind,
                planned_end, frafald, afsluttet, rng.lognormvariate(0, PRONENESS_SIGMA)))
            self.next_id += 1
        rng.shuffle(students)
        students.sort(key=lambda s: s.ansat)  # an export lists hires by date
        return students

    def sick_level(self, year: int) -> float:
        return _between(*SICK_LEVEL, min(max(year - self.first_year, 0), self.years - 1),
                        self.years)


def _write_cohort(gen: Generator, cohort: list[Student], out: dict[str, TextIO],
                  counts: Counter[str]) -> None:
    """Write one cohort's rows to the five files, counting them."""
    rng = gen.rng
    reasons = {e: (list(w), list(w.values())) for e, w in REASON_WEIGHTS.items()}
    counts["elever"] += len(cohort)
    for s in cohort:
        out["elever"].write(f"{s.elev_id},{s.uddannelse},{s.ansat.isoformat()},{s.alder},"
                            f"{s.sted},{s.rekruttering}\n")
        aarsag = None
        if s.frafald:
            names, weights = reasons[s.uddannelse]
            aarsag = rng.choices(names, weights)[0]
            out["frafald"].write(f"{s.elev_id},{s.uddannelse},{s.frafald.isoformat()},"
                                 f"{aarsag},{_phase(s)},{s.sted}\n")
            counts["frafald"] += 1
        if s.afsluttet:
            counts["gennemfoerte"] += 1
            counts["efter_uddannelse"] += 1
            out["gennemfoerte"].write(f"{s.elev_id},{s.uddannelse},{s.afsluttet.isoformat()}\n")
            if rng.random() < HIRED_AFTER_RATE[s.uddannelse]:
                places = WORKPLACES[s.uddannelse]
                place = rng.choice(places[:3] if s.uddannelse == "SSA" else places[:2])
                day = s.afsluttet + dt.timedelta(days=rng.randint(0, 45))
                when = day.isoformat() if day <= gen.today else ""
                out["efter_uddannelse"].write(f"{s.elev_id},{s.uddannelse},ja,{place},{when}\n")
            else:
                out["efter_uddannelse"].write(f"{s.elev_id},{s.uddannelse},nej,,\n")
        counts["sygefravaer"] += _write_sick_leave(gen, s, aarsag, out["sygefravaer"])


def _write_sick_leave(gen: Generator, s: Student, aarsag: str | None, out: TextIO) -> int:
    rng = gen.rng
    end = s.afsluttet or s.frafald or gen.today
    warning = aarsag in ("fravaer", "sygdom") or s.proneness > 3
    year, month = s.ansat.year, s.ansat.month
    last = end.year * 12 + end.month - 1
    prefix = f"{s.elev_id},{s.uddannelse},"
    rows = []
    level = gen.sick_level(year)
    while year * 12 + month - 1 <= last:
        planned = rng.choice(PLANNED_HOURS)
        base = level * s.proneness * SICK_SCALE
        if warning and s.frafald and (left := last - (year * 12 + month - 1)) < 4:
            base *= 3 - left * 0.5  # sick leave rising before the dropout
        sick = planned * base * rng.uniform(0, 2) if rng.random() < SICK_MONTH_SHARE else 0.0
        rows.append(f"{prefix}{year}-{month:02d},{planned:.1f},{min(sick, planned):.1f},"
                    f"{s.sted}\n")
        month += 1
        if month == 13:
            year, month = year + 1, 1
            level = gen.sick_level(year)
    out.write("".join(rows))
    return len(rows)


def generate(out_dir: Path, students_per_year: int, years: int = 10, seed: int = 1,
             today: dt.date | None = None, municipalities: int = len(MUNICIPALITIES),
             demo: bool = False) -> dict[str, int]:
    """Write the five files cohort by cohort; return the row count of each. With `demo`,
    seal the folder as `sosu demo` seals its own (the dashboard then opens on it without
    a login); without, the files are like a municipality's export, which has no seal."""
    if not 1 <= municipalities <= len(MUNICIPALITIES):
        raise ValueError(f"municipalities must be 1–{len(MUNICIPALITIES)}")
    gen = Generator(students_per_year, years, today or dt.date.today(), seed, municipalities)
    out_dir.mkdir(parents=True, exist_ok=True)
    handles: dict[str, TextIO] = {
        spec.name: open(out_dir / f"{spec.name}.csv", "w", encoding="utf-8",  # noqa: SIM115
                        newline="", buffering=1 << 20)
        for spec in FILES}
    counts: Counter[str] = Counter()
    try:
        for spec in FILES:
            handles[spec.name].write(",".join(spec.column_names) + "\n")
        for year in range(gen.first_year, gen.today.year + 1):
            _write_cohort(gen, gen.cohort(year), handles, counts)
    finally:
        for handle in handles.values():
            handle.close()
    if demo:
        write_marker(out_dir)
    return {spec.name: counts[spec.name] for spec in FILES}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--students-per-year", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the data's 'today' (ISO date; default the real date)")
    parser.add_argument("--municipalities", type=int, default=len(MUNICIPALITIES),
                        help="spread the students over this many municipalities (1 = one)")
    parser.add_argument("--demo", action="store_true",
                        help="seal the folder as demo data (the dashboard opens without login)")
    args = parser.parse_args(argv)
    counts = generate(args.out_dir, args.students_per_year, args.years, args.seed, args.today,
                      args.municipalities, demo=args.demo)
    print(", ".join(f"{name} {n:,}" for name, n in counts.items()))


if __name__ == "__main__":
    main()
