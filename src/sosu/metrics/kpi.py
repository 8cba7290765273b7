"""The metrics as plain JSON-ready records for other systems (`sosu kpi --json`)."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pandas as pd

from sosu.metrics import metrics
from sosu.store import db

KPI_COLUMNS: dict[str, tuple[str, ...]] = {
    "cohorts": ("uddannelse", "aargang", "ansatte", "gennemfoert", "frafald",
                "frafald_hovedforloeb", "omvalg", "aktive", "ansat_efter", "afsluttet"),
    "sygefravaer": ("aar", "planlagte_timer", "syge_timer", "andel"),
    "frafaldsaarsager": ("aar", "uddannelse", "aarsag", "antal"),
    "ansaettelser": ("aar", "uddannelse", "ansatte", "intern_ufaglaert", "intern_ssh",
                     "alder_25_plus"),
    "ansat_efter_sted": ("uddannelse", "aargang", "arbejdssted", "antal"),
}


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {c: _plain(row[c]) for c in columns}
        for row in frame[list(columns)].to_dict(orient="records")
    ]


def _plain(value: Any) -> Any:
    """numpy scalars → int/float/bool/str that json.dumps accepts."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def kpi(con: duckdb.DuckDBPyConnection, site: str | None = None) -> dict[str, Any]:
    sites = [site] if site else None
    frames = {
        "cohorts": metrics.cohorts(con, sites),
        "sygefravaer": metrics.sick_leave_by_year(con, sites),
        "frafaldsaarsager": metrics.dropout_reasons(con, sites),
        "ansaettelser": metrics.hires(con, sites),
        "ansat_efter_sted": metrics.hired_after_by_workplace(con, sites),
    }
    result: dict[str, Any] = {name: _records(frames[name], cols)
                              for name, cols in KPI_COLUMNS.items()}
    info = db.load_info(con)
    result["data_pr"] = str(info["data_pr"]) if info.get("data_pr") is not None else None
    return result
