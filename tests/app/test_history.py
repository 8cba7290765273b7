"""History, rollback and reload: every load kept beside the database (etl.history)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sosu.cli.main import main
from sosu.etl import history
from sosu.etl.load import _exclusive, load_folder, rollback
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import load_profile
from tests.app.helpers import APP, add_user, log_in
from tests.support import FOREIGN, FOREIGN_PROFILE, MINIMAL, TODAY


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _kpi(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["kpi", "--db", str(db)]) == 0
    return capsys.readouterr().out


def _other_data(tmp_path: Path, name: str = "andet") -> Path:
    """The fixture without student B3 (in no other file): another load to tell apart."""
    folder = tmp_path / name
    shutil.copytree(MINIMAL, folder)
    lines = (folder / "elever.csv").read_text("utf-8").splitlines(keepends=True)
    (folder / "elever.csv").write_text("".join(x for x in lines if not x.startswith("B3,")),
                                       "utf-8")
    return folder


def _stamp_old_version(database: Path) -> None:
    """What an upgrade does to a file: its recorded code version is no longer this one's."""
    con = duckdb.connect(str(database))
    try:
        con.execute("UPDATE indlaesning SET kodeversion = 'en-gammel-version'")
        con.execute("CHECKPOINT")
    finally:
        con.close()


@pytest.fixture
def open_umask() -> Iterator[None]:
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_a_load_keeps_its_files_and_both_databases_owner_only(tmp_path: Path,
                                                              open_umask: None) -> None:
    db = tmp_path / "sosu.duckdb"
    first = load_folder(MINIMAL, db, today=TODAY, who="anne", via="kommandolinje")
    (entry,) = history.entries(db)
    assert entry.id == first.history_id and entry.live
    assert entry.info["bruger"] == "anne" and entry.info["via"] == "kommandolinje"
    assert entry.rows["elever"] == 8 and entry.info["data_pr"] == "2023-09-30"
    assert sorted(p.name for p in entry.sources.iterdir()) == sorted(
        p.name for p in MINIMAL.iterdir())
    for kept in entry.sources.iterdir():  # as loaded, byte for byte
        assert kept.read_bytes() == (MINIMAL / kept.name).read_bytes()
    # The database is the live file itself (a hard link): kept at no cost.
    assert entry.database.stat().st_ino == db.stat().st_ino
    assert not (entry.path / history.PREVIOUS).exists()

    load_folder(_other_data(tmp_path), db, today=TODAY)
    newest, older = history.entries(db)
    assert newest.live and not older.live
    assert (newest.path / history.PREVIOUS).stat().st_ino == older.database.stat().st_ino
    folder = history.folder(db)
    assert folder == tmp_path / "sosu-historik"
    for path in [folder, *folder.rglob("*")]:
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_dir() or p == folder) == [
        "sosu-historik", "sosu.duckdb", "sosu.duckdb.lock"]


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_HISTORIK", "2")
    db = tmp_path / "sosu.duckdb"
    ids = [load_folder(MINIMAL, db, today=TODAY).history_id for _ in range(3)]
    assert [entry.id for entry in history.entries(db)] == ids[:0:-1]
    assert sorted(p.name for p in history.folder(db).iterdir()) == sorted(ids[1:])


def test_a_refused_load_keeps_nothing(tmp_path: Path) -> None:
    """A file with a CPR number is refused, and neither it nor a copy stays behind."""
    db = tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = db.read_bytes()
    bad = tmp_path / "med-cpr"
    shutil.copytree(MINIMAL, bad)
    with (bad / "frafald.csv").open("a", encoding="utf-8") as out:
        out.write("0101901234,SSH,2023-01-15,fravaer,GF,\n")
    with pytest.raises(ValidationFailed):
        load_folder(bad, db, today=TODAY)
    assert db.read_bytes() == before
    assert len(history.entries(db)) == 1
    everything = [p for p in tmp_path.rglob("*") if "med-cpr" not in p.parts]
    assert not [p for p in everything if p.name.startswith((".loading-", ".ny-"))]
    assert not [p for p in everything if p.is_file() and b"0101901234" in p.read_bytes()]


