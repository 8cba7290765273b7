"""`sosu user add|remove|list|passwd`: manage the users file from the command line."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sosu.access.groups import load_groups
from sosu.access.users import User, add_user, load_users, remove_user, set_password
from sosu.domain import settings
from sosu.domain.roles import ROLES
from sosu.store import audit


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Adgangskode: ")
    if getpass.getpass("Gentag adgangskode: ") != first:
        raise ValueError("de to adgangskoder er ikke ens")
    return first


def _log(args: argparse.Namespace, action: str, name: str) -> None:
    # The CLI has no database path of its own; log beside the default database.
    from sosu.store.db import database_path

    audit.record(audit.log_path(database_path()), "bruger", getpass.getuser(),
                 handling=action, konto=name)


def _add(args: argparse.Namespace) -> int:
    path = settings.get("users_file")
    oidc_only = (args.email is not None or args.oidc_id is not None) and args.no_password
    password = None if oidc_only else _password(args)
    add_user(path, User(args.name, args.role, tuple(args.site or ()), args.email,
                        oidc_id=args.oidc_id), password)
    _log(args, "oprettet", args.name)
    print(f"Bruger {args.name} ({ROLES[args.role]}) oprettet i {path}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    path = settings.get("users_file")
    remove_user(path, args.name)
    _log(args, "slettet", args.name)
    print(f"Bruger {args.name} slettet fra {path}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    path = settings.get("users_file")
    set_password(path, args.name, _password(args))
    _log(args, "ny adgangskode", args.name)
    print(f"Ny adgangskode gemt for {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    path = settings.get("users_file")
    users = load_users(path)
    if not users:
        print(f"Ingen brugere i {path}")
    for user in users.values():
        how = " + ".join(w for w, ok in (("adgangskode", user.password_hash),
                                           ("e-mail " + (user.email or ""), user.email),
                                           ("oidc_id " + (user.oidc_id or ""), user.oidc_id))
                         if ok)
        sites = f" [{', '.join(user.sites)}]" if user.sites else ""
        print(f"{user.name}\t{user.role}{sites}\t{how}")
    _list_groups()
    return 0


def _list_groups() -> None:
    """The groups file's rules in the order they are tried, when SOSU_OIDC_GRUPPER is
    set; a broken file is reported (file:line, the entry) as the dashboard would."""
    path = settings.get("oidc_groups")
    if path is None:
        return
    rules = load_groups(path)
    print(f"\nGrupper i {path} (kun for brugere, der ikke står ovenfor; den første gruppe, "
          "brugeren er medlem af, giver rollen):")
    for number, rule in enumerate(rules, start=1):
        sites = f" [{', '.join(rule.sites)}]" if rule.sites else ""
        print(f"{number}. {rule.group}\t{rule.role}{sites}\t{rule.label}".rstrip())


def register(commands: Any) -> None:
    user = commands.add_parser("user", help="administrér brugere (brugerfilen i SOSU_USERS)")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="opret en bruger")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--site", action="append", help="oplæringssted (for en leder; gentages)")
    add.add_argument("--email", help="e-mail til kommunens login (OIDC)")
    add.add_argument("--oidc-id", default=None,
                     help="id fra kommunens login, når SOSU_OIDC_CLAIM ikke er email "
                          "(fx Entra ID's oid)")
    add.add_argument("--no-password", action="store_true",
                     help="kun login med kommunens login (kræver --email eller --oidc-id)")
    add.add_argument("--password-stdin", action="store_true",
                     help="læs adgangskoden fra standard input")
    add.set_defaults(run=_add)
    remove = actions.add_parser("remove", help="slet en bruger")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    passwd = actions.add_parser("passwd", help="ny adgangskode")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(run=_passwd)
    listing = actions.add_parser("list", help="vis brugerne (aldrig adgangskoder)")
    listing.set_defaults(run=_list)
