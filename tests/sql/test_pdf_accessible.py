"""The quarterly PDF for readers with a screen reader (issue #23): what reportlab can do.

The document's language is Danish and its title is shown instead of the file name. A
tagged PDF (PDF/UA: structure tree, headings, tables, figures with alternative text) is
beyond reportlab; the test records that, so a change of library shows up here."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf

from sosu.domain.roles import Viewer
from sosu.report import make_report
from sosu.store.db import connect_read_only


def test_report_is_danish_and_titled(demo_db: Path) -> None:
    connection = connect_read_only(demo_db)
    try:
        pdf = make_report(connection, Viewer("kf", "kvalitetsforum"), "2025Q3")
    finally:
        connection.close()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    catalogue = reader.trailer["/Root"]
    assert catalogue["/Lang"] == "da-DK"
    assert bool(catalogue["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title == "Kvartalsrapport 2025Q3"
    # Not yet tagged: reportlab writes no structure tree (docs/tilgaengelighed.md).
    assert "/StructTreeRoot" not in catalogue
