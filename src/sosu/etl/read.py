"""Find the five contract files in a folder and stage each as an all-text DuckDB table.

Every staged table has the contract's column names, a `_line` column with the
line number a spreadsheet shows (a title above the header keeps its lines), and
nothing typed yet: typing is set-wise SQL in etl.validate, the rules are etl.rules.
Both load paths read CSV through read_csv below.

A file read through an import profile (etl.profiled) is read here too: read_file and
inspect_csv take a HeaderRule, which says how the header is found among the first lines
and what its cells are called (the contract's names here, the user's in a profile), so
encodings, delimiters, titles, empty lines and workbook cells are handled once.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from xml.etree.ElementTree import ParseError

import duckdb
from python_calamine import CalamineError

from sosu.domain.contract import FILES, FILES_BY_NAME, GUIDE_SHEET, FileSpec, normalize_header
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.domain.oserror import reason
from sosu.etl.problems import Problem
from sosu.etl.workbook import (
    WORKBOOK_EXTENSIONS,
    WorkbookRefused,
    is_workbook,
    sheet_names,
    sheet_rows,
)
from sosu.etl.workbook_cpr import cpr_places
from sosu.store import scratch

EXTENSIONS = (".csv", *WORKBOOK_EXTENSIONS)


@dataclass(frozen=True)
class Source:
    spec_name: str
    path: Path
    sheet: str | None = None

    @property
    def display(self) -> str:
        """The name stored in the database, shown on the Data page and logged: a CPR number
        in a file or sheet name is masked there (the file itself loads as usual)."""
        name = f"{self.path.name}[{self.sheet}]" if self.sheet else self.path.name
        return mask_cpr(name)


def find_sources(folder: Path) -> tuple[dict[str, Source], list[Problem]]:
    """Map contract file names to files (or workbook sheets) in `folder`."""
    if not folder.is_dir():
        return {}, [Problem(str(folder), 0, "", "mappen findes ikke")]
    candidates = sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in EXTENSIONS and not p.name.startswith((".", "~$"))
    )
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    workbooks: list[Path] = []
    for path in candidates:
        name = normalize_header(path.stem)
        if name in FILES_BY_NAME:
            if name in sources:
                problems.append(Problem(path.name, 0, "", (
                    f"'{name}' findes to gange ({sources[name].path.name} og {path.name}); "
                    "behold kun den ene")))
            sources[name] = Source(name, path)
        elif is_workbook(path):
            workbooks.append(path)
        else:
            problems.append(Problem(path.name, 0, "", _unknown_file_message()))
    for book in workbooks:
        sheets, sheet_problems = _workbook_sheets(book)
        problems += sheet_problems
        for name, sheet in sheets.items():
            if name in sources:
                problems.append(Problem(book.name, 0, "", (
                    f"arket '{sheet}' findes også som {sources[name].display}")))
            else:
                sources[name] = Source(name, book, sheet)
    for spec in FILES:
        if spec.name not in sources:
            problems.append(Problem(f"{spec.name}.csv", 0, "", (
                f"filen mangler: læg {spec.name}.csv, {spec.name}.xlsx eller {spec.name}.ods "
                "i mappen, eller et ark med det navn i en samlet projektmappe (.xlsx eller "
                ".ods)")))
    return sources, problems + unread(folder, sources, problems)


UNREAD = ("denne fil bliver ikke læst (en anden fil giver de samme data), men ville blive gemt "
          "i historikken, som den er; flyt den ud af mappen")


def unread(folder: Path, sources: dict[str, Source], problems: list[Problem]
           ) -> list[Problem]:
    """A problem for each file of `folder` that a load keeps in its history (every data
    file, etl.history) but no source reads, unless a problem names it already: a second
    `elever` beside the one a profile reads would be kept unread, and so unchecked for CPR
    numbers."""
    read_paths = {source.path for source in sources.values()}
    named = {problem.file.split("[", 1)[0] for problem in problems}
    return [Problem(path.name, 0, "", UNREAD) for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix.lower() in EXTENSIONS
            and not path.name.startswith((".", "~$"))
            and path not in read_paths and path.name not in named]


CPR_IN_WORKBOOK = ("indeholder noget, der ligner et CPR-nummer: {places}; skriv aldrig "
                   "CPR-numre i filerne (heller ikke i ark, celler, kommentarer eller "
                   "egenskaber, der ikke indlæses: filen gemmes, som den er)")


def workbook_cpr_problems(sources: Iterable[Source], *,
                          unreadable: bool = True) -> list[Problem]:
    """A CPR number anywhere in a workbook that is read, not only in the cells read
    (etl.workbook_cpr): the history keeps the file as given. A part that cannot be read
    cannot be vouched for either, so it refuses the file too (unless not `unreadable`:
    where reading the file has refused it already)."""
    problems = []
    for path in sorted({source.path for source in sources if is_workbook(source.path)}):
        try:
            places = cpr_places(path)
        except (zipfile.BadZipFile, ParseError, OSError, ValueError, EOFError):
            if not unreadable:
                continue
            places = ["en del af filen, der ikke kan læses; gem den igen fra regnearket"]
        if places:
            problems.append(Problem(mask_cpr(path.name), 0, "",
                                    CPR_IN_WORKBOOK.format(places="; ".join(places))))
    return problems


def _unknown_file_message() -> str:
    expected = ", ".join(f.name for f in FILES)
    return f"ukendt fil; forventede filnavne er {expected}"


def _workbook_sheets(book: Path) -> tuple[dict[str, str], list[Problem]]:
    try:
        names = sheet_names(book)
    except WorkbookRefused as refused:
        return {}, [Problem(book.name, 0, "", str(refused))]
    except Exception:  # openpyxl and calamine raise many types for damaged files
        return {}, [Problem(book.name, 0, "", _unreadable_workbook(book))]
    sheets: dict[str, str] = {}
    problems = []
    for sheet in names:
        name = normalize_header(sheet)
        if name in FILES_BY_NAME:
            sheets[name] = sheet
        elif name != normalize_header(GUIDE_SHEET):
            problems.append(Problem(f"{book.name}[{sheet}]", 0, "", _unknown_file_message()))
    return sheets, problems


def _unreadable_workbook(path: Path) -> str:
    kind = "regneark (.ods)" if path.suffix.lower() == ".ods" else "Excel-fil (.xlsx)"
    return f"kan ikke åbnes som {kind}; er den beskadiget eller i et andet format?"


def stage(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> list[Problem]:
    """Create `table` (all VARCHAR + `_line`) from one source; return problems."""
    spec = FILES_BY_NAME[source.spec_name]
    found = read_file(con, source, ContractHeader(spec), f"{table}_file")
    if isinstance(found, list):
        return found
    names = list(found.names)
    selected = ", ".join(_column_or_null(c.name, names) for c in spec.columns)
    # In the file's order without a sort: insertion order is preserved.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT _line, {selected} "
        f"FROM {table}_file WHERE NOT ({_all_empty(names)})")
    con.execute(f"DROP TABLE {table}_file")
    return []


def read_file(con: duckdb.DuckDBPyConnection, source: Source, rule: HeaderRule, table: str
              ) -> CsvFile | SheetTable | list[Problem]:
    """Create `table` from a CSV file or a workbook's sheet: the header found and named by
    `rule`, every column as text under its staged name, and `_line`, the line (or row) a
    spreadsheet shows; or the problems that stop the file."""
    if is_workbook(source.path):
        return _read_sheet(con, source, rule, table)
    found = inspect_csv(source, rule)
    return found if isinstance(found, list) else _read_csv_lines(con, found, table)


def _map_header(
    raw_names: list[str], spec: FileSpec, display: str, line: int = 1
) -> tuple[list[str], list[Problem]]:
    """Normalise header names and check them against the contract; `line` is the header's
    line in the file."""
    names = [normalize_header(n) for n in raw_names]
    problems = []
    seen: set[str] = set()
    for raw, name in zip(raw_names, names, strict=True):
        if not name:
            problems.append(Problem(display, line, raw or "(tom)",
                                    "kolonnen har ingen overskrift"))
        elif name not in spec.column_names:
            problems.append(Problem(display, line, raw, (
                "ukendt kolonne; forventede kolonner er " + ", ".join(spec.column_names))))
        elif name in seen:
            problems.append(Problem(display, line, raw, "kolonnen findes to gange"))
        seen.add(name)
    for column in spec.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(display, line, column.name, "kolonnen mangler"))
    return names, problems


# Reports often put a title, a date or a blank line or two above their header.
HEADER_SEARCH_LINES = 20
# Lines above the header and a sheet's cells right of it are no column's, yet the history
# keeps the file as given: a CPR number there refuses the file like one in a cell.
CPR_OUTSIDE_COLUMNS = ("indeholder noget, der ligner et CPR-nummer; skriv aldrig CPR-numre "
                       "i filerne (heller ikke over overskriften eller uden for kolonnerne)")
CPR_HEADER = ("overskriften ligner et CPR-nummer; skriv aldrig CPR-numre i filerne, heller "
              "ikke som overskrift")


def header_cpr(cells: list[str], display: str, line: int) -> list[Problem]:
    """Each header cell that holds a CPR number, searched as written: a header's names
    are compared normalised, and normalize_header drops what is not ASCII (`elev_id
    ٠١٠١٩٠-١٢٣٤` reads as elev_id). Cell by cell: two harmless headers side by side
    (`Kode 010190`, `1234 Note`) are two columns."""
    return [Problem(display, line, mask_cpr(cell), CPR_HEADER)
            for cell in cells if contains_cpr(cell)]


class HeaderRule(Protocol):
    """How a file's header is found among its first lines and read: by the contract's
    column names (ContractHeader), or by an import profile's (etl.profiled)."""

    @property
    def date_columns(self) -> frozenset[str]:
        """Staged names of the date columns: a number cell there is an Excel serial date."""

    @property
    def expected(self) -> list[str]:
        """The headers the rule knows, for the message when no header is found."""

    def find(self, lines: list[list[str]]) -> int | None:
        """Which of the first lines is the header (find_header), None if none is."""

    def names(self, cells: list[str], display: str, line: int
              ) -> tuple[list[str], list[Problem]]:
        """The header's cells → staged names, and the problems with them (named at `line`,
        the header's line in the file)."""

    def date_text(self, day: dt.date) -> str:
        """A date cell as text (the text path then reads it as any date)."""


