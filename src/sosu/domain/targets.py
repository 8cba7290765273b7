"""The strategy's targets from the targets file (SOSU_MAAL, or the shipped targets.toml),
validated field by field."""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sosu.domain import settings
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.domain.oserror import reason

# The targets that ship with the program; SOSU_MAAL names an operator's own file.
SHIPPED_TARGETS = Path(__file__).resolve().parent.parent / "targets.toml"

METRICS = ("frafald_hovedforloeb", "sygefravaer", "ansat_efter", "ansatte",
           "intern_ufaglaert", "intern_ssh")
GOAL_TYPES = ("absolut", "pp", "relativ")
DIRECTIONS = ("ned", "op")
# How the strategy may have measured a published baseline other than the way its target is
# measured: the definition's Danish name → the cohort count it divides by the hired.
BASELINE_DEFINITIONS = {"frafald i alt": "frafald"}
# What each metric is called in a sentence ("samme årgangs frafald i hovedforløbet").
METRIC_NAMES = {"frafald_hovedforloeb": "frafald i hovedforløbet", "sygefravaer": "sygefravær",
                "ansat_efter": "andel ansat efter endt uddannelse", "ansatte": "ansatte elever",
                "intern_ufaglaert": "egne ufaglærte i uddannelse",
                "intern_ssh": "egne SSH'ere ansat som SSA-elever"}

# Every field of an entry: (type, required, description). Drives validation and docs.
FIELDS: dict[str, tuple[type | tuple[type, ...], bool, str]] = {
    "id": (str, True, "Entydigt navn, fx frafald_ssh."),
    "label": (str, True, "Dansk tekst, som brugerne ser."),
    "metric": (str, True, "Nøgletallet: " + ", ".join(METRICS) + "."),
    "uddannelse": (str, False, "SSH eller SSA; udelades for begge."),
    "baseline": ((int, float), False, "Udgangsværdi (andele som brøk, 0.16 = 16 %)."),
    "baseline_periode": (str, False, "Hvor udgangsværdien stammer fra, fx 'årgang 2022'."),
    "baseline_definition": (str, False, "Hvordan strategien målte udgangsværdien, når det ikke "
                            "var som målet: " + ", ".join(BASELINE_DEFINITIONS) + ". Udelades, "
                            "når den er målt som målet."),
    "maal_type": (str, True, "absolut, pp (procentpoint) eller relativ (brøk, -0.07 = -7 %)."),
    "maal": ((int, float), True, "Målet: niveau, ændring i procentpoint eller relativ ændring."),
    "frist": (int, True, "Årstal, hvor målet skal være nået."),
    "retning": (str, True, "ned (lavere er bedre) eller op."),
    "vaegt": ((int, float), False, "Vægt i den samlede målopfyldelse (standard 1)."),
}


class TargetsError(ValueError):
    """A broken targets file; the message names the entry and field."""


@dataclass(frozen=True)
class Target:
    id: str
    label: str
    metric: str
    maal_type: str
    maal: float
    frist: int
    retning: str
    uddannelse: str | None = None
    baseline: float | None = None
    baseline_periode: str | None = None
    vaegt: float = 1.0
    baseline_definition: str | None = None

    def rebased(self, baseline: float) -> Target:
        """The same target with its baseline measured from the data: the trajectory, a
        relative or pp goal and the fulfilment then run from the measured value."""
        return dataclasses.replace(self, baseline=baseline)

    @property
    def baseline_cells(self) -> list[tuple[str | None, int]]:
        """The (education, year) cells baseline_periode names: 'årgang 2022' on an SSH
        target → [('SSH', 2022)]; 'SSH 2022 + SSA 2020' → both; '2023' → [(None, 2023)]
        when the target covers both educations."""
        return period_cells(self.baseline_periode or "", self.uddannelse)

    @property
    def goal_value(self) -> float:
        """The level to reach: relative and pp goals are applied to the baseline."""
        if self.maal_type == "absolut":
            return self.maal
        assert self.baseline is not None
        if self.maal_type == "pp":
            return self.baseline + self.maal
        return self.baseline * (1 + self.maal)

    @property
    def is_rate(self) -> bool:
        return self.metric in ("frafald_hovedforloeb", "sygefravaer", "ansat_efter")

    @property
    def baseline_year(self) -> int | None:
        """The newest year named in baseline_periode ('SSH 2022 + SSA 2020' → 2022)."""
        years = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", self.baseline_periode or "")]
        return max(years) if years else None

    def expected(self, year: int) -> float | None:
        """Where the straight line from baseline to goal says the value should be in `year`.

        Before the baseline year it is the baseline, after the deadline the goal. A
        yearly level (hires per year) has no line: its goal holds every year.
        """
        start = self.baseline_year
        if self.baseline is None or start is None:
            return self.goal_value if self.maal_type == "absolut" else None
        if self.frist <= start:
            return self.goal_value
        share = min(max((year - start) / (self.frist - start), 0.0), 1.0)
        return self.baseline + (self.goal_value - self.baseline) * share

    def trajectory(self, years: list[int]) -> list[tuple[int, float]]:
        """The line to draw: over the given years, the baseline year and the deadline."""
        every = sorted({*years, *(y for y in (self.baseline_year, self.frist) if y is not None)})
        points = [(year, self.expected(year)) for year in every]
        return [(year, value) for year, value in points if value is not None]

    def fulfilment(self, value: float) -> float:
        """How much of the way from baseline to goal is covered, 0–1 (result-contract style)."""
        goal = self.goal_value
        if self.baseline is not None and goal != self.baseline:
            share = (value - self.baseline) / (goal - self.baseline)
        elif self.retning == "op":
            share = value / goal if goal else 1.0
        else:
            share = goal / value if value else 1.0
        return min(max(share, 0.0), 1.0) + 0.0  # + 0.0: never "-0 %"

    def better_or_equal(self, value: float, reference: float) -> bool:
        return value <= reference if self.retning == "ned" else value >= reference

    def reached(self, value: float) -> bool:
        return value <= self.goal_value if self.retning == "ned" else value >= self.goal_value


