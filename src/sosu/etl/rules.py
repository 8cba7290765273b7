"""The rule table: every validation rule, written once.

A rule is a condition, a Danish message and the column the message names.
- COLUMN_RULES hold conditions on one typed cell. Which columns a rule checks is
  said by the contract (domain.contract): a column's kind, whether it is required,
  its codes. `column_rules` gives a column the rules that apply to it.
- ROW_RULES look at more than one column, row or file: each is the rows, one per
  problem, of a query over the typed tables (typed_<file>, with `_line`).

Both load paths are derived from these two tables, so a new rule is one entry here:
- the text path (etl.validate) turns every rule into a query that returns each
  problem as (file, line, column, message);
- the fast path for clean CSV exports (etl.fast) asks the same conditions of the
  tables read_csv typed, and only whether any row meets one; it builds no message.

A column rule's condition sees a Cell: the typed value, whether the cell is empty
(`missing`) and whether it holds text that is no value of its kind (`unreadable`),
never the text itself; a message may show the text (`{shown}`). On a row where a cell
is unreadable the value may be anything: the row is refused whatever else it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from sosu.domain.contract import (
    MAX_ALDER,
    MAX_ID_LENGTH,
    MAX_TIMER,
    MIN_ALDER,
    OMVALG_AARSAG,
    Column,
    Kind,
)
from sosu.domain.cpr import contains_cpr, sql_candidate, sql_digit_like
from sosu.domain.targets import target_ids
from sosu.etl.profile import strptime_format
from sosu.etl.read import cell_text


def sql_text(value: str) -> str:
    """A Python string as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


@dataclass(frozen=True)
class Cell:
    """One column's cells as a rule sees them: SQL expressions on one row.

    `text` is for messages only: on the fast path there is none (read_csv typed the
    dates, months and hours itself) and no message is built."""

    column: Column
    value: str
    missing: str
    unreadable: str
    text: str
    today: dt.date

    @property
    def shown(self) -> str:
        """The cell's text in quotes, at most 40 characters of it."""
        return f"'''' || left({self.text}, 40) || ''''"


Message = str | Callable[[Cell], str]


@dataclass(frozen=True)
class ColumnRule:
    """A problem in one cell: `when` (SQL, true on a row with the problem) and the message.

    `message` is Danish text in which `{shown}` stands for the quoted cell, or a function
    of the cell giving an SQL expression."""

    applies: Callable[[Column], bool]
    when: Callable[[Cell], str]
    message: Message

    def message_sql(self, cell: Cell) -> str:
        if callable(self.message):
            return self.message(cell)
        pieces = []
        for index, part in enumerate(self.message.split("{shown}")):
            if index:
                pieces.append(cell.shown)
            if part:
                pieces.append(sql_text(part))
        return " || ".join(pieces)


def kind(*kinds: Kind) -> Callable[[Column], bool]:
    return lambda column: column.kind in kinds


def required(column: Column) -> bool:
    return column.required


def cpr_condition(v: str) -> str:
    """True for an id shaped like a CPR number: XXXXXX-XXXX, ten digits starting with a
    valid DDMMYY date, or nine such digits, the number Excel keeps of a CPR number typed
    as a number (its leading zero dropped; as etl.pseudonymize). The length test first
    spares millions of ids the regex. Other spellings: cpr_cells."""
    return (f"length({v}) IN (9, 10, 11) AND (regexp_full_match({v}, '\\d{{6}}-\\d{{4}}') "
            f"OR (regexp_full_match({v}, '\\d{{10}}') "
            f"AND try_strptime(left({v}, 6), '%d%m%y') IS NOT NULL) "
            f"OR (regexp_full_match({v}, '[1-9]\\d{{8}}') "
            f"AND try_strptime('0' || left({v}, 5), '%d%m%y') IS NOT NULL))")


ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
DMY_DATE = r"\d{1,2}[-./]\d{1,2}[-./]\d{4}"
DMY_SHORT_DATE = r"\d{1,2}[-./]\d{1,2}[-./]\d{2}"
# An Excel serial number: days since 1899-12-30 (Excel's day 0, which makes up for its
# 29 February 1900), as a cell shows a date whose number format was lost. Five digits
# cover 1927-04-18 (10000) to 2173-10-14 (99999); the rules below refuse the rest.
EXCEL_SERIAL = r"\d{5}"
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_SHAPE = f"^({ISO_DATE}|{DMY_DATE}|{DMY_SHORT_DATE}|{EXCEL_SERIAL})$"
# No student of this dashboard was hired, left or finished before: an earlier date is a
# misread one (a year typed with too few digits), not history.
EARLIEST_DATE = dt.date(1950, 1, 1)


