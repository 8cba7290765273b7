"""Import profiles: how one source's files are read as the contract's files.

A profile is one TOML file per source system (an EduAdm export, Uddata+'s reports, the
payroll system's sick leave, a hand-kept spreadsheet). Per contract file it says:
which file (or sheet) holds it, which of the user's columns is which contract column,
which columns to ignore, value maps per coded column (their value → contract code),
the date format when it cannot be inferred, and how several rows per student are
reduced to the contract's one. It is validated like targets.toml: a broken profile is
refused with a message naming the entry.

The profile only renames and maps (etl.profiled): the contract (domain.contract) stays
the one source of column names and codes, and the one rule table (etl.rules) checks
the result as it checks any folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sosu.domain.contract import ALL_FILES, FILES_BY_NAME, FileSpec, normalize_header
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.domain.oserror import reason
from sosu.etl.read import EXTENSIONS, HEADER_SEARCH_LINES


class ProfileError(ValueError):
    """A broken profile; the message names the file and the entry, never a CPR number
    (a file name, header or value quoted in it is masked here, wherever it is shown)."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_cpr(message))


# How several rows per student (or per student and month) become one.
REDUCTIONS: dict[str, str] = {
    "afvis": "flere rækker for samme elev afvises (standard)",
    "foerste": "behold rækken med den tidligste dato (fx første forløbs start)",
    "seneste": "behold rækken med den seneste dato (fx seneste forløb)",
    "summer": "læg timerne sammen pr. elev og måned (kun sygefravaer)",
}
# The date each file's rows are ordered by when reduced, and the key a file has one row of.
ORDER_DATE: dict[str, str] = {"elever": "ansat_dato", "gennemfoerte": "afsluttet_dato",
                              "frafald": "frafald_dato", "efter_uddannelse": "dato",
                              "sygefravaer": "maaned"}
STUDENT_KEY = ("elev_id", "uddannelse")
ROW_KEY: dict[str, tuple[str, ...]] = {
    **{name: STUDENT_KEY for name in ORDER_DATE}, "sygefravaer": (*STUDENT_KEY, "maaned")}
# The ministry's rule: a student who stops and resumes within 15 months has not dropped out.
RESUME_MONTHS = 15

# The name a load's profile is kept under among its files in the history (etl.history):
# `sosu reload` reads the files with it again. Not a data file: .toml is never loaded.
KEPT_PROFILE = "importprofil.toml"
FILE_SUFFIXES = EXTENSIONS  # what a folder without a profile reads

# Date formats in the Danish way of writing them → strptime. The default (no format)
# reads ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ and DD-MM-ÅÅ with - . or / (etl.validate); a format is
# needed for anything else: US order, digits without separators, a time after the date.
DATE_TOKENS = (("ÅÅÅÅ", "%Y"), ("ÅÅ", "%y"), ("MM", "%m"), ("DD", "%d"), ("TT", "%H"),
               ("mm", "%M"), ("ss", "%S"))
_MOMENTS = tuple(dt.datetime(year, month, day, hour, minute, 56)
                 for year in (1990, 2005, 2012, 2020, 2031) for month in range(1, 13)
                 for day in range(1, 29) for hour, minute in ((0, 0), (12, 34), (23, 59)))
DATE_FORMAT_EXAMPLES = ("DD-MM-ÅÅÅÅ", "DD.MM.ÅÅÅÅ", "DD/MM/ÅÅÅÅ", "DD-MM-ÅÅ", "ÅÅÅÅ-MM-DD",
                        "MM/DD/ÅÅÅÅ", "ÅÅÅÅMMDD", "DDMMÅÅÅÅ", "DD-MM-ÅÅÅÅ TT:mm",
                        "DD-MM-ÅÅÅÅ TT:mm:ss", "ÅÅÅÅ-MM-DD TT:mm:ss")

