"""The users file: accounts, roles, training sites, e-mails and password hashes.

It lives outside the data folder (SOSU_USERS) and is written atomically with
owner-only permissions. Only Argon2id hashes are stored, never a password.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from sosu.access.passwords import hash_password, verify_password
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.domain.oserror import reason
from sosu.domain.roles import ROLES, Viewer

_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


class UsersError(Exception):
    """A malformed users file or a refused change; the message names the entry."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    sites: tuple[str, ...] = ()
    email: str | None = None
    password_hash: str | None = None
    # The identifier the municipality's login sends in SOSU_OIDC_CLAIM when that is not
    # `email` (Entra ID's `oid`, or `sub` or `preferred_username`).
    oidc_id: str | None = None

    def viewer(self, threshold: int) -> Viewer:
        return Viewer(self.name, self.role, self.sites, threshold)


# The users file is kept and its names shown and logged: no CPR number in any of them.
CPR_IN_USERS = ("indeholder noget, der ligner et CPR-nummer; skriv aldrig CPR-numre i "
                "brugerfilen (navn, oplæringssteder, e-mail, oidc_id)")


# Entra ID's object ids (users and groups): 32 hex digits, some of which may read as ten
# decimal digits (about one id in 500); an opaque id, never a CPR number.
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def cpr_in_names(*texts: str | None) -> bool:
    """Does any of a users or groups file's texts hold a CPR number? Object ids excepted."""
    return any(text and not _UUID.match(text.strip()) and contains_cpr(text) for text in texts)


def _check(user: User, where: str) -> None:
    texts = (user.name, *user.sites, user.email, user.oidc_id, user.role)
    if cpr_in_names(*texts):
        raise UsersError(f"{mask_cpr(where)}: {CPR_IN_USERS}")
    if not _NAME.match(user.name):
        raise UsersError(f"{where}: brugernavnet skal være 1–64 tegn a–z, 0–9, . _ @ -")
    if user.role not in ROLES:
        raise UsersError(f"{where}: ukendt rolle {user.role!r} (brug {', '.join(ROLES)})")
    if user.role == "leder" and not user.sites:
        raise UsersError(f"{where}: en leder skal have mindst ét oplæringssted")
    if user.role != "leder" and user.sites:
        raise UsersError(f"{where}: kun en leder har oplæringssteder")
    if user.email is not None and "@" not in user.email:
        raise UsersError(f"{where}: e-mailen {user.email!r} mangler @")


def _from_entry(entry: object, index: int) -> User:
    where = f"bruger nr. {index}"
    if not isinstance(entry, dict):
        raise UsersError(f"{where}: skal være en [[bruger]]-tabel")
    where = f"bruger {entry.get('navn', index)!r}"
    unknown = set(entry) - {"navn", "rolle", "steder", "email", "adgangskode", "oidc_id"}
    if unknown:
        raise UsersError(f"{where}: ukendte felter {', '.join(sorted(unknown))}")
    sites = entry.get("steder", [])
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        raise UsersError(f"{where}: steder skal være en liste af tekster")
    email = entry.get("email")
    oidc_id = entry.get("oidc_id")
    if oidc_id is not None and (not isinstance(oidc_id, str) or not oidc_id.strip()):
        raise UsersError(f"{where}: oidc_id skal være en tekst")
    user = User(str(entry.get("navn", "")), str(entry.get("rolle", "")), tuple(sites),
                email.lower() if isinstance(email, str) else None,
                entry.get("adgangskode"), oidc_id.strip() if oidc_id else None)
    _check(user, where)
    return user


