"""A database loaded by another version of sosu-overblik is named as such, never a traceback.

The load writes the metric macros into the file, so new code calling an old file's
macros failed on every page. The fixture below is such a file: its load recorded no
fingerprint (as before the fingerprint existed) and its `kohorter` macro takes other
arguments than the code expects. Here: the fingerprint, the load and the command line;
the pages: tests/app/test_schema_version.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sosu.cli.main import main
from sosu.store.db import connect_read_only
from sosu.store.schema import ROOT, SOURCES, built_by_this_version, code_fingerprint
from tests.support import TODAY


@pytest.fixture
def old_db(minimal_db: Path) -> Path:
    con = duckdb.connect(str(minimal_db))
    con.execute("ALTER TABLE indlaesning DROP COLUMN kodeversion")
    con.execute("CREATE OR REPLACE MACRO kohorter(steder) AS TABLE SELECT 1 AS gammel")
    con.close()
    return minimal_db


def _current(db: Path) -> bool:
    """Whether this version of the code loaded the file."""
    con = connect_read_only(db)
    try:
        return built_by_this_version(con)
    finally:
        con.close()


def _copy_sources(target: Path) -> Path:
    for source in SOURCES:
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target / source)
        else:
            (target / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, target / source)
    return target


def test_fingerprint_changes_with_the_sql_and_the_contract_only(tmp_path: Path) -> None:
    same, sql_changed, contract_changed, windows = (
        _copy_sources(tmp_path / name) for name in ("same", "sql", "contract", "windows"))
    with open(sql_changed / "sql/metrics/kohorter.sql", "a", encoding="utf-8") as sql:
        sql.write("\n-- en ny kommentar\n")
    with open(contract_changed / "domain/contract.py", "a", encoding="utf-8") as contract:
        contract.write("\n# en ny kommentar\n")
    crlf = windows / "sql/metrics/data_pr.sql"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    (same / "etl/README.txt").write_text("ikke en del af skemaet", encoding="utf-8")

    assert code_fingerprint(same) == code_fingerprint(ROOT) == code_fingerprint(windows)
    assert code_fingerprint(sql_changed) != code_fingerprint(ROOT)
    assert code_fingerprint(contract_changed) != code_fingerprint(ROOT)


def test_a_load_records_this_versions_fingerprint(minimal_db: Path, old_db: Path) -> None:
    assert not _current(old_db)
    from sosu.etl.load import load_folder
    from tests.support import MINIMAL

    load_folder(MINIMAL, old_db, today=TODAY)
    assert _current(old_db)


@pytest.mark.parametrize("command", [["kpi"], ["report", "--quarter", "2023Q3", "--out", "r.pdf"]])
def test_the_cli_asks_for_a_new_load_instead_of_failing(
        old_db: Path, command: list[str], capsys: pytest.CaptureFixture[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--db", str(old_db)]) == 1
    captured = capsys.readouterr()
    assert "anden version af sosu-overblik" in captured.err
    assert "indlæs data igen med 'sosu load MAPPE" in captured.err
    assert captured.out == "" and not (tmp_path / "r.pdf").exists()


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


def test_make_run_loads_the_demo_only_when_needed(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder, db = tmp_path / "demo", tmp_path / "sosu.duckdb"
    assert main(["demo", str(folder), "--db", str(db)]) == 0  # missing: written and loaded
    assert _current(db)
    loaded = _mtime(db)
    assert main(["demo", str(folder), "--db", str(db)]) == 0  # current demo: left alone
    assert _mtime(db) == loaded and "allerede indlæst" in capsys.readouterr().err

    con = duckdb.connect(str(db))
    con.execute("UPDATE indlaesning SET kodeversion = 'en gammel version'")
    con.close()
    assert main(["demo", str(folder), "--db", str(db)]) == 0  # another version's demo
    assert "indlæser dem igen" in capsys.readouterr().err
    assert _current(db)


def test_make_run_never_loads_the_demo_over_real_data(
        old_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = old_db.read_bytes()
    assert main(["demo", str(tmp_path / "demo"), "--db", str(old_db)]) == 0
    assert old_db.read_bytes() == before
    assert not (tmp_path / "demo").exists()
    assert "rigtige data" in capsys.readouterr().err


def test_the_demo_is_refused_under_the_lock_when_real_data_got_there_first(
        minimal_db: Path, tmp_path: Path) -> None:
    """`make run` checks before writing the demo files; a real load that finishes in
    between must still win: the load checks again under its lock."""
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder
    from sosu.etl.problems import ValidationFailed

    write_demo(tmp_path / "demo", today=TODAY)
    before = minimal_db.read_bytes()
    with pytest.raises(ValidationFailed) as refused:
        load_folder(tmp_path / "demo", minimal_db, today=TODAY, over_real_data=False)
    assert "rigtige data" in "\n".join(refused.value.report())
    assert minimal_db.read_bytes() == before
