"""Uploaded file names are reduced to their base name: nothing is written outside the
upload folder.
"""

from __future__ import annotations

from pathlib import Path


class Upload:
    """What the page's uploader gives: a name and the bytes."""

    def __init__(self, name: str) -> None:
        self.name = name

    def getvalue(self) -> bytes:
        return b"x"


def test_uploaded_file_names_cannot_leave_the_upload_folder(tmp_path: Path) -> None:
    from sosu.app.app_pages.upload_view import _save

    folder = tmp_path / "upload"
    folder.mkdir()
    _save([Upload("../../elever.csv"), Upload("/etc/passwd"), Upload("..\\frafald.csv")],
          folder)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["elever.csv", "passwd", "..\\frafald.csv"])
    assert all(p.parent == folder for p in tmp_path.rglob("*") if p.is_file())


def test_a_file_name_that_cannot_be_a_file_is_refused_with_a_message(tmp_path: Path) -> None:
    """'..', '.', an empty name, a NUL byte or a name too long for the disk: each is named
    in a message (never an OSError), and nothing is written, as for any refused upload."""
    from sosu.app.app_pages.upload_view import _save

    folder = tmp_path / "upload"
    folder.mkdir()
    names = ["..", ".", "", "mappe/..", "a\x00b.csv", "x" * 300 + ".csv", "elever.csv"]
    refused = _save([Upload(name) for name in names], folder)
    assert len(refused) == 6 and all("filnavn" in message.lower() for message in refused)
    assert not list(folder.iterdir())
    assert all("\x00" not in message and "x" * 100 not in message for message in refused)


def test_two_uploads_with_one_name_are_refused_not_one_lost(tmp_path: Path) -> None:
    from sosu.app.app_pages.upload_view import _save

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self.data = name, data

        def getvalue(self) -> bytes:
            return self.data

    folder = tmp_path / "upload"
    folder.mkdir()
    refused = _save([Upload("a/elever.csv", b"1"), Upload("b/elever.csv", b"2")], folder)
    assert refused and "elever.csv" in refused[0]


def test_an_upload_named_with_a_cpr_number_is_refused_and_never_written(tmp_path: Path) -> None:
    """A CPR number is never stored, in a file name either; the message shows it masked."""
    from sosu.app.app_pages.upload_view import _save

    folder = tmp_path / "upload"
    folder.mkdir()
    refused = _save([Upload("elever 010190-1234.csv"), Upload("frafald.csv")], folder)
    assert refused == ["Filnavnet 'elever XXXXXX-XXXX.csv' ligner et CPR-nummer; giv filen "
                       "et andet navn."]
    assert not list(folder.iterdir())
