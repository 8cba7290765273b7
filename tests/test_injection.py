"""Hostile text in every free-text column is data: stored as is, shown as plain text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain.roles import Viewer
from sosu.etl.load import load_folder
from sosu.metrics import datasets
from sosu.store.db import connect_read_only
from tests.conftest import APP, MINIMAL, PAGES, TODAY, add_user, log_in

SITE = "<img src=x onerror=alert(1)>'; DROP TABLE elever; --"
WORKPLACE = "**[klik](javascript:alert(1))** ![x](http://example.invalid/x.png)"
STUDENT = "E1'); DELETE FROM elever; --"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(MINIMAL, folder / "csv")
    for path in (folder / "csv").glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("Plejecenter Å", f'"{SITE}"')
        text = text.replace("SSA-elev", f'"{WORKPLACE}"').replace("A1,", f'"{STUDENT}",')
        path.write_text(text, encoding="utf-8")
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


def test_hostile_text_is_stored_verbatim_and_breaks_nothing(hostile_db: Path) -> None:
    con = connect_read_only(hostile_db)
    team = Viewer("t", "uddannelse")
    assert SITE in datasets.sites(con, team)
    request = datasets.Request(SITE, ("SSH", "SSA"), (2019, 2026))
    assert int(datasets.cohorts(con, team, request).ansatte.sum()) == 4
    assert STUDENT in set(datasets.students(con, team, request).elev_id)
    workplaces = datasets.workplaces(con, team, datasets.Request(None, ("SSH",), (2019, 2026)))
    assert WORKPLACE in set(workplaces.arbejdssted)
    con.close()


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_never_read_as_markdown_or_html(
        hostile_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("SOSU_DB", str(hostile_db))
    add_user("t", "uddannelse")
    at = AppTest.from_file(str(APP), default_timeout=60)
    log_in(at, "t")
    at.query_params["sted"] = SITE
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = [str(m.value) for m in (*at.markdown, *at.subheader, *at.info, *at.caption)]
    # Markdown shows a backslash-escaped character as itself: only unescaped ones act.
    for text in markdown:
        assert not re.search(r"(?<!\\)(<img|\]\(javascript|!\[x\])", text), text


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
