"""Every successful load kept: its source files and the databases, beside the live file.

    data/sosu-historik/                 (0700)
        20261202-084012/                one load (0700)
            info.json                   when, who, how, files, rows, data pr., versions (0600)
            kilder/                     the files exactly as loaded (0700; files 0600)
            database.duckdb             the database this load built
            forrige.duckdb              the database it replaced (none for the first load)

The databases are hard links, so keeping them costs no disk while they are also the
live file: a database is never written after its load (the dashboard and every
command open it read-only; a load or a rollback puts a new file in place), so sharing
the file is safe. The newest `SOSU_HISTORIK` loads are kept.

What is kept is what was loaded, byte for byte. The load reads hard links to the
folder's files, made under masked names in its private folder (snapshot): reading the
user's own bytes costs no copy, and a file replaced by saving it again keeps its old
bytes behind the link. While the load reads, a thread copies the linked files for the
history; the load is refused if a file was written to in place before the copy and
the load were done. That is told, as make and rsync tell it, by the file's size and
modification time: a rewrite that keeps the size within one tick of the file system's
clock (a few milliseconds) would pass unseen. Copying the national benchmark's 270 MB
first cost up to a sixth of its load; beside the load it costs next to nothing. Where a
file cannot be linked (another file system, someone else's file) it is copied into the
history's folder first, as before, and the load reads that copy.
Only the files a load reads are kept (CSV, Excel and the demo's seal); a file name with
a CPR number in it is kept masked, as the loader masks it everywhere. A load that is
refused keeps nothing: its copies are deleted with the half-built database, and a
refused file is the only kind that can hold a CPR number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sosu.domain.cpr import mask_cpr
from sosu.domain.oserror import reason
from sosu.etl.demoseal import DEMO_MARKER, is_sealed_demo
from sosu.etl.problems import Problem, ValidationFailed
from sosu.etl.read import EXTENSIONS

SOURCES = "kilder"
DATABASE = "database.duckdb"
PREVIOUS = "forrige.duckdb"
INFO = "info.json"
_NEW = ".ny-"  # an entry being written; renamed into place once the swap is done


def folder(db_path: Path) -> Path:
    """The history folder beside the database: `<database name>-historik` (like the log)."""
    return db_path.with_name(db_path.stem + "-historik")


@dataclass(frozen=True)
class Entry:
    """One kept load, as `sosu history` and the Data page list it."""
    id: str
    path: Path
    info: dict[str, Any]
    live: bool = False

    @property
    def sources(self) -> Path:
        return self.path / SOURCES

    @property
    def database(self) -> Path:
        return self.path / DATABASE

    @property
    def rows(self) -> dict[str, int]:
        return {name: int(f.get("raekker", 0)) for name, f in self.info.get("filer", {}).items()}

    @property
    def files(self) -> list[str]:
        """The file names as loaded (masked), each once."""
        names = [str(f.get("kilde", "")) for f in self.info.get("filer", {}).values()
                 if f.get("raekker") is not None and f.get("kilde") != "ikke med (valgfri fil)"]
        return list(dict.fromkeys(names))


def _private_dir(path: Path) -> None:
    """A folder only the owner can enter, whatever the umask; an existing one is narrowed."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        os.chmod(path, 0o700)


def _loaded_files(source: Path) -> list[Path]:
    """The files a load of `source` reads (etl.read.find_sources), and the demo's seal when
    it seals the folder (a marker that does not is not read: it is not kept either)."""
    sealed = (source / DEMO_MARKER).is_file() and is_sealed_demo(source)
    return sorted(p for p in source.iterdir() if p.is_file() and (
        p.name == DEMO_MARKER and sealed
        or p.suffix.lower() in EXTENSIONS and not p.name.startswith((".", "~$"))))


# What changes when a file is written in place: its size or its modification time (in
# nanoseconds). Not its change time: another load's link to the same file changes that.
Stamp = tuple[int, int]


