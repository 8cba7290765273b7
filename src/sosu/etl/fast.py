"""The fast path for clean CSV exports: typed read_csv straight into the final tables.

A national load is millions of clean rows. Staging every cell as text and parsing it
again in SQL (etl.read, etl.validate) costs three times a bare read_csv. Here
read_csv parses the typed columns itself (ISO dates, ÅÅÅÅ-MM months, hours with the
file's decimal separator) into the tables the dashboard reads, and one question is
asked: would the text path find any problem? A file's own rules are asked as soon as it
is read (a refused students' file never waits for the sick-leave months), the rules
across files once all are read. Every column rule and every rule across files is
evaluated on the typed values, except the three over every sick-leave month: one pass
over the student-months the build makes answers them without ever missing a problem
(sick_leave_months_sql), asked as soon as that table is built (ScreenedBuild). Only if
there is no rejected line and no rule is hit is the result kept. Otherwise it is thrown
away and the text path runs and reports every problem exactly as before, with file,
line and column.

The rules are those of the rule table (etl.rules), asked of the typed tables: a column
rule sees each column as fast_cell gives it, a rule across files reads typed_<name>
views of the final tables. Nothing here restates a rule; what is particular to this
path is how read_csv types a column (NATIVE, _value) and the cheaper screens (SCREENS)
that some rules name.

That is sound because read_csv's typed parsing accepts a subset of what the text path
accepts and gives the same value for it (tests/test_fast_path.py checks the awkward
cases); codes, ages and free text are parsed with the text path's own expressions.
The encoding is judged on the first piece of each file; read_csv rejects any later
line that is not UTF-8. Workbooks (.xlsx, .ods) and files that write their dates in more
than one convention simply take the text path, which reads the first and reports the
second. A header below a title is read from its own line (CsvFile.skip).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sosu.domain.contract import FILES, OPTIONAL_FILES, Column, FileSpec
from sosu.etl import profiled, rules
from sosu.etl.profile import Profile
from sosu.etl.read import (
    ISO_DATE,
    ContractHeader,
    CsvFile,
    cell_text,
    find_sources,
    inspect_csv,
    read_csv,
    readable_file,
)
from sosu.etl.rules import (
    SICK_LEAVE_MONTHS,
    Cell,
    cpr_cells,
    date_rule_broken_sql,
    sql_text,
)
from sosu.etl.validate import create_final, date_columns, parse_expression, typed_table

Progress = Callable[[str, float], None]

# Kinds read_csv parses itself, with the type and (for dates) the only format it is
# given: the text path's first format, so both read the same text as the same value.
# Dates are not among them: read_csv's %Y takes '23-01-05' as the year 23 and 'epoch' as
# 1970, so dates (few, in the small files) are read as text with the text path's own
# expression; a date that expression cannot read becomes UNREADABLE_DATE.
NATIVE = {"month": ("DATE", "%Y-%m"), "hours": ("DOUBLE", None)}
TYPES = {"date": "DATE", "month": "DATE", "int": "INTEGER", "hours": "DOUBLE"}
NOT_AN_AGE = -1  # an age that is there but is not a whole number (parse_expression: 0-999)
UNREADABLE_DATE = "DATE '0001-01-01'"  # a date that is there but cannot be read
# A date column's text as written, kept beside its value until the file's date convention
# is checked (mixes_date_conventions), then dropped.
DATE_TEXT = "_datotekst_"
# A code or yes/no cell's value where read_csv's select looked it up (_lookup).
LOOKED_UP = "_opslag_"


def _date_format(spec: FileSpec) -> str | None:
    formats = {NATIVE[c.kind][1] for c in spec.columns if c.kind == "month"}
    if len(formats) > 1:
        raise ValueError(f"{spec.name}: read_csv takes one date format per file")
    return formats.pop() if formats else None


def _value(column: Column, present: bool, today: dt.date) -> str:
    """The final column from read_csv's output (text columns already trimmed)."""
    name = column.name
    if not present:
        return f"NULL::{TYPES.get(column.kind, 'VARCHAR')} AS {name}"
    if column.kind in NATIVE:
        return name
    if column.kind == "date":
        return (f"CASE WHEN {name} IS NOT NULL THEN coalesce({parse_expression(column, today)}, "
                f"{UNREADABLE_DATE}) END AS {name}")
    if column.kind == "int":
        return (f"CASE WHEN {name} IS NOT NULL THEN coalesce({parse_expression(column)}, "
                f"{NOT_AN_AGE}) END AS {name}")
    if column.kind in ("code", "yesno"):
        # An unknown spelling stays as written, so the check below sees it.
        return f"coalesce({LOOKED_UP}{name}, {parse_expression(column)}, {name}) AS {name}"
    return name


