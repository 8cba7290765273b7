"""Replace CPR numbers in an export with keyed, stable pseudonyms before loading.

The loader refuses CPR numbers, so a team whose system exports them needs a way
to turn them into pseudonyms first. A plain hash of a CPR number can be brute-forced
(about 10⁸ possible values), so the pseudonym is HMAC-SHA256 with a secret key that
is kept outside the data: the same CPR number gives the same pseudonym in every file
and on every run with the same key, and nobody without the key can reverse it.

Files are found and read exactly as the loader reads them (etl.read), so whatever
`sosu check` accepts is accepted here, and the output is what the loader would have
seen, with every CPR-shaped text replaced.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sosu.domain.contract import ALL_FILES, FILES_BY_NAME, OPTIONAL_FILES
from sosu.domain.cpr import ascii_digits, replace_cpr
from sosu.domain.oserror import reason
from sosu.etl.problems import ValidationFailed
from sosu.etl.read import EXTENSIONS, find_sources, stage
from sosu.store import scratch

KEY_BYTES = 32
# Domain separation: a key reused for something else never yields these pseudonyms.
_HMAC_CONTEXT = b"sosu-overblik/cpr/v1:"
PSEUDONYM_PREFIX = "P"
PSEUDONYM_LENGTH = 16  # 64 bits: no collision in practice among a municipality's students
# Hex digits written as the letters a–p. A pseudonym made of hex digits would contain
# ten digits in a row in about 3 % of cases, i.e. look like a CPR number itself; with
# letters only it never can, not even next to digits in free text.
_HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
# Excel stores a CPR number typed as a number without its leading zero (0101901234 →
# 101901234); in elev_id such a value is still a CPR number.
_CPR_WITHOUT_ZERO = re.compile(r"[1-9]\d{8}")
_BATCH_ROWS = 50_000
_TEMP_PREFIX = ".pseudo-"
Notify = Callable[[str], None]


class PseudonymizeError(Exception):
    """Refused before anything was written; the message is Danish and free of CPR numbers."""


@dataclass(frozen=True)
class PseudonymizeSummary:
    out_dir: Path
    rows: dict[str, int]
    replaced: int
    distinct: int

    def one_line(self) -> str:
        counts = ", ".join(f"{name} {_number(n)}" for name, n in self.rows.items())
        return (f"OK: {len(self.rows)} filer skrevet til {self.out_dir} ({counts}); "
                f"{_number(self.replaced)} CPR-numre erstattet "
                f"({_number(self.distinct)} forskellige)")


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --- the key -------------------------------------------------------------------------


def check_key_location(key_file: Path, data_dirs: list[Path]) -> None:
    """A key inside a data folder travels with the data and protects nothing."""
    key = key_file.resolve()
    for folder in data_dirs:
        if key.is_relative_to(folder.resolve()):
            raise PseudonymizeError(
                f"nøglefilen {key_file} ligger i datamappen {folder}; læg den et andet sted "
                "(fx i din hjemmemappe), så nøglen aldrig følger med data")


def check_existing_key(key_file: Path) -> bool:
    """True if the key exists and is safe to use; False if it must be created."""
    try:
        info = key_file.stat()
    except FileNotFoundError:
        if not key_file.parent.is_dir():
            raise PseudonymizeError(
                f"mappen til nøglefilen ({key_file.parent}) findes ikke; opret den først, "
                "eller peg --key-file på en eksisterende mappe uden for data") from None
        return False
    if not stat.S_ISREG(info.st_mode):
        raise PseudonymizeError(f"nøglefilen {key_file} er ikke en almindelig fil")
    if info.st_mode & 0o077:
        # Group or others can read the key: whoever can, can link pseudonyms to people.
        raise PseudonymizeError(
            f"nøglefilen {key_file} kan læses af andre (rettigheder "
            f"{stat.S_IMODE(info.st_mode):04o}); ret det med: chmod 600 {key_file}")
    return True


def read_key(key_file: Path) -> bytes:
    try:
        text = key_file.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise PseudonymizeError(
            f"nøglefilen {key_file} er ikke en gyldig nøgle (forventede {KEY_BYTES * 2} "
            "hex-tegn); brug den rigtige nøglefil, eller en ny sti for at lave en ny nøgle")
    return key


def create_key(key_file: Path) -> bytes:
    """Write a new random key readable by the owner only; never overwrite an existing one.

    O_CREAT|O_EXCL makes creation atomic: two runs at once cannot both create a key
    and end up with different pseudonyms. Mode 0600 is given at creation, so there is
    no moment when others could read it.
    """
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(key_file)  # created meanwhile by another run: use that one
    except OSError as error:
        raise PseudonymizeError(
            f"kan ikke oprette nøglefilen {key_file} ({reason(error)})") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        key_file.unlink(missing_ok=True)  # a half-written key must not be used later
        raise
    return key


# --- replacing CPR numbers --------------------------------------------------------------


class Pseudonymizer:
    """Replaces CPR-shaped text with pseudonyms and counts what it replaced."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._pseudonyms: dict[str, str] = {}
        self.replaced = 0

    @property
    def distinct(self) -> int:
        return len(self._pseudonyms)

    def pseudonym(self, cpr: str) -> str:
        """Every spelling of one number is the same person (`ddmmyy-xxxx`, `ddmmyyxxxx`,
        full-width digits …), so hash its ten ASCII digits."""
        digits = ascii_digits(cpr)
        found = self._pseudonyms.get(digits)
        if found is None:
            digest = hmac.new(self._key, _HMAC_CONTEXT + digits.encode("ascii"),
                              hashlib.sha256).hexdigest()
            found = PSEUDONYM_PREFIX + digest[:PSEUDONYM_LENGTH].translate(_HEX_AS_LETTERS)
            self._pseudonyms[digits] = found
        self.replaced += 1
        return found

    def text(self, value: str | None) -> str:
        """Any cell: every CPR-shaped substring (free text too) becomes its pseudonym.

        Every spelling the loader refuses (domain.cpr), and more: ten digits in that layout
        that are no date, or stand in a longer run of digits, are replaced too (no
        modulus-11 check either: many CPR numbers issued since 2007 fail it), since
        replacing a number that only looks like one costs nothing.
        """
        if not value:
            return ""
        return replace_cpr(value, self.pseudonym, loose=True)

    def elev_id(self, value: str | None) -> str:
        if value and _CPR_WITHOUT_ZERO.fullmatch(value) and _is_ddmmyy("0" + value[:5]):
            return self.pseudonym("0" + value)
        return self.text(value)


