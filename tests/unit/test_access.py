"""Accounts, passwords, lockout and the audit log, without any UI."""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sosu.access import lockout
from sosu.access.login import WRONG, attempt
from sosu.access.passwords import hash_password, verify_password
from sosu.access.users import User, UsersError, add_user, load_users, remove_user, set_password
from sosu.cli.main import main
from sosu.domain.cpr import contains_cpr
from sosu.store import audit

PASSWORD = "korrekt-hest-batteri"
NOW = dt.datetime(2026, 11, 23, 10, 0)
LOCKOUT = dt.timedelta(minutes=15)


@pytest.mark.shipped_password_cost
def test_hashes_never_equal_or_contain_the_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # salted
    for stored in (first, second):
        assert PASSWORD not in stored and stored.startswith("$argon2id$")
        # argon2-cffi's defaults (RFC 9106's low-memory choice); the other tests hash
        # at the lowest cost (tests/conftest.py).
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
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
    # a CPR number in any of an entry's texts, never echoed
    ('[[bruger]]\nnavn = "010190-1234"\nrolle = "uddannelse"\n',
     ["bruger 'XXXXXX-XXXX'", "ligner et CPR-nummer"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "leder"\nsteder = ["Sted 0101901234"]\n',
     ["bruger 'a'", "ligner et CPR-nummer"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\nemail = "0101901234@k.dk"\n',
     ["bruger 'a'", "ligner et CPR-nummer"]),
    ('[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\noidc_id = "cpr:010190-1234"\n',
     ["bruger 'a'", "ligner et CPR-nummer"]),
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
    assert not contains_cpr(str(error.value))


def test_an_object_id_that_reads_as_ten_digits_is_no_cpr_number(tmp_path: Path) -> None:
    """Entra ID's object ids are hex: about one in 500 holds ten decimal digits in a row."""
    path = tmp_path / "brugere.toml"
    oid = "d3b07384-d9a0-4c9b-8d2e-0101901234ab"
    assert contains_cpr(oid)  # as a text, it holds one
    path.write_text(f'[[bruger]]\nnavn = "a"\nrolle = "uddannelse"\noidc_id = "{oid}"\n',
                    encoding="utf-8")
    path.chmod(0o600)
    assert load_users(path)["a"].oidc_id == oid


def test_cli_refuses_a_cpr_number_as_a_user_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "010190-1234", "--role", "uddannelse",
                 "--password-stdin"]) == 1
    assert main(["user", "add", "anne", "--role", "leder", "--site", "Sted 0101901234",
                 "--no-password", "--email", "a@k.dk"]) == 1
    output = capsys.readouterr()
    assert output.err.count("ligner et CPR-nummer") == 2
    assert not contains_cpr(output.out + output.err)
    assert not Path(os.environ["SOSU_USERS"]).exists()


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


def test_audit_log_never_keeps_a_cpr_number_typed_as_user_name(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    _try({}, log, PASSWORD, name="010190-1234")
    text = log.read_text(encoding="utf-8")
    assert "010190" not in text and "ukendt navn" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_flood_of_invented_names_never_ends_an_accounts_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store forgets names beyond its size; names failed once go first, so a flood of
    them cannot push out an account that rests (the review: 10,000 invented names did)."""
    monkeypatch.setattr(lockout, "MAX_NAMES", 3)
    log = tmp_path / "log.jsonl"
    users = {"anne": User("anne", "uddannelse", (), hash_password(PASSWORD))}
    for minute in range(5):
        _try(users, log, "forkert-kodeord", minute, name="anne")
    for number in range(5):
        _try(users, log, "forkert-kodeord", 6, name=f"opdigtet-{number}")
    locked = _try(users, log, PASSWORD, 7, name="anne")
    assert locked.user is None and "For mange forkerte forsøg" in locked.message


def test_a_password_typed_as_user_name_is_never_logged(tmp_path: Path) -> None:
    """A name no account has is logged as a keyed digest: the same one each time, so
    repeated guesses still read as one name, and never the text typed."""
    log = tmp_path / "log.jsonl"
    users = {"bo": User("bo", "leder", ("Akutteamet",), hash_password(PASSWORD))}
    for _ in range(2):
        _try(users, log, "forkert", name="bo-adgangskode1")
    _try(users, log, "forkert", name="bo")
    named = [e["bruger"] for e in audit.entries(log)]
    assert "bo-adgangskode1" not in log.read_text(encoding="utf-8")
    assert named[0] == named[1] and named[0].startswith("ukendt navn ") and named[2] == "bo"


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
    from tests.support import MINIMAL

    assert main(["load", str(MINIMAL), "--db", str(tmp_path / "x.duckdb")]) == 0
    entry = audit.latest(Path(os.environ["SOSU_LOG"]))[0]
    assert entry["haendelse"] == "indlaesning" and entry["raekker"]["elever"] == 8
    assert entry["demodata"] is False
    assert "A1" not in json.dumps(entry)  # no student in the log


def test_parallel_wrong_passwords_check_at_most_max_failures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifteen sessions guessing at once: the count, the check and the record are one
    step, so only the first five guesses are ever verified."""
    import sosu.access.login

    path, log = tmp_path / "brugere.toml", tmp_path / "log.jsonl"
    add_user(path, User("anne", "uddannelse"), PASSWORD)
    users = load_users(path)
    verified: list[str] = []
    real_check = sosu.access.login.check_password

    def counting(*args: object) -> User | None:
        verified.append("x")
        time.sleep(0.05)  # widen the window the old code raced through
        return real_check(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sosu.access.login, "check_password", counting)
    start = threading.Barrier(15)

    def guess(number: int) -> str:
        start.wait()
        return _try(users, log, f"forkert-kodeord-{number}").message

    with ThreadPoolExecutor(max_workers=15) as pool:
        messages = list(pool.map(guess, range(15)))
    assert len(verified) == 5
    assert messages.count(WRONG) == 5
    assert sum("For mange forkerte forsøg" in m for m in messages) == 10


def test_parallel_attempts_from_separate_processes_share_the_lock(tmp_path: Path) -> None:
    path, log = tmp_path / "brugere.toml", tmp_path / "log.jsonl"
    add_user(path, User("anne", "uddannelse"), PASSWORD)
    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        messages = pool.starmap(_guess_in_process, [(path, log, n) for n in range(12)])
    assert messages.count(WRONG) == 5
    assert [e["haendelse"] for e in audit.entries(log)].count("login_afvist") == 5


def _guess_in_process(path: Path, log: Path, number: int) -> str:
    return _try(load_users(path), log, f"forkert-kodeord-{number}").message


@pytest.mark.parametrize("name", ["0101901234", "1234567890", "010190-1234"])
def test_a_name_shaped_like_a_number_locks_like_any_other(tmp_path: Path, name: str) -> None:
    """The log masks CPR-shaped names, so counting from the log never locked them."""
    from sosu.domain.cpr import contains_cpr

    log = tmp_path / "log.jsonl"
    for minute in range(5):
        assert _try({}, log, PASSWORD, minute, name=name).message == WRONG
    assert "For mange forkerte forsøg" in _try({}, log, PASSWORD, 6, name=name).message
    if not contains_cpr(name):  # 1234567890 has no month 34: a number, not a CPR number
        return
    digits = name.replace("-", "")
    for stored in (p for p in tmp_path.rglob("*") if p.is_file()):  # keyed hashes only
        assert digits not in stored.read_bytes().decode("latin-1").replace("-", "")


def test_the_lockout_never_reads_the_audit_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A login cost the whole log (1.5 s at a million lines): it now reads a small store."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"tid": "2026-01-01T00:00:00", "haendelse": "login", "bruger": "x"}\n'
                   * 20_000, encoding="utf-8")

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the audit log was read")

    monkeypatch.setattr(audit, "entries", forbidden)
    monkeypatch.setattr(audit, "latest", forbidden)
    real_open = open

    def no_reading_the_log(file, mode="r", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if Path(str(file)) == log and "r" in mode:
            raise AssertionError("the audit log was read")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_reading_the_log)
    for minute in range(5):
        assert _try({}, log, PASSWORD, minute).message == WRONG
    assert "For mange forkerte forsøg" in _try({}, log, PASSWORD, 6).message
    store = lockout.state_path(log)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(lockout.folder(log).stat().st_mode) == 0o700
    assert store.stat().st_size < 1000