def _unreadable_date(cell: Cell) -> str:
    """A date that has a date's shape does not exist (2023-02-30); anything else is no date."""
    return (f"CASE WHEN regexp_full_match({cell.text}, '{DATE_SHAPE}') "
            f"THEN 'datoen ' || {cell.shown} || ' findes ikke' "
            f"ELSE 'ugyldig dato ' || {cell.shown} || '; brug ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ' END")


def trimmed(v: str) -> str:
    """The text with the white space strptime and read_csv pass over around a date."""
    return f"trim({v}, ' ' || chr(9) || chr(10) || chr(13))"


def date_convention(v: str) -> str:
    """SQL naming how the text `v` writes a date (ÅÅÅÅ-MM-DD, DD.MM.ÅÅ, Excel-datotal, …),
    NULL for text of no date shape (another rule reports it). The separator is part of the
    convention: a file that writes 01.02.2021 and 01-02-2021 was put together from two
    sources, and one of them may write its dates month first."""
    v = trimmed(v)
    separator = f"regexp_extract({v}, '[-./]')"
    return (f"CASE WHEN regexp_full_match({v}, '{ISO_DATE}') THEN 'ÅÅÅÅ-MM-DD' "
            f"WHEN regexp_full_match({v}, '{EXCEL_SERIAL}') THEN 'Excel-datotal' "
            f"WHEN regexp_full_match({v}, '{DMY_DATE}') "
            f"THEN 'DD' || {separator} || 'MM' || {separator} || 'ÅÅÅÅ' "
            f"WHEN regexp_full_match({v}, '{DMY_SHORT_DATE}') "
            f"THEN 'DD' || {separator} || 'MM' || {separator} || 'ÅÅ' END")


def date_convention_sql(file: str, columns: list[str], table: str,
                        line: str = "_line", labels: dict[str, str] | None = None
                        ) -> str | None:
    """One file uses one date convention: the first date cell (by line, then column) that
    writes its date otherwise than the file's first date, as (file, line, column, message);
    no row when the file keeps to one. None for a file without date columns.

    Across all the file's date columns: the ambiguity it guards against (a day-first and a
    month-first source pasted together, 02-01-2021 beside 01/02/2021) is the file's, and a
    wrong guess would move dates silently. Both load paths ask it of the staged text.
    `labels` names the columns in the message as the file does (an import profile's
    headers)."""
    if not columns:
        return None
    shown = labels or {}
    cells = "\n    UNION ALL\n    ".join(
        f"SELECT {line} AS _line, {order} AS column_order, {sql_text(column)} AS col, "
        f"{sql_text(shown.get(column, column))} AS label, "
        f"{column} AS text, {date_convention(column)} AS convention FROM {table}"
        for order, column in enumerate(columns))
    first = ("(SELECT * FROM cells WHERE convention IS NOT NULL "
             "ORDER BY _line, column_order LIMIT 1)")
    quote = sql_text("'")
    message = (f"'datoen ' || {quote} || left(c.text, 40) || {quote} || ' er skrevet som ' "
               "|| c.convention || ', men filen skriver datoer som ' || f.convention "
               "|| ' (linje ' || f._line || ', ' || f.label || '); skriv alle datoer i filen "
               "på samme måde, så ingen dato læses forkert'")
    return f"""
    WITH cells AS (
    {cells}
    )
    SELECT {sql_text(file)} AS file, c._line AS line, c.col, {message} AS message
    FROM cells AS c, {first} AS f
    WHERE c.convention IS NOT NULL AND c.convention <> f.convention
    ORDER BY c._line, c.column_order
    LIMIT 1"""


def mixed_conventions_sql(columns: list[str], table: str) -> str | None:
    """Does the file break date_convention_sql's rule, as one boolean: its date cells
    write more than one convention. The same rule without the first breaking cell, which
    only the message needs: one pass over the cells instead of a sort and a second pass
    (a fifth of a second on a national students file). The fast path asks this; a true
    sends the load down the text path, which reports the cell. None: no date columns."""
    if not columns:
        return None
    conventions = _each_distinct_text(columns, table, date_convention("v"))
    return f"SELECT count(DISTINCT x) > 1 FROM (\n    {conventions}\n    )"