def _is_ddmmyy(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%d%m%y")
    except ValueError:
        return False
    return True


# --- folders and files ------------------------------------------------------------------


def _check_input(in_dir: Path) -> None:
    if not in_dir.is_dir():
        raise PseudonymizeError(f"inputmappen {in_dir} findes ikke (eller er ikke en mappe)")


def _check_output(in_dir: Path, out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise PseudonymizeError(f"{out_dir} findes og er ikke en mappe")
    if out_dir.exists() and out_dir.resolve() == in_dir.resolve():
        raise PseudonymizeError(
            "outputmappen er den samme som inputmappen; vælg en anden (tom) mappe, så "
            "filerne med CPR-numre ikke blandes med de pseudonymiserede")
    if not out_dir.is_dir():
        return
    targets = {f"{spec.name}.csv" for spec in ALL_FILES}
    data_files = sorted(p.name for p in out_dir.iterdir()
                        if p.suffix.lower() in EXTENSIONS and not p.name.startswith((".", "~$")))
    existing = [name for name in data_files if name in targets]
    others = [name for name in data_files if name not in targets]
    if others:
        # The loader would see these too (twice the same file, or an unknown file).
        raise PseudonymizeError(
            f"outputmappen {out_dir} indeholder andre datafiler ({', '.join(others)}); "
            "vælg en tom mappe")
    if existing and not force:
        raise PseudonymizeError(
            f"outputmappen {out_dir} indeholder allerede {', '.join(existing)}; vælg en tom "
            "mappe, eller brug --force for at overskrive dem")


def _stage_all(con: duckdb.DuckDBPyConnection, in_dir: Path) -> list[str]:
    """Read every file as the loader does; refuse with all problems before writing.
    Returns the files found: the five, and the optional ones that are there."""
    sources, problems = find_sources(in_dir)
    for spec in ALL_FILES:
        if spec.name in sources:
            problems += stage(con, sources[spec.name], _table(spec.name))
    if problems:
        raise ValidationFailed(problems)
    return [spec.name for spec in ALL_FILES if spec.name in sources]


def _table(name: str) -> str:
    return f"pseudo_{name}"


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> Iterator[tuple[str | None, ...]]:
    columns = ", ".join(FILES_BY_NAME[name].column_names)
    result = con.execute(f"SELECT {columns} FROM {_table(name)} ORDER BY _line")
    while batch := result.fetchmany(_BATCH_ROWS):
        yield from batch


def _write_file(con: duckdb.DuckDBPyConnection, name: str, out_dir: Path,
                pseudo: Pseudonymizer) -> tuple[Path, int]:
    """Write one file to a hidden temporary name; the caller moves it into place."""
    spec = FILES_BY_NAME[name]
    # The initiatives have no elev_id: every cell is free text there.
    id_index = spec.column_names.index("elev_id") if "elev_id" in spec.column_names else -1
    temp = out_dir / f"{_TEMP_PREFIX}{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    count = 0
    # Owner only, whatever the umask: pseudonymised rows are still personal data (the key
    # links them back), so sharing them is a decision, not a default.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # Semicolon and BOM, like the templates: Danish Excel opens it as it is.
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(spec.column_names)
            for row in _rows(con, name):
                writer.writerow([pseudo.elev_id(v) if i == id_index else pseudo.text(v)
                                 for i, v in enumerate(row)])
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, count


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary files from a killed run are never output: remove them."""
    for leftover in out_dir.glob(f"{_TEMP_PREFIX}*.tmp"):
        leftover.unlink(missing_ok=True)


def _quiet(_message: str) -> None:
    return None


def pseudonymize_folder(in_dir: Path, out_dir: Path, key_file: Path, *, force: bool = False,
                        notify: Notify = _quiet) -> PseudonymizeSummary:
    """Write `<file>.csv` for every contract file in `in_dir` to `out_dir`, CPR replaced.

    Everything is checked and read before the first byte is written; the five files are
    written under temporary names and only then moved into place with os.replace, so a
    crash never leaves a half-written file.
    """
    _check_input(in_dir)
    check_key_location(key_file, [in_dir, out_dir])
    _check_output(in_dir, out_dir, force)
    key_exists = check_existing_key(key_file)
    key = read_key(key_file) if key_exists else None
    con = scratch.memory_connection()
    try:
        present = _stage_all(con, in_dir)
        if key is None:
            key = create_key(key_file)
            notify(f"Ny nøgle oprettet: {key_file}. Gem den sikkert og tag en kopi: uden "
                   "den samme nøgle får de samme elever nye pseudonymer næste gang. Læg den "
                   "aldrig sammen med data.")
        try:
            out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise PseudonymizeError(
                f"kan ikke oprette outputmappen {out_dir} ({reason(error)})") from None
        _remove_leftovers(out_dir)
        pseudo = Pseudonymizer(key)
        written: dict[str, tuple[Path, int]] = {}
        try:
            for name in present:
                written[name] = _write_file(con, name, out_dir, pseudo)
            for name, (temp, _count) in written.items():
                os.replace(temp, out_dir / f"{name}.csv")
            for spec in OPTIONAL_FILES:  # --force: an old optional file must not outlive its input
                if spec.name not in written:
                    (out_dir / f"{spec.name}.csv").unlink(missing_ok=True)
        except OSError as error:
            raise PseudonymizeError(
                f"kan ikke skrive i {out_dir} ({reason(error)}); ingen halve filer er "
                "efterladt") from None
        finally:
            for temp, _count in written.values():
                temp.unlink(missing_ok=True)
    finally:
        con.close()
    return PseudonymizeSummary(out_dir, {name: n for name, (_, n) in written.items()},
                               pseudo.replaced, pseudo.distinct)