def find_header(lines: list[list[str]], names: Iterable[str]) -> int | None:
    """Which of a file's first lines is its header, by how many of a line's cells are
    among the header `names` (after normalisation): the first line if it names any (a
    header with mistakes in it is reported as such), otherwise the first of the next lines
    that names at least two (a title line names none, a line of data none or by chance
    one). None if no line does."""
    if not lines:
        return None
    wanted = {normalize_header(name) for name in names}

    def known(cells: list[str]) -> int:
        return len({normalize_header(cell) for cell in cells} & wanted)

    if known(lines[0]):
        return 0
    for index, names in enumerate(lines[1:HEADER_SEARCH_LINES], start=1):
        if known(names) >= 2:
            return index
    return None


@dataclass(frozen=True)
class ContractHeader:
    """A header in the contract's column names (a folder read without a profile)."""

    spec: FileSpec

    @property
    def date_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in self.spec.columns if c.kind == "date")

    @property
    def expected(self) -> list[str]:
        return list(self.spec.column_names)

    def find(self, lines: list[list[str]]) -> int | None:
        return find_header(lines, self.spec.column_names)

    def names(self, cells: list[str], display: str, line: int
              ) -> tuple[list[str], list[Problem]]:
        return _map_header(cells, self.spec, display, line)

    def date_text(self, day: dt.date) -> str:
        return day.isoformat()