def _stamp(path: Path) -> Stamp:
    status = path.stat()
    return (status.st_size, status.st_mtime_ns)


def _masked_name(target: Path, name: str) -> Path:
    """`name` with any CPR number masked, numbered when two names differ only in one."""
    masked = mask_cpr(name)
    path, number = target / masked, 2
    while path.exists():
        path = target / f"{Path(masked).stem} ({number}){Path(masked).suffix}"
        number += 1
    return path


@dataclass
class Snapshot:
    """The files a load reads (`read`, names masked) and their copy for the history
    (`kept`, 0700, files 0600), made by a thread while the load reads. Use it as a
    context manager: leaving it waits for the thread, so the private folder can go."""
    read: Path
    kept: Path
    linked: dict[Path, Stamp] = field(default_factory=dict)  # file read → its stamp
    _thread: threading.Thread | None = None
    _errors: list[Exception] = field(default_factory=list)

    def start_copy(self) -> None:
        self._thread = threading.Thread(target=self._copy, name="historik-kopi", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        for path in self.linked:
            try:
                shutil.copyfile(path, self.kept / path.name)
                os.chmod(self.kept / path.name, 0o600)
            except Exception as error:  # raised again by finished(), in the load's thread
                self._errors.append(error)
                return

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def finished(self) -> Path:
        """The kept folder, once its copies are done and equal to what the load read; an
        OSError if the copy failed, ValidationFailed if a file was changed meanwhile."""
        self.wait()
        if self._errors:
            raise self._errors[0]
        changed = [path.name for path, stamp in self.linked.items() if _stamp(path) != stamp]
        if changed:
            raise ValidationFailed([Problem(name, 0, "", (
                "filen blev ændret, mens den blev indlæst; indlæs igen, når den er gemt "
                "færdig")) for name in changed])
        return self.kept

    def __enter__(self) -> Snapshot:
        self.start_copy()  # here, so that leaving the block always waits for the thread
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wait()


def snapshot(source: Path, private: Path) -> Snapshot:
    """The files a load reads from `source`, linked into `private`/laeses under masked
    names (or, where that fails, copied into `private`/SOURCES and linked from there), to
    be copied for the history into `private`/SOURCES while the load reads (enter the
    snapshot to begin). A folder that does not exist or cannot be read, or a file that
    cannot be read, is refused here."""
    try:
        if not source.is_dir():
            raise _refused(str(source), "mappen findes ikke")
        files = _loaded_files(source)
    except OSError as error:
        raise _refused(str(source), f"mappen kan ikke læses ({reason(error)})") from error
    read, kept = private / "laeses", private / SOURCES
    _private_dir(read)
    _private_dir(kept)
    found = Snapshot(read=read, kept=kept)
    for path in files:
        target = _masked_name(read, path.name)
        try:
            path.open("rb").close()  # its owner may link a file they may not read
        except OSError as error:
            raise _unreadable(target.name, error) from error
        try:
            os.link(path, target)
        except OSError:  # another file system, or a file the user may read but not link
            _private_copy(path, kept / target.name)
            _link(kept / target.name, target)
        else:
            found.linked[target] = _stamp(target)
    return found


def _refused(name: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(mask_cpr(name), 0, "", message)])


def _unreadable(name: str, error: OSError) -> ValidationFailed:
    return _refused(name, f"filen kan ikke læses ({reason(error)})")


def _private_copy(path: Path, target: Path) -> None:
    try:
        shutil.copyfile(path, target)
    except OSError as error:
        raise _unreadable(target.name, error) from error
    os.chmod(target, 0o600)


def new_id(history: Path, now: dt.datetime) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate, number = stamp, 2
    while (history / candidate).exists():
        candidate = f"{stamp}-{number}"
        number += 1
    return candidate


