"""SOSU_OIDC_GRUPPER: groups at the municipality's login mapped to roles and sites, the
users file's precedence over them, and a broken groups file refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.access.groups import GroupRule, GroupsError, by_groups, grant, load_groups, token_groups
from sosu.access.users import User, UsersError

KF = "6c1d0e2f-1111-4a4a-9b9b-000000000001"
NORD = "6c1d0e2f-2222-4a4a-9b9b-000000000002"
SYD = "6c1d0e2f-3333-4a4a-9b9b-000000000003"
TEAM = "6c1d0e2f-4444-4a4a-9b9b-000000000004"
GROUPS = f"""
# Uddannelsesteamet først: et medlem af flere grupper får den første gruppes rolle.
[[gruppe]]
id = "{TEAM}"
navn = "Uddannelsesteamet"
rolle = "uddannelse"

[[gruppe]]
id = "{NORD}"
navn = "Ledere Døgnplejen Nord"
rolle = "leder"
steder = ["Døgnplejen Nord"]

[[gruppe]]
id = "{SYD}"
rolle = "leder"
steder = ["Døgnplejen Syd", "Døgnplejen Nord"]

[[gruppe]]
id = "{KF.upper()}"
navn = "Kvalitetsforum"
rolle = "kvalitetsforum"
"""


def _file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "grupper.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def rules(tmp_path: Path) -> tuple[GroupRule, ...]:
    return load_groups(_file(tmp_path, GROUPS))


def test_the_file_is_read_in_order_with_labels_and_sites(rules: tuple[GroupRule, ...]) -> None:
    assert [(r.group, r.role, r.sites, r.label) for r in rules] == [
        (TEAM, "uddannelse", (), "Uddannelsesteamet"),
        (NORD, "leder", ("Døgnplejen Nord",), "Ledere Døgnplejen Nord"),
        (SYD, "leder", ("Døgnplejen Syd", "Døgnplejen Nord"), ""),
        (KF.upper(), "kvalitetsforum", (), "Kvalitetsforum"),
    ]


def test_no_setting_means_no_groups() -> None:
    assert load_groups(None) == ()


@pytest.mark.parametrize("member_of, role, sites", [
    ([KF], "kvalitetsforum", ()),
    # Ids are compared regardless of case: Entra ID sends GUIDs in lower case, the file
    # may hold them as pasted from the portal.
    ([KF.upper()], "kvalitetsforum", ()),
    # A leder of two sites: every leder group's sites, once each, in file order.
    ([SYD, NORD, "andet"], "leder", ("Døgnplejen Nord", "Døgnplejen Syd")),
    # Member of a leder group and Kvalitetsforum: the first in the file decides.
    ([KF, NORD], "leder", ("Døgnplejen Nord",)),
    ([KF, TEAM, NORD], "uddannelse", ()),
])
def test_the_first_matching_group_decides_the_role(
        rules: tuple[GroupRule, ...], member_of: list[str], role: str,
        sites: tuple[str, ...]) -> None:
    found = by_groups(rules, "x@kommune.dk", member_of)
    assert found is not None
    assert (found.user.name, found.user.role, found.user.sites) == ("x@kommune.dk", role, sites)


def test_the_audit_rule_names_every_group_that_granted(rules: tuple[GroupRule, ...]) -> None:
    found = by_groups(rules, "x", [SYD, NORD, KF])
    assert found is not None
    assert found.rule == (f"gruppe 'Ledere Døgnplejen Nord' ({NORD}), gruppe {SYD}")


def test_no_matching_group_grants_nothing(rules: tuple[GroupRule, ...]) -> None:
    assert by_groups(rules, "x", []) is None
    assert by_groups(rules, "x", ["ukendt", KF[:-1]]) is None
    assert grant({}, rules, claim="oid", identity="", groups=[KF]) is None


def test_the_users_file_goes_before_the_groups(rules: tuple[GroupRule, ...]) -> None:
    users = {"anne": User("anne", "leder", ("Plejecenter Øst",), email="anne@kommune.dk"),
             "kf": User("kf", "kvalitetsforum", oidc_id="oid-1")}
    by_file = grant(users, rules, claim="email", identity="Anne@Kommune.dk",
                    groups=[TEAM])
    assert by_file is not None and by_file.rule == "brugerfil"
    assert by_file.user == users["anne"]  # not the education team the group would give
    by_id = grant(users, rules, claim="oid", identity="oid-1", groups=[TEAM])
    assert by_id is not None and by_id.user.name == "kf" and by_id.rule == "brugerfil"
    # Not in the file: the groups decide, under the claim's value (an e-mail in lower case).
    by_group = grant(users, rules, claim="email", identity="Bo@Kommune.dk",
                     groups=[NORD])
    assert by_group is not None
    assert (by_group.user.name, by_group.user.role) == ("bo@kommune.dk", "leder")
    assert by_group.rule.startswith("gruppe 'Ledere Døgnplejen Nord'")
    assert grant(users, (), claim="email", identity="bo@kommune.dk", groups=[NORD]) is None
    # A claim that holds a CPR number would be the account's name: no grant by group.
    assert grant(users, rules, claim="email", identity="0101901234@kommune.dk",
                 groups=[NORD]) is None
    assert grant(users, rules, claim="oid", identity="d3b07384-d9a0-4c9b-8d2e-0101901234ab",
                 groups=[NORD]) is not None  # an object id in hex is no CPR number


@pytest.mark.parametrize("value, groups", [
    ([KF, NORD], (KF, NORD)),
    (KF, (KF,)),
    ([KF, "", 7, None], (KF, "7")),
    (None, ()),
    ({"groups": KF}, ()),
])
def test_the_groups_claim_in_the_shapes_providers_send(value: object,
                                                       groups: tuple[str, ...]) -> None:
    assert token_groups(value) == groups


@pytest.mark.parametrize("text, message", [
    (f'[[gruppe]]\nid = "{KF}"\nrolle = "kvalitetforum"\n',
     f":1: gruppe '{KF}': ukendt rolle 'kvalitetforum'"),
    (f'# ledere\n\n[[gruppe]]\nid = "{KF}"\nrolle = "kvalitetsforum"\n\n'
     f'[[gruppe]]\nid = "{NORD}"\nnavn = "Nord"\nrolle = "leder"\n',
     ":7: gruppe 'Nord': en leder-gruppe skal have mindst ét oplæringssted"),
    (f'[[gruppe]]\nid = "{KF}"\nrolle = "kvalitetsforum"\nsteder = ["Nord"]\n',
     "kun en leder-gruppe har oplæringssteder"),
    ('[[gruppe]]\nnavn = "KF"\nrolle = "kvalitetsforum"\n', ":1: gruppe 'KF': id mangler"),
    ('[[gruppe]]\nid = "  "\nrolle = "kvalitetsforum"\n', ":1: gruppe nr. 1: id mangler"),
    (f'[[gruppe]]\nid = "{KF}"\nrolle = "leder"\nsteder = "Nord"\n',
     "steder skal være en liste"),
    (f'[[gruppe]]\nid = "{KF}"\nrole = "kvalitetsforum"\n', "ukendte felter role"),
    (f'[[gruppe]]\nid = "{KF}"\nrolle = "kvalitetsforum"\n\n'
     f'[[gruppe]]\nid = "{KF.upper()}"\nrolle = "uddannelse"\n',
     f"grupper.toml:5: gruppe '{KF.upper()}' står der allerede (gruppe nr. 1)"),
    (f'[grupper]\nid = "{KF}"\n', "ukendte afsnit grupper"),
    (f'gruppe = "{KF}"\n', "skal skrives som [[gruppe]]-tabeller"),
    ('[[gruppe]]\nid = "x\n', "ikke gyldig TOML (Illegal character '\\n' (at line 2"),
    (f'[[gruppe]]\nid = "{KF}"\nnavn = "Anne 010190-1234"\nrolle = "kvalitetsforum"\n',
     ":1: gruppe 'Anne XXXXXX-XXXX': indeholder noget, der ligner et CPR-nummer"),
    (f'[[gruppe]]\nid = "{NORD}"\nrolle = "leder"\nsteder = ["Sted 0101901234"]\n',
     "ligner et CPR-nummer"),
])
def test_a_broken_groups_file_is_refused_naming_the_entry(
        tmp_path: Path, text: str, message: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(GroupsError) as refused:
        load_groups(path)
    assert str(refused.value).startswith(str(path))
    assert message in str(refused.value)


def test_a_missing_or_shared_groups_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GroupsError, match="findes ikke"):
        load_groups(tmp_path / "ingen.toml")
    shared = _file(tmp_path, GROUPS, mode=0o644)
    with pytest.raises(UsersError, match="gruppefilen .* andre end ejeren.*chmod 600"):
        load_groups(shared)
    undecodable = _file(tmp_path, "", mode=0o600)
    undecodable.write_bytes(b'[[gruppe]]\nnavn = "\xe6"\n')
    with pytest.raises(GroupsError, match="ikke UTF-8"):
        load_groups(undecodable)


def test_the_setting_is_a_path_or_nothing(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    from sosu.domain import settings

    assert settings.get("oidc_groups") is None
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(tmp_path / "grupper.toml"))
    assert settings.get("oidc_groups") == tmp_path / "grupper.toml"


def test_the_shipped_example_groups_file_is_valid(tmp_path: Path) -> None:
    from tests.support import ROOT

    text = (ROOT / "deploy" / "grupper.example.toml").read_text(encoding="utf-8")
    rules = load_groups(_file(tmp_path, text))
    assert [r.role for r in rules] == ["uddannelse", "leder", "kvalitetsforum"]


def test_user_list_shows_the_groups_in_the_order_they_are_tried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sosu.cli.main import main

    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_file(tmp_path, GROUPS)))
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert f"1. {TEAM}\tuddannelse\tUddannelsesteamet" in out
    assert f"3. {SYD}\tleder [Døgnplejen Syd, Døgnplejen Nord]\n" in out
    _file(tmp_path, GROUPS.replace('rolle = "uddannelse"', 'rolle = "team"'))
    assert main(["user", "list"]) == 1
    assert "grupper.toml:3: gruppe 'Uddannelsesteamet': ukendt rolle 'team'" in (
        capsys.readouterr().err)


def test_serve_refuses_a_bad_setting_and_warns_of_a_broken_groups_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A setting cannot change while the server runs, so `sosu serve` does not start on a
    bad one; the groups file can be fixed while it runs, so it starts and says why no
    one can log in yet."""
    import os

    from sosu.cli.main import main

    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.setenv("SOSU_LOGIN", "oidc")
    monkeypatch.setenv("SOSU_INAKTIV_MINUTTER", "en halv time")
    assert main(["serve", "--port", "8599"]) == 1
    assert "SOSU_INAKTIV_MINUTTER='en halv time'" in capsys.readouterr().err
    assert not started

    monkeypatch.delenv("SOSU_INAKTIV_MINUTTER")
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_file(
        tmp_path, f'[[gruppe]]\nid = "{KF}"\nrolle = "leder"\n')))
    assert main(["serve", "--port", "8599"]) == 0
    err = capsys.readouterr().err
    assert "Advarsel: " in err and "grupper.toml:1:" in err and "ingen kan logge ind" in err
    assert started and "--server.port" in started[0]