def _no_header(rule: HeaderRule, lines: list[list[str]], display: str) -> list[Problem]:
    """No header found: what is wrong with the first line, and that none was found."""
    _names, problems = rule.names(lines[0] if lines else [], display, 1)
    expected = f" og bruge kolonnenavnene ({', '.join(rule.expected)})" if rule.expected else ""
    return [*problems, Problem(display, 0, "", (
        f"fandt ingen overskriftslinje i de første {HEADER_SEARCH_LINES} linjer: overskriften "
        f"skal stå lige over dataene{expected}"))]


CHUNK = 1 << 23  # files are checked in 8 MiB pieces: a national file never sits in memory
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvFile:
    """A CSV file whose header matches the contract, ready for DuckDB's read_csv."""

    path: Path
    display: str
    names: list[str]
    delimiter: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "latin-1" or "cp1252" (_windows_1252)
    skip: int = 0  # lines above the header (a report's title): the header is line skip + 1
    # Empty lines (which read_csv passes over without a row), by line number: the rows
    # after one are a line further down than their count says (whole-file scans only).
    blank_lines: tuple[int, ...] = ()
    headers: tuple[str, ...] = ()  # the header's cells as written (names: as staged)

    @property
    def read_in_place(self) -> bool:
        """Can read_csv read the file itself? UTF-8 with a byte order mark too (Excel's
        "CSV UTF-8"): read_csv passes over the mark, and any mark after it stands in the
        header or a title line above it, which both load paths skip (header = true); and
        Windows-1252 text that is Latin-1 as well (read_csv's own `latin-1`). So no copy
        of millions of sick-leave lines is made."""
        return self.encoding in ("utf-8", "utf-8-sig", "latin-1")


