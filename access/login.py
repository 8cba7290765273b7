"""Password login with lockout: the rules, free of any UI so they can be tested directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from access import audit
from access.users import User, check_password


@dataclass(frozen=True)
class Attempt:
    user: User | None
    message: str


WRONG = "Forkert brugernavn eller adgangskode."


def locked_until(log: Path, name: str, max_failures: int, lockout: dt.timedelta,
                 now: dt.datetime) -> dt.datetime | None:
    """After `max_failures` failures in a row the account rests for `lockout`."""
    failed = audit.failures_since_success(log, name)
    if len(failed) < max_failures:
        return None
    until = failed[-1] + lockout
    return until if until > now else None


def attempt(users: dict[str, User], name: str, password: str, log: Path, *,
            max_failures: int, lockout: dt.timedelta,
            now: dt.datetime | None = None) -> Attempt:
    now = now or dt.datetime.now()
    name = name.strip().lower()
    until = locked_until(log, name, max_failures, lockout, now)
    if until is not None:
        audit.record(log, "konto_spaerret", name, now)
        minutes = max(1, round((until - now).total_seconds() / 60))
        return Attempt(None, f"For mange forkerte forsøg. Prøv igen om {minutes} minutter.")
    # Unknown names are checked against a dummy hash too, and get the same message.
    user = check_password(users, name, password)
    if user is None:
        audit.record(log, "login_afvist", name, now)
        return Attempt(None, WRONG)
    audit.record(log, "login", user.name, now, rolle=user.role, metode="konti")
    return Attempt(user, "")
