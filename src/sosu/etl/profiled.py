"""Reading a folder through an import profile (etl.profile).

The profile is applied in the read layer: the user's file is read as text with the
user's headers, each column renamed to its contract column (ignored ones are only
checked for CPR numbers), value maps and the date format applied, and several rows per
student reduced. What comes out are the same staged tables (raw_<file>, text) the
text path builds from a canonical folder, or the same final tables the fast path builds
from clean CSV files: the one rule table (etl.rules) then checks them as it checks any
folder, and problems are reported with the user's file, line and header.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from sosu.domain.contract import FILES_BY_NAME, Column, FileSpec, normalize_header
from sosu.domain.cpr import contains_cpr, mask_cpr, sql_candidate
from sosu.etl import read
from sosu.etl.problems import Problem
from sosu.etl.profile import ROW_KEY, FileProfile, Profile, strptime_format
from sosu.etl.rules import cpr_cells, date_rule_sql, sql_text
from sosu.etl.validate import date_columns
from sosu.etl.workbook import is_workbook
from sosu.store import scratch

if TYPE_CHECKING:
    import pandas as pd

IGNORED = "_ignoreret_"  # staged name of an ignored column: _ignoreret_<position>


# --- finding the files -----------------------------------------------------------------

def find_sources(folder: Path, profile: Profile) -> tuple[dict[str, read.Source], list[Problem]]:
    """The contract files in `folder`: those the profile names, read as it says, and any
    other file named as the contract names it (a profile may cover only some files)."""
    sources, problems = read.find_sources(folder)
    claimed = profile.claims()
    # The canonical search's complaints about files the profile reads, or about contract
    # files the profile provides, do not apply.
    problems = [p for p in problems
                if p.file.split("[", 1)[0] not in claimed
                and not (p.line == 0 and p.file.rsplit(".", 1)[0] in profile.files)]
    for name, entry in profile.files.items():
        path = folder / entry.file
        shadowed = sources.get(name)
        if shadowed is not None and shadowed.path != path:
            # The history keeps every file of the folder that could be read: one the
            # profile passes over would be kept unread (and unchecked for CPR numbers).
            problems.append(Problem(shadowed.display, 0, "", (
                f"profilen læser {name} fra {mask_cpr(entry.file)}, så denne fil ville ikke "
                "blive læst; flyt den ud af mappen")))
        if not path.is_file():
            problems.append(Problem(entry.file, 0, "", (
                f"filen mangler: profilen læser {name} fra {entry.file}, som ikke er i mappen")))
            sources.pop(name, None)
            continue
        sources[name] = read.Source(name, path, entry.sheet if is_workbook(path) else None)
    return sources, problems + read.unread(folder, sources, problems)


# --- the user's header -----------------------------------------------------------------

def rename(raw_names: list[str], entry: FileProfile, display: str, line: int = 1
           ) -> tuple[list[str], list[Problem]]:
    """Their headers → staged names: the contract column, or IGNORED<n>; the problems
    name their header (at `line`, the header's line in the file)."""
    wanted = {normalize_header(theirs): ours for theirs, ours in entry.columns.items()}
    ignored = {normalize_header(i) for i in entry.ignored}
    names: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for position, raw in enumerate(raw_names):
        key = normalize_header(raw)
        if not key:
            problems.append(Problem(display, line, raw or "(tom)",
                                    "kolonnen har ingen overskrift"))
            names.append(f"{IGNORED}{position}")
        elif key in wanted:
            ours = wanted[key]
            if ours in seen:
                problems.append(Problem(display, line, raw, (
                    f"kolonnen findes to gange (også \"{seen[ours]}\")")))
            seen[ours] = raw
            names.append(ours)
        elif key in ignored:
            names.append(f"{IGNORED}{position}")
        else:
            problems.append(Problem(display, line, raw, (
                f"kolonnen står ikke i profilen; tilføj den under [{entry.name}.kolonner] "
                f"eller i ignorer ({entry.name}s kolonner: "
                + ", ".join(entry.spec.column_names) + ")")))
            names.append(f"{IGNORED}{position}")
    for column in entry.spec.columns:
        if column.required and column.name not in seen:
            mapped = entry.header_of(column.name)
            problems.append(Problem(display, line, mapped, (
                f"kolonnen mangler i filen (profilen: \"{mapped}\" = {column.name})"
                if mapped != column.name else
                f"ingen af filens kolonner er sat til {column.name} i profilen "
                f"([{entry.name}.kolonner])")))
    return names, problems


@dataclass(frozen=True)
class TheirHeader:
    """A header in the user's own names, as the profile maps them (read.HeaderRule): found
    below a title as the contract's is, by the headers the profile names."""

    entry: FileProfile

    @property
    def date_columns(self) -> frozenset[str]:
        return frozenset(date_columns(self.entry.spec))

    @property
    def expected(self) -> list[str]:
        return [*self.entry.columns, *self.entry.ignored]

    def find(self, lines: list[list[str]]) -> int | None:
        return read.find_header(lines, self.expected)

    def names(self, cells: list[str], display: str, line: int
              ) -> tuple[list[str], list[Problem]]:
        return rename(cells, self.entry, display, line)

    def date_text(self, day: dt.date) -> str:
        """A date cell in the profile's date format, which is the file's one convention
        (a date cell is a date whatever its format; written so, it follows the rule)."""
        if self.entry.date_format:
            return day.strftime(strptime_format(self.entry.date_format))
        return day.isoformat()


class Positional:
    """Every column by its position (IGNORED<n>): a file read as it is, for a draft. Its
    header is the first of its first lines with the most filled cells (a title above it
    fills one)."""

    @property
    def date_columns(self) -> frozenset[str]:
        return frozenset()

    @property
    def expected(self) -> list[str]:
        return []

    def find(self, lines: list[list[str]]) -> int | None:
        filled = [sum(1 for c in cells if c.strip()) for cells in
                  lines[:read.HEADER_SEARCH_LINES]]
        most = max(filled, default=0)
        return filled.index(most) if most else None

    def names(self, cells: list[str], _display: str, _line: int
              ) -> tuple[list[str], list[Problem]]:
        return [f"{IGNORED}{i}" for i in range(len(cells))], []

    def date_text(self, day: dt.date) -> str:
        return day.isoformat()


POSITIONAL = Positional()


# --- their values → the contract's text ------------------------------------------------

# Any character beyond ASCII, Latin-1 and Latin Extended-A/B (domain.cpr's letters).
_NOT_LATIN = "[^\\x{0}-\\x{24F}]"


def text_sql(entry: FileProfile, column: Column, text: str) -> str:
    """SQL giving the contract's text for `column` from its trimmed text `text`: their
    values mapped to codes, dates in their format rewritten as the text path reads them."""
    mapping = entry.value_map(column.name)
    if mapping:
        exact = " ".join(f"WHEN {sql_text(theirs)} THEN {sql_text(code)}"
                         for theirs, code in mapping.items())
        lower = " ".join(f"WHEN {sql_text(theirs.lower())} THEN {sql_text(code)}"
                         for theirs, code in mapping.items())
        # Case is folded only in Latin text: lower() turns a Kelvin sign into k, and
        # `010190K1234` (a CPR number: the sign parts nothing) into a key that is none.
        text = (f"CASE {text} {exact} ELSE CASE WHEN regexp_matches({text}, "
                f"'{_NOT_LATIN}') THEN {text} ELSE CASE lower({text}) {lower} "
                f"ELSE {text} END END END")
    if column.kind == "date" and entry.date_format:
        pattern = strptime_format(entry.date_format)
        # A two-digit year is written back with two digits, so the text path's rule (the
        # century nearest before the data's date) decides it, not strptime's.
        out = "%Y-%m-%d" if "%Y" in pattern else "%d-%m-%y"
        text = (f"coalesce(strftime(try_strptime({text}, {sql_text(pattern)}), "
                f"{sql_text(out)}), {text})")
    return text


def _text_of(entry: FileProfile, column: Column) -> Callable[[str], str]:
    def text(trimmed: str) -> str:
        return text_sql(entry, column, trimmed)
    return text


def _select(entry: FileProfile, names: list[str]) -> str:
    """The contract's columns from a table with the staged names, as trimmed text."""
    parts = []
    for column in entry.spec.columns:
        if column.name in names:
            parts.append(f"{text_sql(entry, column, read.cell_text(column.name))} AS {column.name}")
        else:
            parts.append(f"NULL::VARCHAR AS {column.name}")
    return ", ".join(parts)


# --- the text path ---------------------------------------------------------------------

@dataclass(frozen=True)
class FileTable:
    """A user's file read as text into `table`_file: a column per header (staged names)
    and `_line`, the line a spreadsheet shows."""

    display: str
    names: list[str]
    headers: list[str]


def read_file_table(con: duckdb.DuckDBPyConnection, source: read.Source, table: str,
                    rule: read.HeaderRule) -> FileTable | list[Problem]:
    """Read a CSV file or a sheet as text into `table`_file, every column kept, as the
    text path reads any file (etl.read)."""
    found = read.read_file(con, source, rule, f"{table}_file")
    if isinstance(found, list):
        return found
    return FileTable(found.display, list(found.names), list(found.headers))


def date_problems(con: duckdb.DuckDBPyConnection, entry: FileProfile, display: str,
                  names: list[str], headers: list[str], table: str) -> list[Problem]:
    """The first date of the user's file (`table`, staged names) that breaks its one date
    convention (rules.date_rule_sql), named by their header."""
    theirs = {name: header for name, header in zip(names, headers, strict=False)}
    present = [c for c in date_columns(entry.spec) if c in names]
    query = date_rule_sql(display, present, table, date_format=entry.date_format,
                          labels=theirs)
    if query is None:
        return []
    return [Problem(display, int(line), theirs.get(column, column), message)
            for _file, line, column, message in con.execute(query).fetchall()]


def stage(con: duckdb.DuckDBPyConnection, source: read.Source, entry: FileProfile,
          table: str) -> list[Problem]:
    """Create `table` (all VARCHAR + `_line`, the contract's columns) from the user's
    file as `entry` says; return problems in their terms."""
    found = read_file_table(con, source, table, TheirHeader(entry))
    if isinstance(found, list):
        return found
    problems = date_problems(con, entry, found.display, found.names, found.headers,
                             f"{table}_file")
    return problems + _from_file_table(con, entry, found.display, found.names,
                                       found.headers, table)


def _from_file_table(con: duckdb.DuckDBPyConnection, entry: FileProfile, display: str,
                     names: list[str], headers: list[str], table: str) -> list[Problem]:
    """`table` from `table`_file (every column, staged names): ignored columns are checked
    for CPR numbers and dropped, the others mapped. A row whose contract columns are all
    empty is skipped, as on both load paths."""
    ignored = [n for n in names if n.startswith(IGNORED)]
    problems = [Problem(display, number, headers[int(name[len(IGNORED):])], (
                    "indeholder noget, der ligner et CPR-nummer; skriv aldrig CPR-numre i "
                    "filerne (også i kolonner, der ignoreres)"))
                for number, name in cpr_cells(con, f"{table}_file", ignored)]
    used = [n for n in names if not n.startswith(IGNORED)]
    empty = " AND ".join(f"{read.cell_text(n)} IS NULL" for n in used) or "false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT _line, "
                f"{_select(entry, names)} FROM {table}_file WHERE NOT ({empty}) ORDER BY _line")
    con.execute(f"DROP TABLE {table}_file")
    return problems