@dataclass
class _Scan:
    has_content: bool = False
    binary: bool = False
    utf16: bool = False  # binary, and begins with a UTF-16 or UTF-32 byte order mark
    bom: bool = False
    utf8: bool = True
    first_lines: list[bytes] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)


_BLANK = re.compile(rb"\n\r?(?=\n)")  # a line break followed by an empty line


class _BlankLines:
    """The numbers of the empty lines of a file read in pieces (a pair of line breaks may
    straddle two pieces: the last two bytes of each piece are looked at again)."""

    def __init__(self) -> None:
        self.found: list[int] = []
        self._carry = b""
        self._newlines = 0  # line breaks before the carried bytes

    def add(self, chunk: bytes) -> None:
        buffer = self._carry + chunk
        counted, position = self._newlines, 0
        for match in _BLANK.finditer(buffer):
            counted += buffer.count(b"\n", position, match.start())
            position = match.start()
            line = counted + 2  # the line after the break at match.start()
            if not self.found or line > self.found[-1]:
                self.found.append(line)
        self._carry = buffer[-2:]
        self._newlines += buffer.count(b"\n", 0, len(buffer) - len(self._carry))


def _scan(path: Path, whole_file: bool = True) -> _Scan:
    """One pass over the file: empty?, binary?, valid UTF-8?, and its first lines (where
    the header is looked for).

    Danish Excel writes UTF-8 (often with BOM) or Windows-1252; DuckDB reads UTF-8 and
    Latin-1 only (cp1252 needs a download), so the encoding is settled here, in pieces.
    Without `whole_file` only the first piece is read: the fast path lets read_csv,
    which rejects every line that is not UTF-8, check the rest.
    """
    scan = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    complete = False  # the first lines are read
    blanks = _BlankLines()
    with open(path, "rb") as handle:
        chunk = handle.read(CHUNK)
        ended = len(chunk) < CHUNK
        scan.binary = b"\x00" in chunk[:65536]
        scan.utf16 = scan.binary and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        scan.bom = chunk.startswith(_BOM)
        pending = b""
        while chunk:
            scan.has_content = scan.has_content or bool(chunk.strip())
            if whole_file:
                blanks.add(chunk)
            if scan.utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    scan.utf8 = False
            if not complete:
                pending += chunk
                complete = pending.count(b"\n") >= HEADER_SEARCH_LINES
            # Without whole_file: the first piece, or as much as holds the first line.
            if not (whole_file or b"\n" not in pending):
                break
            chunk = handle.read(CHUNK)
            ended = len(chunk) < CHUNK
    if scan.utf8 and whole_file:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.utf8 = False
    lines = pending.split(b"\n")
    if not ended and len(lines) > 1:  # `ended`: the last piece read was the file's end
        lines.pop()  # cut off where the piece ended: a part of a line is no header
    scan.first_lines = lines[:HEADER_SEARCH_LINES]
    scan.blank_lines = blanks.found
    return scan