def test_a_file_name_with_a_cpr_number_is_kept_masked(tmp_path: Path) -> None:
    folder = tmp_path / "eksport"
    folder.mkdir()
    with pd.ExcelWriter(folder / "eksport 010190-1234.xlsx") as book:
        for csv in sorted(MINIMAL.glob("*.csv")):
            pd.read_csv(csv, dtype=str, keep_default_na=False).to_excel(
                book, sheet_name=csv.stem, index=False)
    db = tmp_path / "sosu.duckdb"
    load_folder(folder, db, today=TODAY)
    (entry,) = history.entries(db)
    assert [p.name for p in entry.sources.iterdir()] == ["eksport XXXXXX-XXXX.xlsx"]
    assert entry.sources.joinpath("eksport XXXXXX-XXXX.xlsx").read_bytes() == next(
        folder.iterdir()).read_bytes()
    assert "010190" not in json.dumps(entry.info)
    assert not [p for p in history.folder(db).rglob("*") if "010190" in p.name]


def _exported(tmp_path: Path) -> Path:
    """The user's folder: a copy of the fixture the test may change."""
    folder = tmp_path / "eksport"
    shutil.copytree(MINIMAL, folder)
    return folder


def test_the_history_keeps_its_own_copy_of_the_users_files(tmp_path: Path,
                                                            open_umask: None) -> None:
    """The load reads the user's files through links (etl.history.snapshot); what it
    keeps is a copy of its own, owner-only, which a later edit of the user's file does
    not touch."""
    folder, db = _exported(tmp_path), tmp_path / "sosu.duckdb"
    links_while_read: list[int] = []

    def count_links(_step: str, _fraction: float) -> None:
        links_while_read.append((folder / "elever.csv").stat().st_nlink)
    load_folder(folder, db, today=TODAY, progress=count_links)
    assert links_while_read[0] == 2  # read through a link, not a copy
    (entry,) = history.entries(db)
    for kept in entry.sources.iterdir():
        assert kept.stat().st_nlink == 1, kept  # no link to the user's file
        assert _mode(kept) == 0o600, kept
        assert (folder / kept.name).stat().st_nlink == 1  # the load's link is gone
    loaded = (entry.sources / "elever.csv").read_bytes()
    with (folder / "elever.csv").open("a", encoding="utf-8") as out:
        out.write("B9,SSH,2023-08-01,30,Plejecenter Å,intern\n")
    assert (entry.sources / "elever.csv").read_bytes() == loaded


def _write_once(write: Callable[[], None]) -> Callable[[str, float], None]:
    """A progress callback that calls `write` at the load's first step, after the load
    has taken its snapshot and before it has read anything."""
    done: list[bool] = []

    def progress(_step: str, _fraction: float) -> None:
        if not done:
            done.append(True)
            write()
    return progress


def test_a_file_written_to_during_the_load_refuses_it(tmp_path: Path) -> None:
    folder, db = _exported(tmp_path), tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = db.read_bytes()

    def append() -> None:  # as a program still writing the export (an empty line, which
        # the load would pass over: only the change refuses it)
        with (folder / "frafald.csv").open("a", encoding="utf-8") as out:
            out.write("\n")
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, db, today=TODAY, progress=_write_once(append))
    assert refused.value.report() == [
        "frafald.csv: filen blev ændret, mens den blev indlæst; indlæs igen, når den er gemt "
        "færdig"]
    assert db.read_bytes() == before
    assert len(history.entries(db)) == 1
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith((".loading-", ".ny-"))]


def test_a_folder_that_is_not_there_is_refused_before_anything_is_read(
        tmp_path: Path) -> None:
    """Refused where the snapshot is taken: a folder made during the load is never read
    unlinked, nor moved into the history."""
    db = tmp_path / "sosu.duckdb"
    with pytest.raises(ValidationFailed) as refused:
        load_folder(tmp_path / "eksport", db, today=TODAY)
    assert refused.value.report() == [f"{tmp_path / 'eksport'}: mappen findes ikke"]
    assert not db.exists() and not history.folder(db).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".loading-")]