def load_users(path: Path) -> dict[str, User]:
    """Users by name; an empty dict when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            check_private(path, os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UsersError(f"{path}: kan ikke læses ({reason(error)})") from error
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsersError(f"{path}: ikke gyldig TOML ({error})") from error
    users: dict[str, User] = {}
    for index, entry in enumerate(document.get("bruger", []), start=1):
        user = _from_entry(entry, index)
        if user.name in users:
            raise UsersError(f"bruger {user.name!r}: står der to gange")
        users[user.name] = user
    emails = [u.email for u in users.values() if u.email]
    if len(emails) != len(set(emails)):
        raise UsersError("samme e-mail står ved to brugere")
    ids = [u.oidc_id.casefold() for u in users.values() if u.oidc_id]
    if len(ids) != len(set(ids)):
        raise UsersError("samme oidc_id står ved to brugere")
    return users


def check_private(path: Path, mode: int, what: str = "brugerfilen") -> None:
    """Refuse a users (or groups) file that group or others may read or change: whoever
    can change it can give themselves the education team's role, and it names accounts."""
    if mode & 0o077:
        raise UsersError(
            f"{what} {path} kan læses eller ændres af andre end ejeren (rettigheder "
            f"{stat.S_IMODE(mode):04o}); den bruges ikke. Ret det med: chmod 600 {path}")


def _toml(user: User) -> str:
    # JSON strings are valid TOML basic strings, so json.dumps quotes safely.
    lines = ["[[bruger]]", f"navn = {json.dumps(user.name)}", f"rolle = {json.dumps(user.role)}"]
    if user.sites:
        quoted = ", ".join(json.dumps(s, ensure_ascii=False) for s in user.sites)
        lines.append(f"steder = [{quoted}]")
    if user.email:
        lines.append(f"email = {json.dumps(user.email)}")
    if user.oidc_id:
        lines.append(f"oidc_id = {json.dumps(user.oidc_id, ensure_ascii=False)}")
    if user.password_hash:
        lines.append(f"adgangskode = {json.dumps(user.password_hash)}")
    return "\n".join(lines) + "\n"


def save_users(path: Path, users: dict[str, User]) -> None:
    """Write atomically with mode 0600: a crash never leaves a half-written users file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = ("# sosu-overblik: brugere. Adgangskoder gemmes kun som Argon2id-hash.\n"
            "# Rediger med 'sosu user add|remove|passwd'.\n\n"
            + "\n".join(_toml(u) for u in sorted(users.values(), key=lambda u: u.name)))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".brugere-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def add_user(path: Path, user: User, password: str | None) -> None:
    users = load_users(path)
    user = replace(user, name=user.name.strip().lower())
    if user.name in users:
        raise UsersError(f"bruger {user.name!r} findes allerede")
    if password is None and user.email is None and user.oidc_id is None:
        raise UsersError(f"bruger {user.name!r}: angiv en adgangskode, en e-mail eller et "
                         "oidc_id (kommunens login)")
    user = replace(user, email=user.email.lower() if user.email else None,
                   password_hash=hash_password(password) if password is not None else None)
    _check(user, f"bruger {user.name!r}")
    save_users(path, {**users, user.name: user})


def remove_user(path: Path, name: str) -> None:
    users = load_users(path)
    name = name.strip().lower()
    if name not in users:
        raise UsersError(f"bruger {name!r} findes ikke")
    del users[name]
    save_users(path, users)


def set_password(path: Path, name: str, password: str) -> None:
    users = load_users(path)
    name = name.strip().lower()
    if name not in users:
        raise UsersError(f"bruger {name!r} findes ikke")
    users[name] = replace(users[name], password_hash=hash_password(password))
    save_users(path, users)


def check_password(users: dict[str, User], name: str, password: str) -> User | None:
    user = users.get(name.strip().lower())
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None else None


def by_email(users: dict[str, User], email: str | None) -> User | None:
    if not email:
        return None
    wanted = email.strip().lower()
    return next((u for u in users.values() if u.email == wanted), None)


def by_oidc_id(users: dict[str, User], claim: str, value: str | None) -> User | None:
    """The user whose `oidc_id` is the claim's value. `oid` and `sub` are compared exactly
    (they are opaque identifiers); `preferred_username` without regard to case."""
    if not value:
        return None
    wanted = value.strip()
    if claim == "preferred_username":
        return next((u for u in users.values()
                     if u.oidc_id and u.oidc_id.casefold() == wanted.casefold()), None)
    return next((u for u in users.values() if u.oidc_id == wanted), None)