def _all_bytes_but(low: int, high: int) -> bytes:
    """For bytes.translate's `delete`: what is left of a piece is its bytes low to high,
    found at the speed of a copy (a regex search over a national file took seconds)."""
    return bytes(b for b in range(256) if not low <= b <= high)


# The bytes Windows-1252 reads otherwise than Latin-1 (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” •
# – — ˜ ™ š › œ ž Ÿ, and five it leaves undefined); Danish letters are the same in both,
# and every other byte is defined in both.
_BUT_WINDOWS_ONLY = _all_bytes_but(0x80, 0x9F)


def _windows_1252(path: Path) -> str | None:
    """How a file that is not UTF-8 is read as Windows-1252: "latin-1" when none of its
    bytes reads otherwise in Latin-1 (read_csv then reads the file itself), "cp1252" when
    some do (the file is copied as UTF-8 first), None when it is no Windows-1252 text."""
    encoding = "latin-1"
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if not chunk.translate(None, _BUT_WINDOWS_ONLY):
                continue  # no byte that reads otherwise, none that is undefined
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError:
                return None
            encoding = "cp1252"
    return encoding


# A character UTF-8 writes as several bytes. A file that is not valid UTF-8 as a whole is
# read as Windows-1252; one holding such a sequence too mixes the two, and read as
# Windows-1252 a UTF-8 space or dash between a CPR number's parts becomes letters
# (`010190Â 1234`): refused. Danish Windows-1252 text never has these byte pairs (a
# letter such as Å is followed by an ASCII character, not by 0x80–0xBF).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")
_BUT_CONTINUATION = _all_bytes_but(0x80, 0xBF)
MIXED_ENCODINGS = ("blander tegnsæt: noget er gemt som UTF-8, resten som Windows-1252 "
                   "(ANSI); gem hele filen igen som CSV UTF-8")


def _first_utf8_line(path: Path) -> int | None:
    """The line of the first UTF-8 multi-byte character of a file read as Windows-1252."""
    lines, carry = 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            buffer = carry + chunk
            # Every such character has a byte 0x80-0xBF after its first: most Danish
            # Windows-1252 text has none (æ ø å are 0xE5-0xF8), and needs no search.
            found = (_UTF8_SEQUENCE.search(buffer)
                     if buffer.translate(None, _BUT_CONTINUATION) else None)
            if found:
                return lines + buffer.count(b"\n", 0, found.start()) + 1
            carry = buffer[-3:]  # a sequence may straddle two pieces
            lines += buffer.count(b"\n", 0, len(buffer) - len(carry))
    return None


# A line break of CR alone (Excel for Mac's "CSV (Macintosh)", old Mac programs): the
# lines cannot be told apart where each reader splits them differently.
LONE_CARRIAGE_RETURN = ("bruger linjeskift af typen CR alene (som \"CSV (Macintosh)\" fra "
                        "Excel til Mac); gem filen igen som \"CSV UTF-8\"")

OPEN_QUOTE_ABOVE = ("et anførselstegn (\") i eller over overskriften åbner en celle, der "
                    "fortsætter på næste linje; slet anførselstegnet (eller linjerne over "
                    "overskriften)")


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


