"""Files about students are owner-only whatever the umask; group-readable secrets are refused.

Tests run as root here, where permissions deny nothing: every check reads the mode
with os.stat instead of trying to open a file as someone else.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sosu.access.users import User, UsersError, add_user, load_users, save_users
from sosu.store import audit
from tests.support import MINIMAL, TODAY


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000, as a service started carelessly: nothing may rely on the umask."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_new_database_and_its_folder_are_owner_only(tmp_path: Path, open_umask: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import sosu.etl.load
    from sosu.etl.load import load_folder

    seen: list[tuple[str, int, int]] = []
    real_connect = duckdb.connect

    def watching(path: str = ":memory:", *args: object, **kwargs: object) -> object:
        connection = real_connect(path, *args, **kwargs)  # type: ignore[arg-type]
        if ".loading-" in str(path):  # the file being built, while it is written
            seen.append((str(path), _mode(Path(path).parent), _mode(Path(path))))
        return connection

    monkeypatch.setattr(sosu.etl.load.duckdb, "connect", watching)
    db = tmp_path / "ny" / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    assert _mode(db.parent) == 0o700
    assert _mode(db) == 0o600
    assert _mode(db.with_name(db.name + ".lock")) == 0o600
    # While it is written, the new file sits in a folder only the owner can enter.
    assert seen and all(folder == 0o700 for _, folder, _ in seen), seen
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "sosu-historik", "sosu-udgivet", "sosu.duckdb", "sosu.duckdb.lock"]
    assert _mode(db.parent / "sosu-udgivet") == 0o700


def test_a_second_load_keeps_the_database_owner_only(minimal_db: Path, open_umask: None) -> None:
    from sosu.etl.load import load_folder

    load_folder(MINIMAL, minimal_db, today=TODAY)
    assert _mode(minimal_db) == 0o600


def test_audit_log_and_its_folder_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    log = tmp_path / "logs" / "log.jsonl"
    audit.record(log, "login", "anne")
    assert _mode(log.parent) == 0o700 and _mode(log) == 0o600


def test_pseudonymised_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    from sosu.etl.pseudonymize import pseudonymize_folder

    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    out = tmp_path / "ud"
    pseudonymize_folder(MINIMAL, out, keys / "noegle.txt")
    assert _mode(out) == 0o700
    files = list(out.glob("*.csv"))
    assert files and all(_mode(p) == 0o600 for p in files), {p.name: oct(_mode(p)) for p in files}


def test_report_file_is_owner_only(minimal_db: Path, tmp_path: Path, open_umask: None,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from sosu.cli.main import main

    out = tmp_path / "rapport.pdf"
    out.write_bytes(b"old")
    os.chmod(out, 0o644)  # an earlier report, readable by all: replaced by a private one
    assert main(["report", "--quarter", "2023Q3", "--db", str(minimal_db),
                 "--out", str(out), "--rolle", "uddannelse"]) == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF") and _mode(out) == 0o600


def test_report_to_a_missing_folder_says_so_in_danish_before_making_it(
        minimal_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sosu.report
    from sosu.cli.main import main

    def never(*_args: object) -> bytes:
        raise AssertionError("the report was made for a folder that is not there")

    monkeypatch.setattr(sosu.report, "make_report", never)
    out = tmp_path / "findes-ikke" / "rapport.pdf"
    assert main(["report", "--quarter", "2023Q3", "--db", str(minimal_db),
                 "--out", str(out), "--rolle", "uddannelse"]) == 1
    err = capsys.readouterr().err
    assert err == (f"Fejl: rapporten kan ikke skrives til {out}: mappen {out.parent} findes "
                   "ikke\n")


def test_a_report_that_cannot_be_written_says_so_in_danish(
        minimal_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sosu.report
    from sosu.cli.main import main

    monkeypatch.setattr(sosu.report, "make_report", lambda *_args: b"%PDF-1.7 made")
    out = tmp_path / "rapport.pdf"
    out.mkdir()  # a folder where the file should go
    assert main(["report", "--quarter", "2023Q3", "--db", str(minimal_db),
                 "--out", str(out), "--rolle", "uddannelse"]) == 1
    assert capsys.readouterr().err == (
        f"Fejl: rapporten kan ikke skrives til {out} (er en mappe)\n")
    log = audit.log_path(minimal_db)  # no export is logged for a report never written
    assert "kvartalsrapport" not in (log.read_text(encoding="utf-8") if log.exists() else "")


def test_uploaded_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    from sosu.app.app_pages.upload_view import _save

    class Upload:
        name = "elever.csv"

        def getvalue(self) -> bytes:
            return b"elev_id;uddannelse\n"

    _save([Upload()], tmp_path)
    assert _mode(tmp_path / "elever.csv") == 0o600


def test_users_file_written_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "konfig" / "brugere.toml"
    add_user(path, User("anne", "uddannelse"), "en-lang-adgangskode")
    assert _mode(path.parent) == 0o700 and _mode(path) == 0o600


@pytest.mark.parametrize("mode", [0o666, 0o644, 0o640, 0o604, 0o620, 0o602])
def test_users_file_readable_or_writable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "brugere.toml"
    save_users(path, {"anne": User("anne", "uddannelse", password_hash="x")})
    assert load_users(path)  # 0600: used
    os.chmod(path, mode)
    with pytest.raises(UsersError) as refused:
        load_users(path)
    message = str(refused.value)
    assert "andre end ejeren" in message and f"chmod 600 {path}" in message
    assert f"{mode:04o}" in message


def test_cli_refuses_a_users_file_open_to_others(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from sosu.cli.main import main

    path = Path(os.environ["SOSU_USERS"])
    save_users(path, {"anne": User("anne", "uddannelse", password_hash="x")})
    os.chmod(path, 0o666)
    assert main(["user", "list"]) == 1
    err = capsys.readouterr().err
    assert "chmod 600" in err and "Traceback" not in err
