"""Validate a data folder and swap a freshly built database in atomically.

The new database is written beside the live one and moved over it with
os.replace only after every rule passed. A refused, failed or killed load
therefore leaves the live file byte-for-byte as it was, and a dashboard that
holds it open keeps its snapshot (DuckDB locks a file per process).

The new file is built inside a private folder (mode 0700) and made 0600 before the
swap, so neither it nor its write-ahead log is ever readable by others, whatever
the umask; a new database folder is made 0700 as well.

The folder's files are copied into the private folder first and the load reads the
copy; a successful load keeps that copy, the new database and the one it replaced in
the history beside the database (etl.history), from where `rollback` swaps an older
database back in the same atomic way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import functools
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sosu.domain import oserror, settings
from sosu.domain.contract import ALL_FILES, OPTIONAL_FILES, FileSpec, schedule_rows
from sosu.domain.version import VERSION
from sosu.etl import history, profiled
from sosu.etl.demoseal import is_sealed_demo
from sosu.etl.fast import ScreenedBuild, screened_rules_broken, validate_fast
from sosu.etl.models import SQL_DIR, Model, build_order
from sosu.etl.problems import Problem, ValidationFailed
from sosu.etl.profile import KEPT_PROFILE, Profile, ProfileError, load_profile
from sosu.etl.read import Source, find_sources, stage, workbook_cpr_problems
from sosu.etl.rules import CPR_WORDS
from sosu.etl.validate import (
    build_typed,
    collect_problems,
    cpr_problems,
    create_final,
    parse_expression,
    raw_table,
    typed_table,
)
from sosu.store import audit, db, published, scratch
from sosu.store.private import write_private
from sosu.store.schema import built_by_this_version, code_fingerprint

# Written by `sosu demo` with a seal over the folder's files (etl.demoseal). A load
# without a matching seal counts as real data, which makes the dashboard insist on
# login: secure unless the folder proves it is the synthetic demo.

Progress = Callable[[str, float], None]


def _quiet(_step: str, _fraction: float) -> None:
    return None


@dataclass(frozen=True)
class LoadSummary:
    rows: dict[str, int]
    data_pr: dt.date | None
    sources: dict[str, str]
    demo: bool = False
    history_id: str = ""  # the load's id in the history (etl.history)

    def one_line(self) -> str:
        counts = ", ".join(f"{name} {n:,}".replace(",", ".") for name, n in self.rows.items())
        when = self.data_pr.isoformat() if self.data_pr else "ingen datoer"
        return f"OK: {counts}; data pr. {when}"


def validate_folder(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    today: dt.date,
    progress: Progress = _quiet,
    profile: Profile | None = None,
) -> dict[str, str]:
    """Stage and check every file on `con`; raise ValidationFailed listing all problems.
    With an import profile, the files it names are read as it says (etl.profiled), and
    problems name the user's own headers."""
    sources, problems = (find_sources(folder) if profile is None
                         else profiled.find_sources(folder, profile))
    display = {name: source.display for name, source in sources.items()}
    for index, spec in enumerate(ALL_FILES):
        progress(f"Læser {display.get(spec.name, spec.name)}", index / (len(ALL_FILES) + 1))
        entry = profile.files.get(spec.name) if profile else None
        if spec.name in sources and entry is not None:
            problems += profiled.stage(con, sources[spec.name], entry, raw_table(spec.name))
        elif spec.name in sources:
            problems += stage(con, sources[spec.name], raw_table(spec.name))
        elif spec.optional:
            _empty_raw(con, spec)
    if problems:
        raise _refused(problems, sources)
    cpr = None
    if profile is not None:
        # Every staged cell is checked for CPR numbers before a reduction drops or adds up
        # rows: the history keeps the files as given, so a CPR number in a row the profile
        # leaves out is refused like any other.
        cpr = cpr_problems(con)
        unmapped = profiled.unmapped_problems(con, profile, display, today)
        if unmapped:
            found_cpr = [Problem(display.get(f, f), line, c, m) for f, line, c, m in cpr]
            raise _refused(profiled.in_their_terms(found_cpr, profile, display) + unmapped,
                           sources)
        profiled.reduce(con, profile, raw_table,
                        lambda column: f"({parse_expression(column, today)})", "_line")
    progress("Kontrollerer reglerne", len(ALL_FILES) / (len(ALL_FILES) + 1))
    for spec in ALL_FILES:
        build_typed(con, spec, today)
    found, total = collect_problems(con, today, display, cpr)
    if found:
        if profile is not None:
            found = profiled.in_their_terms(found, profile, display)
        raise _refused(found, sources, total)
    # The rest of each workbook, which the history keeps as given (its other sheets,
    # comments, properties, number formats).
    hidden = workbook_cpr_problems(sources.values())
    if hidden:
        raise ValidationFailed(hidden)
    return display


