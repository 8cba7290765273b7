"""The query layer: one function per metric, each a call of a macro defined in sql/.

Every function takes the site and education restriction as arguments, so a
restriction can never be forgotten by a caller and cached results never leak
between restrictions.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from sosu.metrics.protect import REST
from sosu.store import db

Selection = Sequence[str] | None


def _as_list(values: Selection) -> list[str] | None:
    return list(values) if values else None


def _query(con: duckdb.DuckDBPyConnection, sql: str, parameters: list[object]) -> pd.DataFrame:
    cursor = db.cursor(con)  # one cursor per call: safe across Streamlit's session threads
    try:
        return db.frame(cursor, sql, parameters)
    finally:
        cursor.close()


def _macro(
    con: duckdb.DuckDBPyConnection, macro: str, sites: Selection, educations: Selection,
    *leading: object,
) -> pd.DataFrame:
    """Call a table macro; `leading` are the macro's own parameters before the restriction."""
    holes = "".join("?, " for _ in leading)
    return _query(con, f"SELECT * FROM {macro}({holes}?::VARCHAR[], ?::VARCHAR[])",
                  [*leading, _as_list(sites), _as_list(educations)])


def _by_site(frame: pd.DataFrame, apart: Selection) -> pd.DataFrame:
    if apart:  # the other sites' rows carry a NULL site in SQL
        frame["oplaeringssted"] = frame["oplaeringssted"].fillna(REST)
    return frame


def _summed(con: duckdb.DuckDBPyConnection, macro: str, sites: Selection,
            educations: Selection, by_site: bool, apart: Selection = None) -> pd.DataFrame:
    """A metric that adds up over sites: the chosen sites as one group, or with `by_site`
    each of them on its own in one query, keyed by a first column `oplaeringssted`. Given
    `apart`, only those sites are on their own and the others add up to one keyed REST."""
    columns = "*" if by_site else "* EXCLUDE (oplaeringssted)"
    frame = _query(
        con, f"SELECT {columns} FROM {macro}(?::VARCHAR[], ?::VARCHAR[], pr_sted := ?, "
             "hver_for_sig := ?::VARCHAR[])",
        [_as_list(sites), _as_list(educations), by_site, _as_list(apart)])
    return _by_site(frame, apart if by_site else None)


def _sick_leave(con: duckdb.DuckDBPyConnection, macro: str, sites: Selection,
                educations: Selection, by_site: bool, by_education: bool,
                apart: Selection = None) -> pd.DataFrame:
    """Sick leave of the chosen educations together and, with `by_education`, of each on
    its own too, in one query: `uddannelse` is then the education, or NULL for all."""
    dropped = [c for c, kept in (("oplaeringssted", by_site), ("uddannelse", by_education))
               if not kept]
    columns = f"* EXCLUDE ({', '.join(dropped)})" if dropped else "*"
    frame = _query(
        con, f"SELECT {columns} FROM {macro}(?::VARCHAR[], ?::VARCHAR[], pr_sted := ?, "
             "hver_for_sig := ?::VARCHAR[], pr_uddannelse := ?)",
        [_as_list(sites), _as_list(educations), by_site, _as_list(apart), by_education])
    return _by_site(frame, apart if by_site else None)


def cohorts(con: duckdb.DuckDBPyConnection, sites: Selection = None,
            educations: Selection = None, by_site: bool = False,
            apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "kohorter", sites, educations, by_site, apart)


def sick_leave_by_year(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                       educations: Selection = None, by_site: bool = False,
                       by_education: bool = False, apart: Selection = None) -> pd.DataFrame:
    return _sick_leave(con, "sygefravaer_pr_aar", sites, educations, by_site, by_education,
                       apart)


def sick_leave_by_month(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                        educations: Selection = None, by_site: bool = False,
                        by_education: bool = False, apart: Selection = None) -> pd.DataFrame:
    return _sick_leave(con, "sygefravaer_pr_maaned", sites, educations, by_site,
                       by_education, apart)


def dropout_reasons(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                    educations: Selection = None, by_site: bool = False,
                    apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "frafaldsaarsager", sites, educations, by_site, apart)


