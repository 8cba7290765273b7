"""What each viewer scope was shown, load after load (the published releases).

A protected viewer who kept last month's figures holds two releases: cells whose value did
not change are the same numbers in both, so what one release shows, the other cannot hide
any more, and what one hides, the other must not show. The release of a new load is
therefore protected together with what the scope was shown before
(metrics.release.build's `before`), and that needs the earlier releases as they were shown.

Which ones (`shown_before`): the newest figures the scope was shown (the release first
shown last) and every release shown again since it was first shown. Normally that is one
release; after a rollback, `sosu reload` of an older load, last month's files loaded
again or a backup restored at the same path, the figures shown again are older, and the
newer release the viewers still hold is not forgotten: the next load is protected
together with both. Showing older figures again never makes them the newest (a release
keeps when it was first shown, `made`, and records when it was shown last, `shown`).
A release made from figures the scope was shown already is protected together with that
release alone: it shows nothing of those figures the scope was not shown, so it gives
nothing new.

One folder beside the database (`<database>-udgivet/`, `data/sosu-udgivet/`, 0700), a
folder per scope (a digest of role and sites), a file per release (`<fingerprint>.npz`,
0600): every cell's identity, value, whether it was small, never shown (virtual) or
hidden, and the equations between them; also which earlier releases it was protected
together with, when it was first shown and when last. A release made again from the same
figures adds to its file what it showed (a cell shown in either showing is known to the
viewer). The files hold figures of the database (the hidden small counts too): protect
the folder as the database is protected. Only the `KEPT` releases of a scope shown last
are kept.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sosu.store.private import write_private

KEPT = 12
SUFFIX = "-udgivet"
_ARRAYS = ("values", "small", "virtual", "hidden", "equation", "cell", "coefficient")


@dataclass(frozen=True, order=True)
class _Stored:
    """A kept release: when it was shown last (`stored` in the file) and first."""

    shown: int
    made: int
    path: Path


@dataclass(frozen=True)
class Published:
    """One release as its scope was shown it: cell i is keys[i] (its dimensions joined);
    the equations are (equation, cell, coefficient) rows; `previous` is the fingerprints
    of the releases it was protected together with, separated by spaces, the newest
    figures first ('' for none)."""

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
        """The newest figures the scope was shown (the release first shown last), or None.
        Figures shown again later (a rollback) are not the newest."""
        stored = self._stored()
        return self._read(max(stored, key=lambda s: (s.made, s.shown)).path) \
            if stored else None

    def shown_before(self, fingerprint: str) -> list[Published]:
        """The releases to protect one made from `fingerprint` together with. The one made
        from the same figures, if the scope was shown it (a restart, a rollback, a new
        version of the program): it hides at least what it hid and shows nothing it hid,
        so it gives nothing new. Else the newest figures the scope was shown and every
        release shown since they were first shown (a rollback shows older figures again;
        the viewers hold both), the newest figures first; none for a scope never shown
        anything."""
        same = self.entry(fingerprint)
        if same is not None:
            return [same]
        stored = self._stored()
        if not stored:
            return []
        newest = max(stored, key=lambda s: (s.made, s.shown))
        since = sorted((s for s in stored if s is newest or s.shown >= newest.made),
                       key=lambda s: (s.made, s.shown), reverse=True)
        return [read for read in map(self._read, (s.path for s in since))
                if read is not None]

    def before(self, fingerprint: str) -> Published | None:
        """The first of `shown_before`: the release made from the same figures, else the
        newest figures the scope was shown."""
        found = self.shown_before(fingerprint)
        return found[0] if found else None

    def keep(self, published: Published) -> None:
        """Store `published` as shown now. Made from figures kept already, it keeps when
        they were first shown and what was shown of them (a cell shown in either showing
        is shown: the viewer knows it); then drop all but the KEPT shown last."""
        path = self.folder / f"{published.fingerprint}.npz"
        for folder in (self.folder.parent, self.folder):
            folder.mkdir(mode=0o700, exist_ok=True)
        now = time.time_ns()
        made = now
        old = self.entry(published.fingerprint)
        found = [s for s in self._stored() if s.path == path]
        if old is not None and found and np.array_equal(old.keys, published.keys):
            made = found[0].made
            published = replace(published, previous=old.previous,
                                hidden=published.hidden & old.hidden,
                                small=published.small | old.small)
        buffer = io.BytesIO()
        # The keys as UTF-8 and where each ends: a numpy text array takes 4 bytes a letter.
        encoded = [key.encode() for key in published.keys]
        np.savez(buffer, fingerprint=np.array(published.fingerprint),
                 previous=np.array(published.previous), stored=np.array(now),
                 made=np.array(made),
                 key_bytes=np.frombuffer(b"".join(encoded), dtype=np.uint8),
                 key_ends=np.cumsum([len(e) for e in encoded], dtype=np.int64),
                 **{name: getattr(published, name) for name in _ARRAYS})
        write_private(path, buffer.getvalue())
        for old_file in self._stored()[:-KEPT]:
            old_file.path.unlink(missing_ok=True)

    def _stored(self) -> list[_Stored]:
        """When each release was shown last and first, and where it is; shown last
        oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.npz"):
            try:
                with np.load(path, allow_pickle=False) as data:
                    shown = int(data["stored"])
                    # A file kept before `made` was recorded: first shown when last shown.
                    made = int(data["made"]) if "made" in data.files else shown
                    found.append(_Stored(shown, made, path))
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