def test_audit_log_rotates_and_latest_reads_across_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_LOG_MAX_MB", "1")
    monkeypatch.setenv("SOSU_LOG_ANTAL", "2")
    log = tmp_path / "log.jsonl"
    filler = "x" * 1000
    for number in range(3_500):  # about 3.6 MB: the first file is dropped
        audit.record(log, "eksport", "anne", NOW, nummer=number, fyld=filler)
    files = sorted(tmp_path.glob("log.jsonl*"))
    assert [f.name for f in files] == ["log.jsonl", "log.jsonl.1", "log.jsonl.2"]
    for file in files:
        assert file.stat().st_size <= 1024 * 1024
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    newest = audit.latest(log, limit=1500)
    assert [e["nummer"] for e in newest] == list(range(3_499, 1_999, -1))
    kept = audit.latest(log, limit=10_000)
    assert kept[0]["nummer"] == 3_499 and len(kept) < 3_500  # the oldest file is gone
    assert [e["nummer"] for e in kept] == sorted((e["nummer"] for e in kept), reverse=True)


def test_latest_skips_a_torn_line_and_reads_from_the_end(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    for number in range(3):
        audit.record(log, "eksport", "anne", NOW, nummer=number)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write('{"tid": "2026-')  # a crash mid-write
    assert [e["nummer"] for e in audit.latest(log, limit=2)] == [2, 1]
    assert [e["nummer"] for e in audit.latest(log)] == [2, 1, 0]


def test_a_check_in_progress_holds_up_only_its_own_name(tmp_path: Path) -> None:
    """No lock around every login: one account's check does not stop another's."""
    log = tmp_path / "log.jsonl"
    with lockout.hold(log, "anne"):
        key = lockout.name_id((lockout.folder(log) / "noegle").read_bytes(), "anne")
        other = next(name for name in (f"bruger{n}" for n in range(1000))
                     if int(lockout.name_id((lockout.folder(log) / "noegle").read_bytes(),
                                            name)[:4], 16) % lockout.LOCKS
                     != int(key[:4], 16) % lockout.LOCKS)
        with ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(_try, {}, log, PASSWORD, 0, other)
            # A deadlock guard, not a timing assertion: a blocked check never finishes.
            assert result.result(timeout=600).message == WRONG


def test_the_served_dashboards_output_and_log_are_masked() -> None:
    """`sosu serve` runs Streamlit with its streams masked (cli.masked_streamlit): a log
    line, a warning and an uncaught exception's traceback holding a CPR number reach the
    server's log (the journal) masked."""
    script = ("from sosu.cli import masked_streamlit\n"
              "masked_streamlit.install()\n"
              "import warnings\n"
              "from streamlit.logger import get_logger\n"
              "get_logger('sosu.test').error('Elev 010190-1234')\n"
              "warnings.warn('Celle 020190-1234')\n"
              "print('ud 040190-1234')\n"
              "raise ValueError('Døgnplejen 030190-1234')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "ValueError" in output and "XXXXXX-XXXX" in output
    assert output.count("XXXXXX-XXXX") >= 4 and not contains_cpr(output), output