FILE_FIELDS: dict[str, str] = {
    "fil": "Filnavnet i mappen (.csv, .xlsx eller .ods), fx \"Elevliste.csv\" eller "
           "\"Eksport.xlsx\".",
    "ark": "Arket i en projektmappe, .xlsx eller .ods (udelades: det første ark).",
    "kolonner": "Jeres overskrift = kontraktens kolonne, fx \"Startdato\" = \"ansat_dato\".",
    "ignorer": "Jeres kolonner, der ikke skal bruges (de kontrolleres stadig for CPR-numre).",
    "vaerdier": "Pr. kodet kolonne: jeres værdi = kontraktens kode. \"\" = ikke oversat endnu.",
    "datoformat": "Datoformatet, når det ikke er ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD-MM-ÅÅ "
                  "(med - . eller /) eller Excel-datotal, fx MM/DD/ÅÅÅÅ eller ÅÅÅÅMMDD. "
                  "Er det angivet, er det filens eneste datoformat: en dato skrevet på en "
                  "anden måde afvises.",
    "flere_raekker": "Flere rækker pr. elev: " + ", ".join(REDUCTIONS) + ".",
    "genoptaget_inden_maaneder": "Kun frafald: et frafald, som eleven genoptager (et nyt "
                                 "forløb i elever) inden så mange måneder, er ikke et frafald "
                                 f"(ministeriets regel: {RESUME_MONTHS}).",
}


@dataclass(frozen=True)
class FileProfile:
    """How one contract file is read from the user's file."""

    name: str  # the contract file
    file: str
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # their header → contract column
    ignored: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column → {theirs: code}
    date_format: str | None = None
    reduction: str = "afvis"
    resume_months: int | None = None

    @property
    def spec(self) -> FileSpec:
        return FILES_BY_NAME[self.name]

    @property
    def display(self) -> str:
        return f"{self.file}[{self.sheet}]" if self.sheet else self.file

    def header_of(self, column: str) -> str:
        """The user's header for a contract column (the contract's name if not mapped)."""
        return next((theirs for theirs, ours in self.columns.items() if ours == column),
                    column)

    def value_map(self, column: str) -> dict[str, str]:
        """Their value → code, for the values already mapped (matched as written, trimmed,
        in any case)."""
        return {theirs.strip(): code for theirs, code in self.values.get(column, {}).items()
                if code}

    def unmapped(self, column: str) -> list[str]:
        """Values a draft lists for the user to complete (mapped to "")."""
        return [theirs for theirs, code in self.values.get(column, {}).items() if not code]


@dataclass(frozen=True)
class Profile:
    path: Path
    name: str
    files: dict[str, FileProfile]
    text: str = ""  # as read: kept with the load in the history, for `sosu reload`

    def claims(self) -> set[str]:
        """The file names (without sheet) the profile reads."""
        return {f.file for f in self.files.values()}


def reductions_for(name: str) -> list[str]:
    """The reductions a contract file may use: by date for the student files, by adding
    up hours for sick leave."""
    if name == "sygefravaer":
        return ["afvis", "summer"]
    return ["afvis", "foerste", "seneste"] if name in ROW_KEY else ["afvis"]


def strptime_format(date_format: str) -> str:
    """'DD-MM-ÅÅÅÅ' → '%d-%m-%Y'; a format already in strptime's terms is kept."""
    if "%" in date_format:
        return date_format
    result = date_format
    for token, directive in DATE_TOKENS:
        result = result.replace(token, directive)
    return result


def _check_date_format(where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where}: skal være et datoformat, fx DD-MM-ÅÅÅÅ")
    directives = re.findall(r"%.", strptime_format(value))
    if not {"%d", "%m"} <= set(directives) or not {"%Y", "%y"} & set(directives) \
            or not set(directives) <= {"%d", "%m", "%Y", "%y", "%H", "%M", "%S"}:
        raise ProfileError(f"{where}: '{value}' er ikke et datoformat med dag (DD), måned "
                           "(MM) og år (ÅÅÅÅ), fx " + ", ".join(DATE_FORMAT_EXAMPLES[:6]))
    # A date with a time is rewritten as the date alone before any rule sees it: a format
    # that writes some moment as a CPR number (1 January 1990 12.34 as 010190-1234 with
    # DDMMÅÅ-TTmm, 26 May 2020 as 200526-0000 with ÅÅMMDD-TTmm) would read CPR numbers
    # as dates. Every day of a month of years whose two digits can be a day, at three
    # times of day, is drawn with it.
    if _writes_cpr(strptime_format(value)):
        raise ProfileError(f"{where}: '{value}' skriver datoer, så de ligner CPR-numre (fx "
                           "1. januar 1990 kl. 12.34 som XXXXXX-XXXX); skriv klokkeslættet "
                           "med skilletegn, fx DD-MM-ÅÅ TT:mm")
    return value


