"""Which version of the metric SQL and the data contract built a database file.

A load writes the views, macros and intermediate tables from sql/ into the file
itself. Code from another version then calls them with arguments or expects columns
the file does not have, and every page would fail with a traceback. `sosu load`
records the fingerprint below; the dashboard and the CLI compare it before asking
for a figure, and ask for the data to be loaded again instead.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import duckdb

from sosu.store import db

# The package's own folder: the SQL models are package data beside the modules, so a
# wheel and a checkout compute the same fingerprint.
ROOT = Path(__file__).resolve().parent.parent
# What shapes the database: every SQL model; the contract that types the tables and
# holds the codes and the standard schedule; the modules that write the tables.
SOURCES = ("sql", "domain/contract.py", "etl/load.py", "etl/models.py", "etl/validate.py",
           "etl/fast.py")

STALE = ("Databasen er indlæst med en anden version af sosu-overblik, så tallene kan "
         "ikke vises. Indlæs data igen: på siden Data eller med `sosu load MAPPE`.")


def code_fingerprint(root: Path = ROOT) -> str:
    """A short hash of the sources' text as this process first read them (read as text, so
    a Windows checkout's line endings give the same fingerprint). Once per process: the
    code it runs is the code it imported, so a dashboard left running over an upgrade
    compares the files with its own version, not with the one now on disk; and a load
    asks twice, a page once per run."""
    return _fingerprint(root)


@functools.cache
def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for source in SOURCES:
        path = root / source
        files = sorted(path.rglob("*.sql")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(file.read_text(encoding="utf-8").encode())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def file_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint a load recorded in the file; None for a file from before the
    fingerprint existed, or one that is not a sosu-overblik database."""
    cursor = db.cursor(con)
    try:
        row = cursor.execute("SELECT kodeversion FROM indlaesning").fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):  # no such table or column
        return None
    finally:
        cursor.close()
    return str(row[0]) if row and row[0] is not None else None


def built_by_this_version(con: duckdb.DuckDBPyConnection) -> bool:
    return file_fingerprint(con) == code_fingerprint()



def real_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds real personal data: yes unless this version of sosu-overblik
    loaded it and found the demo's seal (etl.demoseal). A demo mark written by another
    version is not trusted, since older versions gave it to any folder holding a file
    named DEMODATA.txt. A file whose load information cannot be read is real data too."""
    return not (db.marked_demo(db.load_info(con)) and built_by_this_version(con))


def holds_real_data(path: Path) -> bool:
    """Whether the file at `path` holds real personal data (see `real_data`)."""
    if not path.exists():
        return False
    con = db.connect_read_only(path)
    try:
        return real_data(con)
    finally:
        con.close()