def _refused(problems: list[Problem], sources: Mapping[str, Source],
             total: int | None = None) -> ValidationFailed:
    """The problems found, unless a workbook read holds a CPR number only its scan finds
    (etl.workbook_cpr: a number a cell's format scales, `0%` showing 1019012.34 as
    101901234%): then a rule's message about a cell might quote that cell's value
    (`ugyldig alder '1019012.34'`), so those messages are counted (`… og N fejl mere`),
    shown once the CPR numbers are gone, and the scan's are reported instead."""
    quoting = [problem for problem in problems
               if problem.line and CPR_WORDS not in problem.message]
    hidden = workbook_cpr_problems(sources.values(), unreadable=False) if quoting else []
    if not hidden:
        return ValidationFailed(problems, total)
    kept = [problem for problem in problems if problem not in quoting]
    return ValidationFailed(hidden + kept, (total or len(problems)) + len(hidden))


def _empty_raw(con: duckdb.DuckDBPyConnection, spec: FileSpec) -> None:
    """An optional file left out is staged as empty, so every rule and view still runs."""
    columns = ", ".join(f"{name} VARCHAR" for name in spec.column_names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw_table(spec.name)} "
                f"(_line BIGINT, {columns})")


def check_folder(folder: Path, today: dt.date | None = None,
                 profile: Profile | None = None) -> dict[str, int]:
    """Validate only; return row counts."""
    today = today or dt.date.today()
    con = scratch.memory_connection()
    try:
        # The rules a load screens on the student-months it builds (fast.ScreenedBuild)
        # are asked here as written: there is no build to screen.
        if (validate_fast(con, folder, today, profile=profile) is not None
                and not screened_rules_broken(con, today)):
            return _row_counts(con, lambda name: name)
    finally:
        con.close()
    con = scratch.memory_connection()
    try:
        validate_folder(con, folder, today, profile=profile)
        return _row_counts(con, typed_table)
    finally:
        con.close()