def rounding_unit(published: float, is_rate: bool) -> float:
    """One unit of a published figure's last digit (0.414 → 0.001): a measured value
    closer than that is the same figure, rounded (or cut off, as 34 of 82 = 41.46 %
    became 41.4 %). A rate is given to a whole percent at least (TOML reads 0.40 as 0.4);
    a count is exact."""
    if not is_rate:
        return 0.5
    return 10.0 ** -max(_decimals(published), 2)


def published_decimals(published: float) -> int:
    """The decimals a published rate was given with, in percent (0.0884 → 2, 0.16 → 0)."""
    return max(_decimals(published), 2) - 2


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1].rstrip("0")) if "e" not in text else 6


def period_cells(period: str, education: str | None) -> list[tuple[str | None, int]]:
    """The (education, year) cells a period text names; see Target.baseline_cells."""
    cells = re.findall(r"(?:\b(SSH|SSA)\s+)?(?:årgang\s+)?\b((?:19|20)\d\d)\b", period)
    return [(name or education, int(year)) for name, year in cells]


def _check_entry(number: int, entry: object) -> Target:
    if not isinstance(entry, dict):
        raise TargetsError(f"mål nr. {number}: skal være en [[maal]]-tabel")
    name = mask_cpr(f"mål nr. {number} ({entry.get('id', 'uden id')})")
    # Its labels and periods are shown on every page and in the quarterly report.
    if any(isinstance(value, str) and contains_cpr(value) for value in entry.values()):
        raise TargetsError(f"{name}: indeholder noget, der ligner et CPR-nummer; skriv aldrig "
                           "CPR-numre i målfilen")
    for key in entry:
        if key not in FIELDS:
            raise TargetsError(f"{name}: ukendt felt '{key}'")
    for key, (kind, required, _doc) in FIELDS.items():
        if key not in entry:
            if required:
                raise TargetsError(f"{name}: feltet '{key}' mangler")
            continue
        if not isinstance(entry[key], kind) or isinstance(entry[key], bool):
            raise TargetsError(f"{name}: feltet '{key}' har forkert type")
    choices = {"metric": METRICS, "maal_type": GOAL_TYPES, "retning": DIRECTIONS,
               "uddannelse": ("SSH", "SSA")}
    for key, allowed in choices.items():
        if key in entry and entry[key] not in allowed:
            raise TargetsError(f"{name}: '{key}' skal være en af {', '.join(allowed)}")
    if entry.get("baseline_definition", next(iter(BASELINE_DEFINITIONS))) not in \
            BASELINE_DEFINITIONS:
        raise TargetsError(f"{name}: 'baseline_definition' skal være en af "
                           f"{', '.join(BASELINE_DEFINITIONS)} (eller udelades)")
    if entry["maal_type"] != "absolut" and "baseline" not in entry:
        raise TargetsError(f"{name}: maal_type '{entry['maal_type']}' kræver en baseline")
    return Target(**{k: v for k, v in entry.items()})


def targets_file() -> Path:
    return settings.get("targets_file") or SHIPPED_TARGETS


def load_targets(path: Path | None = None) -> list[Target]:
    path = path or targets_file()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TargetsError(f"{path.name}: kan ikke læses ({reason(error)})") from error
    return list(_parse(text, path.name))


# Keyed by the file's text, so an edited file is read anew: every dashboard page asks
# for the targets a few times per view, and parsing and checking them each time was
# 0.4 ms of CPU a call. A broken file raises each time (lru_cache keeps no exceptions).
@functools.lru_cache(maxsize=8)
def _parse(text: str, name: str) -> tuple[Target, ...]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TargetsError(f"{name}: ugyldig TOML ({error})") from error
    entries = document.get("maal")
    if not isinstance(entries, list) or not entries:
        raise TargetsError(f"{name}: ingen [[maal]] fundet")
    targets = [_check_entry(i, e) for i, e in enumerate(entries, start=1)]
    ids = [t.id for t in targets]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TargetsError(f"{name}: id findes flere gange: {', '.join(duplicates)}")
    return tuple(targets)


def target_ids() -> list[str]:
    """The ids an initiative may name; none when the file is broken (the dashboard says
    why, and the loader then refuses every maal_id rather than guess)."""
    try:
        return [target.id for target in load_targets()]
    except TargetsError:
        return []
