"""Proof that a folder holds exactly what `sosu demo` wrote, and nothing else.

A marker file alone proved nothing: copied beside real exports, or left in a demo
folder whose files were edited, it made real students "demo data" that the dashboard
shows without login. The marker now carries a seal: an HMAC over the name and exact
bytes of every file in the folder, keyed with the demo generator's own source. The
load recomputes it over the folder it reads, before and after reading it, and treats
the data as demo only when both match. Any other file, an edited byte or a marker from
another version of the generator gives real data, and so the login.

The seal guards against mistakes, not against someone who runs this code on purpose to
seal real files: that person can also edit the users file.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

DEMO_MARKER = "DEMODATA.txt"
_GENERATOR = Path(__file__).resolve().with_name("demo.py")
_SEAL_PREFIX = "segl: "


def _key() -> bytes:
    # Read as text, so a checkout with Windows line endings gives the same key.
    source = _GENERATOR.read_text(encoding="utf-8").encode("utf-8")
    return b"sosu-demo\0" + hashlib.sha256(source).digest()


def _seal(folder: Path) -> str:
    mac = hmac.new(_key(), digestmod=hashlib.sha256)
    for path in sorted(p for p in folder.iterdir() if p.name != DEMO_MARKER and p.is_file()):
        content = path.read_bytes()
        mac.update(path.name.encode("utf-8") + b"\0" + str(len(content)).encode() + b"\0")
        mac.update(content)
    return mac.hexdigest()


def _marker_text(seal: str) -> str:
    return ("Syntetiske demodata fra 'sosu demo'. Ingen rigtige personer.\n"
            "Så længe kun disse data er indlæst, kan dashboardet køre uden login.\n"
            "Ændres, tilføjes eller fjernes en fil i mappen, passer seglet ikke længere,\n"
            "og indlæste data regnes for rigtige (login kræves).\n"
            f"{_SEAL_PREFIX}{seal}\n")


def write_marker(folder: Path) -> None:
    """Seal the folder as it is now; called by `sosu demo` after writing its files."""
    (folder / DEMO_MARKER).write_text(_marker_text(_seal(folder)), encoding="utf-8")


def is_sealed_demo(folder: Path) -> bool:
    """Whether the folder's marker seals exactly the files in it now, and is the marker
    `sosu demo` writes, word for word: the history keeps a sealed marker, so it may hold
    nothing else (a note with a CPR number in it)."""
    try:
        text = (folder / DEMO_MARKER).read_text(encoding="utf-8")
        return hmac.compare_digest(text.encode("utf-8"),
                                   _marker_text(_seal(folder)).encode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