# --- the fast path ---------------------------------------------------------------------

def read_fast(con: duckdb.DuckDBPyConnection, source: read.Source, entry: FileProfile,
              today: dt.date) -> bool:
    """Create the final table of a profiled CSV file on the fast path (etl.fast); False
    sends the load to the text path, which reports why."""
    from sosu.etl.fast import mixes_date_conventions, read_typed

    if is_workbook(source.path):
        return False
    found = read.inspect_csv(source, TheirHeader(entry), whole_file=False)
    if isinstance(found, list):
        return False
    spec = entry.spec
    texts = {c.name: _text_of(entry, c) for c in spec.columns if c.name in found.names}
    # Ignored columns are kept in the table just long enough to be checked for CPR
    # numbers (dropping a column costs nothing; reading the file again would).
    ignored = tuple(n for n in found.names if n.startswith(IGNORED))
    written = {c.name: tuple(entry.value_map(c.name)) for c in spec.columns if c.codes}
    if not read_typed(con, found, spec, today, texts=texts, extra=ignored, written=written):
        return False
    if cpr_cells(con, spec.name, list(ignored), line="rowid"):
        return False
    if mixes_date_conventions(con, spec, entry.date_format):
        return False
    for name in ignored:
        con.execute(f"ALTER TABLE {spec.name} DROP COLUMN {name}")
    return True