def _lookup(con: duckdb.DuckDBPyConnection, column: Column, text: str,
            written: Iterable[str], today: dt.date) -> list[str]:
    """read_csv's select of a code or yes/no column (`column`'s name), `text` being SQL for
    its trimmed text (an import profile's values mapped): the cell's value looked up as
    LOOKED_UP<name> (NULL if not), and the text of a cell not looked up, which _value
    parses.

    A cell written exactly as a code, a label or one of the texts `written` (an import
    profile's values) is looked up: the whole reading (`text`, then _value) was done once
    per spelling, here, by DuckDB itself, so the lookup gives what reading the cell gives.
    Only the other cells are trimmed, mapped and parsed: on national sick leave with an
    import profile that was a fifth of the file's read (a regex and lower() on every row
    its map does not hold). Spelled as two columns, not one CASE holding the whole reading,
    whose text repeats `text` so often that DuckDB took up to 0.5 s to plan it."""
    name = column.name
    spellings = tuple(sorted({*column.codes, *column.codes.values(), *written} - {""}))
    query = (
        f"SELECT _spelling, {_value(column, True, today).removesuffix(f' AS {name}')} "
        f"FROM (SELECT {name} AS _spelling, NULL::VARCHAR AS {LOOKED_UP}{name}, {text} AS {name} "
        f"FROM (SELECT unnest(?::VARCHAR[]) AS {name}))")
    found = _spellings_read(con, query, spellings)
    if not found:
        return [f"NULL::VARCHAR AS {LOOKED_UP}{name}", f"{text} AS {name}"]
    values = " ".join(f"WHEN {sql_text(s)} THEN {sql_text(v)}" for s, v in found.items())
    passed = " ".join(f"WHEN {sql_text(s)} THEN NULL" for s in found)
    return [f"CASE {name} {values} END AS {LOOKED_UP}{name}",
            f"CASE {name} {passed} ELSE {text} END AS {name}"]


# What _lookup's query read each spelling as, by query and spellings. The query reads
# nothing but its parameter, so its answer is the same on every connection: asked once per
# process, not for every file of every check (a third of a small file's read).
_READ_SPELLINGS: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
_READ_SPELLINGS_KEPT = 512
_READ_SPELLINGS_LOCK = threading.Lock()


def _spellings_read(con: duckdb.DuckDBPyConnection, query: str,
                    spellings: tuple[str, ...]) -> dict[str, str]:
    """Spelling → value of each spelling `query` reads (the others left out)."""
    key = (query, spellings)
    with _READ_SPELLINGS_LOCK:
        known = _READ_SPELLINGS.get(key)
    if known is not None:
        return known
    rows = con.execute(query, [list(spellings)]).fetchall()
    found = {spelling: value for spelling, value in rows if value is not None}
    with _READ_SPELLINGS_LOCK:
        if len(_READ_SPELLINGS) >= _READ_SPELLINGS_KEPT:
            _READ_SPELLINGS.clear()  # import profiles' maps, edited again and again
        _READ_SPELLINGS[key] = found
    return found


