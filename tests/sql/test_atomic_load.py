"""A load never disturbs the live database: readers keep working, a second load is refused,
a read-only folder, a refused write or a full disk leave the old file as it was (SIGKILL at
every step, two loads at once and, as root, the read-only folder with that power dropped:
tests/slow/test_atomic_load.py)."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from sosu.etl.load import _exclusive, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.metrics import metrics
from sosu.store.db import connect_read_only
from tests.support import MINIMAL, ROOT, TODAY, chmod_is_enforced, file_digest


def test_open_reader_keeps_its_snapshot_and_a_new_one_sees_the_new_data(
        tmp_path: Path, minimal_copy: Path) -> None:
    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    reader = connect_read_only(db)
    before = metrics.cohorts(reader).ansatte.sum()
    elever = minimal_copy / "elever.csv"
    elever.write_text(elever.read_text(encoding="utf-8")
                      + "C1,SSA,2023-03-01,40,Plejecenter Å,ekstern\n", encoding="utf-8")
    load_folder(minimal_copy, db, today=TODAY)
    assert metrics.cohorts(reader).ansatte.sum() == before
    fresh = connect_read_only(db)
    assert metrics.cohorts(fresh).ansatte.sum() == before + 1
    reader.close()
    fresh.close()


def test_reader_in_another_process_does_not_block_a_load(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, '.');"
         "from sosu.store.db import connect_read_only; from pathlib import Path;"
         f"c = connect_read_only(Path({str(db)!r})); print('open', flush=True);"
         "sys.stdin.read()"],  # holds the file open until the test is done, however long
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "open"
        load_folder(MINIMAL, db, today=TODAY)
        assert holder.poll() is None, "the reader was open during the whole load"
    finally:
        holder.kill()
        holder.wait()


def test_second_simultaneous_load_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    with _exclusive(db), pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "en anden indlæsning" in refused.value.report()[0]
    assert not db.exists()


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live database in its own folder, loaded once (so the lock file exists)."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db


def _refused_clearly(db: Path, before: str, folder: Path = MINIMAL, **kwargs: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, db, today=TODAY, **kwargs)  # type: ignore[arg-type]
    message = refused.value.report()[0]
    assert message == (f"{db.parent.name}: databasen kan ikke skrives (skrivebeskyttet mappe); "
                       "den gamle database er uændret")
    assert file_digest(db) == before


@pytest.mark.parametrize("when", ["before", "before_without_lock_file", "at_the_swap"])
def test_read_only_folder_gives_a_clear_message_and_keeps_the_database(
        live: Path, tmp_path: Path, when: str) -> None:
    if not chmod_is_enforced(tmp_path):
        pytest.skip("root ignores chmod 0555 here; tests/slow/test_atomic_load.py runs this "
                    "test again with that power dropped")
    before = file_digest(live)
    folder = live.parent
    if when == "before_without_lock_file":
        live.with_name(live.name + ".lock").unlink()

    def turn_read_only(step: str, _fraction: float) -> None:
        if step == "Skifter databasen ud":
            folder.chmod(0o555)

    try:
        if when == "at_the_swap":
            _refused_clearly(live, before, progress=turn_read_only)
        else:
            folder.chmod(0o555)
            _refused_clearly(live, before)
    finally:
        folder.chmod(0o755)
    load_folder(MINIMAL, live, today=TODAY)  # writable again: loads and tidies up
    assert sorted(p.name for p in folder.iterdir()) == [
        "live-historik", "live-udgivet", "live.duckdb", "live.duckdb.lock"]


def _denied(*_args: object, **_kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("where", ["lock_file", "new_database", "swap"])
def test_write_refused_by_the_system_gives_a_clear_message(
        live: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """The same faults as a read-only folder, simulated, so they run as root too."""
    import duckdb

    import sosu.etl.load

    before = file_digest(live)
    if where == "lock_file":
        live.with_name(live.name + ".lock").unlink()
        monkeypatch.setattr(sosu.etl.load, "open", _denied, raising=False)
    elif where == "new_database":
        real_connect = duckdb.connect

        def read_only_folder(path: str = ":memory:", *args: object, **kw: object) -> object:
            if ".loading-" in str(path):
                raise duckdb.IOException(f'Cannot open file "{path}": Permission denied')
            return real_connect(path, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(sosu.etl.load.duckdb, "connect", read_only_folder)
    else:
        monkeypatch.setattr(sosu.etl.load.os, "replace", _denied)
    _refused_clearly(live, before)
    monkeypatch.undo()
    assert not list(live.parent.glob(".loading-*"))
    load_folder(MINIMAL, live, today=TODAY)


def test_disk_full_during_a_load_keeps_the_old_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import sosu.etl.load

    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = file_digest(db)
    real_connect = duckdb.connect

    def full_disk(path: str = ":memory:", *args: object, **kwargs: object) -> object:
        if ".loading-" in str(path):
            raise duckdb.IOException("No space left on device")
        return real_connect(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sosu.etl.load.duckdb, "connect", full_disk)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "fuld disk" in refused.value.report()[0]
    assert file_digest(db) == before