# --- values the profile does not map ---------------------------------------------------

def unmapped_problems(con: duckdb.DuckDBPyConnection, profile: Profile,
                      display: dict[str, str], today: dt.date) -> list[Problem]:
    """Every distinct value of a coded column that neither the profile nor the contract
    knows, with its count and first line, in the user's terms."""
    from sosu.etl.validate import parse_expression, raw_table

    problems = []
    for name, entry in profile.files.items():
        for column in entry.spec.columns:
            if not column.codes:
                continue
            rows = con.execute(
                f"SELECT {column.name}, count(*), min(_line) FROM {raw_table(name)} "
                f"WHERE {column.name} IS NOT NULL "
                f"AND ({parse_expression(column, today)}) IS NULL "
                f"AND NOT {sql_candidate(column.name)} GROUP BY ALL ORDER BY 3").fetchall()
            for value, count, first in rows:
                if contains_cpr(value):
                    continue  # the rules refuse it as a CPR number, never echoed
                problems.append(Problem(display.get(name, name), int(first),
                                        entry.header_of(column.name), (
                    f"værdien '{value}' er ikke oversat ({count} "
                    f"{'række' if count == 1 else 'rækker'}, den første her); tilføj den i "
                    f"profilen under [{name}.vaerdier.{column.name}] som en af: "
                    + ", ".join(column.codes))))
    return problems


