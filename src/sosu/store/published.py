"""What each viewer scope was shown, load after load (the published releases).

A protected viewer who kept last month's figures holds two releases: cells whose value did
not change are the same numbers in both, so what one release shows, the other cannot hide
any more, and what one hides, the other must not show. The release of a new load is
therefore protected together with the one the scope was shown before
(metrics.release.build's `before`), and that needs the earlier release as it was shown.

One folder beside the database (`<database>-udgivet/`, `data/sosu-udgivet/`, 0700), a
folder per scope (a digest of role and sites), a file per release (`<fingerprint>.npz`,
0600): every cell's identity, value, whether it was small, never shown (virtual) or
hidden, and the equations between them; also which earlier release it was protected
together with. The files hold figures of the database (the hidden small counts too):
protect the folder as the database is protected. Only the newest `KEPT` releases of a
scope are kept.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sosu.store.private import write_private

KEPT = 12
SUFFIX = "-udgivet"
_ARRAYS = ("values", "small", "virtual", "hidden", "equation", "cell", "coefficient")



@dataclass(frozen=True)
class Published:
    """One release as its scope was shown it: cell i is keys[i] (its dimensions joined);
    the equations are (equation, cell, coefficient) rows; `previous` is the fingerprint
    of the release it was protected together with ('' for none)."""

    fingerprint: str
    previous: str
    keys: np.ndarray
    values: np.ndarray
    small: np.ndarray
    virtual: np.ndarray
    hidden: np.ndarray
    equation: np.ndarray
    cell: np.ndarray
    coefficient: np.ndarray


def folder_for(database: Path) -> Path:
    """Beside the database, named like its history: `data/sosu-udgivet/`."""
    return database.with_name(database.stem + SUFFIX)


def scope_digest(scope: object) -> str:
    """A scope's folder name: its role and sites, never a person's name."""
    return hashlib.sha256(repr(scope).encode()).hexdigest()[:24]


class PublishedStore:
    """The published releases of one scope, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, fingerprint: str) -> Published | None:
        return self._read(self.folder / f"{fingerprint}.npz")

    def newest(self) -> Published | None:
        """The release stored last, or None."""
        stored = self._stored()
        return self._read(stored[-1][1]) if stored else None

    def before(self, fingerprint: str) -> Published | None:
        """The release to protect one made from `fingerprint` together with: the one made
        from the same figures, if the scope was shown it (a restart, a rollback, a new
        version of the program: it hides at least what it hid, shows nothing it hid),
        else the newest the scope was shown."""
        return self.entry(fingerprint) or self.newest()

    def keep(self, published: Published) -> None:
        """Store `published` as the newest (replacing one made from the same figures),
        then drop all but the newest KEPT."""
        path = self.folder / f"{published.fingerprint}.npz"
        for folder in (self.folder.parent, self.folder):
            folder.mkdir(mode=0o700, exist_ok=True)
        buffer = io.BytesIO()
        # The keys as UTF-8 and where each ends: a numpy text array takes 4 bytes a letter.
        encoded = [key.encode() for key in published.keys]
        np.savez(buffer, fingerprint=np.array(published.fingerprint),
                 previous=np.array(published.previous), stored=np.array(time.time_ns()),
                 key_bytes=np.frombuffer(b"".join(encoded), dtype=np.uint8),
                 key_ends=np.cumsum([len(e) for e in encoded], dtype=np.int64),
                 **{name: getattr(published, name) for name in _ARRAYS})
        write_private(path, buffer.getvalue())
        for _stored, old in self._stored()[:-KEPT]:
            old.unlink(missing_ok=True)

    def _stored(self) -> list[tuple[int, Path]]:
        """(when stored, path) of every release, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.npz"):
            try:
                with np.load(path, allow_pickle=False) as data:
                    found.append((int(data["stored"]), path))
            except (OSError, ValueError, KeyError):
                continue  # unreadable: as if never stored (see _read)
        return sorted(found)

    @staticmethod
    def _read(path: Path) -> Published | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                raw = data["key_bytes"].tobytes()
                ends = data["key_ends"].tolist()
                keys = np.array([raw[start:end].decode()
                                 for start, end in zip([0, *ends[:-1]], ends, strict=True)],
                                dtype=str)
                return Published(str(data["fingerprint"]), str(data["previous"]), keys,
                                 **{name: data[name] for name in _ARRAYS})
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError):
            # A damaged file is a release nobody can be shown again; the next one is
            # protected without it (logged by the caller's absence of an entry).
            return None


def store_for(database: Path, scope: object) -> PublishedStore:
    return PublishedStore(folder_for(database) / scope_digest(scope))
