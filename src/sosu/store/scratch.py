"""Where temporary copies of personal data go: one private folder per user, tidied up.

A load or check reads the files as given, but some of it happens in temporary files: a
Windows-1252 CSV copied as UTF-8 for DuckDB, an upload before it is loaded, DuckDB's own
spill files when a query outgrows memory (for a connection to no file DuckDB writes them
to `.tmp` in the working directory, with the umask's mode). A process killed meanwhile
left them behind: 644,176 sick-leave lines in the system's temporary folder, never
removed. Here they go into `<tmp>/sosu-<uid>/` (0700, owned by the user: another folder
of that name is not used), each under a name that starts with the process id, and
whatever a process that is gone left there is removed when the next one starts.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
from pathlib import Path

import duckdb


@functools.cache
def folder() -> Path:
    """The user's private scratch folder, tidied of what ended processes left."""
    path = Path(tempfile.gettempdir()) / f"sosu-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        # Someone else's file, folder or link under that name: a folder of our own.
        return Path(tempfile.mkdtemp(prefix=f"sosu-{os.getuid()}-"))
    os.chmod(path, 0o700)
    _tidy(path)
    return path


def prefix() -> str:
    """What every name in the folder starts with: this process's id."""
    return f"{os.getpid()}-"


def _tidy(path: Path) -> None:
    for entry in path.iterdir():
        owner = entry.name.split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def memory_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection whose spill files go into the scratch folder."""
    con = duckdb.connect()
    con.execute("SET temp_directory = ?", [str(folder() / f"{prefix()}duckdb")])
    return con