# --- several rows per student ----------------------------------------------------------

ValueOf = Callable[[Column], str]


def reduced_files(profile: Profile) -> set[str]:
    """The contract files whose rows the profile's reductions may drop or add up."""
    names = {name for name, entry in profile.files.items()
             if entry.reduction in ("foerste", "seneste", "summer")}
    frafald = profile.files.get("frafald")
    if frafald is not None and frafald.resume_months:
        names.add("frafald")
    return names


def reduce(con: duckdb.DuckDBPyConnection, profile: Profile, table: Callable[[str], str],
           value: ValueOf, line: str) -> None:
    """Apply the profile's reductions to the tables `table(name)`, whose columns' typed
    values `value` gives (NULL where unreadable) and whose rows `line` numbers.

    A group with an unreadable key or date is left whole: the rules then report it, the
    duplicate as well as the date. First the ministry's rule (a dropout the student
    resumes within the months given is none), on the hires as the file lists them, then
    each file's own reduction."""
    frafald = profile.files.get("frafald")
    if frafald is not None and frafald.resume_months:
        _drop_resumed(con, table, value, line, frafald.resume_months)
    for name, entry in profile.files.items():
        if entry.reduction in ("foerste", "seneste"):
            _keep_one(con, FILES_BY_NAME[name], table(name), value, line,
                      latest=entry.reduction == "seneste")
        elif entry.reduction == "summer":
            _add_up(con, FILES_BY_NAME[name], table(name), value, line)


def _key_values(spec: FileSpec, value: ValueOf, keys: tuple[str, ...]) -> str:
    return ", ".join(value(spec.column(k)) for k in keys)


def _drop_resumed(con: duckdb.DuckDBPyConnection, table: Callable[[str], str], value: ValueOf,
                  line: str, months: int) -> None:
    elever, frafald = FILES_BY_NAME["elever"], FILES_BY_NAME["frafald"]
    con.execute(f"""
        DELETE FROM {table('frafald')} WHERE {line} IN (
            SELECT f.number
            FROM (SELECT {line} AS number, {value(frafald.column('elev_id'))} AS elev_id,
                         {value(frafald.column('uddannelse'))} AS uddannelse,
                         {value(frafald.column('frafald_dato'))} AS left_on
                  FROM {table('frafald')}) AS f
            JOIN (SELECT {value(elever.column('elev_id'))} AS elev_id,
                         {value(elever.column('uddannelse'))} AS uddannelse,
                         {value(elever.column('ansat_dato'))} AS started
                  FROM {table('elever')}) AS s
              ON s.elev_id = f.elev_id AND s.uddannelse = f.uddannelse
             AND s.started > f.left_on
             AND s.started <= f.left_on + INTERVAL {int(months)} MONTH)""")


def _keep_one(con: duckdb.DuckDBPyConnection, spec: FileSpec, name: str, value: ValueOf,
              line: str, latest: bool) -> None:
    keys = ROW_KEY[spec.name]
    order_date = value(spec.column(_order_column(spec)))
    direction = "DESC" if latest else "ASC"
    partition = _key_values(spec, value, keys)
    con.execute(f"""
        DELETE FROM {name} WHERE {line} IN (
            SELECT number FROM (
                SELECT {line} AS number,
                       row_number() OVER (PARTITION BY {partition}
                                          ORDER BY {order_date} {direction}, {line} {direction})
                           AS nr,
                       count(*) FILTER (WHERE {order_date} IS NULL)
                           OVER (PARTITION BY {partition}) AS unreadable
                FROM {name}
                WHERE {' AND '.join(f'{value(spec.column(k))} IS NOT NULL' for k in keys)})
            WHERE nr > 1 AND unreadable = 0)""")


def _order_column(spec: FileSpec) -> str:
    from sosu.etl.profile import ORDER_DATE

    return ORDER_DATE[spec.name]


