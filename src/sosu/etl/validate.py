"""The text path's validation: every rule of the rule table (etl.rules) is one SQL
query over the staged text (each cell's text beside its typed value, build_typed),
returning each problem as (file, line, column, message), so a national data set is
checked at DuckDB speed rather than row by row in Python. Here the staged text is typed
(parse_expression) and the rules are run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

import duckdb

from sosu.domain.contract import ALL_FILES, Column, FileSpec
from sosu.domain.cpr import sql_digit_like
from sosu.etl import rules
from sosu.etl.problems import MAX_REPORTED, Problem
from sosu.etl.rules import (
    CPR_MESSAGE,
    CPR_WORDS,
    DMY_DATE,
    DMY_SHORT_DATE,
    EXCEL_EPOCH,
    EXCEL_SERIAL,
    ISO_DATE,
    Cell,
    cpr_cells,
    date_convention_sql,
    sql_text,
    trimmed,
)


def raw_table(name: str) -> str:
    return f"raw_{name}"


def typed_table(name: str) -> str:
    return f"typed_{name}"


def create_final(spec: FileSpec) -> str:
    """The statement that creates a file's final table: TEMP (in memory, never in the
    database file) for a file whose rows are not kept. Created TEMP from the start: a
    table written to the file and dropped before the commit left its blocks in the file."""
    return f"CREATE {'TABLE' if spec.kept else 'TEMP TABLE'} {spec.name}"


def _match_key(sql: str) -> str:
    """Spelling-insensitive key: 'Fysisk / psykisk sygdom' == 'fysisk_psykisk_sygdom'."""
    return f"regexp_replace(lower({sql}), '[^a-z0-9æøå]', '', 'g')"


def _python_key(value: str) -> str:
    return re.sub(r"[^a-z0-9æøå]", "", value.lower())


def _date_expression(v: str, today: dt.date | None) -> str:
    """ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ and DD-MM-ÅÅ (with - . or /), and Excel serial numbers, each
    only in its own shape: strptime's %Y alone reads '01-02-21' as the year 1. A two-digit
    year gets the century that puts the date nearest before the data's date (`today`): a
    Danish spreadsheet saves its short dates so."""
    as_of = f"DATE '{today.isoformat()}'" if today else "current_date"
    # strptime and read_csv pass over white space around a date; the shape tests must too.
    v = trimmed(v)
    parts = f"regexp_split_to_array({v}, '[-./]')"
    two_digit = (f"make_date(2000 + {parts}[3]::INTEGER, {parts}[2]::INTEGER, "
                 f"{parts}[1]::INTEGER)")
    return (f"CASE WHEN regexp_full_match({v}, '{ISO_DATE}') THEN try_strptime({v}, '%Y-%m-%d')"
            f" WHEN regexp_full_match({v}, '{DMY_DATE}') THEN "
            f"try_strptime(regexp_replace({v}, '[./]', '-', 'g'), '%d-%m-%Y')"
            f" WHEN regexp_full_match({v}, '{DMY_SHORT_DATE}') AND try_strptime("
            f"regexp_replace({v}, '[./]', '-', 'g'), '%d-%m-%y') IS NOT NULL THEN "
            f"CASE WHEN {two_digit} > {as_of} THEN {two_digit} - INTERVAL 100 YEAR "
            f"ELSE {two_digit} END"
            f" WHEN regexp_full_match({v}, '{EXCEL_SERIAL}') THEN "
            f"DATE '{EXCEL_EPOCH.isoformat()}' + {v}::INTEGER END::DATE")


def parse_expression(column: Column, today: dt.date | None = None) -> str:
    """SQL turning the staged text of `column` into its typed value (NULL if invalid);
    `today`, the data's date, places two-digit years (default: the database's today)."""
    v = column.name
    if column.kind == "date":
        return _date_expression(v, today)
    if column.kind == "month":
        return (f"date_trunc('month', coalesce(try_strptime({v}, '%Y-%m'), "
                f"try_strptime({v}, '%Y-%m-%d')))::DATE")
    if column.kind == "int":
        return f"CASE WHEN regexp_full_match({v}, '\\d{{1,3}}') THEN {v}::INTEGER END"
    if column.kind == "hours":
        # Decimal comma or point; a thousands point before a decimal comma is dropped.
        cleaned = (f"CASE WHEN contains({v}, ',') THEN replace(replace({v}, '.', ''), ',', '.') "
                   f"ELSE {v} END")
        return f"try_cast({cleaned} AS DOUBLE)"
    if column.kind in ("code", "yesno"):
        cases = " ".join(
            f"WHEN {sql_text(_python_key(spelling))} THEN {sql_text(code)}"
            for code, label in column.codes.items()
            for spelling in {code, label}
        )
        # The code or label spelled exactly as in the contract skips the regex: millions of
        # 'SSA' cost a comparison each, and the result is the one the key would give.
        exact = " ".join(f"WHEN {sql_text(spelling)} THEN {sql_text(code)}"
                         for spelling, code in _exact_spellings(column.codes).items())
        # The key drops everything but ASCII letters and digits, so 'SSA ０１０１９０-１２３４'
        # would become 'SSA': text that may hold a CPR number is never read as a code. The
        # broad test, not the CPR regex, which would be compiled in every rule's query that
        # reads the column: no code or label has ten digits or non-ASCII letters (tested).
        return (f"CASE {v} {exact} ELSE CASE WHEN {sql_digit_like(v)} THEN NULL "
                f"ELSE CASE {_match_key(v)} {cases} END END END")
    return v


def _exact_spellings(codes: dict[str, str]) -> dict[str, str]:
    """Each code and label as written → the code the spelling-insensitive CASE returns."""
    def first_code(key: str) -> str:
        return next(code for code, label in codes.items()
                    if key in (_python_key(code), _python_key(label)))
    return {spelling: first_code(_python_key(spelling))
            for code, label in codes.items() for spelling in (code, label)}


def cpr_problems(con: duckdb.DuckDBPyConnection, names: Collection[str] | None = None
                 ) -> list[tuple[str, int, str, str]]:
    """Every cell of every staged file (of those `names`, when given) that holds a CPR
    number, as (file, line, column, message)."""
    return [(spec.name, line, column, CPR_MESSAGE)
            for spec in ALL_FILES if names is None or spec.name in names
            for line, column in cpr_cells(con, raw_table(spec.name), list(spec.column_names))]


def checked_table(name: str) -> str:
    return f"checked_{name}"


def _value_column(column: Column) -> str:
    """The column of the checked table holding `column`'s typed value beside its text."""
    return f"{column.name}__value"


