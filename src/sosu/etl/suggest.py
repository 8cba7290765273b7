"""A draft import profile from a folder of the user's files (`sosu profil forslag`, the
Data page's mapping step).

Each file (or sheet) is read as it is. It is matched to the contract file whose
required columns its headers cover best; each header to a contract column: first the
same name after normalisation, then a known synonym (domain.contract.HEADER_SYNONYMS),
then a close match, each with its reason. Every distinct value of a coded column that
the contract does not read is listed with its count and first line, with a suggested
code where a synonym or a close label gives one and "" (to be completed) otherwise.
Nothing is guessed silently: the draft is for the user to check and complete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sosu.domain.contract import (
    FILES,
    FILES_BY_NAME,
    GUIDE_SHEET,
    HEADER_SYNONYMS,
    VALUE_SYNONYMS,
    Column,
    FileSpec,
    code_key,
    normalize_header,
)
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.etl import read
from sosu.etl.problems import Problem
from sosu.etl.profile import (
    DATE_FORMAT_EXAMPLES,
    FILE_SUFFIXES,
    RESUME_MONTHS,
    ROW_KEY,
    FileProfile,
    Profile,
    reductions_for,
    render_profile,
    strptime_format,
)
from sosu.etl.profiled import IGNORED, POSITIONAL, read_file_table
from sosu.etl.validate import parse_expression
from sosu.etl.workbook import is_workbook, sheet_names
from sosu.store import scratch

CLOSE = 0.8  # difflib's ratio from which a header or value counts as a close match
MAX_VALUES = 60  # distinct values listed per coded column (more: the column is not coded)
IGNORE = ""  # a header mapped to no contract column


@dataclass(frozen=True)
class HeaderMatch:
    header: str
    column: str  # the contract column, or IGNORE
    reason: str


@dataclass(frozen=True)
class ValueCount:
    value: str
    count: int
    first_line: int
    code: str  # suggested code, "" when none
    reason: str


@dataclass
class FileSurvey:
    """One of the user's files (or sheets) as read, with what the draft makes of it."""

    source: read.Source
    display: str
    headers: list[str]
    spec_name: str | None = None
    reason: str = ""
    matches: list[HeaderMatch] = field(default_factory=list)
    values: dict[str, list[ValueCount]] = field(default_factory=dict)  # column → values
    date_format: str | None = None
    several_rows: int = 0  # students with more than one row
    problems: list[Problem] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.source.path.name

    @property
    def sheet(self) -> str | None:
        return self.source.sheet


# --- reading what is there ---------------------------------------------------------------

def candidates(folder: Path) -> list[read.Source]:
    """Every CSV file and every sheet of every workbook in `folder`."""
    found: list[read.Source] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FILE_SUFFIXES or path.name.startswith((".", "~$")):
            continue
        if is_workbook(path):
            try:
                sheets = sheet_names(path)
            except Exception:  # noqa: BLE001 - a refused or damaged file is reported when read
                sheets = [""]
            found += [read.Source("", path, sheet or None) for sheet in sheets
                      if normalize_header(sheet) != normalize_header(GUIDE_SHEET)]
        else:
            found.append(read.Source("", path))
    return found


def _table(index: int) -> str:
    return f"survey_{index}"


# --- matching headers ------------------------------------------------------------------

def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def match_headers(headers: list[str], spec: FileSpec) -> list[HeaderMatch]:
    """Each header → a contract column of `spec` (or IGNORE), with the reason: the same
    name after normalisation first, then a known synonym, then the closest name."""
    keys = [normalize_header(h) for h in headers]
    chosen: dict[int, HeaderMatch] = {}
    taken: set[str] = set()

    def take(index: int, column: str, reason: str) -> None:
        chosen[index] = HeaderMatch(headers[index], column, reason)
        taken.add(column)

    for index, key in enumerate(keys):
        if key in spec.column_names and key not in taken:
            take(index, key, "samme navn")
    for column in spec.columns:
        synonyms = HEADER_SYNONYMS.get(column.name, ())
        for index, key in enumerate(keys):
            if index not in chosen and column.name not in taken and key in synonyms:
                take(index, column.name, f"kendt navn for {column.name}")
    scored = sorted(((max([_ratio(key, column.name)]
                          + [_ratio(key, s) for s in HEADER_SYNONYMS.get(column.name, ())]),
                      index, column.name)
                     for index, key in enumerate(keys) if key
                     for column in spec.columns), reverse=True)
    for score, index, column_name in scored:
        if score >= CLOSE and index not in chosen and column_name not in taken:
            take(index, column_name, f"ligner {column_name} ({score:.0%})")
    return [chosen.get(i, HeaderMatch(h, IGNORE, "ingen kolonne i datakontrakten ligner"))
            for i, h in enumerate(headers)]


