"""The audit log: who logged in (or failed to), who loaded data and who exported what.

One JSON object per line in a file beside the database (never inside it: a load
replaces the database file, and the log must outlive that). At SOSU_LOG_MAX_MB the
file is renamed `.1` (older ones move up, SOSU_LOG_ANTAL are kept) and a new one
begins; readers take the newest entries from the end, never the whole file. Entries name users,
files, row counts and table names, never a student. Appends are serialised with
an flock, so the dashboard's sessions and the command line can write at once.

With SOSU_LOG_SYSLOG each entry also goes, as the same JSON, to the system log (a UNIX
datagram to /dev/log, which journald or rsyslog serve; facility authpriv, so only root
and the adm group read it there). The file stays the record the Data page reads: a
system log that cannot be reached is reported on stderr and never stops the action.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sosu.domain.cpr import mask_cpr
from sosu.domain.oserror import reason

EVENTS: dict[str, str] = {
    "login": "Logget ind",
    "login_afvist": "Login afvist",
    "konto_spaerret": "Login afvist: konto spærret",
    "logout": "Logget ud",
    "session_udloebet": "Session udløbet",
    "session_afsluttet": "Session afsluttet (adgang ændret, konto fjernet eller demo slut)",
    "logget_ud_andetsteds": "Session afsluttet (logget ud i et andet vindue)",
    "indlaesning": "Data indlæst",
    "indlaesning_afvist": "Indlæsning afvist",
    "tilbagerulning": "Tidligere indlæsning taget i brug igen",
    "eksport": "Eksport",
    "bruger": "Brugerfil ændret",
}


def default_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + "-log.jsonl")


def log_path(db_path: Path) -> Path:
    """SOSU_LOG if set, else `<database>-log.jsonl` beside the database."""
    from sosu.domain import settings

    return settings.get("audit_file") or default_path(db_path)


def record(path: Path, event: str, user: str, now: dt.datetime | None = None,
           **details: Any) -> None:
    """Append one entry. A typed user name or a file name could be anything, so CPR
    numbers are masked in every value, before JSON escaping could hide a separator."""
    if event not in EVENTS:
        raise ValueError(f"ukendt hændelse {event!r}")
    entry = {"tid": (now or dt.datetime.now()).isoformat(timespec="seconds"),
             "haendelse": event, "bruger": mask_cpr(user)[:80], **_masked(details)}
    line = mask_cpr(json.dumps(entry, ensure_ascii=False, default=str)) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    max_bytes, keep = _limits()
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if not _still_current(fd, path):
                continue  # another writer rotated the file while we waited: open the new one
            if os.fstat(fd).st_size > 0 and os.fstat(fd).st_size + len(line) > max_bytes:
                _rotate(path, keep)
                continue
            os.write(fd, line.encode("utf-8"))
            break
        finally:
            os.close(fd)
    _to_syslog(event, line.rstrip("\n"))


# Facility authpriv (10): security messages that only privileged users may read.
_AUTHPRIV = 10
# Refusals and lockouts are notices (5); everything else is information (6).
_NOTICE = {"login_afvist", "konto_spaerret", "indlaesning_afvist"}
IDENT = "sosu-overblik"


def syslog_message(event: str, line: str) -> bytes:
    """One entry as a syslog datagram: `<PRI>sosu-overblik[pid]: {json}` (the form
    Python's SysLogHandler and logger(1) send, which journald and rsyslog parse)."""
    priority = _AUTHPRIV * 8 + (5 if event in _NOTICE else 6)
    return f"<{priority}>{IDENT}[{os.getpid()}]: {line}".encode()


def _to_syslog(event: str, line: str) -> None:
    from sosu.domain import settings

    address = settings.get("log_syslog")
    if address is None:
        return
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sink:
            sink.connect(str(address))
            sink.send(syslog_message(event, line))
    except OSError as error:
        print(f"sosu-overblik: logbogens post kunne ikke sendes til systemloggen {address} "
              f"({reason(error)}); den står i logfilen.", file=sys.stderr)


def _limits() -> tuple[int, int]:
    from sosu.domain import settings

    return settings.get("log_max_mb") * 1024 * 1024, settings.get("log_keep")


def _still_current(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def rotated(path: Path, number: int) -> Path:
    """`log.jsonl.1` is the newest old file, `log.jsonl.<keep>` the oldest kept."""
    return path.with_name(f"{path.name}.{number}")


def _rotate(path: Path, keep: int) -> None:
    """Called under the lock of the current file: older files move one number up, the
    oldest beyond `keep` is dropped, and the next writer starts a new file."""
    rotated(path, keep).unlink(missing_ok=True)
    for number in range(keep - 1, 0, -1):
        if rotated(path, number).exists():
            os.replace(rotated(path, number), rotated(path, number + 1))
    os.replace(path, rotated(path, 1))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_cpr(value)
    if isinstance(value, dict):
        return {_masked(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


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


def _lines_from_end(path: Path, block: int = 64 * 1024) -> Iterator[bytes]:
    """The file's lines, last first, reading blocks from the end: the newest entries
    cost the same on a log of a thousand lines and of a million."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    with handle:
        position = handle.seek(0, os.SEEK_END)
        rest = b""
        while position > 0:
            step = min(block, position)
            position -= step
            handle.seek(position)
            lines = (handle.read(step) + rest).split(b"\n")
            rest = lines.pop(0)  # may begin in the block before
            yield from reversed([line for line in lines if line])
        if rest:
            yield rest


def latest(path: Path, limit: int = 500) -> list[dict[str, Any]]:
    """The newest `limit` entries, newest first, from the current file and as many
    rotated ones as needed."""
    found: list[dict[str, Any]] = []
    for source in [path, *(rotated(path, n) for n in range(1, _limits()[1] + 1))]:
        for line in _lines_from_end(source):
            try:
                found.append(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue  # a torn last line after a crash is skipped, not fatal
            if len(found) >= limit:
                return found
    return found