def inspect_csv(source: Source, rule: HeaderRule, whole_file: bool = True
                ) -> CsvFile | list[Problem]:
    """Encoding, delimiter and header of a CSV source (the header found by `rule` among
    the first lines), or the problems that stop it.

    Without `whole_file` the encoding is judged on the first piece of the file only
    (see _scan): for the fast path, whose read_csv checks the rest."""
    display = source.display
    try:
        scan = _scan(source.path, whole_file)
        encoding = ("utf-8-sig" if scan.bom else "utf-8") if scan.utf8 else (
            _windows_1252(source.path))
    except OSError as error:
        return [Problem(display, 0, "", f"kan ikke læses ({reason(error)})")]
    if not scan.has_content:
        return [Problem(display, 0, "", "filen er tom; den skal mindst have en overskriftslinje")]
    if scan.utf16:
        return [Problem(display, 0, "", "er gemt som UTF-16 (\"Unicode-tekst\"); gem den som "
                        "\"CSV UTF-8\"")]
    if scan.binary:
        return [Problem(display, 0, "", "er ikke en tekstfil (CSV); gem den som CSV eller .xlsx")]
    if encoding is None:
        return [Problem(display, 0, "", "ukendt tegnsæt; gem filen som CSV UTF-8")]
    if encoding in ("latin-1", "cp1252") and (
            mixed := _first_utf8_line(source.path)) is not None:
        return [Problem(display, mixed, "", MIXED_ENCODINGS)]
    texts = [line.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r")
             for line in scan.first_lines]
    if (lone := next((number for number, text in enumerate(texts, start=1)
                      if "\r" in text), None)) is not None:
        return [Problem(display, lone, "", LONE_CARRIAGE_RETURN)]
    delimiters = [_sniff_delimiter(text) for text in texts]
    try:
        lines = [next(csv.reader([text], delimiter=d), []) for text, d in
                 zip(texts, delimiters, strict=True)]
    except csv.Error:  # a field over csv's limit (131,072 characters) among the first lines
        return [Problem(display, 0, "", "en af de første linjer har en celle på over 100.000 "
                        "tegn; er det en CSV-fil med elevdata?")]
    skip = rule.find(lines)
    if skip is None:
        return _no_header(rule, lines, display)
    above = [Problem(display, number, "", CPR_OUTSIDE_COLUMNS)
             for number, text in enumerate(texts[:skip], start=1) if contains_cpr(text)]
    above += header_cpr(lines[skip], display, skip + 1)
    # read_csv skips rows, not lines: a title whose quote runs on to the next line is one
    # row to it, and it would take the line after the header for the header (and no rule
    # would ever see that line). No line above the header, nor the header, may leave a
    # quote open.
    above += [Problem(display, number, "", OPEN_QUOTE_ABOVE)
              for number, text in enumerate(texts[:skip + 1], start=1) if text.count('"') % 2]
    if above:
        return sorted(above, key=lambda problem: problem.line)
    names, problems = rule.names(lines[skip], display, skip + 1)
    if problems:
        return problems
    return CsvFile(source.path, display, names, delimiters[skip], encoding, skip,
                   tuple(line for line in scan.blank_lines if line > skip + 1),
                   tuple(lines[skip]))


@contextlib.contextmanager
def readable_file(found: CsvFile) -> Iterator[tuple[Path, str]]:
    """Yield a path read_csv can read and the encoding to read it in (read_csv's name);
    a temporary UTF-8 copy is always removed."""
    if found.read_in_place:
        yield found.path, "latin-1" if found.encoding == "latin-1" else "utf-8"
        return
    fd, name = tempfile.mkstemp(suffix=".csv", prefix=scratch.prefix(), dir=scratch.folder())
    try:
        with os.fdopen(fd, "wb") as target, open(found.path, "rb") as source:
            stripping = found.encoding == "utf-8-sig"
            while chunk := source.read(CHUNK):
                if found.encoding == "cp1252":
                    chunk = chunk.decode("cp1252").encode("utf-8")
                elif stripping:
                    while chunk.startswith(_BOM):  # every leading BOM goes
                        chunk = chunk[len(_BOM):]
                    stripping = not chunk
                target.write(chunk)
        yield Path(name), "utf-8"
    finally:
        os.unlink(name)


ISO_DATE = "%Y-%m-%d"


def decimal_separator(delimiter: str) -> str:
    """A semicolon-separated file is a Danish export with decimal commas."""
    return "," if delimiter == ";" else "."


def read_csv(path: Path, delimiter: str, columns: dict[str, str], rejects: str, *,
             dateformat: str = ISO_DATE, skip: int = 0, encoding: str = "utf-8"
             ) -> tuple[str, list[object]]:
    """The read_csv call of both load paths, as SQL and its parameters.

    Nothing is guessed (the header was checked, the types are given), quotes are the
    CSV standard's, and a line that cannot be read is not padded or skipped but recorded
    in the table `rejects` (and `rejects`_scan), which the caller reads and drops. Dates
    and decimals matter only for columns typed as DATE or DOUBLE (the fast path). `skip`
    lines above the header are passed over (the rejects' lines still count them).
    `encoding`: read_csv's name for it (readable_file)."""
    sql = f"""read_csv(?, delim = ?, header = true, skip = {int(skip)}, quote = '"', escape = '"',
        columns = ?, auto_detect = false, store_rejects = true,
        rejects_table = '{rejects}', rejects_scan = '{rejects}_scan',
        null_padding = false, strict_mode = true, dateformat = ?, decimal_separator = ?,
        encoding = ?)"""
    return sql, [str(path), delimiter, columns, dateformat, decimal_separator(delimiter),
                 encoding]


