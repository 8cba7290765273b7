"""Hostile text in every free-text column is shown as plain text on every page (stored as
is: tests/sql/test_injection.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.etl.load import load_folder
from tests.app.helpers import APP, PAGES, TIMEOUT, add_user, log_in
from tests.support import MINIMAL, TODAY

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


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_never_read_as_markdown_or_html(
        hostile_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("SOSU_DB", str(hostile_db))
    add_user("t", "uddannelse")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    log_in(at, "t")
    at.query_params["sted"] = SITE
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = [str(m.value) for m in (*at.markdown, *at.subheader, *at.info, *at.caption)]
    # Markdown shows a backslash-escaped character as itself: only unescaped ones act.
    for text in markdown:
        assert not re.search(r"(?<!\\)(<img|\]\(javascript|!\[x\])", text), text