def fast_cell(column: Column, today: dt.date) -> Cell:
    """A column of a final table read here, as the rules (etl.rules) see it.

    Dates, months and hours were typed by read_csv, which rejected the line of any cell it
    could not read: none is unreadable here. An age that is no whole number is NOT_AN_AGE
    and a code in no known spelling is kept as written (_value)."""
    v = column.name
    if column.kind == "int":
        unreadable = f"({v} = {NOT_AN_AGE})"
    elif column.kind == "date":
        unreadable = f"({v} = {UNREADABLE_DATE})"
    elif column.kind in ("code", "yesno"):
        unreadable = f"({v} NOT IN ({', '.join(sql_text(code) for code in column.codes)}))"
    else:
        unreadable = "false"
    return Cell(column, v, f"{v} IS NULL", unreadable, "NULL::VARCHAR", today)


def typed_value(column: Column) -> str:
    """A column of a final table read here as its value, NULL where it is unreadable (for
    an import profile's reductions, etl.profiled)."""
    if column.kind == "date":
        return f"nullif({column.name}, {UNREADABLE_DATE})"
    if column.kind == "int":
        return f"nullif({column.name}, {NOT_AN_AGE})"
    if column.kind in ("code", "yesno"):
        known = ", ".join(sql_text(code) for code in column.codes)
        return f"CASE WHEN {column.name} IN ({known}) THEN {column.name} END"
    return column.name


def problem_condition(spec: FileSpec, today: dt.date) -> str | None:
    """True on a row of `spec`'s final table where the text path reports a column rule."""
    conditions = []
    for column in spec.columns:
        cell = fast_cell(column, today)
        conditions += [rule.when(cell) for rule in rules.column_rules(column)]
    return " OR ".join(f"({c})" for c in conditions if c != "false") or None


