from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
APP = Path(__file__).resolve().parent.parent / "src" / "sosu" / "app" / "main.py"
PAGES = [f"app_pages/{name}.py" for name in (
    "overblik", "frafald", "sygefravaer", "fastholdelse", "rekruttering", "mit_oplaeringssted",
    "tidlig_opsporing", "data")]
# Pages that name students: in the navigation for the education team only.
TEAM_ONLY_PAGES = ["app_pages/tidlig_opsporing.py"]
MINIMAL = DATA / "minimal"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def minimal_copy(tmp_path: Path) -> Path:
    """A writable copy of the hand-made fixture, for tests that alter it."""
    target = tmp_path / "input"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture
def minimal_db(tmp_path: Path) -> Path:
    from sosu.etl.load import load_folder

    db = tmp_path / "minimal.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db


@pytest.fixture(autouse=True)
def no_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own users file or writes the repository's log."""
    monkeypatch.setenv("SOSU_USERS", str(tmp_path / "ingen-brugere.toml"))
    monkeypatch.setenv("SOSU_LOG", str(tmp_path / "log.jsonl"))
    monkeypatch.delenv("SOSU_LOGIN", raising=False)
    monkeypatch.delenv("SOSU_DISKRETION", raising=False)
    # No background thread outlives its test's database; tests/test_prepare.py turns it on.
    monkeypatch.setenv("SOSU_FORBERED", "nej")


def log_in(at: Any, name: str, seconds_ago: float = 0) -> Any:
    """Log an AppTest in by session, as the gate does after a password check (tested in
    test_access and test_roles); the gate still derives the viewer from the users file."""
    import time

    from sosu.app.login import SESSION_LOGIN, Session

    at.session_state[SESSION_LOGIN] = Session("konti", name, time.time() - seconds_ago)
    return at


def add_user(name: str, role: str, sites: tuple[str, ...] = (),
             password: str = "en-lang-adgangskode") -> None:
    """An account in the test's users file (SOSU_USERS)."""
    import os

    from sosu.access.users import User
    from sosu.access.users import add_user as add

    add(Path(os.environ["SOSU_USERS"]), User(name, role, sites), password)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo municipality loaded once: big enough that not everything is ≤3."""
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder / "csv", today=TODAY)
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data without its demo marker: to the app, real personal data."""
    from sosu.etl.demo import write_demo
    from sosu.etl.demoseal import DEMO_MARKER
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("real")
    write_demo(folder / "csv", today=TODAY)
    (folder / "csv" / DEMO_MARKER).unlink()
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


def open_tables(at: Any) -> Any:
    """Open every chart's "Vis som tabel" panel, as a user clicking each, and run again:
    the tables are drawn only in an open panel (dashboard/ui.chart)."""
    from sosu.app.ui import table_panel

    for expander in at.expander:
        key = str(expander.proto.id).rpartition("-")[2]
        if key.startswith(table_panel("")):
            at.session_state[key] = True
    return at.run()
