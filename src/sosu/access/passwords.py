"""Password hashing: Argon2id with a random salt per password (argon2-cffi's defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name takes as long as a
# wrong password and response times do not reveal which accounts exist.
_DUMMY = _HASHER.hash("ingen-bruger-har-denne-adgangskode")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"adgangskoden skal have mindst {MIN_LENGTH} tegn")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