def dropout_phases(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                   educations: Selection = None, by_site: bool = False,
                   apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "frafaldsfaser", sites, educations, by_site, apart)


def hires(con: duckdb.DuckDBPyConnection, sites: Selection = None,
          educations: Selection = None, by_site: bool = False,
          apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "ansaettelser", sites, educations, by_site, apart)


def hired_after_by_workplace(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                             educations: Selection = None, by_site: bool = False,
                             apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "ansat_efter_sted", sites, educations, by_site, apart)


def sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every site with a student. Asked for by every protected figure, so read from the
    cohort counts (every student is in one) rather than from one row per student."""
    cursor = db.cursor(con)
    try:
        rows = cursor.execute(
            "SELECT DISTINCT oplaeringssted FROM int_kohorter ORDER BY 1").fetchall()
    finally:
        cursor.close()
    return [r[0] for r in rows]


def year_span(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """First and last hiring year in the data (a cohort is a year of hiring): the bounds
    of the year filter."""
    cursor = db.cursor(con)
    try:
        row = cursor.execute("SELECT min(aargang), max(aargang) FROM int_kohorter").fetchone()
    finally:
        cursor.close()
    return (int(row[0]), int(row[1])) if row and row[0] is not None else None


def age_bands(con: duckdb.DuckDBPyConnection, sites: Selection = None,
              educations: Selection = None, by_site: bool = False,
              apart: Selection = None) -> pd.DataFrame:
    return _summed(con, "aldersfordeling", sites, educations, by_site, apart)


def outcome_times(con: duckdb.DuckDBPyConnection, as_of: object = None,
                  sites: Selection = None, educations: Selection = None) -> pd.DataFrame:
    """Per cohort and month since hire, the students leaving by each outcome as the data
    stood on `as_of` (None: the data's own date); the input of metrics.projection."""
    return _macro(con, "forloebstider", sites, educations, as_of)


def students(con: duckdb.DuckDBPyConnection, sites: Selection = None,
             educations: Selection = None) -> pd.DataFrame:
    """Student-level rows: only ever called for the education team (see metrics.datasets)."""
    return _macro(con, "elevliste", sites, educations)


def early_warning(con: duckdb.DuckDBPyConnection, threshold: float,
                  sites: Selection = None, educations: Selection = None) -> pd.DataFrame:
    """Active students with a sick-leave warning sign: the education team only."""
    return _macro(con, "tidlig_opsporing", sites, educations, threshold)


def active_students(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                    educations: Selection = None) -> pd.DataFrame:
    """How many students are active as of the newest month of sick-leave data."""
    return _macro(con, "aktive_elever", sites, educations)


def early_warning_backtest(con: duckdb.DuckDBPyConnection, thresholds: Sequence[float],
                           sites: Selection = None, educations: Selection = None
                           ) -> pd.DataFrame:
    """The early warning tried on the loaded history, one row per threshold."""
    return _macro(con, "tidlig_opsporing_test", sites, educations,
                  [float(t) for t in thresholds])


def initiatives(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The strategy's initiatives (indsatser): no students in them, the same for everyone."""
    return _query(con, "SELECT * FROM indsatser_status", [])


def completeness(con: duckdb.DuckDBPyConnection, sites: Selection = None,
                 educations: Selection = None, by_site: bool = False,
                 apart: Selection = None) -> pd.DataFrame:
    """How complete each figure's basis is: per measure (maal), year and education, the
    basis, how much of it is missing and the share known (sql: fuldstaendighed)."""
    return _summed(con, "fuldstaendighed", sites, educations, by_site, apart)


# Name → function, so the dashboard's cache can call any metric by name.
BY_NAME = {
    "cohorts": cohorts,
    "sick_leave_by_year": sick_leave_by_year,
    "sick_leave_by_month": sick_leave_by_month,
    "dropout_reasons": dropout_reasons,
    "dropout_phases": dropout_phases,
    "hires": hires,
    "hired_after_by_workplace": hired_after_by_workplace,
    "age_bands": age_bands,
    "completeness": completeness,
}