def _each_distinct_text(columns: list[str], table: str, expression: str) -> str:
    """SQL rows `x`: `expression` (over the text `v`) for each distinct text of each
    column. A date repeats (ten years are 3,653 days) and the shape tests are regexes:
    asked of every cell they took a tenth of a second of a national students file."""
    return "\n    UNION ALL\n    ".join(
        f"SELECT {expression} AS x FROM (SELECT DISTINCT {column} AS v FROM {table})"
        for column in columns)


def date_rule_broken_sql(columns: list[str], table: str, *,
                         date_format: str | None) -> str | None:
    """date_rule_sql's rule as one boolean (for the fast path, which only needs to know):
    with a date format, whether any cell breaks it, asked of each distinct text once
    (as mixed_conventions_sql); else mixed_conventions_sql."""
    if not date_format:
        return mixed_conventions_sql(columns, table)
    if not columns:
        return None
    broken = _each_distinct_text(columns, table, _breaks_format("v", date_format))
    return f"SELECT coalesce(bool_or(x), false) FROM (\n    {broken}\n    )"


def _breaks_format(v: str, date_format: str) -> str:
    """SQL: the text `v` holds a date the profile's format does not read."""
    pattern = sql_text(strptime_format(date_format))
    return f"nullif(trim({v}), '') IS NOT NULL AND try_strptime(trim({v}), {pattern}) IS NULL"


def date_format_sql(file: str, columns: list[str], table: str, date_format: str,
                    line: str = "_line") -> str | None:
    """With an import profile's date format (etl.profile), the format is the file's one
    convention: the first date cell (by line, then column) the format does not read, as
    date_convention_sql gives it."""
    if not columns:
        return None
    cells = "\n    UNION ALL\n    ".join(
        f"SELECT {line} AS _line, {order} AS column_order, {sql_text(column)} AS col, "
        f"{column} AS text FROM {table} WHERE {_breaks_format(column, date_format)}"
        for order, column in enumerate(columns))
    quote = sql_text("'")
    message = (f"'datoen ' || {quote} || left(text, 40) || {quote} || "
               + sql_text(f" er ikke skrevet som profilens datoformat {date_format}; skriv "
                          "alle datoer i filen sådan (eller ret datoformat i profilen), så "
                          "ingen dato læses forkert"))
    return f"""
    WITH cells AS (
    {cells}
    )
    SELECT {sql_text(file)} AS file, _line AS line, col, {message} AS message
    FROM cells ORDER BY _line, column_order LIMIT 1"""


def date_rule_sql(file: str, columns: list[str], table: str, *, date_format: str | None,
                  line: str = "_line", labels: dict[str, str] | None = None) -> str | None:
    """One file, one date convention: the file's first date sets it (date_convention_sql),
    unless an import profile's date format names it, which then is the rule
    (date_format_sql)."""
    if date_format:
        return date_format_sql(file, columns, table, date_format, line)
    return date_convention_sql(file, columns, table, line, labels)


def _read_as(cell: Cell) -> str:
    """How the cell was read, written as ÅÅÅÅ-MM-DD (the fast path has no text)."""
    return f"strftime({cell.value}, '%Y-%m-%d')"


def _too_early(cell: Cell) -> str:
    return (f"'datoen ' || {cell.shown} || ' er læst som ' || {_read_as(cell)} || "
            f"', før {EARLIEST_DATE.year}; skriv året med fire cifre'")


def _unknown_code(cell: Cell) -> str:
    return (f"'ukendt værdi ' || {cell.shown} || "
            f"{sql_text('; tilladte værdier: ' + ', '.join(cell.column.codes))}")


