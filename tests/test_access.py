"""Accounts, passwords, lockout and the audit log, without any UI."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
from pathlib import Path

import pytest

from access import audit
from access.login import WRONG, attempt
from access.passwords import hash_password, verify_password
from access.users import User, UsersError, add_user, load_users, remove_user, set_password
from etl.cli import main

PASSWORD = "korrekt-hest-batteri"
NOW = dt.datetime(2026, 11, 23, 10, 0)
LOCKOUT = dt.timedelta(minutes=15)


def test_hashes_never_equal_or_contain_the_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # salted
    for stored in (first, second):
        assert PASSWORD not in stored and stored.startswith("$argon2id$")
        assert verify_password(stored, PASSWORD)
        assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="mindst 10 tegn"):
        hash_password("kort")


def test_users_file_round_trip_is_private(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "brugere.toml"
    add_user(path, User("Anne", "leder", ("Døgnplejen \"Nord\"",)), PASSWORD)
    add_user(path, User("kf", "kvalitetsforum", email="KF@Kommune.dk"), None)
    users = load_users(path)
    assert users["anne"].sites == ('Døgnplejen "Nord"',)
    assert users["kf"].email == "kf@kommune.dk" and users["kf"].password_hash is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")
    set_password(path, "anne", "et-helt-nyt-kodeord")
    assert verify_password(load_users(path)["anne"].password_hash, "et-helt-nyt-kodeord")
    remove_user(path, "anne")
    assert set(load_users(path)) == {"kf"}


@pytest.mark.parametrize(("text", "words"), [
    ('[[bruger]]\nnavn = "a"\nrolle = "chef"\n', ["bruger 'a'", "ukendt rolle"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "leder"\n', ["bruger 'a'", "mindst ét oplæringssted"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\nsteder = ["X"]\n', ["kun en leder"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\nkode = "x"\n', ["ukendte felter kode"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\n' * 2, ["to gange"]),
    ('[[bruger]]\nnavn = "Æ B"\nrolle = "uddannelse"\n', ["brugernavnet"]),
    ("[[bruger]\n", ["ikke gyldig TOML"]),
])
def test_malformed_users_file_names_the_entry(tmp_path: Path, text: str,
                                              words: list[str]) -> None:
    path = tmp_path / "brugere.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # owner only, or it is refused before it is read
    with pytest.raises(UsersError) as error:
        load_users(path)
    for word in words:
        assert word in str(error.value)


def _try(users: dict, log: Path, password: str, minutes: int = 0, name: str = "anne"):
    return attempt(users, name, password, log, max_failures=5, lockout=LOCKOUT,
                   now=NOW + dt.timedelta(minutes=minutes))


def test_lockout_after_five_failures_and_release_after_the_pause(tmp_path: Path) -> None:
    path, log = tmp_path / "brugere.toml", tmp_path / "log.jsonl"
    add_user(path, User("anne", "uddannelse"), PASSWORD)
    users = load_users(path)
    for minute in range(5):
        assert _try(users, log, "forkert-kodeord", minute).message == WRONG
    locked = _try(users, log, PASSWORD, 6)
    assert locked.user is None and "For mange forkerte forsøg" in locked.message
    assert _try(users, log, PASSWORD, 4 + 16).user is not None
    # A success starts the count again.
    assert _try(users, log, "forkert-kodeord", 21).message == WRONG
    assert _try(users, log, PASSWORD, 22).user is not None


def test_unknown_user_gets_the_same_answer_and_is_logged(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    assert _try({}, log, PASSWORD, name="ingen").message == WRONG
    assert [e["haendelse"] for e in audit.entries(log)] == ["login_afvist"]


def test_audit_log_masks_a_cpr_number_typed_as_user_name(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    _try({}, log, PASSWORD, name="010190-1234")
    text = log.read_text(encoding="utf-8")
    assert "010190" not in text and "XXXXXX-XXXX" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_cli_manages_users_without_echoing_hashes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "anne", "--role", "leder", "--site", "Døgnplejen Nord",
                 "--password-stdin"]) == 0
    assert main(["user", "add", "kf", "--role", "kvalitetsforum", "--email", "kf@k.dk",
                 "--no-password"]) == 0
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "anne\tleder [Døgnplejen Nord]\tadgangskode" in out and "argon2" not in out
    assert main(["user", "add", "bo", "--role", "leder", "--no-password", "--email",
                 "b@k.dk"]) == 1
    assert "mindst ét oplæringssted" in capsys.readouterr().err
    assert main(["user", "remove", "anne"]) == 0
    assert set(load_users(Path(os.environ["SOSU_USERS"]))) == {"kf"}
    events = [json.loads(line) for line in Path(os.environ["SOSU_LOG"]).read_text(
        encoding="utf-8").splitlines()]
    assert [(e["haendelse"], e["konto"]) for e in events] == [
        ("bruger", "anne"), ("bruger", "kf"), ("bruger", "anne")]


def test_cli_load_is_logged_with_files_and_row_counts(tmp_path: Path) -> None:
    from tests.conftest import MINIMAL

    assert main(["load", str(MINIMAL), "--db", str(tmp_path / "x.duckdb")]) == 0
    entry = audit.latest(Path(os.environ["SOSU_LOG"]))[0]
    assert entry["haendelse"] == "indlaesning" and entry["raekker"]["elever"] == 8
    assert entry["demodata"] is False
    assert "A1" not in json.dumps(entry)  # no student in the log
