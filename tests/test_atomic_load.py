"""A load never disturbs the live database: readers keep working, loads don't overlap."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.load import _exclusive, load_folder
from etl.problems import ValidationFailed
from queries import metrics
from queries.db import connect_read_only
from queries.kpi import kpi
from tests.conftest import MINIMAL, TODAY

ROOT = Path(__file__).resolve().parent.parent


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
         "from queries.db import connect_read_only; from pathlib import Path;"
         f"c = connect_read_only(Path({str(db)!r})); print('open', flush=True); time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "open"
        load_folder(MINIMAL, db, today=TODAY)
    finally:
        holder.kill()
        holder.wait()


def test_second_simultaneous_load_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    with _exclusive(db), pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "en anden indlæsning" in refused.value.report()[0]
    assert not db.exists()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _figures(db: Path) -> dict:
    con = connect_read_only(db)
    try:
        return kpi(con)
    finally:
        con.close()


@pytest.mark.parametrize("delay", [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0])
def test_killed_load_leaves_a_whole_database(tmp_path: Path, delay: float) -> None:
    """SIGKILL at any point: the live file is the old one byte for byte, or (if the kill
    came after the swap) the complete new one; never a mixture, never missing."""
    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before, figures = _digest(db), _figures(db)
    process = subprocess.Popen([sys.executable, "-m", "etl.cli", "load", str(MINIMAL),
                                "--db", str(db)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if process.returncode != 0 and _digest(db) != before:
        assert not list(tmp_path.glob(".loading-*")), "swapped, so nothing is left beside it"
    assert _figures(db) == figures
    load_folder(MINIMAL, db, today=TODAY)  # the next load succeeds and tidies up
    assert not list(tmp_path.glob(".loading-*"))


def test_disk_full_during_a_load_keeps_the_old_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import etl.load

    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = _digest(db)
    real_connect = duckdb.connect

    def full_disk(path: str = ":memory:", *args: object, **kwargs: object) -> object:
        if ".loading-" in str(path):
            raise duckdb.IOException("No space left on device")
        return real_connect(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(etl.load.duckdb, "connect", full_disk)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "fuld disk" in refused.value.report()[0]
    assert _digest(db) == before