def _row_counts(con: duckdb.DuckDBPyConnection, table: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for spec in ALL_FILES:
        try:
            row = con.execute(f"SELECT count(*) FROM {table(spec.name)}").fetchone()
        except duckdb.CatalogException:
            if not spec.optional:
                raise
            row = (0,)  # checked on the fast path: an optional file that was not there
        counts[spec.name] = int(row[0]) if row else 0
    return counts


@contextmanager
def _exclusive(db_path: Path) -> Iterator[None]:
    """One load at a time per database; a second is refused rather than queued."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    try:
        handle = open(lock_path, "a", opener=_private)  # noqa: SIM115 - held for the load
    except OSError as error:
        raise _cannot_write(db_path.parent, error) from error
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as busy:
            raise ValidationFailed([Problem(db_path.name, 0, "", (
                "en anden indlæsning af databasen er i gang; prøv igen, når den er færdig"))]
            ) from busy
        yield
    finally:
        handle.close()


def _private(path: str, flags: int) -> int:
    """An opener that creates files owner-only (0600), whatever the umask."""
    return os.open(path, flags, 0o600)


def _remove_leftovers(db_path: Path) -> None:
    """Half-built files from a killed load are never the live database: remove them."""
    for leftover in db_path.parent.glob(f".loading-{db_path.name}*"):
        with contextlib.suppress(OSError):  # a read-only folder: the build fails clearly
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink(missing_ok=True)


def _private_folder(path: Path) -> Path:
    """A new folder only the owner can enter (0700 whatever the umask: mkdir's mode is
    only ever narrowed by it); the database is built inside it."""
    os.mkdir(path, 0o700)
    return path


def _cannot_write(folder: Path, error: OSError | duckdb.Error) -> ValidationFailed:
    """The database folder refuses writes: say why in Danish; the live file is untouched."""
    text = str(error)
    if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) \
            or "Permission denied" in text or "Read-only file system" in text:
        reason = "skrivebeskyttet mappe"
    elif isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT) \
            or "No space left" in text:
        reason = "fuld disk"
    elif isinstance(error, OSError):
        reason = oserror.reason(error)
    else:
        reason = "fuld disk eller skrivebeskyttet mappe?"
    return ValidationFailed([Problem(folder.name or ".", 0, "", (
        f"databasen kan ikke skrives ({reason}); den gamle database er uændret"))])


def load_and_record(folder: Path, db_path: Path, *, who: str, via: str,
                    progress: Progress = _quiet, over_real_data: bool = True,
                    reloaded_from: str | None = None,
                    profile: Profile | None = None) -> LoadSummary:
    """`load_folder`, with the load or its refusal written to the audit log as `who`
    via the command line or the dashboard: every load path records the same events
    (a reload also the history entry it read), and the history keeps who."""
    log = audit.log_path(db_path)
    extra: dict[str, Any] = {"fra_historik": reloaded_from} if reloaded_from else {}
    try:
        summary = load_folder(folder, db_path, progress=progress, over_real_data=over_real_data,
                              who=who, via=via, profile=profile)
    except ValidationFailed as error:
        audit.record(log, "indlaesning_afvist", who, via=via, fejl=error.total, **extra)
        raise
    audit.record(log, "indlaesning", who, via=via, filer=summary.sources, raekker=summary.rows,
                 demodata=summary.demo, historik=summary.history_id, **extra)
    return summary


def reload_and_record(db_path: Path, entry: history.Entry, *, who: str, via: str,
                      progress: Progress = _quiet) -> LoadSummary:
    """Load a kept load's files again, through the import profile it kept if it had one
    (`sosu reload` and the Data page's button after an upgrade)."""
    kept = entry.sources / KEPT_PROFILE
    try:
        profile = load_profile(kept) if kept.is_file() else None
    except ProfileError as error:  # e.g. a profile this version reads differently
        raise ValidationFailed([Problem(KEPT_PROFILE, 0, "", (
            f"den gemte importprofil kan ikke bruges: {error}"))]) from error
    return load_and_record(entry.sources, db_path, who=who, via=via, progress=progress,
                           reloaded_from=entry.id, profile=profile)


def rollback_and_record(db_path: Path, entry_id: str | None, *, who: str,
                        via: str) -> history.Entry:
    """`rollback`, written to the audit log like a load."""
    entry = rollback(db_path, entry_id)
    audit.record(audit.log_path(db_path), "tilbagerulning", who, via=via, historik=entry.id)
    return entry


def load_folder(
    folder: Path,
    db_path: Path = db.DEFAULT_DB,
    today: dt.date | None = None,
    progress: Progress = _quiet,
    over_real_data: bool = True,
    who: str = "",
    via: str = "",
    profile: Profile | None = None,
) -> LoadSummary:
    """Validate `folder` and, only if it is clean, replace `db_path` atomically. With
    `over_real_data` false (the demo), a file holding real data is kept and the load
    refused; checked under the load lock, so no other load can slip in between. The
    load is kept in the history as loaded by `who` `via` the command line or dashboard."""
    today = today or dt.date.today()
    keep = settings.get("history_keep")  # a bad value refuses the load before any work
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise _cannot_write(db_path.parent, error) from error
    with _exclusive(db_path):
        if not over_real_data and db_path.exists() and not db.holds_marked_demo(db_path):
            raise ValidationFailed([Problem(db_path.name, 0, "", (
                "databasen holder rigtige data; demodata indlæses ikke oven i dem"))])
        _remove_leftovers(db_path)
        private = db_path.with_name(f".loading-{db_path.name}-{os.getpid()}")
        building = private / db_path.name
        pending = None
        try:
            try:
                _private_folder(private)
            except OSError as error:
                raise _cannot_write(db_path.parent, error) from error
            # The load reads a private snapshot of the files, copied for the history while
            # it reads (etl.history); a file written to in place meanwhile refuses it. The
            # demo's seal must hold on the snapshot before the read (_build) and on the
            # folder as given after it: a file replaced, added or removed there during the
            # load gives real data (each check reads every byte).
            try:
                snapshot = history.snapshot(folder, private)
            except OSError as error:
                raise _cannot_write(db_path.parent, error) from error
            with snapshot:
                summary = _build(snapshot.read, building, today, progress,
                                 still_sealed=lambda: is_sealed_demo(folder),
                                 profile=profile)
                try:
                    sources = snapshot.finished()
                    if profile is not None:
                        write_private(sources / KEPT_PROFILE, profile.text.encode("utf-8"))
                except OSError as error:
                    raise _cannot_write(db_path.parent, error) from error
            progress("Skifter databasen ud", 0.98)
            try:
                os.chmod(building, 0o600)
                pending = history.prepare(db_path, sources, building, _history_info(
                    summary, who, via))
                os.replace(building, db_path)
            except OSError as error:  # e.g. the folder turned read-only during the load
                raise _cannot_write(db_path.parent, error) from error
            _fsync_dir(db_path.parent)
            entry_id, pending = history.commit(pending, keep), None
            # What protected viewers are shown is kept there (store.published): made at the
            # first load, the folder is always there for the operator's backup command.
            with contextlib.suppress(OSError):  # made again by the dashboard when needed
                published.folder_for(db_path).mkdir(mode=0o700, exist_ok=True)
        finally:
            history.discard(pending)  # the swap failed: the entry never went live
            with contextlib.suppress(OSError):  # left for the next load to remove
                shutil.rmtree(private)
    progress("Færdig", 1.0)
    return dataclasses.replace(summary, history_id=entry_id)


def _history_info(summary: LoadSummary, who: str, via: str) -> dict[str, object]:
    return {
        "bruger": who, "via": via,
        "filer": {name: {"kilde": summary.sources.get(name, "ikke med (valgfri fil)"),
                         "raekker": n} for name, n in summary.rows.items()},
        "data_pr": summary.data_pr.isoformat() if summary.data_pr else None,
        "demodata": summary.demo, "kodeversion": code_fingerprint(), "programversion": VERSION,
    }


def rollback(db_path: Path, entry_id: str | None = None) -> history.Entry:
    """Put a kept load's database back in place of the live one, atomically (a hard link
    renamed over the live file, under the load lock): the dashboard shows it at its next
    rerun. Without `entry_id`, the load before the one in use. A database that another
    version of sosu-overblik loaded is refused: `sosu reload ID` rebuilds it from its files."""
    with _exclusive(db_path):
        entry = history.find(db_path, entry_id) if entry_id else history.before_live(db_path)
        if entry.live:
            raise history.HistoryError(f"indlæsning {entry.id} er allerede den, der bruges")
        if not entry.database.is_file():
            raise history.HistoryError(f"indlæsning {entry.id} har ingen database gemt")
        con = db.connect_read_only(entry.database)
        try:
            current = built_by_this_version(con)
        finally:
            con.close()
        if not current:
            raise history.HistoryError(
                f"databasen fra {entry.id} er indlæst med en anden version af sosu-overblik; "
                f"genindlæs dens filer i stedet: sosu reload {entry.id}")
        swapping = db_path.with_name(f".loading-{db_path.name}-{os.getpid()}-tilbage")
        swapping.unlink(missing_ok=True)
        try:
            os.link(entry.database, swapping)
            os.replace(swapping, db_path)
        except OSError as error:
            swapping.unlink(missing_ok=True)
            raise _cannot_write(db_path.parent, error) from error
        _fsync_dir(db_path.parent)
    return dataclasses.replace(entry, live=True)


def _discard(building: Path) -> None:
    building.unlink(missing_ok=True)
    building.with_name(building.name + ".wal").unlink(missing_ok=True)


def _build(folder: Path, building: Path, today: dt.date, progress: Progress,
           still_sealed: Callable[[], bool] = lambda: True,
           profile: Profile | None = None) -> LoadSummary:
    con = None
    # Sealed before the read, and (still_sealed) after it: a file changed in between gives
    # real data.
    sealed_before = is_sealed_demo(folder)
    try:
        con = duckdb.connect(str(building))
        # One transaction from the first table to the last: DuckDB then writes the
        # millions of student-months once, where a commit per table had the final
        # checkpoint rewrite them.
        con.execute("BEGIN")
        # Clean CSV files go straight into the final tables (etl.fast), and the rules
        # over every sick-leave month are screened on the student-months the build makes
        # (etl.fast.ScreenedBuild). Anything else, or any problem, starts again on an
        # empty file with the text path, which reports every problem.
        display = validate_fast(con, folder, today, progress, profile)
        if display is not None:
            screens = ScreenedBuild(con, today)
            summary = _write(con, display, fast=True, today=today, progress=progress,
                             demo=lambda: sealed_before and still_sealed(), stop=screens)
            if summary is not None:
                if not screens.all_asked:
                    raise RuntimeError("a screen reads a table the build never made")
                _commit(con, progress)
                return summary
        con.close()
        _discard(building)
        con = duckdb.connect(str(building))
        # Staged and typed tables are TEMP: the transaction starts with the first table
        # written to the file. Begun before, a file DuckDB cannot read at all (a CSV
        # with mixed line endings) aborted it, and the next file's staging failed
        # with an unexpected error instead of the problem being reported.
        display = validate_folder(con, folder, today, progress, profile)
        con.execute("BEGIN")
        summary = _write(con, display, fast=False, today=today, progress=progress,
                         demo=lambda: sealed_before and still_sealed())
        assert summary is not None  # nothing stops the text path's build
        _commit(con, progress)
        return summary
    except (OSError, duckdb.IOException) as error:
        raise _cannot_write(building.parent.parent, error) from error
    finally:
        if con is not None:
            con.close()


def _write(con: duckdb.DuckDBPyConnection, display: dict[str, str], *, fast: bool,
           today: dt.date, progress: Progress, demo: Callable[[], bool],
           stop: Callable[[str], bool] = lambda _model: False) -> LoadSummary | None:
    """The final tables (from the fast path's or the text path's), the load's facts and
    every model of sql/, in the transaction open on `con`; None if `stop` stopped the
    build (fast.ScreenedBuild)."""
    progress("Skriver databasen", 0.9)
    for spec in ALL_FILES if not fast else ():
        columns = ", ".join(spec.column_names)
        # Typed tables keep the file's order (insertion order is preserved): no sort.
        con.execute(f"{create_final(spec)} AS SELECT {columns} FROM {typed_table(spec.name)}")
    for spec in OPTIONAL_FILES if fast else ():  # the fast path is taken only without them
        _empty_raw(con, spec)
        build_typed(con, spec, today)
        con.execute(f"{create_final(spec)} AS SELECT {', '.join(spec.column_names)} "
                    f"FROM {typed_table(spec.name)}")
    rows = _row_counts(con, lambda name: name)
    data_pr = _newest_date(con)
    is_demo = demo()
    _write_load_info(con, rows, display, data_pr, today, is_demo)
    _write_schedule(con)
    _write_codes(con)
    progress("Beregner nøgletallene", 0.93)  # views, macros and materialised tables
    if not create_views(con, stop=stop):
        return None
    return LoadSummary(rows, data_pr, display, is_demo)


def _commit(con: duckdb.DuckDBPyConnection, progress: Progress) -> None:
    progress("Gemmer databasen", 0.96)
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def _newest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    row = con.execute("""
        SELECT greatest(
            (SELECT max(ansat_dato) FROM elever),
            (SELECT max(afsluttet_dato) FROM gennemfoerte),
            (SELECT max(frafald_dato) FROM frafald),
            (SELECT max(maaned) FROM sygefravaer),
            (SELECT max(dato) FROM efter_uddannelse))
    """).fetchone()
    return row[0] if row else None


def _write_load_info(
    con: duckdb.DuckDBPyConnection,
    rows: dict[str, int],
    display: dict[str, str],
    data_pr: dt.date | None,
    today: dt.date,
    demo: bool,
) -> None:
    con.execute("""
        CREATE TABLE indlaesning (
            indlaest_tid TIMESTAMP, data_pr DATE, beregnet_dato DATE, filer JSON,
            demodata BOOLEAN, kodeversion VARCHAR)
    """)
    files = {name: {"kilde": display.get(name, "ikke med (valgfri fil)"), "raekker": n}
             for name, n in rows.items()}
    con.execute(
        "INSERT INTO indlaesning VALUES (?, ?, ?, ?, ?, ?)",
        [dt.datetime.now().replace(microsecond=0), data_pr, today, json.dumps(files), demo,
         code_fingerprint()],
    )


def _write_schedule(con: duckdb.DuckDBPyConnection) -> None:
    """The standard schedule from the contract, for the phase estimate in SQL.

    `fase_id` numbers every row: the millions of student-months carry this small number
    rather than the phase's name and flag."""
    con.execute("""
        CREATE TABLE standardforloeb (
            fase_id UTINYINT, uddannelse VARCHAR, nr INTEGER, fase VARCHAR,
            fra_maaned INTEGER, til_maaned INTEGER, tidlig BOOLEAN)
    """)
    _insert(con, "standardforloeb",
            [(index, *row) for index, row in enumerate(schedule_rows(), start=1)])


def _write_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Every code with its Danish label, from the contract: views show labels from here."""
    con.execute("CREATE TABLE koder (fil VARCHAR, kolonne VARCHAR, kode VARCHAR, tekst VARCHAR)")
    _insert(con, "koder", [
        (spec.name, column.name, code, label)
        for spec in ALL_FILES for column in spec.columns
        for code, label in column.codes.items()])


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[object, ...]]) -> None:
    """The rows in one INSERT: executemany runs a statement per row (a tenth of a small
    load for these two tables)."""
    places = ", ".join(["(" + ", ".join("?" * len(rows[0])) + ")"] * len(rows))
    con.execute(f"INSERT INTO {table} VALUES {places}", [v for row in rows for v in row])


def create_views(con: duckdb.DuckDBPyConnection,
                 stop: Callable[[str], bool] = lambda _model: False) -> bool:
    """Create every staging view, intermediate table and metric macro from sql/.

    The heavy intermediate models (sql/intermediate: one row per student, cohort counts
    and sick-leave hours per site) are tables, built here once per load, so the
    dashboard's queries add up a few thousand rows instead of millions. They cannot go
    stale: every load builds a new database file and swaps it in whole.

    Each file creates one object and runs after the models its `-- depends:` header
    names (etl.models.build_order, which refuses an inconsistent set of files).
    `stop`, told each model's name once it is built, may end the build there: False."""
    for model in _shipped_models():
        con.execute(model.sql)
        if stop(model.name):
            return False
    return True


@functools.cache
def _shipped_models() -> tuple[Model, ...]:
    """The package's SQL models in build order, read once per process, like its modules
    (and like the code fingerprint, store.schema)."""
    return tuple(build_order(SQL_DIR))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