def _read_csv_lines(con: duckdb.DuckDBPyConnection, found: CsvFile, table: str
                   ) -> CsvFile | list[Problem]:
    """Create `table`: every column of the file as text under its staged name, and `_line`,
    the line a spreadsheet shows; or the problems (the lines read_csv cannot read)."""
    names, display = found.names, found.display
    with readable_file(found) as (path, encoding):
        reader, parameters = read_csv(path, found.delimiter,
                                      {name: "VARCHAR" for name in names},
                                      f"{table}_rejects", skip=found.skip, encoding=encoding)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_read AS SELECT * FROM {reader}",
                        parameters)
            # A line short of fields is one reject per missing column: one problem a line.
            rejects = con.execute(
                f"SELECT line, min(error_type) FROM {table}_rejects GROUP BY line "
                "ORDER BY line LIMIT 200"
            ).fetchall()
        except duckdb.Error:
            return [Problem(display, 0, "", "kan ikke læses som CSV (afkortet eller beskadiget?)")]
        finally:
            for leftover in (f"{table}_rejects", f"{table}_rejects_scan"):
                with contextlib.suppress(duckdb.Error):  # after an error: nothing to drop
                    con.execute(f"DROP TABLE IF EXISTS {leftover}")
    if rejects:
        con.execute(f"DROP TABLE {table}_read")
        return [Problem(display, int(line), "", _reject_message(kind, len(names)))
                for line, kind in rejects]
    _number_lines(con, table, found)
    return found


def _number_lines(con: duckdb.DuckDBPyConnection, table: str, found: CsvFile) -> None:
    """`table` from `table`_read with each row's line in the file.

    Insertion order is preserved, so a row's rowid counted from the first row + 2 (and
    the lines above the header) is the spreadsheet line number. Counted from the first:
    inside a transaction (sosu load is one) rows not yet committed are numbered from a
    large offset, not from 0. The j-th empty line below the header (0-based, line b) comes
    after b - header - 1 - j rows: every row from there on lies one line further down (an
    ASOF join counts the empty lines above each row)."""
    header = found.skip + 1
    rows = (f"(SELECT rowid - (SELECT min(rowid) FROM {table}_read) AS _row, * "
            f"FROM {table}_read)")
    base = f"_row + {header + 1}"
    if not found.blank_lines:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT ({base})::BIGINT AS _line,"
                    f" * EXCLUDE (_row) FROM {rows} ORDER BY _row")
    else:
        # Empty lines in a row share their first row: the last counts them all.
        gaps = list({line - header - 1 - index: index + 1
                     for index, line in enumerate(found.blank_lines)}.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_gaps (from_row BIGINT, above INT)")
        con.executemany(f"INSERT INTO {table}_gaps VALUES (?, ?)", gaps)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT "
            f"({base} + coalesce(g.above, 0))::BIGINT AS _line, r.* EXCLUDE (_row) "
            f"FROM {rows} AS r ASOF LEFT JOIN {table}_gaps AS g ON r._row >= g.from_row "
            "ORDER BY r._row")
        con.execute(f"DROP TABLE {table}_gaps")
    con.execute(f"DROP TABLE {table}_read")


def _reject_message(error_type: str, expected: int) -> str:
    if error_type in ("TOO MANY COLUMNS", "TOO FEW COLUMNS", "MISSING COLUMNS"):
        return f"linjen har ikke {expected} felter som overskriften"
    if error_type == "UNQUOTED VALUE":
        return "citationstegn (\") står forkert i linjen"
    return "linjen kan ikke læses"


def cell_text(name: str) -> str:
    """SQL: a cell's text as every path reads it: without the spaces around it (DuckDB's
    trim takes every space separator, the no-break space too), NULL when nothing is left.
    (Trimming only cells with a space at an end was tried for speed: testing the ends for
    the 17 space separators cost more than the trim.)"""
    return f"nullif(trim({name}), '')"


