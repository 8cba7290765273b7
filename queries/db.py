"""Read-only access to the loaded database."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data/sosu.duckdb")


def database_path() -> Path:
    return Path(os.environ.get("SOSU_DB", str(DEFAULT_DB)))


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can never change the data (the dashboard and `sosu kpi` use it)."""
    return duckdb.connect(str(path), read_only=True)
