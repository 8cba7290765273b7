"""Set-wise validation: every rule is one SQL query over the staged tables.

Column rules are generated from the contract (domain.contract); rules across files
are written out below. Each rule returns (file, line, column, message) rows, so
a national data set is checked at DuckDB speed rather than row by row in Python.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from sosu.domain.contract import (
    ALL_FILES,
    MAX_ALDER,
    MAX_ID_LENGTH,
    MAX_TIMER,
    MIN_ALDER,
    OMVALG_AARSAG,
    Column,
    FileSpec,
)
from sosu.domain.cpr import contains_cpr, sql_candidate
from sosu.domain.targets import target_ids
from sosu.etl.problems import MAX_REPORTED, Problem


def raw_table(name: str) -> str:
    return f"raw_{name}"


def typed_table(name: str) -> str:
    return f"typed_{name}"


def create_final(spec: FileSpec) -> str:
    """The statement that creates a file's final table: TEMP (in memory, never in the
    database file) for a file whose rows are not kept. Created TEMP from the start: a
    table written to the file and dropped before the commit left its blocks in the file."""
    return f"CREATE {'TABLE' if spec.kept else 'TEMP TABLE'} {spec.name}"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _match_key(sql: str) -> str:
    """Spelling-insensitive key: 'Fysisk / psykisk sygdom' == 'fysisk_psykisk_sygdom'."""
    return f"regexp_replace(lower({sql}), '[^a-z0-9æøå]', '', 'g')"


def _python_key(value: str) -> str:
    return re.sub(r"[^a-z0-9æøå]", "", value.lower())


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")
_DATE_SHAPE = r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4})$"


def parse_expression(column: Column) -> str:
    """SQL turning the staged text of `column` into its typed value (NULL if invalid)."""
    v = column.name
    if column.kind == "date":
        tries = ", ".join(f"try_strptime({v}, '{f}')" for f in _DATE_FORMATS)
        return f"coalesce({tries})::DATE"
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
            f"WHEN {_sql_text(_python_key(spelling))} THEN {_sql_text(code)}"
            for code, label in column.codes.items()
            for spelling in {code, label}
        )
        # The code or label spelled exactly as in the contract skips the regex: millions of
        # 'SSA' cost a comparison each, and the result is the one the key would give.
        exact = " ".join(f"WHEN {_sql_text(spelling)} THEN {_sql_text(code)}"
                         for spelling, code in _exact_spellings(column.codes).items())
        # The key drops everything but ASCII letters and digits, so 'SSA ０１０１９０-１２３４'
        # would become 'SSA': text that may hold a CPR number is never read as a code.
        return (f"CASE {v} {exact} ELSE CASE WHEN {sql_candidate(v)} THEN NULL "
                f"ELSE CASE {_match_key(v)} {cases} END END END")
    return v


def _exact_spellings(codes: dict[str, str]) -> dict[str, str]:
    """Each code and label as written → the code the spelling-insensitive CASE returns."""
    def first_code(key: str) -> str:
        return next(code for code, label in codes.items()
                    if key in (_python_key(code), _python_key(label)))
    return {spelling: first_code(_python_key(spelling))
            for code, label in codes.items() for spelling in (code, label)}


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


CPR_MESSAGE = "indeholder noget, der ligner et CPR-nummer; skriv aldrig CPR-numre i filerne"


def cpr_cells(con: duckdb.DuckDBPyConnection, table: str, columns: list[str],
              line: str = "_line") -> list[tuple[int, str]]:
    """(line, column) of every cell of `table` holding a CPR number in any spelling
    (domain.cpr); an id the id rule (cpr_condition) reports already is left out.

    DuckDB's regex finds the candidate cells (one pass, a superset); Python decides on
    their distinct values, which are few, and which never leave this function."""
    found: list[tuple[int, str]] = []
    for column in columns:
        skip = f" AND NOT coalesce({cpr_condition(column)}, false)" if column == "elev_id" else ""
        values = [value for (value,) in con.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {sql_candidate(column)}{skip}"
        ).fetchall() if contains_cpr(value)]
        if values:
            rows = con.execute(f"SELECT {line} FROM {table} WHERE list_contains(?, {column})",
                               [values]).fetchall()
            found += [(int(number), column) for (number,) in rows]
    return found


def _cpr_problems(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str, str]]:
    """Every cell of every staged file that holds a CPR number."""
    return [(spec.name, line, column, CPR_MESSAGE)
            for spec in ALL_FILES
            for line, column in cpr_cells(con, raw_table(spec.name), list(spec.column_names))]


def _column_rules(spec: FileSpec, column: Column, today: dt.date) -> list[tuple[str, str]]:
    """(condition on a staged row, message) pairs for one column."""
    v = column.name
    typed = parse_expression(column)
    shown = f"'''' || left({v}, 40) || ''''"
    rules: list[tuple[str, str]] = []
    if column.required:
        rules.append((f"{v} IS NULL", "'mangler en værdi'"))
    if column.kind == "id":
        rules += [
            (cpr_condition(v),
             "'ligner et CPR-nummer (XXXXXX-XXXX); brug et pseudonym, aldrig CPR-nummeret'"),
            (f"length({v}) > {MAX_ID_LENGTH}", f"'er længere end {MAX_ID_LENGTH} tegn'"),
        ]
    elif column.kind == "date":
        rules += [
            (f"{v} IS NOT NULL AND {typed} IS NULL AND regexp_full_match({v}, '{_DATE_SHAPE}')",
             f"'datoen ' || {shown} || ' findes ikke'"),
            (f"{v} IS NOT NULL AND {typed} IS NULL AND NOT regexp_full_match({v}, '{_DATE_SHAPE}')",
             f"'ugyldig dato ' || {shown} || '; brug ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ'"),
            (f"{typed} > DATE '{today.isoformat()}'",
             f"'datoen ' || {shown} || ' ligger i fremtiden'"),
        ]
    elif column.kind == "month":
        rules += [
            (f"{v} IS NOT NULL AND {typed} IS NULL",
             f"'ugyldig måned ' || {shown} || '; brug ÅÅÅÅ-MM, fx 2023-09'"),
            (f"{typed} > DATE '{today.replace(day=1).isoformat()}'",
             f"'måneden ' || {shown} || ' ligger i fremtiden'"),
        ]
    elif column.kind == "int":
        rules.append((
            f"{v} IS NOT NULL AND ({typed} IS NULL "
            f"OR {typed} NOT BETWEEN {MIN_ALDER} AND {MAX_ALDER})",
            f"'ugyldig alder ' || {shown} || '; skal være et helt tal fra {MIN_ALDER} til "
            f"{MAX_ALDER}'"))
    elif column.kind == "hours":
        rules += [
            (f"{v} IS NOT NULL AND {typed} IS NULL",
             f"'ugyldigt antal timer ' || {shown}"),
            (f"{typed} < 0", "'timer kan ikke være negative'"),
            (f"{typed} > {MAX_TIMER}",
             f"'mere end {MAX_TIMER} timer; en måned har højst {MAX_TIMER} timer'"),
        ]
    elif column.kind in ("code", "yesno"):
        accepted = ", ".join(column.codes)
        rules.append((f"{v} IS NOT NULL AND {typed} IS NULL",
                      f"'ukendt værdi ' || {shown} || '; tilladte værdier: {accepted}'"))
    return rules


def column_problem_sql(spec: FileSpec, today: dt.date) -> str:
    parts = []
    for column in spec.columns:
        for condition, message in _column_rules(spec, column, today):
            parts.append(
                f"SELECT {_sql_text(spec.name)} AS file, _line AS line, "
                f"{_sql_text(column.name)} AS col, {message} AS message "
                f"FROM {raw_table(spec.name)} WHERE {condition}"
            )
    return "\nUNION ALL\n".join(parts)


def build_typed(con: duckdb.DuckDBPyConnection, spec: FileSpec) -> None:
    columns = ", ".join(f"{parse_expression(c)} AS {c.name}" for c in spec.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {typed_table(spec.name)} AS "
        f"SELECT _line, {columns} FROM {raw_table(spec.name)}"
    )


_STUDENT = "t.elev_id = e.elev_id AND t.uddannelse = e.uddannelse"
_STUDENT_KEY = ("elev_id", "uddannelse")
_NOT_IN_ELEVER = (
    "'eleven ' || t.elev_id || ' (' || t.uddannelse || ') findes ikke i elever'"
)


def _duplicate_rule(name: str, keys: tuple[str, ...], what: str) -> str:
    # Grouping first and joining back only the repeated keys is three times faster on
    # millions of sick-leave months than a window over every row; NULL keys match NULL.
    on = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    return f"""
    SELECT '{name}', t._line, 'elev_id', '{what} står også i linje ' || d.first_line
    FROM typed_{name} t
    JOIN (SELECT {', '.join(keys)}, min(_line) AS first_line FROM typed_{name}
          WHERE elev_id IS NOT NULL AND uddannelse IS NOT NULL
          GROUP BY ALL HAVING count(*) > 1) d ON {on}
    WHERE t._line > d.first_line"""


def _orphan_rule(name: str) -> str:
    return f"""
    SELECT '{name}', t._line, 'elev_id', {_NOT_IN_ELEVER}
    FROM typed_{name} t ANTI JOIN typed_elever e ON {_STUDENT}
    WHERE t.elev_id IS NOT NULL AND t.uddannelse IS NOT NULL"""


def cross_file_rules(today: dt.date, *, sick_leave_months: bool = True) -> list[str]:
    """Rules that need more than one row or file. Each yields (file, line, column, message).

    Without `sick_leave_months`, the rules over every sick-leave month are left out: the
    fast path (etl.fast) asks the same three questions in one pass of its own."""
    return [
        *_record_rules(),
        *(sick_leave_month_rules(today) if sick_leave_months else []),
    ]


def sick_leave_month_rules(today: dt.date) -> list[str]:
    """Each sick-leave month belongs to a known student, once, within the employment."""
    end_of_data = f"DATE '{today.isoformat()}'"
    return [
        _duplicate_rule("sygefravaer", (*_STUDENT_KEY, "maaned"), "samme elev og måned"),
        _orphan_rule("sygefravaer"),
        f"""
        SELECT 'sygefravaer', t._line, 'maaned',
               'måneden ' || strftime(t.maaned, '%Y-%m') || ' ligger uden for ansættelsen ('
               || strftime(e.ansat_dato, '%Y-%m') || ' til ' || strftime(s.slut, '%Y-%m') || ')'
        FROM typed_sygefravaer t
        JOIN typed_elever e ON {_STUDENT}
        JOIN (SELECT e.elev_id, e.uddannelse,
                     coalesce(g.afsluttet_dato, f.frafald_dato, {end_of_data}) AS slut
              FROM typed_elever e
              LEFT JOIN typed_gennemfoerte g USING (elev_id, uddannelse)
              LEFT JOIN typed_frafald f USING (elev_id, uddannelse)) s
          ON t.elev_id = s.elev_id AND t.uddannelse = s.uddannelse
        WHERE t.maaned < date_trunc('month', e.ansat_dato)
           OR t.maaned > date_trunc('month', s.slut)""",
    ]


def _record_rules() -> list[str]:
    return [
        _duplicate_rule("elever", _STUDENT_KEY, "samme elev og uddannelse"),
        _duplicate_rule("gennemfoerte", _STUDENT_KEY, "samme elev"),
        _duplicate_rule("frafald", _STUDENT_KEY, "samme elev"),
        _duplicate_rule("efter_uddannelse", _STUDENT_KEY, "samme elev"),
        *(_orphan_rule(n) for n in ("gennemfoerte", "frafald", "efter_uddannelse")),
        """
        SELECT 'elever', _line, 'rekruttering',
               'rekruttering ''ssh'' (egen SSH-medarbejder) gælder kun SSA-elever'
        FROM typed_elever WHERE rekruttering = 'ssh' AND uddannelse = 'SSH'""",
        f"""
        SELECT 'frafald', _line, 'aarsag', 'årsagen skift fra SSA til SSH gælder kun SSA-elever'
        FROM typed_frafald WHERE aarsag = '{OMVALG_AARSAG}' AND uddannelse = 'SSH'""",
        """
        SELECT 'frafald', t._line, 'elev_id',
               'eleven ' || t.elev_id || ' står også som gennemført (gennemfoerte linje '
               || g._line || '); en elev kan ikke både gennemføre og falde fra'
        FROM typed_frafald t JOIN typed_gennemfoerte g
          ON t.elev_id = g.elev_id AND t.uddannelse = g.uddannelse""",
        f"""
        SELECT 'gennemfoerte', t._line, 'afsluttet_dato',
               'afsluttet ' || t.afsluttet_dato || ' før ansættelsen ' || e.ansat_dato
        FROM typed_gennemfoerte t JOIN typed_elever e ON {_STUDENT}
        WHERE t.afsluttet_dato < e.ansat_dato""",
        f"""
        SELECT 'frafald', t._line, 'frafald_dato',
               'frafald ' || t.frafald_dato || ' før ansættelsen ' || e.ansat_dato
        FROM typed_frafald t JOIN typed_elever e ON {_STUDENT}
        WHERE t.frafald_dato < e.ansat_dato""",
        """
        SELECT 'sygefravaer', _line, 'syge_timer',
               'sygetimer (' || syge_timer || ') er flere end de planlagte timer ('
               || planlagte_timer || ')'
        FROM typed_sygefravaer WHERE syge_timer > planlagte_timer""",
        """
        SELECT 'sygefravaer', _line, 'planlagte_timer', 'planlagte timer skal være over 0'
        FROM typed_sygefravaer WHERE planlagte_timer = 0""",
        f"""
        SELECT 'efter_uddannelse', t._line, 'elev_id',
               'eleven ' || t.elev_id || ' (' || t.uddannelse || ') står ikke i gennemfoerte'
        FROM typed_efter_uddannelse t
        JOIN typed_elever e ON {_STUDENT}
        ANTI JOIN typed_gennemfoerte g ON t.elev_id = g.elev_id AND t.uddannelse = g.uddannelse""",
        """
        SELECT 'efter_uddannelse', _line, 'arbejdssted',
               'arbejdssted skal udfyldes, når ansat_i_kommunen er ja'
        FROM typed_efter_uddannelse WHERE ansat_i_kommunen = 'ja' AND arbejdssted IS NULL""",
    ]


def initiative_rules() -> list[str]:
    """Rules for the optional indsatser file (an absent file is an empty table)."""
    ids = target_ids()
    known = ", ".join(_sql_text(i) for i in ids) or "NULL"
    listed = ", ".join(ids) or "(ingen mål i målfilen)"
    return [
        f"""
        SELECT 'indsatser', _line, 'maal_id',
               'ukendt mål ''' || left(maal_id, 40) || '''; mål i målfilen: '
               || {_sql_text(listed)}
        FROM typed_indsatser WHERE maal_id IS NOT NULL AND maal_id NOT IN ({known})""",
        """
        SELECT 'indsatser', t._line, 'navn',
               'samme indsats og mål står også i linje ' || d.first_line
        FROM typed_indsatser t
        JOIN (SELECT navn, coalesce(maal_id, '') AS maal, min(_line) AS first_line
              FROM typed_indsatser WHERE navn IS NOT NULL
              GROUP BY ALL HAVING count(*) > 1) d
          ON t.navn = d.navn AND coalesce(t.maal_id, '') = d.maal AND t._line > d.first_line""",
    ]


def collect_problems(
    con: duckdb.DuckDBPyConnection, today: dt.date, display: dict[str, str]
) -> tuple[list[Problem], int]:
    """Run every rule; return the first MAX_REPORTED problems and the total count."""
    column_sql = [column_problem_sql(spec, today) for spec in ALL_FILES]
    union = "\nUNION ALL\n".join(
        [f"SELECT * FROM ({q})" for q in column_sql]
        + [f"SELECT * FROM ({q})" for q in (*cross_file_rules(today), *initiative_rules())]
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE problems AS {union}")
    cpr = _cpr_problems(con)
    if cpr:
        con.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", cpr)
    total = con.execute("SELECT count(*) FROM problems").fetchone()
    rows = con.execute(
        f"SELECT * FROM problems ORDER BY 1, 2, 3 LIMIT {MAX_REPORTED}"
    ).fetchall()
    problems = [Problem(display.get(f, f), int(line), col, msg) for f, line, col, msg in rows]
    return problems, int(total[0]) if total else 0