def read_typed(con: duckdb.DuckDBPyConnection, found: CsvFile, spec: FileSpec,
               today: dt.date, texts: dict[str, Callable[[str], str]] | None = None,
               extra: tuple[str, ...] = (),
               written: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Create table `spec.name` from a CSV file; False (and no table) on any rejected line.

    An import profile (etl.profiled) names columns the contract does not have: read as
    text, and kept after the contract's columns if named in `extra` (for the caller to
    check and drop), else dropped. It gives `texts`: per column, SQL turning the trimmed
    text into the contract's text (their values mapped, their dates rewritten), and
    `written`: per coded column, the texts its map reads (looked up, as codes are: _lookup).
    Those extra columns and the contract's unused ones (Column.used) are only checked for
    CPR numbers, on their distinct values (rules.cpr_cells trims them): kept as written,
    which spares millions of sick-leave rows a copy of their site."""
    present = set(found.names) & set(spec.column_names)
    read_types = {n: NATIVE[spec.column(n).kind][0]
                  if n in present and spec.column(n).kind in NATIVE else "VARCHAR"
                  for n in found.names}
    as_written = set(extra) | {n for n in present if _only_checked(spec.column(n))}
    text_of = texts or {}

    def selected(name: str) -> str:
        if read_types[name] != "VARCHAR" or name in as_written:
            return name
        text = text_of.get(name, lambda t: t)(cell_text(name))
        if spec.column(name).kind in ("code", "yesno"):
            return ", ".join(_lookup(con, spec.column(name), text,
                                     (written or {}).get(name, ()), today))
        return f"{text} AS {name}"

    date_texts = [f"{DATE_TEXT}{n}" for n in date_columns(spec) if n in present]
    trimmed = ", ".join(
        [selected(n) for n in found.names if n in present or n in extra]
        + [f"{name.removeprefix(DATE_TEXT)} AS {name}" for name in date_texts])
    values = ", ".join([_value(c, c.name in present, today) for c in spec.columns]
                       + list(extra) + date_texts)
    rejects = f"fast_{spec.name}_rejects"
    with readable_file(found) as (path, encoding):
        reader, parameters = read_csv(path, found.delimiter, read_types, rejects,
                                      dateformat=_date_format(spec) or ISO_DATE,
                                      skip=found.skip, encoding=encoding)
        try:
            con.execute(f"{create_final(spec)} AS SELECT {values} "
                        f"FROM (SELECT {trimmed} FROM {reader})", parameters)
            row = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()
        except duckdb.Error:
            # Nothing more is asked of `con`: inside the load's transaction the error has
            # aborted it, and the caller throws the connection away (validate_fast).
            return False
    con.execute(f"DROP TABLE {rejects}")
    con.execute(f"DROP TABLE {rejects}_scan")
    if row and row[0]:
        con.execute(f"DROP TABLE {spec.name}")
        return False
    # Lines with every field empty are skipped, as the text path skips them.
    con.execute(f"DELETE FROM {spec.name} WHERE " + " AND ".join(
        f"{cell_text(c.name) if c.name in as_written else c.name} IS NULL"
        for c in spec.columns))
    return True


def _only_checked(column: Column) -> bool:
    """A column no figure reads and no rule but the CPR check asks (etl.rules)."""
    return not column.used and not column.required and column.kind == "text"


def mixes_date_conventions(con: duckdb.DuckDBPyConnection, spec: FileSpec,
                           date_format: str | None = None) -> bool:
    """Does the file write its dates in more than one convention, or (with an import
    profile's `date_format`) any date otherwise than the format? The rule of
    rules.date_rule_sql, asked as a yes or no (rules.date_rule_broken_sql), of the dates'
    text that read_typed kept beside their values; the text is dropped here (dropping a
    column costs nothing; reading the file again cost a fifth of its read)."""
    names = {column for (column,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
        "AND starts_with(column_name, ?)", [spec.name, DATE_TEXT]).fetchall()}
    present = [c for c in date_columns(spec) if f"{DATE_TEXT}{c}" in names]
    if not present:
        return False
    texts = ", ".join(f"{DATE_TEXT}{c} AS {c}" for c in present)
    query = date_rule_broken_sql(present, f"(SELECT {texts} FROM {spec.name})",
                                 date_format=date_format)
    row = con.execute(query).fetchone() if query else None
    for column in present:
        con.execute(f"ALTER TABLE {spec.name} DROP COLUMN {DATE_TEXT}{column}")
    return bool(row and row[0])


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def sick_leave_months_sql(today: dt.date) -> str:
    """Students whose sick-leave months might break the rules that name this screen
    (etl.rules.SICK_LEAVE_MONTHS), asked of the student-months the build made.

    Those rules (a month twice, an unknown student, a month outside the employment) cost
    three passes over millions of months, the duplicate one grouping on text keys. The
    build's int_elevmaaneder has already joined each month to its student (a month of no
    student keeps a row without one), numbered it from the month of hire and placed the
    student's month before it (`tilbage_1` 0: the same month twice): one pass over it
    answers all three. It may flag more than the rules but never less; a flag sends the
    load down the text path, which decides and reports.
    """
    return f"""
    WITH
    pr_forloeb AS (
        SELECT
            forloeb_nr,
            bool_or(tilbage_1 = 0 OR maaneder_siden_ansaettelse < 0) AS brudt,
            max(maaned) AS sidste
        FROM int_elevmaaneder
        GROUP BY forloeb_nr
    )
    SELECT count(*)
    FROM pr_forloeb AS p
    LEFT JOIN int_elevforloeb AS f USING (forloeb_nr)
    WHERE p.forloeb_nr IS NULL OR p.brudt
       OR p.sidste > date_trunc('month', coalesce(f.afsluttet_dato, f.frafald_dato,
                                                  DATE '{today.isoformat()}'))"""


@dataclass(frozen=True)
class Screen:
    """A cheaper check a load asks of tables its build made, in place of the rules that
    name it (RowRule.screen): asked as soon as the models it `reads` are built, so a
    refused load does not build the rest first."""
    sql: Callable[[dt.date], str]
    reads: tuple[str, ...]


SCREENS: dict[str, Screen] = {
    SICK_LEAVE_MONTHS: Screen(sick_leave_months_sql, ("int_elevforloeb", "int_elevmaaneder")),
}


def cpr_columns(spec: FileSpec) -> list[str]:
    """The columns where only the CPR check (etl.rules.cpr_cells) could find a CPR
    number the text path refuses. Elsewhere another check already declines it: a date,
    month or hours column read_csv parsed cannot hold one; in an age or a code it is no
    valid value (parse_expression never reads possible CPR text as a code); and an
    elev_id outside elever must match one in elever, or the rules across files (and
    sick_leave_months_sql) decline, which spares the regex millions of sick-leave ids."""
    return [c.name for c in spec.columns
            if c.kind == "text" or (c.kind == "id" and spec.name == "elever")]


def _hours_may_hide_cpr(spec: FileSpec) -> str:
    """SQL: hours with more than two decimals. read_csv reads `0101901234e-7` as 10.1901234
    hours, and its text, which the text path searches for CPR numbers, is gone here. Ten
    digits in scientific notation give either more than two decimals or more hours than
    any month has (a column rule), so such a file takes the text path. Spelled out
    rather than round(x, 2), which is the same division but took four times as long:
    on national sick leave, half of the file's rules."""
    return " OR ".join(f"round({c.name} * 100) / 100 <> {c.name}" for c in spec.columns
                       if c.kind == "hours")


