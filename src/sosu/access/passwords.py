"""Password hashing: Argon2id with a random salt per password (argon2-cffi's defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name takes as long as a
# wrong password and response times do not reveal which accounts exist. Made at the first
# check, not at import: every command (`sosu load` too) imports this module, and one hash
# at the shipped cost is a noticeable part of a second.
_DUMMY: str | None = None

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"adgangskoden skal have mindst {MIN_LENGTH} tegn")
    return _HASHER.hash(password)


def _dummy() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _HASHER.hash("ingen-bruger-har-denne-adgangskode")
    return _DUMMY


def verify_password(stored: str | None, password: str) -> bool:
    # The dummy is made before any check, for a known name too: the first check then
    # takes as long whichever name it is for.
    dummy = _dummy()
    try:
        return _HASHER.verify(stored or dummy, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
