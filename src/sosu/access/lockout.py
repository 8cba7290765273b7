"""Failed logins per account, in a small store beside the audit log.

The lockout used to count failures by reading the whole audit log on every login:
slow on a long log, blind to names the log masks (a name shaped like a CPR number),
and racy (parallel attempts all read the count before any of them wrote it). Now
the whole check for a name (read its count, verify the password, record the result)
runs under that name's flock, so parallel attempts on one account are checked one at a
time and at most `max_failures` guesses are ever verified before it rests. Other names
use other lock files and are checked alongside.

Names are stored only as an HMAC with a random key kept in its own 0600 file, so
the store never holds a typed name (which might be a CPR number).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A name untouched for this long is forgotten, so the store stays small.
FORGET_AFTER = dt.timedelta(days=1)
# A flood of invented names cannot grow the store without bound: beyond this many, the
# names with the fewest failures are forgotten first, of those the ones touched longest
# ago. So a flood of names failed once never pushes out an account that rests (a name
# failed as often costs as many password checks).
MAX_NAMES = 10_000
# Lock files the names are spread over: checks of names in different files run at once.
LOCKS = 64


def folder(log: Path) -> Path:
    """`<log>.spaerring/`: the store, its key and its lock files, owner-only."""
    return log.with_name(log.name + ".spaerring")


def state_path(log: Path) -> Path:
    return folder(log) / "fejl.json"


def _key(log: Path) -> bytes:
    """The store's HMAC key, made once with owner-only permissions. Written to a temporary
    file and linked into place, so a parallel first login never reads a half-written key."""
    path = folder(log) / "noegle"
    if not path.exists():
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".noegle-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(32))
            with contextlib.suppress(FileExistsError):  # another login made it first
                os.link(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    return path.read_bytes()


def name_id(key: bytes, name: str) -> str:
    return hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def unknown_name(log: Path, name: str) -> str:
    """How the audit log names a login name no account has: a keyed digest, never the
    text (a password typed into the name field would be kept there otherwise). Repeated
    attempts with one name still read as one."""
    return f"ukendt navn {name_id(_key(log), name)[:10]}"


@contextlib.contextmanager
def _flocked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # per open file: threads exclude each other too
        yield
    finally:
        os.close(fd)  # closing releases the lock


@dataclass
class Failures:
    count: int
    last: dt.datetime


class Account:
    """One name's failures. Held under that name's lock for a whole login check, so
    its count cannot change underneath; the shared file is locked only to read and
    write, so checks of other names run alongside."""

    def __init__(self, log: Path, key: str) -> None:
        self._log = log
        self._key = key

    def get(self) -> Failures | None:
        with _flocked(folder(self._log) / "fejl.lock"):
            entry = _read(state_path(self._log)).get(self._key)
        if not isinstance(entry, dict):
            return None
        try:
            return Failures(int(entry["fejl"]), dt.datetime.fromisoformat(entry["sidst"]))
        except (KeyError, TypeError, ValueError):
            return None

    def failed(self, now: dt.datetime) -> None:
        before = self.get()
        self._change(now, {"fejl": (before.count if before else 0) + 1,
                           "sidst": now.isoformat(timespec="seconds")})

    def succeeded(self, now: dt.datetime) -> None:
        self._change(now, None)

    def _change(self, now: dt.datetime, entry: dict[str, Any] | None) -> None:
        with _flocked(folder(self._log) / "fejl.lock"):
            state = _read(state_path(self._log))
            state.pop(self._key, None)
            if entry is not None:
                state[self._key] = entry
            _write(state_path(self._log), _pruned(state, now))


def _pruned(state: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    def last(item: tuple[str, Any]) -> str:
        return str(item[1].get("sidst", "")) if isinstance(item[1], dict) else ""

    def weight(item: tuple[str, Any]) -> tuple[int, str]:
        failures = item[1].get("fejl", 0) if isinstance(item[1], dict) else 0
        return (failures if isinstance(failures, int) else 0, last(item))

    cutoff = (now - FORGET_AFTER).isoformat(timespec="seconds")
    kept = sorted((item for item in state.items() if last(item) >= cutoff), key=weight)
    return dict(kept[-MAX_NAMES:])


def _read(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged store starts empty rather than locking everyone out
    return state if isinstance(state, dict) else {}


def _write(path: Path, state: dict[str, Any]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".spaerring-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(state, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def record_logout(log: Path, name: str, when: float) -> None:
    """A logout of `name` at `when` (seconds since the epoch), for every session of that
    account to see: an OIDC login's other tabs keep the login they read at their start,
    and end when they find a logout after it (see logged_out_at). Keyed as the failures
    are; the newest MAX_NAMES names kept."""
    folder(log).mkdir(parents=True, exist_ok=True, mode=0o700)
    key = name_id(_key(log), name)
    with _flocked(folder(log) / "fejl.lock"):
        state = _read(logouts_path(log))
        state.pop(key, None)
        state[key] = when
        newest = sorted(state.items(), key=lambda item: float(item[1]))[-MAX_NAMES:]
        _write(logouts_path(log), dict(newest))


def logged_out_at(log: Path, name: str) -> float | None:
    """When `name` last logged out (record_logout), or None."""
    if not (folder(log) / "noegle").exists():
        return None
    with _flocked(folder(log) / "fejl.lock"):
        when = _read(logouts_path(log)).get(name_id(_key(log), name))
    return float(when) if isinstance(when, int | float) else None


def logouts_path(log: Path) -> Path:
    return folder(log) / "udlogget.json"


@contextlib.contextmanager
def hold(log: Path, name: str) -> Iterator[Account]:
    """The name's failures under the name's lock, across threads and processes. Names
    share one of LOCKS lock files, so a flood of invented names cannot hold up every
    other login behind one lock."""
    folder(log).mkdir(parents=True, exist_ok=True, mode=0o700)
    key = name_id(_key(log), name)
    with _flocked(folder(log) / f"{int(key[:4], 16) % LOCKS:02x}.lock"):
        yield Account(log, key)