@functools.cache
def _writes_cpr(pattern: str) -> bool:
    """Does `pattern` write some moment of _MOMENTS as a CPR number? Asked once per format
    (a profile mostly gives its files one) and of each distinct text once (without a time
    of day the three moments of a day are one text): 5,040 searches for every file with a
    format took 0.38 s of a national load with a profile."""
    return any(contains_cpr(text) for text in {moment.strftime(pattern) for moment in _MOMENTS})


def _text_table(where: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: skal være en tabel ([{where}])")
    for key, item in value.items():
        if not isinstance(item, str):
            raise ProfileError(f"{where}: \"{key}\" skal sættes til en tekst i anførselstegn")
    return value


def _check_file(path: Path, name: str, entry: object) -> FileProfile:
    where = f"{path.name}: [{name}]"
    if not isinstance(entry, dict):
        raise ProfileError(f"{where}: skal være en tabel")
    spec = FILES_BY_NAME[name]
    for key in entry:
        if key not in FILE_FIELDS:
            raise ProfileError(f"{where}: ukendt felt '{key}'; felterne er "
                               + ", ".join(FILE_FIELDS))
    if not isinstance(entry.get("fil"), str) or not entry["fil"].strip():
        raise ProfileError(f"{where}: feltet 'fil' mangler (filnavnet i mappen)")
    if Path(entry["fil"].strip()).name != entry["fil"].strip() \
            or Path(entry["fil"]).suffix.lower() not in FILE_SUFFIXES:
        raise ProfileError(f"{where}: 'fil' skal være et filnavn i mappen, der ender på "
                           + " eller ".join(FILE_SUFFIXES))
    if "ark" in entry and not isinstance(entry["ark"], str):
        raise ProfileError(f"{where}: 'ark' skal være arkets navn i anførselstegn")
    columns = _text_table(f"{path.name}: [{name}.kolonner]", entry.get("kolonner", {}))
    chosen: dict[str, str] = {}
    for theirs, ours in columns.items():
        if ours not in spec.column_names:
            raise ProfileError(
                f"{path.name}: [{name}.kolonner] \"{theirs}\": '{ours}' er ingen kolonne i "
                f"{name}; kolonnerne er " + ", ".join(spec.column_names))
        if ours in chosen:
            raise ProfileError(f"{path.name}: [{name}.kolonner]: både \"{chosen[ours]}\" og "
                               f"\"{theirs}\" er sat til '{ours}'; vælg én")
        chosen[ours] = theirs
    ignored = entry.get("ignorer", [])
    if not isinstance(ignored, list) or not all(isinstance(i, str) for i in ignored):
        raise ProfileError(f"{where}: 'ignorer' skal være en liste af overskrifter, "
                           "fx [\"Klasse\", \"Note\"]")
    both = [i for i in ignored if normalize_header(i) in
            {normalize_header(theirs) for theirs in columns}]
    if both:
        raise ProfileError(f"{where}: \"{both[0]}\" står både i kolonner og i ignorer")
    values = entry.get("vaerdier", {})
    if not isinstance(values, dict):
        raise ProfileError(f"{where}: 'vaerdier' skal være tabeller som [{name}.vaerdier.KOLONNE]")
    checked: dict[str, dict[str, str]] = {}
    for column_name, mapping in values.items():
        table = f"{path.name}: [{name}.vaerdier.{column_name}]"
        if column_name not in spec.column_names or not spec.column(column_name).codes:
            coded = [c.name for c in spec.columns if c.codes]
            raise ProfileError(f"{table}: '{column_name}' er ingen kodet kolonne i {name}; "
                               "de kodede er " + ", ".join(coded))
        codes = spec.column(column_name).codes
        for theirs, code in _text_table(table, mapping).items():
            if code and code not in codes:
                raise ProfileError(f"{table} \"{theirs}\": ukendt kode '{code}'; koderne er "
                                   + ", ".join(codes))
        checked[column_name] = dict(mapping)
    reduction = entry.get("flere_raekker", "afvis")
    allowed = reductions_for(name)
    if reduction not in allowed:
        raise ProfileError(f"{where}: 'flere_raekker' skal være en af " + ", ".join(allowed))
    resume = entry.get("genoptaget_inden_maaneder")
    if resume is not None and (name != "frafald" or not isinstance(resume, int)
                               or isinstance(resume, bool) or not 1 <= resume <= 60):
        raise ProfileError(f"{where}: 'genoptaget_inden_maaneder' gælder kun frafald og skal "
                           f"være et helt tal fra 1 til 60 (ministeriets regel: {RESUME_MONTHS})")
    return FileProfile(
        name=name, file=entry["fil"].strip(), sheet=entry.get("ark"),
        columns=dict(columns), ignored=tuple(ignored), values=checked,
        date_format=_check_date_format(f"{where} datoformat", entry["datoformat"])
        if "datoformat" in entry else None,
        reduction=reduction, resume_months=resume)


def _strings(document: object) -> list[str]:
    if isinstance(document, dict):
        return [s for key, item in document.items() for s in (str(key), *_strings(item))]
    if isinstance(document, list):
        return [s for item in document for s in _strings(item)]
    return [document] if isinstance(document, str) else []


def parse_profile(text: str, path: Path) -> Profile:
    """A profile from its TOML text; ProfileError names the entry that is wrong."""
    shown = mask_cpr(path.name)
    # Never echoed: a CPR number anywhere in a profile (a header, a value, a comment: the
    # history keeps the file as written) refuses it whole, before it is even parsed.
    # TOML's lines end at LF alone: splitlines() would also part a line at U+2028, U+0085
    # and the like, and `010190<U+2028>1234` in a comment would be two harmless halves.
    lines = text.split("\n")
    if any(contains_cpr(line) for line in lines) or contains_cpr(path.name):
        number = next((n for n, line in enumerate(lines, start=1)
                       if contains_cpr(line)), 0)
        where = f", linje {number}" if number else " (i filnavnet)"
        raise ProfileError(f"{shown}: profilen indeholder noget, der ligner et CPR-nummer"
                           f"{where}; skriv aldrig CPR-numre i profilen")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{shown}: ugyldig TOML ({mask_cpr(str(error))})") from error
    # The same over the parsed strings: a TOML escape (\u0030) spells a digit no line shows.
    if any(contains_cpr(s) for s in _strings(document)):
        raise ProfileError(f"{shown}: profilen indeholder noget, der ligner et "
                           "CPR-nummer; skriv aldrig CPR-numre i profilen")
    known = {spec.name for spec in ALL_FILES}
    for key in document:
        if key != "navn" and key not in known:
            raise ProfileError(f"{path.name}: ukendt afsnit [{key}]; afsnittene er navn og "
                               + ", ".join(sorted(known)))
    name = document.get("navn", path.stem)
    if not isinstance(name, str):
        raise ProfileError(f"{path.name}: 'navn' skal være en tekst")
    files = {spec.name: _check_file(path, spec.name, document[spec.name])
             for spec in ALL_FILES if spec.name in document}
    if not files:
        raise ProfileError(f"{path.name}: profilen nævner ingen af filerne "
                           + ", ".join(spec.name for spec in ALL_FILES))
    claimed: dict[str, str] = {}
    for profile in files.values():
        if profile.display in claimed:
            raise ProfileError(f"{path.name}: [{profile.name}] og [{claimed[profile.display]}] "
                               f"læser begge {profile.display}")
        claimed[profile.display] = profile.name
    return Profile(path, name, files, text)


def load_profile(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"{path.name}: kan ikke læses ({reason(error)})") from error
    except UnicodeDecodeError as error:
        raise ProfileError(f"{path.name}: er ikke en tekstfil i UTF-8") from error
    return parse_profile(text, path)


# --- writing a profile -----------------------------------------------------------------

def toml_text(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def render_profile(profile: Profile, comments: dict[tuple[str, ...], str] | None = None,
                   header: str = "") -> str:
    """The profile as TOML. `comments` adds a comment after an entry: keyed by (file,
    'kolonner', their header), (file, 'vaerdier', column, their value), (file, field) or
    (file,) for a line before the file's table."""
    notes = comments or {}

    def note(*key: str) -> str:
        return f"  # {notes[key]}" if key in notes else ""

    lines = [header.rstrip()] if header else []
    lines.append(f"navn = {toml_text(profile.name)}")
    for spec in ALL_FILES:
        entry = profile.files.get(spec.name)
        if entry is None:
            continue
        lines.append("")
        if (spec.name,) in notes:
            lines.extend(f"# {line}" for line in notes[(spec.name,)].splitlines())
        lines.append(f"[{spec.name}]")
        lines.append(f"fil = {toml_text(entry.file)}{note(spec.name, 'fil')}")
        if entry.sheet:
            lines.append(f"ark = {toml_text(entry.sheet)}")
        if entry.date_format:
            lines.append(f"datoformat = {toml_text(entry.date_format)}"
                         f"{note(spec.name, 'datoformat')}")
        lines.append(f"flere_raekker = {toml_text(entry.reduction)}"
                     f"{note(spec.name, 'flere_raekker')}")
        if entry.resume_months:
            lines.append(f"genoptaget_inden_maaneder = {entry.resume_months}"
                         f"{note(spec.name, 'genoptaget_inden_maaneder')}")
        # One header a line, as every other text of theirs: two on one line could make a
        # CPR number together (`Kode 010190`, `1234 Note`), which refuses the whole line.
        ignored = "".join(f"\n    {toml_text(i)}," for i in entry.ignored)
        lines.append(f"ignorer = [{ignored}{chr(10) if ignored else ''}]"
                     f"{note(spec.name, 'ignorer')}")
        lines.append(f"[{spec.name}.kolonner]")
        for theirs, ours in entry.columns.items():
            lines.append(f"{toml_text(theirs)} = {toml_text(ours)}"
                         f"{note(spec.name, 'kolonner', theirs)}")
        for column, mapping in entry.values.items():
            lines.append(f"[{spec.name}.vaerdier.{column}]")
            for theirs, code in mapping.items():
                lines.append(f"{toml_text(theirs)} = {toml_text(code)}"
                             f"{note(spec.name, 'vaerdier', column, theirs)}")
    return "\n".join(lines) + "\n"


# --- profiles kept beside the database (the Data page) ---------------------------------

def profile_folder(db_path: Path) -> Path:
    """Where the Data page saves the education team's profiles, beside the database (as
    its history is): offered again at the next upload."""
    return db_path.with_name(f"{db_path.stem}-importprofiler")


def profile_file_name(name: str) -> str:
    """A profile's file name from its name: 'Uddata+ og løn' → 'uddata_og_loen.toml'."""
    stem = re.sub(r"[^a-z0-9_]", "", normalize_header(name)) or "importprofil"
    return f"{stem[:60]}.toml"


def saved_profiles(folder: Path) -> tuple[list[Profile], list[str]]:
    """The valid profiles in `folder`, newest first, and a message for each broken one."""
    if not folder.is_dir():
        return [], []
    profiles, broken = [], []
    for path in sorted(folder.glob("*.toml"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            profiles.append(load_profile(path))
        except ProfileError as error:
            broken.append(str(error))
    return profiles, broken


# --- documentation (docs/data-contract.md, written by etl.templates) -------------------

def profile_markdown() -> list[str]:
    """The section on import profiles, from the fields and choices above."""
    lines = [
        "## Importprofiler (import profiles)",
        "",
        "When a system's export has its own headers, values or rows (EduAdm, Uddata+'s",
        "reports, the payroll system, a hand-kept spreadsheet), an import profile says how its",
        "files are read as the contract's, so nobody retypes them: one TOML file per source,",
        "used with `sosu check MAPPE --profil FIL` and `sosu load MAPPE --profil FIL`, or made",
        "and saved on the Data page (saved beside the database and offered again at the next",
        "upload of the same files). Each load keeps the profile it used in the history with its",
        "files (`importprofil.toml`), and a reload from the history (`sosu reload` or the Data",
        "page's button after an upgrade) reads the files through it again. `sosu profil forslag",
        "MAPPE --out FIL` writes a draft: each file matched to the contract file whose required",
        "columns its headers cover best; each header to a column by the same name after",
        "normalisation, then a known name from another system (`HEADER_SYNONYMS` in",
        "contract.py), then a close match, each with its reason as a comment; every value of a",
        "coded column the contract does not read, with its count and first line and a",
        "suggested code (a known name or a close label), or `\"\"` for the user to fill in.",
        "",
        "A profile reads what a folder without one reads: CSV files (UTF-8 or Windows-1252;",
        "comma, semicolon or tab), `.xlsx` and `.ods` spreadsheets (a file, or one sheet of it",
        "with `ark`), a header row below a title line (found among the first "
        f"{HEADER_SEARCH_LINES} lines",
        "by the headers the profile names; messages keep the file's own line numbers), date",
        "cells, and Excel serial numbers in date columns. One file uses one date convention:",
        "without `datoformat` the file's first date sets it; with `datoformat` the format is",
        "the convention (a workbook's date cells are written in it). Either way the first date",
        "written otherwise is refused with its line and header, on both load paths: a file",
        "that writes 01/02/2021 beside 01-02-2021 may have been put together from a day-first",
        "and a month-first source.",
        "",
        "The profile only renames and maps: the files then pass the same rules as any folder,",
        "and every problem names the user's own file, line and header. Files the profile does",
        "not name are read by the contract's names. A profile is checked like the targets",
        "file: a broken one is refused with a message naming its entry; a value still mapped",
        "to `\"\"` makes `sosu check` list every unmapped value with its count and first line.",
        "",
        "Per contract file, a table `[fil]` with:",
        "",
        "| felt | betydning |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | {text} |" for name, text in FILE_FIELDS.items()]
    lines += ["", "`flere_raekker` (several rows per student, or per student and month):", ""]
    lines += [f"- `{name}`: {text}." for name, text in REDUCTIONS.items()]
    lines += [
        "",
        "Rows are ordered by the file's date (" + ", ".join(
            f"{name}: `{column}`" for name, column in ORDER_DATE.items()) + "); a student",
        "whose rows include an unreadable date or key is left whole, for the rules to report.",
        "With `genoptaget_inden_maaneder = 15` in `[frafald]`, the ministry's rule applies: a",
        "dropout followed by a new spell of the same student and programme in `elever` within",
        "15 months is no dropout; its row is dropped before the rules run. (`elever` then",
        "holds a row per spell: `flere_raekker = \"foerste\"` keeps the first hire, so the",
        "student stays in the cohort of the first spell.) A spell begun more than 15 months",
        "later is a new start the contract's one row per student and programme cannot hold:",
        "the dropout stands, and a later completion is refused as both.",
        "",
        "Date formats: " + ", ".join(f"`{f}`" for f in DATE_FORMAT_EXAMPLES) + " (`TT`, `mm`,",
        "`ss`: hours, minutes, seconds, ignored; a format that writes a date and time as a",
        "CPR number, such as `DDMMÅÅ-TTmm`, is refused). Values are matched as written,",
        "trimmed, in any case. Every cell is checked for CPR numbers: in columns the profile",
        "ignores, and in rows a reduction leaves out or adds up (the history keeps the files",
        "as given). A contract-named file beside the one the profile reads for it (an",
        "`elever.csv` beside `Elevforloeb.csv`) is refused: it would be kept unread.",
        "A draft (`sosu profil forslag`) and the Data page refuse a file whose name, or one of",
        "whose headers, holds a CPR number: a profile never names one. Example:",
        "",
        "```toml",
        'navn = "Elevadministration"',
        "",
        "[frafald]",
        'fil = "Afgange.csv"',
        'flere_raekker = "seneste"',
        "genoptaget_inden_maaneder = 15",
        'ignorer = ["Klasse"]',
        "[frafald.kolonner]",
        '"CPR/Elev-nr" = "elev_id"',
        '"Uddannelsesretning" = "uddannelse"',
        '"Afgangsdato" = "frafald_dato"',
        '"Afgangsårsag" = "aarsag"',
        '"Forløbsdel" = "fase"',
        "[frafald.vaerdier.aarsag]",
        '"Personlige forhold" = "privatliv"',
        '"Udvandret" = ""  # ikke oversat endnu: sosu check viser antal og første linje',
        "```",
        "",
    ]
    return lines