def _column_or_null(name: str, present: list[str]) -> str:
    return f"{cell_text(name)} AS {name}" if name in present else f"NULL::VARCHAR AS {name}"


def _all_empty(names: list[str]) -> str:
    return " AND ".join(f"coalesce(trim({n}), '') = ''" for n in names)


@dataclass(frozen=True)
class SheetTable:
    """A sheet read into a table: staged names, and the header's cells as written."""

    display: str
    names: list[str]
    headers: tuple[str, ...]


Rows = list[tuple[int, tuple[object, ...]]]


def _sheet_lines(source: Source) -> tuple[Rows, list[Problem]]:
    """(line, values) of every row with content of a workbook's sheet, or the problem that
    stops it (a limit, a damaged file, an empty sheet)."""
    display = source.display
    try:
        rows = list(sheet_rows(source.path, source.sheet))
    except WorkbookRefused as refused:
        return [], [Problem(display, 0, "", str(refused))]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, CalamineError,
            ParseError):  # ParseError: a part of the zip is not well-formed XML
        return [], [Problem(display, 0, "", _unreadable_workbook(source.path))]
    if not rows:
        return [], [Problem(display, 0, "", "arket er tomt; det skal mindst have en "
                            "overskriftslinje")]
    return rows, []


def _read_sheet(con: duckdb.DuckDBPyConnection, source: Source, rule: HeaderRule, table: str
               ) -> SheetTable | list[Problem]:
    """Create `table` from a workbook's sheet, as _read_csv_lines from a CSV file: the
    header found by `rule`, every column as the text a CSV export would hold under its
    staged name, and `_line`, the sheet's row number."""
    display = source.display
    lines, refused = _sheet_lines(source)
    if refused:
        return refused
    headers = [_header_cells(values) for _, values in lines[:HEADER_SEARCH_LINES]]
    found = rule.find(headers)
    if found is None:
        return _no_header(rule, headers, display)
    names, problems = rule.names(headers[found], display, lines[found][0])
    problems = header_cpr(headers[found], display, lines[found][0]) or problems
    if problems:
        return problems
    data = lines[found + 1:]
    outside = [Problem(display, line, "", CPR_OUTSIDE_COLUMNS)
               for line, values in [*lines[:found], *((n, v[len(names):]) for n, v in data)]
               if any(contains_cpr(_cell_text(values, i)) for i in range(len(values)))]
    if outside:
        return outside
    dates = rule.date_columns
    records = {
        "_line": [line for line, _ in data],
        **{name: [_cell_text(values, i, date=name in dates, date_text=rule.date_text)
                  for _, values in data]
           for i, name in enumerate(names)},
    }
    import pandas as pd  # only for a workbook's sheet: a CSV load does without it

    frame = pd.DataFrame(records).astype({n: "object" for n in names})
    con.register(f"{table}_frame", frame)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT _line::BIGINT AS _line, "
        f"{', '.join(f'{n}::VARCHAR AS {n}' for n in names)} FROM {table}_frame ORDER BY _line")
    con.unregister(f"{table}_frame")
    return SheetTable(display, names, tuple(headers[found]))


def _header_cells(values: tuple[object, ...]) -> list[str]:
    """A row as header names, without the empty cells a sheet has right of its columns."""
    cells = ["" if value is None else str(value) for value in values]
    while cells and cells[-1].strip() == "":
        cells.pop()
    return cells


def _cell_text(values: tuple[object, ...], index: int, date: bool = False,
              date_text: Callable[[dt.date], str] = dt.date.isoformat) -> str | None:
    """Spreadsheet cells → the text a CSV export would hold: a date cell as `date_text`
    writes it (ÅÅÅÅ-MM-DD), whole numbers bare. A number in a date column is a date whose
    format was lost (an Excel serial number): its time of day, if any, is dropped, and the
    text path reads the whole number as a date (rules.EXCEL_SERIAL)."""
    value = values[index] if index < len(values) else None
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return date_text(value.date())
    if isinstance(value, dt.date):
        return date_text(value)
    if date and isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value):
        return str(math.floor(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
