"""Failed logins per account, in a small store beside the audit log.

The lockout used to count failures by reading the whole audit log on every login:
slow on a long log, blind to names the log masks (a name shaped like a CPR number),
and racy (parallel attempts all read the count before any of them wrote it). Now
the whole check — read the count, verify the password, record the result — runs
under one exclusive flock, so parallel attempts are checked one at a time and at
most `max_failures` guesses are ever verified before the account rests.

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
# A flood of invented names cannot grow the store without bound: beyond this many,
# the names touched longest ago are forgotten first.
MAX_NAMES = 10_000


def state_path(log: Path) -> Path:
    return log.with_name(log.name + ".spaerring.json")


def _lock_path(log: Path) -> Path:
    return log.with_name(log.name + ".spaerring.lock")


def _key_path(log: Path) -> Path:
    return log.with_name(log.name + ".noegle")


def _key(log: Path) -> bytes:
    """The store's HMAC key, made once with owner-only permissions."""
    path = _key_path(log)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(32))
    return path.read_bytes()


@dataclass
class Failures:
    count: int
    last: dt.datetime


class Store:
    """The failure counts, open under the lock; changes are written when the lock ends."""

    def __init__(self, key: bytes, state: dict[str, Any]) -> None:
        self._key = key
        self._state = state

    def _id(self, name: str) -> str:
        return hmac.new(self._key, name.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def get(self, name: str) -> Failures | None:
        entry = self._state.get(self._id(name))
        if not isinstance(entry, dict):
            return None
        try:
            return Failures(int(entry["fejl"]), dt.datetime.fromisoformat(entry["sidst"]))
        except (KeyError, TypeError, ValueError):
            return None

    def failed(self, name: str, now: dt.datetime) -> None:
        before = self.get(name)
        self._state[self._id(name)] = {
            "fejl": (before.count if before else 0) + 1,
            "sidst": now.isoformat(timespec="seconds")}

    def succeeded(self, name: str) -> None:
        self._state.pop(self._id(name), None)

    def prune(self, now: dt.datetime) -> dict[str, Any]:
        def last(item: tuple[str, Any]) -> str:
            return str(item[1].get("sidst", "")) if isinstance(item[1], dict) else ""

        cutoff = (now - FORGET_AFTER).isoformat(timespec="seconds")
        kept = sorted((item for item in self._state.items() if last(item) >= cutoff),
                      key=last)
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


@contextlib.contextmanager
def hold(log: Path, now: dt.datetime) -> Iterator[Store]:
    """The store under an exclusive lock: one login check at a time, across processes."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(log), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        path = state_path(log)
        store = Store(_key(log), _read(path))
        yield store
        _write(path, store.prune(now))
    finally:
        os.close(fd)  # closing releases the flock