def test_a_file_saved_anew_during_the_load_keeps_what_was_loaded(tmp_path: Path) -> None:
    """Saving a file again replaces it with a new one: the load goes on with the bytes it
    linked, and those are what the history keeps."""
    folder, db = _exported(tmp_path), tmp_path / "sosu.duckdb"
    original = (folder / "elever.csv").read_bytes()

    def save_again() -> None:
        (folder / "ny.tmp").write_bytes(original.replace(b"B3,", b"B9,"))
        os.replace(folder / "ny.tmp", folder / "elever.csv")
    load_folder(folder, db, today=TODAY, progress=_write_once(save_again))
    (entry,) = history.entries(db)
    assert (entry.sources / "elever.csv").read_bytes() == original
    assert entry.rows["elever"] == 8


def test_a_file_that_cannot_be_linked_is_copied_first(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder on another file system (no hard link across): the load reads a private
    copy, as it keeps it, and the figures are the same."""
    folder, db = _exported(tmp_path), tmp_path / "sosu.duckdb"
    real_link = os.link

    def across_file_systems(source: object, target: object, **kwargs: object) -> None:
        if Path(str(source)).parent == folder:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(source, target, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(os, "link", across_file_systems)
    load_folder(folder, db, today=TODAY)
    (entry,) = history.entries(db)
    for kept in entry.sources.iterdir():
        assert kept.read_bytes() == (folder / kept.name).read_bytes()
        assert kept.stat().st_nlink == 1 and _mode(kept) == 0o600
    assert entry.rows["elever"] == 8


def test_a_history_copy_that_fails_refuses_the_load(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the files are copied for the history: the load is refused in
    Danish and the database in use stays as it was."""
    folder, db = _exported(tmp_path), tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = db.read_bytes()

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(history.shutil, "copyfile", full_disk)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, db, today=TODAY)
    assert refused.value.report() == [
        f"{tmp_path.name}: databasen kan ikke skrives (fuld disk); den gamle database er uændret"]
    assert db.read_bytes() == before
    assert len(history.entries(db)) == 1


