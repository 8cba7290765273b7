"""docs/operations.md, run: back up with its commands, delete everything, restore, and get
the same figures, history and rollback as before."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sosu.cli.main import main
from sosu.domain.roles import Viewer
from sosu.etl import history
from sosu.metrics import datasets
from sosu.store import published
from sosu.store.db import connect_read_only
from tests.app.helpers import add_user
from tests.support import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"


def _doc_command(start: str) -> str:
    """The command in docs/operations.md that starts with `start`."""
    found = [line.strip() for line in DOC.read_text("utf-8").splitlines()
             if line.strip().startswith(start)]
    assert found, f"docs/operations.md has no command starting {start!r}"
    return found[0]


def _kpi(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["kpi", "--json", "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_back_up_delete_restore_gives_the_same_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    config = tmp_path / "etc"
    config.mkdir(mode=0o700)
    db = data / "sosu.duckdb"
    monkeypatch.delenv("SOSU_LOG")  # the default: <database>-log.jsonl beside it
    monkeypatch.setenv("SOSU_USERS", str(config / "brugere.toml"))
    add_user("anne", "uddannelse")
    for name in ("secrets.toml", "grupper.toml", "rapport-mail.toml", "env"):
        (config / name).write_text(f"# {name}\n", "utf-8")
        os.chmod(config / name, 0o600)
    other = tmp_path / "andet"
    shutil.copytree(MINIMAL, other)
    lines = (other / "elever.csv").read_text("utf-8").splitlines(keepends=True)
    (other / "elever.csv").write_text("".join(x for x in lines if not x.startswith("B3,")),
                                      "utf-8")
    assert main(["load", str(MINIMAL), "--db", str(db)]) == 0
    assert main(["load", str(other), "--db", str(db)]) == 0
    figures = _kpi(db, capsys)
    assert main(["history", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    con = connect_read_only(db)
    try:  # what Kvalitetsforum was shown: the next load's release is protected with it
        datasets.scope_release(con, Viewer("kf", "kvalitetsforum"))
    finally:
        con.close()
    shown = {p.relative_to(data): p.read_bytes()
             for p in published.folder_for(db).rglob("*") if p.is_file()}
    assert shown
    users = (config / "brugere.toml").read_bytes()

    backup = tmp_path / "backup"
    backup.mkdir()
    back_up = _doc_command("flock sosu.duckdb.lock tar --create").replace(
        "/backup/", f"{backup}/")
    back_up_config = _doc_command("tar --create --file /backup/sosu-config.tar").replace(
        "/backup/", f"{backup}/").replace("/etc/sosu-overblik", str(config))
    subprocess.run(f"umask 077 && {back_up}", shell=True, cwd=data, check=True)
    subprocess.run(back_up_config, shell=True, cwd=data, check=True)

    shutil.rmtree(data)
    shutil.rmtree(config)
    data.mkdir(mode=0o700)
    config.mkdir(mode=0o700)
    for command in ("tar --extract --same-permissions --file /backup/sosu-data.tar",
                    "tar --extract --same-permissions --file /backup/sosu-config.tar"):
        restore = _doc_command(command).replace("/backup/", f"{backup}/").replace(
            "/etc/sosu-overblik", str(config))
        subprocess.run(restore, shell=True, cwd=data, check=True)

    assert _kpi(db, capsys) == figures
    assert main(["history", "--db", str(db)]) == 0
    assert capsys.readouterr().out == listing
    assert (config / "brugere.toml").read_bytes() == users
    for name in ("secrets.toml", "grupper.toml", "rapport-mail.toml", "env"):
        assert (config / name).read_text("utf-8") == f"# {name}\n"
        assert (config / name).stat().st_mode & 0o077 == 0, name
    assert (data / "sosu-log.jsonl").exists()
    newest, older = history.entries(db)
    assert newest.live  # the hard link between the live file and its history survived
    assert (newest.path / history.PREVIOUS).stat().st_ino == older.database.stat().st_ino
    assert {p.relative_to(data): p.read_bytes()
            for p in published.folder_for(db).rglob("*") if p.is_file()} == shown
    for path in [db, *history.folder(db).rglob("*"), *published.folder_for(db).rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path  # still owner-only
    assert main(["rollback", "--db", str(db)]) == 0
    assert _kpi(db, capsys) != figures  # the first load's figures, from the restored history


def test_operations_doc_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "(docs/operations.md)" in readme
    text = DOC.read_text("utf-8")
    for needed in ("SOSU_DB", "SOSU_USERS", "SOSU_LOG", "SOSU_MAAL", "SOSU_HISTORIK",
                   "key", "sosu serve", "sosu reload", "sosu rollback", "systemd"):
        assert needed in text, needed