def _coverage(matches: list[HeaderMatch], spec: FileSpec) -> float:
    mapped = {m.column for m in matches}
    required = [c.name for c in spec.columns if c.required]
    return sum(c in mapped for c in required) / len(required)


def _name_hint(source: read.Source, spec: FileSpec) -> bool:
    name = normalize_header(source.sheet or source.path.stem)
    return name == spec.name or normalize_header(spec.title) == name


# --- values ------------------------------------------------------------------------------

def suggest_code(column: Column, value: str) -> tuple[str, str]:
    """A suggested code for one of their values, and why; ("", why not) when none."""
    key = code_key(value)
    synonym = VALUE_SYNONYMS.get(column.name, {}).get(key)
    if synonym:
        return synonym, f"kendt navn for {column.codes[synonym]}"
    best = max(((max(_ratio(key, code_key(code)), _ratio(key, code_key(label))), code)
                for code, label in column.codes.items()), default=(0.0, ""))
    if best[0] >= CLOSE:
        return best[1], f"ligner {column.codes[best[1]]} ({best[0]:.0%})"
    return "", "ikke oversat"


def _as_v(column: Column) -> Column:
    """The column under the name `v`, for its parse expression over a subquery's `v`."""
    return Column("v", column.kind, "", "", codes=column.codes)


def _values(con: duckdb.DuckDBPyConnection, table: str, staged: str,
            column: Column, today: dt.date) -> list[ValueCount]:
    """The distinct values of one of their columns that the contract does not read."""
    text = read.cell_text(staged)
    readable = parse_expression(_as_v(column), today)
    rows = con.execute(f"""
        SELECT v, count(*), min(number) FROM (
            SELECT {text} AS v, _line AS number FROM {table}_file)
        WHERE v IS NOT NULL AND ({readable}) IS NULL
        GROUP BY v ORDER BY 2 DESC, 3 LIMIT {MAX_VALUES}""").fetchall()
    found = []
    for value, count, first in rows:
        if contains_cpr(value):
            continue  # never echoed: the load refuses it
        code, reason = suggest_code(column, value)
        found.append(ValueCount(value, int(count), int(first), code, reason))
    return found


# --- dates and several rows --------------------------------------------------------------

def _date_format(con: duckdb.DuckDBPyConnection, table: str, staged: str,
                 column: Column, today: dt.date) -> str | None:
    """A format for a date column the default reading cannot read, if one reads it all."""
    text = read.cell_text(staged)
    default = parse_expression(_as_v(column), today)
    sample = f"(SELECT DISTINCT {text} AS v FROM {table}_file WHERE {text} IS NOT NULL LIMIT 500)"
    unread = con.execute(f"SELECT count(*) FROM {sample} WHERE ({default}) IS NULL").fetchone()
    if not unread or not unread[0]:
        return None
    for candidate in DATE_FORMAT_EXAMPLES:
        pattern = strptime_format(candidate).replace("'", "''")
        misses = con.execute(f"SELECT count(*) FROM {sample} "
                             f"WHERE try_strptime(v, '{pattern}') IS NULL").fetchone()
        if misses and not misses[0]:
            return candidate
    return None


def _several_rows(con: duckdb.DuckDBPyConnection, table: str, staged: dict[str, str],
                  spec: FileSpec) -> int:
    keys = ROW_KEY.get(spec.name)
    if not keys or not all(k in staged for k in keys):
        return 0
    columns = ", ".join(read.cell_text(staged[k]) for k in keys)
    row = con.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {table}_file "
                      "GROUP BY ALL HAVING count(*) > 1)").fetchone()
    return int(row[0]) if row else 0