def _parsed(column: Column) -> bool:
    return column.kind not in ("id", "text")


def text_cell(column: Column, today: dt.date) -> Cell:
    """A column of a checked table as the rules see it: its text, and its value as
    parse_expression typed it (build_typed)."""
    v = column.name
    if not _parsed(column):
        return Cell(column, v, f"{v} IS NULL", "false", v, today)
    typed = _value_column(column)
    return Cell(column, typed, f"{v} IS NULL", f"({v} IS NOT NULL AND {typed} IS NULL)", v, today)


def column_problem_sql(spec: FileSpec, today: dt.date) -> list[str]:
    """One query per column rule and column of `spec`, over its checked table."""
    parts = []
    for column in spec.columns:
        cell = text_cell(column, today)
        for rule in rules.column_rules(column):
            parts.append(
                f"SELECT {sql_text(spec.name)} AS file, _line AS line, "
                f"{sql_text(column.name)} AS col, {rule.message_sql(cell)} AS message "
                f"FROM {checked_table(spec.name)} WHERE {rule.when(cell)}"
            )
    return parts


def date_columns(spec: FileSpec) -> list[str]:
    return [c.name for c in spec.columns if c.kind == "date"]


def convention_sql(spec: FileSpec) -> str | None:
    """The file's first date written in another convention than its first date, over its
    staged text (rules.date_convention_sql)."""
    return date_convention_sql(spec.name, date_columns(spec), raw_table(spec.name))


def row_problem_sql(today: dt.date) -> list[str]:
    """One query per rule across columns, rows or files, over the typed tables."""
    return [f"SELECT {sql_text(rule.file)}, t._line, {sql_text(rule.column)}, "
            f"{rule.message_sql(today)} {rule.rows_sql(today)}"
            for rule in rules.row_rules()]


def build_typed(con: duckdb.DuckDBPyConnection, spec: FileSpec,
                today: dt.date | None = None) -> None:
    """The staged text typed: a checked table with each cell's text beside its value,
    which the column rules read, and the typed table (its values) that the rules across
    files and the final tables read. Each cell is parsed once: written into every rule's
    query instead, the parse expressions took most of a small check's time to plan."""
    parsed = [f"{parse_expression(c, today)} AS {_value_column(c)}"
              for c in spec.columns if _parsed(c)]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {checked_table(spec.name)} AS "
        f"SELECT _line, {', '.join([*spec.column_names, *parsed])} FROM {raw_table(spec.name)}"
    )
    values = ", ".join(f"{_value_column(c)} AS {c.name}" if _parsed(c) else c.name
                       for c in spec.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {typed_table(spec.name)} AS "
        f"SELECT _line, {values} FROM {checked_table(spec.name)}"
    )


def _only_cpr_on_its_lines(con: duckdb.DuckDBPyConnection) -> None:
    """A line holding a CPR number is reported for that alone: another rule's message may
    quote a value read from it (`0101901234e-7` hours are 10.1901234, compared with the
    sick-leave hours), and the line must be written again anyway."""
    file, line, _column, message = (d[0] for d in con.execute(
        "SELECT * FROM problems LIMIT 0").description)
    words = CPR_WORDS
    con.execute(
        f"DELETE FROM problems AS p WHERE NOT contains(p.{message}, ?) AND EXISTS (SELECT 1 "
        f"FROM problems AS c WHERE c.{file} = p.{file} AND c.{line} = p.{line} "
        f"AND contains(c.{message}, ?))", [words, words])


def collect_problems(
    con: duckdb.DuckDBPyConnection, today: dt.date, display: dict[str, str],
    cpr: list[tuple[str, int, str, str]] | None = None,
) -> tuple[list[Problem], int]:
    """Run every rule; return the first MAX_REPORTED problems and the total count. `cpr`:
    the CPR numbers found before an import profile's reduction (cpr_problems), which
    every staged cell must pass, also those of rows the reduction left out."""
    queries = [q for spec in ALL_FILES for q in column_problem_sql(spec, today)]
    queries += [q for spec in ALL_FILES if (q := convention_sql(spec)) is not None]
    union = "\nUNION ALL\n".join(
        f"SELECT * FROM ({q})" for q in (*queries, *row_problem_sql(today)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE problems AS {union}")
    cpr = cpr_problems(con) if cpr is None else cpr
    if cpr:
        con.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", cpr)
        _only_cpr_on_its_lines(con)
    total = con.execute("SELECT count(*) FROM problems").fetchone()
    rows = con.execute(
        f"SELECT * FROM problems ORDER BY 1, 2, 3 LIMIT {MAX_REPORTED}"
    ).fetchall()
    problems = [Problem(display.get(f, f), int(line), col, msg) for f, line, col, msg in rows]
    return problems, int(total[0]) if total else 0
