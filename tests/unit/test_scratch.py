"""Temporary copies of personal data (store.scratch): one private folder per user, and
what a killed process left there goes when the next one starts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sosu.etl.read import CsvFile, readable_file
from sosu.store import scratch


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    scratch.folder.cache_clear()
    yield tmp_path
    scratch.folder.cache_clear()


def _gone_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_the_folder_is_the_users_own_and_a_gone_process_leaves_nothing(
        temporary: Path) -> None:
    place = temporary / f"sosu-{os.getuid()}"
    place.mkdir(mode=0o755)
    gone = _gone_pid()
    (place / f"{gone}-abc.csv").write_text("elev_id\nA1\n", "utf-8")
    (place / f"{gone}-duckdb").mkdir()
    (place / f"{gone}-duckdb" / "spill.tmp").write_bytes(b"x")
    mine = place / f"{os.getpid()}-kept.csv"
    mine.write_text("x", "utf-8")
    assert scratch.folder() == place
    assert stat.S_IMODE(os.stat(place).st_mode) == 0o700
    assert sorted(p.name for p in place.iterdir()) == [mine.name]


def test_a_name_someone_else_holds_is_not_used(temporary: Path) -> None:
    (temporary / f"sosu-{os.getuid()}").symlink_to(temporary)
    chosen = scratch.folder()
    assert chosen.parent == temporary and chosen.name.startswith(f"sosu-{os.getuid()}-")
    assert stat.S_IMODE(os.stat(chosen).st_mode) == 0o700


def test_a_copied_csv_and_duckdbs_spill_files_go_into_the_folder(
        temporary: Path, tmp_path: Path) -> None:
    source = tmp_path / "elever.csv"
    source.write_bytes("elev_id;sted\nA1;Ærø\n".encode("cp1252"))
    found = CsvFile(path=source, display="elever.csv", names=["elev_id", "sted"],
                    delimiter=";", encoding="cp1252")
    with readable_file(found) as (path, encoding):
        assert path.parent == scratch.folder() and encoding == "utf-8"
        assert path.name.startswith(f"{os.getpid()}-")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert "Ærø" in path.read_text("utf-8")
    assert not path.exists()
    con = scratch.memory_connection()
    spill = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert spill is not None and Path(spill[0]).parent == scratch.folder()