def file_has_problems(con: duckdb.DuckDBPyConnection, spec: FileSpec, today: dt.date,
                      searched: bool = False) -> bool:
    """Would the text path report a CPR number or a column rule in `spec`'s table?
    `searched`: its text was searched already (rows_may_hide_cpr, before an import
    profile's reduction, which drops rows and adds up hours but writes no text)."""
    if not searched and cpr_cells(con, spec.name, cpr_columns(spec), line="rowid"):
        return True
    condition = " OR ".join(f"({part})" for part in (problem_condition(spec, today),
                                                     _hours_may_hide_cpr(spec)) if part)
    return bool(condition
                and _count(con, f"SELECT count(*) FROM {spec.name} WHERE {condition}"))


def rows_may_hide_cpr(con: duckdb.DuckDBPyConnection, spec: FileSpec, today: dt.date) -> bool:
    """Before an import profile's reduction: might a row of `spec`'s table hold a CPR
    number? Every column kept as text is searched, cpr_columns' among them (ids and codes
    too: the rules that otherwise decline them never see a row the reduction drops), and
    a date or age that could not be read (its text is gone here) sends the load to the
    text path, which searches every staged cell (etl.validate.cpr_problems)."""
    as_text = [c.name for c in spec.columns if c.kind in ("id", "text", "code", "yesno")]
    if cpr_cells(con, spec.name, as_text, line="rowid"):
        return True
    unreadable = [fast_cell(c, today).unreadable for c in spec.columns
                  if c.kind in ("date", "int")]
    return bool(unreadable and _count(
        con, f"SELECT count(*) FROM {spec.name} WHERE {' OR '.join(unreadable)}"))


def rules_across_files_broken(con: duckdb.DuckDBPyConnection, today: dt.date,
                              screened: bool = False) -> bool:
    """Would the text path report a rule across files for the tables on `con`? Asks the
    rules without a screen, or (`screened`) those with one, as written."""
    read_here = {spec.name for spec in FILES}  # an optional file sends a load to the text path
    asked = [rule for rule in rules.row_rules()
             if rule.file in read_here and (rule.screen is not None) == screened]
    union = "\nUNION ALL\n".join(f"SELECT 1 {rule.rows_sql(today)}" for rule in asked)
    if not union:
        return False
    for spec in FILES:
        # The rules across files read typed_<name> with a _line, as on the text path.
        con.execute(f"CREATE OR REPLACE TEMP VIEW {typed_table(spec.name)} AS "
                    f"SELECT rowid AS _line, * FROM {spec.name}")
    broken = bool(_count(con, f"SELECT count(*) FROM ({union})"))
    for spec in FILES:
        con.execute(f"DROP VIEW {typed_table(spec.name)}")
    return broken


