"""Password login with lockout: the rules, free of any UI so they can be tested directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sosu.access.lockout import Failures, hold, unknown_name
from sosu.access.users import User, check_password
from sosu.store import audit


@dataclass(frozen=True)
class Attempt:
    user: User | None
    message: str


WRONG = "Forkert brugernavn eller adgangskode."


def locked_until(failures: Failures | None, max_failures: int,
                 lockout_time: dt.timedelta, now: dt.datetime) -> dt.datetime | None:
    """After `max_failures` failures in a row the account rests for `lockout_time`; after
    that, each further failure starts a new rest until a successful login."""
    if failures is None or failures.count < max_failures:
        return None
    until = failures.last + lockout_time
    return until if until > now else None


def attempt(users: dict[str, User], name: str, password: str, log: Path, *,
            max_failures: int, lockout: dt.timedelta,
            now: dt.datetime | None = None) -> Attempt:
    """Check one login. Count, verify and record happen under one lock, so parallel
    attempts (other sessions, other processes) never verify more than `max_failures`
    guesses before the account rests."""
    now = now or dt.datetime.now()
    name = name.strip().lower()
    with hold(log, name) as account:
        logged = name if name in users else unknown_name(log, name)
        until = locked_until(account.get(), max_failures, lockout, now)
        if until is not None:
            audit.record(log, "konto_spaerret", logged, now)
            minutes = max(1, round((until - now).total_seconds() / 60))
            return Attempt(None, f"For mange forkerte forsøg. Prøv igen om {minutes} minutter.")
        # Unknown names are checked against a dummy hash too, and get the same message.
        user = check_password(users, name, password)
        if user is None:
            account.failed(now)
            audit.record(log, "login_afvist", logged, now)
            return Attempt(None, WRONG)
        account.succeeded(now)
    audit.record(log, "login", user.name, now, rolle=user.role, metode="konti")
    return Attempt(user, "")

