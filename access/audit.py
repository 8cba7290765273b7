"""The audit log: who logged in (or failed to), who loaded data and who exported what.

One JSON object per line in a file beside the database (never inside it: a load
replaces the database file, and the log must outlive that). Entries name users,
files, row counts and table names, never a student. Appends are serialised with
an flock, so the dashboard's sessions and the command line can write at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from etl.problems import mask_cpr

EVENTS: dict[str, str] = {
    "login": "Logget ind",
    "login_afvist": "Login afvist",
    "konto_spaerret": "Login afvist: konto spærret",
    "logout": "Logget ud",
    "session_udloebet": "Session udløbet",
    "indlaesning": "Data indlæst",
    "indlaesning_afvist": "Indlæsning afvist",
    "eksport": "Eksport",
    "bruger": "Brugerfil ændret",
}


def default_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + "-log.jsonl")


def log_path(db_path: Path) -> Path:
    """SOSU_LOG if set, else `<database>-log.jsonl` beside the database."""
    from access import settings

    return settings.get("audit_file") or default_path(db_path)


def record(path: Path, event: str, user: str, now: dt.datetime | None = None,
           **details: Any) -> None:
    """Append one entry. A typed user name could be anything, so CPR shapes are masked."""
    if event not in EVENTS:
        raise ValueError(f"ukendt hændelse {event!r}")
    entry = {"tid": (now or dt.datetime.now()).isoformat(timespec="seconds"),
             "haendelse": event, "bruger": mask_cpr(user)[:80], **details}
    line = mask_cpr(json.dumps(entry, ensure_ascii=False, default=str)) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def entries(path: Path) -> Iterator[dict[str, Any]]:
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash is skipped, not fatal


def latest(path: Path, limit: int = 500) -> list[dict[str, Any]]:
    """The newest `limit` entries, newest first."""
    return list(reversed(list(entries(path))[-limit:]))


def failures_since_success(path: Path, user: str) -> list[dt.datetime]:
    """Times of the user's failed logins after their last successful one."""
    failed: list[dt.datetime] = []
    for entry in entries(path):
        if entry.get("bruger") != user:
            continue
        if entry.get("haendelse") == "login":
            failed = []
        elif entry.get("haendelse") == "login_afvist":
            failed.append(dt.datetime.fromisoformat(entry["tid"]))
    return failed