def screened_rules_broken(con: duckdb.DuckDBPyConnection, today: dt.date) -> bool:
    """The rules a load leaves to its screens, asked as written (`sosu check` builds
    nothing to screen)."""
    return rules_across_files_broken(con, today, screened=True)


class ScreenedBuild:
    """Told each model the build has made (etl.load.create_views), it asks every screen
    whose models are all there; True (stop the build) when one might be broken, and the
    load starts again on the text path."""

    def __init__(self, con: duckdb.DuckDBPyConnection, today: dt.date) -> None:
        self.con, self.today = con, today
        self.built: set[str] = set()
        self.waiting = {rule.screen for rule in rules.row_rules() if rule.screen is not None}

    def __call__(self, model: str) -> bool:
        self.built.add(model)
        ready = sorted(name for name in self.waiting if set(SCREENS[name].reads) <= self.built)
        self.waiting -= set(ready)
        return any(_count(self.con, SCREENS[name].sql(self.today)) for name in ready)

    @property
    def all_asked(self) -> bool:
        return not self.waiting


def _quiet(_step: str, _fraction: float) -> None:
    return None


def validate_fast(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    today: dt.date,
    progress: Progress = _quiet,
    profile: Profile | None = None,
) -> dict[str, str] | None:
    """Build the final tables on `con` if every file is a clean CSV; otherwise None.
    With an import profile, the files it names are read as it says (etl.profiled).

    After None, `con` may hold half of the tables: the caller throws it away and runs
    the text path, which reports the problems.
    """
    sources, problems = (find_sources(folder) if profile is None
                         else profiled.find_sources(folder, profile))
    if problems or any(s.path.suffix.lower() != ".csv" for s in sources.values()):
        return None
    if any(spec.name in sources for spec in OPTIONAL_FILES):
        return None  # a few initiatives: the text path checks them with everything else
    display = {name: source.display for name, source in sources.items()}
    for index, spec in enumerate(FILES):
        progress(f"Læser {display[spec.name]}", index / (len(FILES) + 1))
        entry = profile.files.get(spec.name) if profile else None
        if entry is not None:
            if not profiled.read_fast(con, sources[spec.name], entry, today):
                return None
            continue
        found = inspect_csv(sources[spec.name], ContractHeader(spec), whole_file=False)
        if isinstance(found, list) or not read_typed(con, found, spec, today):
            return None
        if mixes_date_conventions(con, spec):
            return None
        # Without a profile a file's own rules are asked as soon as it is read: a problem
        # in the students' file sends the load to the text path before the millions of
        # sick-leave months are read here for nothing.
        if profile is None and file_has_problems(con, spec, today):
            return None
    if profile is not None:
        # The rows a reduction may drop or add up are asked first: the history keeps the
        # files as given, so a CPR number there must refuse the load like any other.
        reduced = profiled.reduced_files(profile)
        if any(rows_may_hide_cpr(con, spec, today) for spec in FILES if spec.name in reduced):
            return None
        # A profile's reduction (several rows per student) next, as on the text path.
        profiled.reduce(con, profile, lambda name: name, typed_value, "rowid")
        if any(file_has_problems(con, spec, today, searched=spec.name in reduced)
               for spec in FILES):
            return None
    progress("Kontrollerer reglerne", len(FILES) / (len(FILES) + 1))
    return None if rules_across_files_broken(con, today) else display