COLUMN_RULES: tuple[ColumnRule, ...] = (
    ColumnRule(required, lambda c: c.missing, "mangler en værdi"),
    ColumnRule(kind("id"), lambda c: cpr_condition(c.value),
               "ligner et CPR-nummer (XXXXXX-XXXX); brug et pseudonym, aldrig CPR-nummeret"),
    ColumnRule(kind("id"), lambda c: f"length({c.value}) > {MAX_ID_LENGTH}",
               f"er længere end {MAX_ID_LENGTH} tegn"),
    ColumnRule(kind("date"), lambda c: c.unreadable, _unreadable_date),
    ColumnRule(kind("date"), lambda c: f"{c.value} > {sql_date(c.today)}",
               lambda c: (f"'datoen ' || {c.shown} || ' ligger i fremtiden (læst som ' || "
                          f"{_read_as(c)} || ')'")),
    ColumnRule(kind("date"), lambda c: f"{c.value} < {sql_date(EARLIEST_DATE)}", _too_early),
    ColumnRule(kind("month"), lambda c: c.unreadable,
               "ugyldig måned {shown}; brug ÅÅÅÅ-MM, fx 2023-09"),
    ColumnRule(kind("month"), lambda c: f"{c.value} > {sql_date(c.today.replace(day=1))}",
               "måneden {shown} ligger i fremtiden"),
    ColumnRule(kind("int"),
               lambda c: f"{c.unreadable} OR {c.value} NOT BETWEEN {MIN_ALDER} AND {MAX_ALDER}",
               f"ugyldig alder {{shown}}; skal være et helt tal fra {MIN_ALDER} til {MAX_ALDER}"),
    ColumnRule(kind("hours"), lambda c: c.unreadable, "ugyldigt antal timer {shown}"),
    ColumnRule(kind("hours"), lambda c: f"{c.value} < 0", "timer kan ikke være negative"),
    ColumnRule(kind("hours"), lambda c: f"{c.value} > {MAX_TIMER}",
               f"mere end {MAX_TIMER} timer; en måned har højst {MAX_TIMER} timer"),
    ColumnRule(kind("code", "yesno"), lambda c: c.unreadable, _unknown_code),
)


def column_rules(column: Column) -> list[ColumnRule]:
    """The rules of the table that check `column` (read at call time: a test may add one)."""
    return [rule for rule in COLUMN_RULES if rule.applies(column)]


# --- rules over more than one column, row or file -------------------------------------

SqlOf = str | Callable[[dt.date], str]


@dataclass(frozen=True)
class RowRule:
    """A problem found by a query over the typed tables.

    `rows` is the query's FROM (and WHERE) clause: one row per problem, the reported row
    of `file` named `t` (its `_line` is the line reported). `message` is an SQL
    expression over those rows. Either may be a function of today's date.
    `screen` names a cheaper check the fast path asks instead (etl.fast.SCREENS); it
    must flag every row this rule flags."""

    file: str
    column: str
    message: SqlOf
    rows: SqlOf
    screen: str | None = None

    def rows_sql(self, today: dt.date) -> str:
        return self.rows(today) if callable(self.rows) else self.rows

    def message_sql(self, today: dt.date) -> str:
        return self.message(today) if callable(self.message) else self.message


_STUDENT = "t.elev_id = e.elev_id AND t.uddannelse = e.uddannelse"
_STUDENT_KEY = ("elev_id", "uddannelse")
_NOT_IN_ELEVER = "'eleven ' || t.elev_id || ' (' || t.uddannelse || ') findes ikke i elever'"
SICK_LEAVE_MONTHS = "sygefravaerets_maaneder"  # the fast path's one pass over the months


def _duplicate(name: str, keys: tuple[str, ...], what: str, screen: str | None = None
               ) -> RowRule:
    # Grouping first and joining back only the repeated keys is three times faster on
    # millions of sick-leave months than a window over every row; NULL keys match NULL.
    on = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    return RowRule(name, "elev_id", f"'{what} står også i linje ' || d.first_line", f"""
    FROM typed_{name} t
    JOIN (SELECT {', '.join(keys)}, min(_line) AS first_line FROM typed_{name}
          WHERE elev_id IS NOT NULL AND uddannelse IS NOT NULL
          GROUP BY ALL HAVING count(*) > 1) d ON {on}
    WHERE t._line > d.first_line""", screen)


def _orphan(name: str, screen: str | None = None) -> RowRule:
    return RowRule(name, "elev_id", _NOT_IN_ELEVER, f"""
    FROM typed_{name} t ANTI JOIN typed_elever e ON {_STUDENT}
    WHERE t.elev_id IS NOT NULL AND t.uddannelse IS NOT NULL""", screen)


def _outside_employment(today: dt.date) -> str:
    return f"""
    FROM typed_sygefravaer t
    JOIN typed_elever e ON {_STUDENT}
    JOIN (SELECT e.elev_id, e.uddannelse,
                 coalesce(g.afsluttet_dato, f.frafald_dato, {sql_date(today)}) AS slut
          FROM typed_elever e
          LEFT JOIN typed_gennemfoerte g USING (elev_id, uddannelse)
          LEFT JOIN typed_frafald f USING (elev_id, uddannelse)) s
      ON t.elev_id = s.elev_id AND t.uddannelse = s.uddannelse
    WHERE t.maaned < date_trunc('month', e.ansat_dato)
       OR t.maaned > date_trunc('month', s.slut)"""


