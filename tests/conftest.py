"""Fixtures shared by every level, and the level markers.

Each test's level is the folder it sits in (tests/unit, sql, app, browser, slow) and is
also set as a marker, so `pytest -m "not browser and not slow"` selects as the folders
do. Constants and plain helpers are in tests/support.py; never import a conftest.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DATA, INITIATIVES, MINIMAL, TODAY, write_hostile_copy

LEVELS = ("unit", "sql", "app", "browser", "slow")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current code instead of comparing")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(root).parts
        if len(parts) > 1 and parts[0] in LEVELS:
            item.add_marker(parts[0])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once every module is imported (Streamlit, Plotly, pandas: some 300,000 objects that
    live as long as the process), leave them out of the garbage collector's full passes
    and collect less often: the collector took 9.5 s of `make check`'s CPU, 3 s after.
    Objects freed by their last reference still go at once; the dashboard itself turns the
    full collection Streamlit makes after each run off (cli/serve.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


@pytest.fixture(scope="session")
def minimal_session_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture loaded once per session; tests get copies (minimal_db)."""
    from sosu.etl.load import load_folder

    db = tmp_path_factory.mktemp("minimal") / "minimal.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db


@pytest.fixture
def minimal_db(minimal_session_db: Path, tmp_path: Path) -> Path:
    """The hand-made fixture as a database of the test's own, free to change or replace:
    a copy of the one loaded per session (a copy takes milliseconds, a load a second)."""
    db = tmp_path / "minimal.duckdb"
    shutil.copy2(minimal_session_db, db)
    return db


@pytest.fixture(scope="session")
def early_warning_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/early_warning loaded once per session: read it, or copy it to change it."""
    from sosu.etl.load import load_folder

    db = tmp_path_factory.mktemp("early-warning") / "ew.duckdb"
    load_folder(DATA / "early_warning", db, today=TODAY)
    return db


@pytest.fixture(scope="session")
def initiatives_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture with the optional initiatives file, loaded once per session:
    read it, or copy it to change it."""
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("initiatives")
    shutil.copytree(MINIMAL, folder / "csv")
    shutil.copy(INITIATIVES, folder / "csv" / "indsatser.csv")
    db = folder / "initiatives.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


@pytest.fixture(scope="session")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published figures (tests/published_figures.py) loaded on 1 July 2025, once per
    session: read it, never change it."""
    from sosu.etl.load import load_folder
    from tests import published_figures

    folder = tmp_path_factory.mktemp("published")
    published_figures.write(folder / "csv")
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=dt.date(2025, 7, 1))
    return db


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with hostile text in every free-text column (tests.support), loaded
    once per session: read it, never change it."""
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "sosu.duckdb"
    load_folder(write_hostile_copy(folder / "csv"), db, today=TODAY)
    return db


@pytest.fixture(scope="session")
def quick_hasher() -> tuple[object, str]:
    """Argon2id at its lowest cost, and a dummy hash made with it."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return hasher, hasher.hash("ingen-bruger-har-denne-adgangskode")


@pytest.fixture(autouse=True)
def quick_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                          quick_hasher: tuple[object, str]) -> None:
    """Passwords hashed at Argon2id's lowest cost in this process: the shipped cost takes
    0.2 s of CPU per hash or check, and the tests make hundreds of them (every account an
    AppTest logs in with). What a test checks does not depend on the cost; the shipped
    parameters are checked by the tests marked shipped_password_cost, and child processes
    always use them."""
    if request.node.get_closest_marker("shipped_password_cost"):
        return
    from sosu.access import passwords

    hasher, dummy = quick_hasher
    monkeypatch.setattr(passwords, "_HASHER", hasher)
    monkeypatch.setattr(passwords, "_DUMMY", dummy)


@pytest.fixture(autouse=True)
def no_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own users file or writes the repository's log."""
    monkeypatch.setenv("SOSU_USERS", str(tmp_path / "ingen-brugere.toml"))
    monkeypatch.setenv("SOSU_LOG", str(tmp_path / "log.jsonl"))
    monkeypatch.delenv("SOSU_LOGIN", raising=False)
    monkeypatch.delenv("SOSU_OIDC_GRUPPER", raising=False)
    monkeypatch.delenv("SOSU_DISKRETION", raising=False)
    # No background thread outlives its test's database; tests/app/test_prepare.py turns
    # it on.
    monkeypatch.setenv("SOSU_FORBERED", "nej")


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo municipality's files as `sosu demo` writes them on TODAY (sealed)."""
    from sosu.etl.demo import write_demo

    folder = tmp_path_factory.mktemp("demo") / "csv"
    write_demo(folder, today=TODAY)
    return folder


@pytest.fixture(scope="session")
def demo_db(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo municipality loaded once: big enough that not everything is hidden. Shared
    by every test of the session: read it, never change it (copy it first)."""
    from sosu.etl.load import load_folder

    db = tmp_path_factory.mktemp("demo-db") / "sosu.duckdb"
    load_folder(demo_folder, db, today=TODAY)
    return db


@pytest.fixture(scope="session")
def real_db(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data without its demo marker: to the app, real personal data."""
    from sosu.etl.demoseal import DEMO_MARKER
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("real")
    shutil.copytree(demo_folder, folder / "csv")
    (folder / "csv" / DEMO_MARKER).unlink()
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, one per test module (each test opens its own pages).
    Not one per session: Playwright's sync API allows one instance at a time, and the
    OIDC, deployment and serve tests start their own with their own settings."""
    from bench.browser import chromium
    from tests.support import require_chromium

    require_chromium()
    with chromium() as instance:
        yield instance


@pytest.fixture(scope="session")
def gaps_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture with one dropout's reason 'Andet' (A4, 2023) and a completer
    without a row in efter_uddannelse (A2, cohort 2022): data with known gaps, for the
    completeness figures (tests/sql and tests/app)."""
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("gaps") / "data"
    shutil.copytree(MINIMAL, folder)
    frafald = folder / "frafald.csv"
    frafald.write_text(frafald.read_text(encoding="utf-8").replace("faglige_krav", "Andet"),
                       encoding="utf-8")
    efter = folder / "efter_uddannelse.csv"
    efter.write_text("\n".join(efter.read_text(encoding="utf-8").splitlines()[:2]) + "\n",
                     encoding="utf-8")
    db = folder.parent / "gaps.duckdb"
    load_folder(folder, db, today=TODAY)
    return db