def prepare(db_path: Path, sources: Path, building: Path, info: dict[str, Any],
            now: dt.datetime | None = None) -> Path:
    """Before the swap: an entry under a temporary name holding the copied sources (moved,
    not copied again), the new database and the live one it replaces (hard links). The
    live file must be linked before the swap replaces it."""
    now = now or dt.datetime.now()
    history = folder(db_path)
    _private_dir(history)
    entry_id = new_id(history, now)
    pending = history / f"{_NEW}{entry_id}-{os.getpid()}"
    _private_dir(pending)
    if sources.is_dir():
        os.replace(sources, pending / SOURCES)
    else:
        _private_dir(pending / SOURCES)
    _link(building, pending / DATABASE)
    if db_path.exists():
        _link(db_path, pending / PREVIOUS)
    _write_info(pending / INFO, {"id": entry_id, "tid": now.replace(microsecond=0).isoformat(),
                                 **info})
    return pending


def _link(source: Path, target: Path) -> None:
    """A hard link (no copy); a file system without them gets a copy, owner-only."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)


def _write_info(path: Path, info: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(info, out, ensure_ascii=False, indent=2, default=str)


def commit(pending: Path, keep: int) -> str:
    """After the swap: the entry under its id, and only the newest `keep` entries left."""
    info = json.loads((pending / INFO).read_text(encoding="utf-8"))
    entry_id = str(info["id"])
    os.replace(pending, pending.parent / entry_id)
    prune(pending.parent, keep)
    return entry_id


def discard(pending: Path | None) -> None:
    if pending is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(pending)


def prune(history: Path, keep: int) -> None:
    """Keep the newest `keep` loads; remove older ones and entries a killed load left."""
    ids = sorted((p for p in history.iterdir() if p.is_dir()), key=lambda p: p.name)
    for leftover in (p for p in ids if p.name.startswith(_NEW)):
        if not leftover.name.endswith(f"-{os.getpid()}"):
            discard(leftover)
    kept = [p for p in ids if not p.name.startswith(".")]
    for old in kept[:-keep] if keep > 0 else kept:
        discard(old)


def entries(db_path: Path) -> list[Entry]:
    """Every kept load, newest first; `live` marks the one whose database is in use."""
    history = folder(db_path)
    if not history.is_dir():
        return []
    try:
        live = db_path.stat()
        live_inode: tuple[int, int] | None = (live.st_dev, live.st_ino)
    except FileNotFoundError:
        live_inode = None
    found = []
    for path in sorted(history.iterdir(), key=lambda p: p.name, reverse=True):
        if path.name.startswith(".") or not path.is_dir():
            continue
        try:
            info = json.loads((path / INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not an entry (or a damaged one): never offered
        try:
            kept = (path / DATABASE).stat()
            is_live = live_inode == (kept.st_dev, kept.st_ino)
        except FileNotFoundError:
            is_live = False
        found.append(Entry(path.name, path, info, is_live))
    return found


def find(db_path: Path, entry_id: str | None) -> Entry:
    """The entry `entry_id`, or the newest; a Danish error when there is none."""
    kept = entries(db_path)
    if not kept:
        raise HistoryError(f"der er ingen gemte indlæsninger i {folder(db_path)}")
    if entry_id is None:
        return kept[0]
    for entry in kept:
        if entry.id == entry_id:
            return entry
    raise HistoryError(f"indlæsning {entry_id} findes ikke i historikken; "
                       f"gemte: {', '.join(e.id for e in kept)}")


def before_live(db_path: Path) -> Entry:
    """The load before the one in use: what `sosu rollback` without an id goes back to."""
    kept = entries(db_path)
    for index, entry in enumerate(kept):
        if entry.live:
            if index + 1 < len(kept):
                return kept[index + 1]
            raise HistoryError("der er ingen ældre indlæsning i historikken at gå tilbage til")
    raise HistoryError("databasen i brug er ikke i historikken; angiv hvilken indlæsning "
                       "(sosu history viser dem)")


class HistoryError(Exception):
    """A history request that cannot be done, said in Danish."""