def _unknown_target_message(_today: dt.date) -> str:
    listed = ", ".join(target_ids()) or "(ingen mål i målfilen)"
    return f"'ukendt mål ''' || left(t.maal_id, 40) || '''; mål i målfilen: ' || {sql_text(listed)}"


def _unknown_target_rows(_today: dt.date) -> str:
    known = ", ".join(sql_text(i) for i in target_ids()) or "NULL"
    return (f"FROM typed_indsatser t "
            f"WHERE t.maal_id IS NOT NULL AND t.maal_id NOT IN ({known})")


ROW_RULES: tuple[RowRule, ...] = (
    _duplicate("elever", _STUDENT_KEY, "samme elev og uddannelse"),
    _duplicate("gennemfoerte", _STUDENT_KEY, "samme elev"),
    _duplicate("frafald", _STUDENT_KEY, "samme elev"),
    _duplicate("efter_uddannelse", _STUDENT_KEY, "samme elev"),
    *(_orphan(n) for n in ("gennemfoerte", "frafald", "efter_uddannelse")),
    RowRule("elever", "rekruttering",
            "'rekruttering ''ssh'' (egen SSH-medarbejder) gælder kun SSA-elever'",
            "FROM typed_elever t WHERE t.rekruttering = 'ssh' AND t.uddannelse = 'SSH'"),
    RowRule("frafald", "aarsag", "'årsagen skift fra SSA til SSH gælder kun SSA-elever'",
            f"FROM typed_frafald t WHERE t.aarsag = '{OMVALG_AARSAG}' AND t.uddannelse = 'SSH'"),
    RowRule("frafald", "elev_id",
            "'eleven ' || t.elev_id || ' står også som gennemført (gennemfoerte linje ' "
            "|| g._line || '); en elev kan ikke både gennemføre og falde fra'",
            "FROM typed_frafald t JOIN typed_gennemfoerte g "
            "ON t.elev_id = g.elev_id AND t.uddannelse = g.uddannelse"),
    RowRule("gennemfoerte", "afsluttet_dato",
            "'afsluttet ' || t.afsluttet_dato || ' før ansættelsen ' || e.ansat_dato",
            f"FROM typed_gennemfoerte t JOIN typed_elever e ON {_STUDENT} "
            "WHERE t.afsluttet_dato < e.ansat_dato"),
    RowRule("frafald", "frafald_dato",
            "'frafald ' || t.frafald_dato || ' før ansættelsen ' || e.ansat_dato",
            f"FROM typed_frafald t JOIN typed_elever e ON {_STUDENT} "
            "WHERE t.frafald_dato < e.ansat_dato"),
    RowRule("sygefravaer", "syge_timer",
            "'sygetimer (' || t.syge_timer || ') er flere end de planlagte timer (' "
            "|| t.planlagte_timer || ')'",
            "FROM typed_sygefravaer t WHERE t.syge_timer > t.planlagte_timer"),
    RowRule("sygefravaer", "planlagte_timer", "'planlagte timer skal være over 0'",
            "FROM typed_sygefravaer t WHERE t.planlagte_timer = 0"),
    RowRule("efter_uddannelse", "elev_id",
            "'eleven ' || t.elev_id || ' (' || t.uddannelse || ') står ikke i gennemfoerte'",
            f"FROM typed_efter_uddannelse t JOIN typed_elever e ON {_STUDENT} "
            "ANTI JOIN typed_gennemfoerte g "
            "ON t.elev_id = g.elev_id AND t.uddannelse = g.uddannelse"),
    RowRule("efter_uddannelse", "arbejdssted",
            "'arbejdssted skal udfyldes, når ansat_i_kommunen er ja'",
            "FROM typed_efter_uddannelse t "
            "WHERE t.ansat_i_kommunen = 'ja' AND t.arbejdssted IS NULL"),
    # Each sick-leave month belongs to a known student, once, within the employment.
    _duplicate("sygefravaer", (*_STUDENT_KEY, "maaned"), "samme elev og måned",
               screen=SICK_LEAVE_MONTHS),
    _orphan("sygefravaer", screen=SICK_LEAVE_MONTHS),
    RowRule("sygefravaer", "maaned",
            "'måneden ' || strftime(t.maaned, '%Y-%m') || ' ligger uden for ansættelsen (' "
            "|| strftime(e.ansat_dato, '%Y-%m') || ' til ' || strftime(s.slut, '%Y-%m') || ')'",
            _outside_employment, screen=SICK_LEAVE_MONTHS),
    # The optional indsatser file (an absent file is an empty table).
    RowRule("indsatser", "maal_id", _unknown_target_message, _unknown_target_rows),
    RowRule("indsatser", "navn", "'samme indsats og mål står også i linje ' || d.first_line",
            """
    FROM typed_indsatser t
    JOIN (SELECT navn, coalesce(maal_id, '') AS maal, min(_line) AS first_line
          FROM typed_indsatser WHERE navn IS NOT NULL
          GROUP BY ALL HAVING count(*) > 1) d
      ON t.navn = d.navn AND coalesce(t.maal_id, '') = d.maal AND t._line > d.first_line"""),
)