CPR_NAME = ("navnet ligner et CPR-nummer; giv filen (eller arket) et andet navn, før den "
            "læses med en importprofil")


# --- the draft ---------------------------------------------------------------------------

def survey(folder: Path, today: dt.date | None = None) -> list[FileSurvey]:
    """Every file of `folder` read, matched to a contract file, its headers and values."""
    today = today or dt.date.today()
    con = scratch.memory_connection()
    try:
        surveys = []
        read_ok: set[int] = set()
        for index, source in enumerate(candidates(folder)):
            if contains_cpr(source.path.name) or contains_cpr(source.sheet):
                # A draft names its files: this one could only be written down with the
                # CPR number in it (a profile refuses that), so it is refused here.
                surveys.append(FileSurvey(source, source.display, [], problems=[Problem(
                    source.display, 0, "", CPR_NAME)]))
                continue
            found = read_file_table(con, source, _table(index), POSITIONAL)
            if isinstance(found, list):
                surveys.append(FileSurvey(source, source.display, [], problems=found))
                continue
            surveys.append(FileSurvey(source, source.display, found.headers))
            read_ok.add(len(surveys) - 1)
        _assign(surveys)
        for position, item in enumerate(surveys):
            if item.spec_name is not None and position in read_ok:
                # One survey per candidate, in order: the position is the table's index.
                _describe(con, item, _table(position), today)
        return surveys
    finally:
        con.close()


def _assign(surveys: list[FileSurvey]) -> None:
    """Each contract file to the file whose headers cover its required columns best (a
    file named like it first); each file to at most one contract file."""
    options = []
    for position, item in enumerate(surveys):
        if not item.headers:
            continue
        for spec in FILES:
            matches = match_headers(item.headers, spec)
            coverage = _coverage(matches, spec)
            hint = _name_hint(item.source, spec)
            if coverage > 0 or hint:
                options.append((hint, coverage, sum(m.column != IGNORE for m in matches),
                                position, spec.name, matches))
    used_files: set[int] = set()
    used_specs: set[str] = set()
    for hint, coverage, _count, position, name, matches in sorted(options, reverse=True,
                                                                   key=lambda o: o[:3]):
        if position in used_files or name in used_specs or coverage < 0.5 and not hint:
            continue
        used_files.add(position)
        used_specs.add(name)
        item = surveys[position]
        item.spec_name, item.matches = name, matches
        item.reason = (f"filnavnet er {name}" if hint else
                       f"overskrifterne dækker {coverage:.0%} af {name}s påkrævede kolonner")


def _describe(con: duckdb.DuckDBPyConnection, item: FileSurvey, table: str,
              today: dt.date) -> None:
    spec = FILES_BY_NAME[str(item.spec_name)]
    staged = {m.column: f"{IGNORED}{i}" for i, m in enumerate(item.matches) if m.column}
    for column in spec.columns:
        if column.name not in staged:
            continue
        if column.codes:
            item.values[column.name] = _values(con, table, staged[column.name], column, today)
        elif column.kind == "date" and item.date_format is None:
            item.date_format = _date_format(con, table, staged[column.name], column, today)
    item.several_rows = _several_rows(con, table, staged, spec)


REDUCTION_SUGGESTED = {"elever": "foerste", "gennemfoerte": "seneste", "frafald": "seneste",
                       "efter_uddannelse": "seneste", "sygefravaer": "summer"}


