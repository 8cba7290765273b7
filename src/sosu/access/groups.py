"""Groups at the municipality's login mapped to roles and sites (SOSU_OIDC_GRUPPER), and
the one decision of who an OIDC login is: `grant`.

The groups file is TOML, one `[[gruppe]]` table per group the provider sends in the
token's `groups` claim (Entra ID: the group's object id):

    [[gruppe]]
    id = "6c1d0e2f-…"          # as the token carries it; compared regardless of case
    navn = "Kvalitetsforum"   # optional; named in the audit log
    rolle = "kvalitetsforum"
    steder = []               # a leder group's training sites

Precedence: a login found in the users file gets that entry's role and sites, whatever
its groups say, so the file holds the exceptions. Otherwise the first `[[gruppe]]` in
the file the login is a member of decides the role; a leder gets the sites of every
leder group they are in. A broken file is refused as a whole (never half applied), with
a message naming the file, the line of the entry and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sosu.access.users import (
    User,
    UsersError,
    by_email,
    by_oidc_id,
    check_private,
    cpr_in_names,
)
from sosu.domain.cpr import mask_cpr
from sosu.domain.oserror import reason
from sosu.domain.roles import ROLES

FIELDS = {"id", "navn", "rolle", "steder"}
_TABLE = re.compile(r"^\s*\[\[\s*gruppe\s*\]\]")


class GroupsError(UsersError):
    """A malformed groups file; the message names the file, line and entry."""


@dataclass(frozen=True)
class GroupRule:
    group: str
    role: str
    sites: tuple[str, ...] = ()
    label: str = ""

    @property
    def described(self) -> str:
        """How the audit log names the rule that let someone in."""
        return f"gruppe {self.label!r} ({self.group})" if self.label else f"gruppe {self.group}"


@dataclass(frozen=True)
class Grant:
    """Who a login is, and which rule said so (for the audit log)."""
    user: User
    rule: str


def _table_lines(text: str) -> list[int]:
    """The line of each `[[gruppe]]` header, so an error can point at its entry."""
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if _TABLE.match(line)]


def _rule(entry: object, index: int, where: str) -> GroupRule:
    if not isinstance(entry, dict):
        raise GroupsError(f"{where}: gruppe nr. {index} skal være en [[gruppe]]-tabel")
    group = entry.get("id")
    label = entry.get("navn", "")
    named = next((text.strip() for text in (label, group)
                  if isinstance(text, str) and text.strip()), None)
    where = mask_cpr(f"{where}: gruppe {named!r}" if named else f"{where}: gruppe nr. {index}")
    listed = entry.get("steder")
    values = [entry.get("id"), entry.get("navn"), entry.get("rolle"),
              *(listed if isinstance(listed, list) else [])]
    if cpr_in_names(*(value for value in values if isinstance(value, str))):
        raise GroupsError(f"{where}: indeholder noget, der ligner et CPR-nummer; skriv aldrig "
                          "CPR-numre i gruppefilen")
    unknown = set(entry) - FIELDS
    if unknown:
        raise GroupsError(f"{where}: ukendte felter {', '.join(sorted(unknown))} "
                          f"(brug {', '.join(sorted(FIELDS))})")
    if not isinstance(group, str) or not group.strip():
        raise GroupsError(f"{where}: id mangler (gruppens id, som kommunens login sender det "
                          "i feltet groups; i Entra ID gruppens objekt-id)")
    if not isinstance(label, str):
        raise GroupsError(f"{where}: navn skal være en tekst")
    role = entry.get("rolle")
    if role not in ROLES:
        raise GroupsError(f"{where}: ukendt rolle {role!r} (brug {', '.join(ROLES)})")
    sites = entry.get("steder", [])
    if not isinstance(sites, list) or not all(isinstance(s, str) and s.strip()
                                              for s in sites):
        raise GroupsError(f"{where}: steder skal være en liste af oplæringssteders navne")
    if role == "leder" and not sites:
        raise GroupsError(f"{where}: en leder-gruppe skal have mindst ét oplæringssted")
    if role != "leder" and sites:
        raise GroupsError(f"{where}: kun en leder-gruppe har oplæringssteder")
    return GroupRule(group.strip(), str(role), tuple(s.strip() for s in sites), label.strip())


def parse_groups(text: str, path: Path) -> tuple[GroupRule, ...]:
    """The rules in file order; the first problem found is raised, naming its line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GroupsError(f"{path}: ikke gyldig TOML ({error})") from error
    unknown = set(document) - {"gruppe"}
    if unknown:
        raise GroupsError(f"{path}: ukendte afsnit {', '.join(sorted(unknown))} "
                          "(filen har kun [[gruppe]]-tabeller)")
    entries = document.get("gruppe", [])
    if not isinstance(entries, list):
        raise GroupsError(f"{path}: gruppe skal skrives som [[gruppe]]-tabeller")
    lines = _table_lines(text)
    rules: list[GroupRule] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        line = lines[index - 1] if len(lines) == len(entries) else None
        where = f"{path}:{line}" if line else str(path)
        rule = _rule(entry, index, where)
        key = rule.group.casefold()
        if key in seen:
            raise GroupsError(f"{where}: gruppe {rule.group!r} står der allerede (gruppe nr. "
                              f"{seen[key]}); hver gruppe må kun stå én gang")
        seen[key] = index
        rules.append(rule)
    return tuple(rules)


def load_groups(path: Path | None) -> tuple[GroupRule, ...]:
    """The rules of SOSU_OIDC_GRUPPER; none when it is not set. A set but missing,
    unreadable or world-accessible file is refused: whoever can change it can give
    themselves any role."""
    if path is None:
        return ()
    try:
        with open(path, "rb") as handle:
            check_private(path, os.fstat(handle.fileno()).st_mode, what="gruppefilen")
            raw = handle.read()
    except FileNotFoundError as error:
        raise GroupsError(f"gruppefilen {path} (SOSU_OIDC_GRUPPER) findes ikke") from error
    except OSError as error:
        raise GroupsError(f"gruppefilen {path}: kan ikke læses ({reason(error)})") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GroupsError(f"{path}: ikke UTF-8 ({error.reason})") from error
    return parse_groups(text, path)


def token_groups(value: object) -> tuple[str, ...]:
    """The `groups` claim as a tuple of ids: a list of texts, or one text."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(g) for g in value if isinstance(g, str | int) and str(g).strip())
    return ()


def by_groups(rules: Sequence[GroupRule], name: str,
              member_of: Iterable[str]) -> Grant | None:
    """The first matching rule decides the role; a leder gets the sites of every leder
    rule they match, in file order."""
    groups = {g.strip().casefold() for g in member_of}
    matching = [rule for rule in rules if rule.group.casefold() in groups]
    if not matching:
        return None
    role = matching[0].role
    used = [rule for rule in matching if rule.role == role]
    sites = tuple(dict.fromkeys(site for rule in used for site in rule.sites))
    return Grant(User(name, role, sites), ", ".join(rule.described for rule in used))


def grant(users: dict[str, User], rules: Sequence[GroupRule], *, claim: str,
          identity: str, groups: Iterable[str]) -> Grant | None:
    """Who an OIDC login is: the users file entry its claim names, else what its groups
    grant, else nobody. `identity` is the claim's value (an e-mail already verified)."""
    user = by_email(users, identity) if claim == "email" else by_oidc_id(users, claim, identity)
    if user is not None:
        return Grant(user, "brugerfil")
    name = identity.strip().lower() if claim == "email" else identity.strip()
    if cpr_in_names(name):
        return None  # it would be the account's name: shown, logged and kept in the session
    return by_groups(rules, name, groups) if name else None