def test_rollback_swaps_an_older_database_back_atomically(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "sosu.duckdb"
    first = load_folder(MINIMAL, db, today=TODAY)
    first_kpi = _kpi(db, capsys)
    load_folder(_other_data(tmp_path), db, today=TODAY)
    second_kpi = _kpi(db, capsys)
    assert first_kpi != second_kpi
    reader = duckdb.connect(":memory:")  # a dashboard holding the file open
    reader.execute(f"ATTACH '{db}' AS live (READ_ONLY)")
    students = "SELECT count(*) FROM live.elever"
    assert reader.execute(students).fetchone() == (7,)

    # The swap fails: the live file is untouched, and nothing is left beside it.
    live_before = db.read_bytes()

    def failing(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", failing)
        with pytest.raises(ValidationFailed):
            rollback(db)
    assert db.read_bytes() == live_before
    assert not list(tmp_path.glob(".loading-*"))

    # A load in progress holds the lock: a rollback is refused, not queued.
    with _exclusive(db), pytest.raises(ValidationFailed) as busy:
        rollback(db)
    assert "anden indlæsning" in busy.value.problems[0].message

    assert main(["rollback", "--db", str(db)]) == 0  # the load before the one in use
    assert db.stat().st_ino == history.find(db, first.history_id).database.stat().st_ino
    assert _kpi(db, capsys) == first_kpi
    assert reader.execute(students).fetchone() == (7,)  # an open reader keeps its snapshot
    reader.close()
    assert [e.live for e in history.entries(db)] == [False, True]
    assert main(["rollback", "--db", str(db)]) == 1  # nothing older
    assert "ingen ældre" in capsys.readouterr().err
    newest = history.entries(db)[0].id
    assert main(["rollback", newest, "--db", str(db)]) == 0  # and forward again
    assert _kpi(db, capsys) == second_kpi
    events = [json.loads(line)["haendelse"]
              for line in Path(os.environ["SOSU_LOG"]).read_text("utf-8").splitlines()]
    assert events.count("tilbagerulning") == 2


def test_reload_rebuilds_the_database_after_an_upgrade(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    older = load_folder(_other_data(tmp_path), db, today=TODAY).history_id
    before = _kpi(db, capsys)
    uploads = tmp_path / "andet"
    shutil.rmtree(uploads)  # the uploads were deleted after loading, as they are today
    _stamp_old_version(db)  # the upgrade: this version cannot read the file
    capsys.readouterr()
    assert main(["kpi", "--db", str(db)]) == 1
    assert "anden version" in capsys.readouterr().err
    first = history.entries(db)[1].id
    assert main(["rollback", first, "--db", str(db)]) == 0  # an older one still works
    assert main(["rollback", older, "--db", str(db)]) == 1  # the stale one is refused
    assert "sosu reload" in capsys.readouterr().err
    assert main(["reload", "--db", str(db)]) == 0  # the newest kept files
    assert "Genindlæst fra" in capsys.readouterr().out
    assert _kpi(db, capsys) == before
    newest = history.entries(db)[0]
    assert newest.live and newest.info["via"] == "genindlaesning"
    assert main(["history", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert newest.id in listing and "genindlaesning" in listing and "2023-09-30" in listing


def _team_app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(db))
    add_user("anne", "uddannelse")
    at = log_in(AppTest.from_file(str(APP), default_timeout=60), "anne")
    at.run()
    return at.switch_page("app_pages/data.py").run()


def test_the_data_page_shows_the_history_and_rolls_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "sosu.duckdb"
    first = load_folder(MINIMAL, db, today=TODAY).history_id
    load_folder(_other_data(tmp_path), db, today=TODAY)
    at = _team_app(db, monkeypatch)
    assert not at.exception

    def students_loaded() -> int:
        files = next(d.value for d in at.dataframe if "fil" in d.value.columns)
        return int(files.set_index("fil").loc["elever", "rækker"])

    assert students_loaded() == 7
    table = next(d.value for d in at.dataframe if "ID" in d.value.columns)
    assert list(table["i brug"].astype(bool)) == [True, False]
    assert first in set(table["ID"])
    assert "sosu-overblik" in at.sidebar.caption[0].value  # the version
    at.selectbox(key="historik_valg").select_index(0)
    at.button(key="historik_tilbage").click().run()
    assert not at.exception
    assert any("taget i brug igen" in s.value for s in at.success)
    assert history.find(db, first).live
    assert students_loaded() == 8  # the rerun shows the database now in use


def test_a_rollback_on_the_command_line_shows_in_a_running_session_at_its_next_click(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sosu rollback` while the dashboard is open: the open session keeps its page as
    drawn, and its next run (any click) reads the database now in use, not a cached
    connection to the replaced one."""
    db = tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    load_folder(_other_data(tmp_path), db, today=TODAY)
    at = _team_app(db, monkeypatch)

    def students_loaded() -> int:
        files = next(d.value for d in at.dataframe if "fil" in d.value.columns)
        return int(files.set_index("fil").loc["elever", "rækker"])

    assert students_loaded() == 7
    assert main(["rollback", "--db", str(db)]) == 0
    at.run()
    assert not at.exception
    assert students_loaded() == 8
    table = next(d.value for d in at.dataframe if "ID" in d.value.columns)
    assert list(table["i brug"].astype(bool)) == [False, True]


def test_the_data_page_offers_a_reload_after_an_upgrade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    _stamp_old_version(db)
    at = _team_app(db, monkeypatch)
    assert any("anden version" in e.value for e in at.error)
    at.button(key="historik_genindlaes").click().run()
    assert not at.exception
    assert any("Genindlæst" in s.value for s in at.success)
    assert not any("anden version" in e.value for e in at.error)
    assert history.entries(db)[0].info["via"] == "genindlaesning"


def test_the_data_page_reloads_a_foreign_export_through_its_kept_profile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The button reads the kept files as `sosu reload` does: through the import profile
    the load kept (without it every header of a foreign export would be unknown)."""
    db = tmp_path / "sosu.duckdb"
    load_folder(FOREIGN, db, today=TODAY, profile=load_profile(FOREIGN_PROFILE))
    before = _kpi(db, capsys)
    _stamp_old_version(db)
    at = _team_app(db, monkeypatch)
    at.button(key="historik_genindlaes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Genindlæst" in s.value for s in at.success)
    assert _kpi(db, capsys) == before


def test_other_roles_see_no_history(minimal_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(minimal_db))
    add_user("kf", "kvalitetsforum")
    at = log_in(AppTest.from_file(str(APP), default_timeout=60), "kf")
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not [b for b in at.button if b.key and b.key.startswith("historik")]
    assert not [s for s in at.subheader if s.value == "Historik"]