def _add_up(con: duckdb.DuckDBPyConnection, spec: FileSpec, name: str, value: ValueOf,
            line: str) -> None:
    """Several rows of one student and month become the first of them with the hours
    added up; a group with unreadable hours is left whole (the rules report it)."""
    keys = ROW_KEY[spec.name]
    hours = [c for c in spec.columns if c.kind == "hours"]
    partition = _key_values(spec, value, keys)
    unreadable = " OR ".join(f"({value(c)} IS NULL AND {c.name} IS NOT NULL)" for c in hours)
    window = f"OVER (PARTITION BY {partition})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name}_groups AS
        SELECT {line} AS number, min({line}) {window} AS leader,
               {', '.join(f'{value(c)} AS {c.name}_value' for c in hours)},
               count(*) {window} AS rows_in_group,
               bool_or({unreadable}) {window} AS unreadable
        FROM {name}
        WHERE {' AND '.join(f'{value(spec.column(k))} IS NOT NULL' for k in keys)}""")
    con.execute(f"DELETE FROM {name}_groups WHERE rows_in_group = 1 OR unreadable")
    sums = ", ".join(f"sum({c.name}_value) AS {c.name}" for c in hours)
    typed = con.execute(f"SELECT typeof({hours[0].name}) FROM {name} LIMIT 1").fetchone()
    cast = "::VARCHAR" if typed and typed[0] == "VARCHAR" else ""
    con.execute(f"""
        UPDATE {name} SET {', '.join(f'{c.name} = s.{c.name}{cast}' for c in hours)}
        FROM (SELECT leader, {sums} FROM {name}_groups GROUP BY leader) AS s
        WHERE {name}.{line} = s.leader""")
    con.execute(f"DELETE FROM {name} WHERE {line} IN "
                f"(SELECT number FROM {name}_groups WHERE number <> leader)")
    con.execute(f"DROP TABLE {name}_groups")


# --- problems in the user's terms ------------------------------------------------------

def in_their_terms(problems: list[Problem], profile: Profile,
                   display: dict[str, str]) -> list[Problem]:
    """A problem found by the rules names the contract's column: name the user's header."""
    entries = {display.get(name, name): entry for name, entry in profile.files.items()}
    result = []
    for problem in problems:
        entry = entries.get(problem.file)
        if entry is not None and problem.column in entry.spec.column_names:
            problem = Problem(problem.file, problem.line, entry.header_of(problem.column),
                              problem.message)
        result.append(problem)
    return result


# --- a preview of what a profile loads -------------------------------------------------

def preview(folder: Path, profile: Profile, today: dt.date, rows: int = 20
            ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The first `rows` rows of each file the profile reads, as they will be loaded (the
    contract's columns, typed, after value maps and reductions), or the problems that
    stop the files being read at all. The rules are not run here: the check does that."""
    from sosu.etl.validate import (
        build_typed,
        cpr_problems,
        parse_expression,
        raw_table,
        typed_table,
    )

    con = scratch.memory_connection()
    try:
        sources, _others = find_sources(folder, profile)
        problems: list[Problem] = []
        for name, entry in profile.files.items():
            if name in sources:
                problems += stage(con, sources[name], entry, raw_table(name))
            else:
                problems.append(Problem(entry.file, 0, "", "filen mangler"))
        if problems:
            return {}, problems
        # The preview shows cells as they are: a CPR number anywhere refuses it, as the
        # load would, and is never shown (the problem names the cell only).
        display = {name: sources[name].display for name in profile.files}
        cpr = [Problem(display[f], line, column, message)
               for f, line, column, message in cpr_problems(con, display)]
        if cpr:
            return {}, in_their_terms(cpr, profile, display)
        # And one only the workbook's own parts show (a number its format scales): the
        # preview would show the cell's value (1019012.34 formatted `0%` is 101901234%).
        hidden = read.workbook_cpr_problems([sources[name] for name in profile.files],
                                            unreadable=False)
        if hidden:
            return {}, hidden
        resumable = profile if "elever" in profile.files else dataclasses.replace(
            profile, files={n: dataclasses.replace(e, resume_months=None)
                            for n, e in profile.files.items()})
        reduce(con, resumable, raw_table,
               lambda column: f"({parse_expression(column, today)})", "_line")
        frames = {}
        for name, entry in profile.files.items():
            build_typed(con, entry.spec, today)
            frames[name] = con.execute(
                f"SELECT * EXCLUDE (_line) FROM {typed_table(name)} ORDER BY _line "
                f"LIMIT {int(rows)}").df()
        return frames, []
    finally:
        con.close()