def row_rules() -> list[RowRule]:
    """Every rule across columns, rows or files (read at call time: a test may add one)."""
    return list(ROW_RULES)


# --- a CPR number in any cell ----------------------------------------------------------

CPR_MESSAGE = "indeholder noget, der ligner et CPR-nummer; skriv aldrig CPR-numre i filerne"
# What every message about a CPR number says (CPR_MESSAGE, elev_id's own rule, the
# workbook scan's): such a message quotes no value.
CPR_WORDS = "ligner et CPR-nummer"


# Below this many distinct values a table's cells are chosen for contains_cpr by a cheap
# superset (sql_digit_like) rather than sql_candidate, whose Unicode classes cost some
# 7 ms of CPU to compile in each query: on a small file, or the 600 sites of millions of
# sick-leave rows, that is much of the check, while Python decides on a few thousand
# values in less.
REGEX_FROM_VALUES = 10_000


def cpr_cells(con: duckdb.DuckDBPyConnection, table: str, columns: list[str],
              line: str = "_line") -> list[tuple[int, str]]:
    """(line, column) of every cell of `table` holding a CPR number in any spelling
    (domain.cpr); an id the id rule (cpr_condition) reports already is left out.

    The one rule not written in SQL: DuckDB finds the candidate cells (one pass, a
    superset: the CPR regex, or on few distinct values a cheaper test); Python decides on their
    distinct values, which are few, and which never leave this function. Both paths ask it
    (etl.fast on fewer columns, see cpr_columns)."""
    if not columns:
        return []
    # Distinct values first, into a table of their own: a column repeats its values (a
    # site name on each of millions of sick-leave rows), and the candidate test then runs
    # once a value. In one query DuckDB pushes the test below the DISTINCT, onto every
    # row, even from a materialised CTE (10 s of CPU for a national column). Every column
    # in one table, so a small file costs three queries, not three a column.
    # Each distinct value trimmed, as every path reads a cell: the load's fast path keeps
    # the columns no figure reads as written (etl.fast.read_typed).
    distinct = " UNION ALL ".join(f"SELECT DISTINCT {index} AS c, {column}::VARCHAR AS v "
                                  f"FROM {table}" for index, column in enumerate(columns))
    con.execute(f"CREATE OR REPLACE TEMP TABLE cpr_distinct AS "
                f"SELECT c, {cell_text('v')} AS v FROM ({distinct})")
    counted = con.execute("SELECT count(*) FROM cpr_distinct").fetchone()
    candidate = sql_candidate if counted and counted[0] >= REGEX_FROM_VALUES else sql_digit_like
    id_index = columns.index("elev_id") if "elev_id" in columns else -1
    skip = f"NOT (c = {id_index} AND coalesce({cpr_condition('v')}, false))"
    candidates = con.execute(
        f"SELECT c, v FROM cpr_distinct WHERE {candidate('v')} AND {skip}").fetchall()
    con.execute("DROP TABLE cpr_distinct")
    found: list[tuple[int, str]] = []
    for index, column in enumerate(columns):
        values = [value for c, value in candidates if c == index and contains_cpr(value)]
        if values:
            rows = con.execute(f"SELECT {line} FROM {table} "
                               f"WHERE list_contains(?, {cell_text(column)})", [values]).fetchall()
            found += [(int(number), column) for (number,) in rows]
    return found
