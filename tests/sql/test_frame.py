"""sosu.store.db.frame must give exactly what DuckDB's own .df() gives, column types included:
every page, suppression rule and test was written against .df()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from sosu.domain.roles import Viewer
from sosu.metrics import datasets
from sosu.store import db


@pytest.fixture
def cursor() -> Any:
    con = duckdb.connect(":memory:")
    yield con
    con.close()


# Each column type the metrics return, with and without NULLs, empty, and the types
# handed back to DuckDB's own conversion (lists, decimals, HUGEINT sums, duplicate names).
QUERIES = {
    "text with NULLs": "SELECT CASE WHEN range % 2 = 0 THEN 'SSH' END AS s FROM range(5)",
    "text, every row NULL": "SELECT NULL::VARCHAR AS s FROM range(3)",
    "text, no rows": "SELECT 'x'::VARCHAR AS s FROM range(0)",
    "whole numbers": "SELECT range::BIGINT AS i, range::INTEGER AS j, range::UTINYINT AS u "
                     "FROM range(4)",
    "whole numbers with NULLs": "SELECT CASE WHEN range > 1 THEN range END::BIGINT AS i, "
                                "CASE WHEN range > 1 THEN range END::INTEGER AS j FROM range(4)",
    "whole numbers, no rows": "SELECT 1::BIGINT AS i FROM range(0)",
    "truth values with NULLs": "SELECT range > 1 AS b, CASE WHEN range > 0 THEN range > 2 END "
                               "AS nb FROM range(4)",
    "fractions": "SELECT range / 3 AS f, CASE WHEN range > 0 THEN 1 / range END AS nf "
                 "FROM range(4)",
    "dates": "SELECT DATE '2024-01-31' + range::INTEGER AS d, CASE WHEN range > 0 THEN "
             "DATE '2020-02-29' END AS nd FROM range(3)",
    "timestamps": "SELECT TIMESTAMP '2024-05-01 12:30:00' AS t, "
                  "TIMESTAMPTZ '2024-05-01 12:30:00+02' AS tz",
    "decimals and HUGEINT sums": "SELECT 1.25::DECIMAL(5, 2) AS d, sum(range) AS h "
                                 "FROM range(3)",
    "lists": "SELECT [0.1, 0.2] AS l, 'x' AS s",
    "a name twice": "SELECT 1 AS a, 2 AS a",
}


@pytest.mark.parametrize("sql", QUERIES.values(), ids=QUERIES.keys())
def test_same_frame_as_duckdb_df(cursor: Any, sql: str) -> None:
    pd.testing.assert_frame_equal(db.frame(cursor, sql, []), cursor.execute(sql).df(),
                                  check_exact=True)


def test_parameters_are_passed(cursor: Any) -> None:
    got = db.frame(cursor, "SELECT ?::VARCHAR[] AS l, ?::INTEGER AS i", [["a", "b"], 7])
    assert got.i.tolist() == [7] and list(got.l[0]) == ["a", "b"]


def test_every_dataset_as_duckdb_df_gives_it(demo_db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every figure of every page, for the education team and a protected viewer."""
    original = db.frame
    compared: list[str] = []

    def both(cursor: Any, sql: str, parameters: list[object]) -> pd.DataFrame:
        ours = original(cursor, sql, parameters)
        pd.testing.assert_frame_equal(ours, cursor.execute(sql, parameters).df(),
                                      check_exact=True)
        compared.append(sql)
        return ours

    monkeypatch.setattr(db, "frame", both)
    con = db.connect_read_only(demo_db)
    # A protected viewer's figures are rows of one release (test_linked_protection.py):
    # the queries it is made of are asked here. Asking its figures one by one asks none
    # that the team's below do not, and costs the demo's protection (5 s of CPU).
    datasets.release_frames(con, Viewer("k", "kvalitetsforum"))
    team = Viewer("u", "uddannelse")
    site = datasets.sites(con, team)[0]
    for request in (datasets.Request(None, ("SSA", "SSH"), (2000, 2100)),
                    datasets.Request(site, ("SSH",), (2000, 2100))):
        datasets.target_series(con, team)
        for figure in datasets.BY_NAME.values():
            figure(con, team, request)
    request = datasets.Request(None, ("SSA", "SSH"), (2000, 2100))
    datasets.early_warning(con, team, request, 0.1)
    datasets.early_warning_backtest(con, team, request, 0.1)
    datasets.active_students(con, team, request)
    con.close()
    assert len(compared) > 40