def draft_profile(surveys: list[FileSurvey], name: str, path: Path
                  ) -> tuple[Profile, dict[tuple[str, ...], str]]:
    """The profile the surveys suggest, and the comments that give each choice's reason."""
    files: dict[str, FileProfile] = {}
    notes: dict[tuple[str, ...], str] = {}
    for item in surveys:
        if item.spec_name is None:
            continue
        spec_name = item.spec_name
        reduction = REDUCTION_SUGGESTED[spec_name] if item.several_rows else "afvis"
        files[spec_name] = FileProfile(
            name=spec_name, file=item.file, sheet=item.sheet,
            columns={m.header: m.column for m in item.matches if m.column},
            ignored=tuple(m.header for m in item.matches if not m.column),
            values={column: {v.value: v.code for v in values}
                    for column, values in item.values.items() if values},
            date_format=item.date_format, reduction=reduction,
            resume_months=RESUME_MONTHS if spec_name == "frafald" and item.several_rows
            else None)
        notes[(spec_name,)] = f"{item.display}: {item.reason}."
        for match in item.matches:
            notes[(spec_name, "kolonner", match.header)] = match.reason
        if any(not m.column for m in item.matches):
            notes[(spec_name, "ignorer")] = "ingen kolonne i datakontrakten ligner dem"
        for column, values in item.values.items():
            for value in values:
                rows = f"{value.count} {'række' if value.count == 1 else 'rækker'}"
                notes[(spec_name, "vaerdier", column, value.value)] = (
                    f"{value.reason}; {rows}, første i linje {value.first_line}"
                    if value.code else
                    f"IKKE OVERSAT: {rows}, første i linje {value.first_line}; vælg en af "
                    + ", ".join(FILES_BY_NAME[spec_name].column(column).codes))
        if item.several_rows:
            notes[(spec_name, "flere_raekker")] = (
                f"{_students(item.several_rows)} flere rækker; kan også være "
                + " eller ".join(r for r in reductions_for(spec_name) if r != reduction))
        if item.date_format:
            notes[(spec_name, "datoformat")] = "læser alle datoerne i filen"
    spells = next((item.several_rows for item in surveys if item.spec_name == "elever"), 0)
    if spells and "frafald" in files and not files["frafald"].resume_months:
        # Several hires of one student are spells: one resumed within 15 months was no
        # dropout (the ministry's rule), however the frafald file lists it.
        files["frafald"] = dataclasses.replace(files["frafald"], resume_months=RESUME_MONTHS)
        notes[("frafald", "genoptaget_inden_maaneder")] = (
            f"{_students(spells)} flere forløb i elever; et frafald, der genoptages inden "
            f"{RESUME_MONTHS} måneder, er ikke et frafald (ministeriets regel)")
    return Profile(path, name, files), notes


def _students(count: int) -> str:
    return f"{count} elev har" if count == 1 else f"{count} elever har"


DRAFT_HEADER = """# Udkast til importprofil, skrevet af `sosu profil forslag`. Tjek hvert valg
# (grunden står i kommentaren), udfyld de værdier, der står som "" (IKKE OVERSAT),
# og kør derefter `sosu check MAPPE --profil FIL`."""


def draft_text(folder: Path, out: Path, today: dt.date | None = None) -> tuple[str, list[str]]:
    """The draft's TOML, and notes for the user (files that matched nothing, problems)."""
    surveys = survey(folder, today)
    # The folder's name names the profile, which is kept with every load through it.
    profile, notes = draft_profile(surveys, mask_cpr(folder.name) or "importprofil", out)
    messages = [str(p) for item in surveys for p in item.problems]
    messages += [f"{item.display}: ligner ingen af datakontraktens filer; ikke med i udkastet"
                 for item in surveys if item.spec_name is None and not item.problems]
    messages += [f"{spec.name}: ingen fil fundet; tilføj [{spec.name}] selv, eller læg filen "
                 "i mappen" for spec in FILES if spec.name not in profile.files]
    if not profile.files:
        return "", messages
    return render_profile(profile, notes, DRAFT_HEADER), messages


def values_of(source: read.Source, header: str, column: Column,
              today: dt.date | None = None) -> list[ValueCount]:
    """The values of one of their columns the contract does not read, with suggestions:
    for a header the user mapped to a coded column other than the draft's."""
    con = scratch.memory_connection()
    try:
        found = read_file_table(con, source, "values", POSITIONAL)
        if isinstance(found, list) or header not in found.headers:
            return []
        staged = f"{IGNORED}{found.headers.index(header)}"
        return _values(con, "values", staged, column, today or dt.date.today())
    finally:
        con.close()
