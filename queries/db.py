"""Read-only access to the loaded database.

The file is ATTACHed read-only to a private in-memory connection rather than
opened directly: DuckDB caches database instances per path within a process,
so a plain `duckdb.connect(path)` after a load swapped the file in would return
the old data. A fresh attach always sees the file as it is now.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data/sosu.duckdb")
CATALOG = "sosu"


def database_path() -> Path:
    return Path(os.environ.get("SOSU_DB", str(DEFAULT_DB)))


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(inode, mtime) identifies one loaded version of the file; None if missing."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can never change the data (the dashboard and `sosu kpi` use it)."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [str(path)])
    con.execute(f"USE {CATALOG}")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor per query (connections are not thread-safe) that sees the attached data."""
    cur = con.cursor()
    cur.execute(f"USE {CATALOG}")
    return cur
