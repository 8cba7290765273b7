"""Uploaded file names are reduced to their base name: nothing is written outside the
upload folder.
"""

from __future__ import annotations

from pathlib import Path


def test_uploaded_file_names_cannot_leave_the_upload_folder(tmp_path: Path) -> None:
    from sosu.app.app_pages.upload_view import _save

    class Upload:
        def __init__(self, name: str) -> None:
            self.name = name

        def getvalue(self) -> bytes:
            return b"x"

    folder = tmp_path / "upload"
    folder.mkdir()
    _save([Upload("../../elever.csv"), Upload("/etc/passwd"), Upload("..\\frafald.csv")],
          folder)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["elever.csv", "passwd", "..\\frafald.csv"])
    assert all(p.parent == folder for p in tmp_path.rglob("*") if p.is_file())
