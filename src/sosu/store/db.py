"""Read-only access to the loaded database.

The file is ATTACHed read-only to a private in-memory connection rather than
opened directly: DuckDB caches database instances per path within a process,
so a plain `duckdb.connect(path)` after a load swapped the file in would return
the old data. A fresh attach always sees the file as it is now.
"""

from __future__ import annotations

import functools
import os
import warnings
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from sosu.store import scratch

if TYPE_CHECKING:  # imported where used: a load (sosu load, etl) needs neither
    import pandas as pd
    import pyarrow as pa

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


FileVersion = tuple[str, int, int, int]  # path, inode, mtime (ns), size

# The file version each read-only connection attached, for caches of what is computed
# from it (metrics.datasets). Not keyed by id(con): Python gives a new connection the id
# of one just closed, which may have read another file.
_ATTACHED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, FileVersion] = (
    weakref.WeakKeyDictionary())


def _file_version(path: Path) -> FileVersion | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return str(path.resolve()), info.st_ino, info.st_mtime_ns, info.st_size


# What opening a database file can raise when the file is unusable (corrupt, another
# program's file, a folder, no right to read it): the app catches these without knowing
# the database library.
OPEN_ERRORS: tuple[type[BaseException], ...] = (duckdb.Error, OSError)


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that can never change the data (the dashboard and `sosu kpi` use it)."""
    before = _file_version(path)
    con = scratch.memory_connection()
    con.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [str(path)])
    con.execute(f"USE {CATALOG}")
    if before is not None and _file_version(path) == before:
        _ATTACHED[con] = before
    return con


def attached_version(con: duckdb.DuckDBPyConnection) -> FileVersion | None:
    """The file `con` reads, as it was when connect_read_only attached it; None if that is
    not known (a load swapped a new file in meanwhile, or another kind of connection)."""
    return _ATTACHED.get(con)


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor per query (connections are not thread-safe) that sees the attached data."""
    cur = con.cursor()
    cur.execute(f"USE {CATALOG}")
    return cur


# Arrow straight from an executed query copies the rows once more than a relation would,
# but a relation binds the query twice: measured, this is the faster of the two.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result",
                        category=UserWarning)

@functools.cache
def _nullable() -> dict[Any, Any]:
    """The pandas types DuckDB's own .df() gives for a column with NULLs, by Arrow type.
    (pandas is imported on the first query, not with this module: a load never needs it,
    and importing it was a third of a second of every `sosu load`.)"""
    import pandas as pd
    import pyarrow as pa

    return {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(),
            pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
            pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _plain(column: pa.ChunkedArray) -> bool:
    import pyarrow as pa

    kind = column.type
    return (pa.types.is_string(kind) or pa.types.is_floating(kind)
            or pa.types.is_date32(kind) or pa.types.is_timestamp(kind)
            or ((pa.types.is_integer(kind) or pa.types.is_boolean(kind))
                and kind in _nullable()))


def _as_duckdb_gives(table: pa.Table) -> pd.DataFrame:
    """Arrow's pandas conversion, in the three places where it differs from .df()."""
    import numpy as np
    import pyarrow as pa

    nullable = _nullable()
    dates = [i for i, kind in enumerate(table.schema.types) if pa.types.is_date32(kind)]
    for i in dates:  # .df() gives dates as microsecond timestamps
        table = table.set_column(i, table.field(i).name, table.column(i).cast(pa.timestamp("us")))
    result = table.to_pandas(use_threads=False)  # faster for a page's small answers
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(column.type) and column.null_count == len(column):
            result[name] = np.full(len(column), None, dtype=object)  # .df(): no str type
        elif column.null_count and column.type in nullable:  # .df(): Int64, boolean
            result[name] = column.to_pandas(types_mapper=nullable.get)
    return result


def frame(cursor: duckdb.DuckDBPyConnection, sql: str, parameters: list[object]) -> pd.DataFrame:
    """A query's result as DuckDB's .df() gives it, with the same column types, in half
    the time: .df() builds every text cell as a Python string before pandas packs them
    into Arrow again, and a protected viewer's every-site answer is 200,000 rows."""
    table = cursor.execute(sql, parameters).to_arrow_table()
    assert table is not None, "a query's rows are read once, here"
    names = table.column_names
    if len(set(names)) < len(names) or not all(_plain(column) for column in table.columns):
        return duckdb.from_arrow(table, connection=cursor).df()
    return _as_duckdb_gives(table)


def marked_demo(info: dict[str, object]) -> bool:
    """Whether the load that wrote the file marked it as the synthetic demo. Only the
    version that checked the demo's seal can be trusted on that (older versions trusted a
    file named DEMODATA.txt): whether the data count as real is `schema.real_data`."""
    return bool(info.get("demodata"))


def holds_marked_demo(path: Path) -> bool:
    """Whether the file at `path` is marked as demo data by whichever version loaded it:
    the demo may replace it (the history keeps the file it replaced)."""
    if not path.exists():
        return False
    con = connect_read_only(path)
    try:
        return marked_demo(load_info(con))
    finally:
        con.close()


def load_info(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """When the data were loaded and the newest date in them ("data pr."); empty for a
    file that holds no load (not a sosu-overblik database)."""
    cur = cursor(con)
    try:
        cur.execute("SELECT * FROM data_pr")
        row = cur.fetchone()
        names = [d[0] for d in cur.description or []]
    except duckdb.CatalogException:
        return {}
    finally:
        cur.close()
    return dict(zip(names, row, strict=True)) if row else {}
