"""How a CSV file that is not UTF-8 is read (etl.read): Windows-1252 read by read_csv
itself when Latin-1 reads it the same, a piece of UTF-8 inside it found by line. The quick
byte tests in front must give what the plain decode and search give, piece by piece."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sosu.etl import read


def _plain_windows_1252(data: bytes) -> str | None:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "latin-1"


def _plain_first_utf8_line(data: bytes) -> int | None:
    found = read._UTF8_SEQUENCE.search(data)
    return data.count(b"\n", 0, found.start()) + 1 if found else None


# Danish Windows-1252 lines, and bytes that make a file something else.
DANISH = "Plejecenter Å;Æblehaven;Søndergade 12;27°;§ 5;½ time\n".encode("cp1252")
ODD = [b"", "–".encode("cp1252"), "€".encode("cp1252"), b"\x81", b"\x9d",
       "Ø".encode(), "—".encode(), "😀".encode(), b"\xc3", b"\xbf", b"\xa0\xa0"]


@pytest.mark.parametrize("seed", range(40))
def test_the_quick_tests_answer_as_the_plain_decode_and_search(
        seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    # Small pieces, so a character or a UTF-8 sequence often straddles two of them.
    monkeypatch.setattr(read, "CHUNK", rng.choice([3, 7, 64, 1 << 16]))
    lines = [DANISH] * rng.randint(1, 30)
    for _ in range(rng.randint(0, 2)):
        at = rng.randrange(len(lines))
        lines[at] = lines[at][:rng.randrange(len(lines[at]))] + rng.choice(ODD) + lines[at]
    data = b"".join(lines)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert read._windows_1252(path) == _plain_windows_1252(data)
    assert read._first_utf8_line(path) == _plain_first_utf8_line(data)


def test_danish_windows_1252_is_read_in_place() -> None:
    assert _plain_windows_1252(DANISH * 3) == "latin-1"
    assert DANISH.decode("latin-1") == DANISH.decode("cp1252")
