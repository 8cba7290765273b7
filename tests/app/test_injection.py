"""Hostile text in every free-text column is shown as plain text on every page (stored as
is: tests/sql/test_injection.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, PAGES, TIMEOUT, add_user, log_in
from tests.support import HOSTILE_SITE


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_never_read_as_markdown_or_html(
        hostile_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("SOSU_DB", str(hostile_db))
    add_user("t", "uddannelse")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    log_in(at, "t")
    at.query_params["sted"] = HOSTILE_SITE
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = [str(m.value) for m in (*at.markdown, *at.subheader, *at.info, *at.caption)]
    # Markdown shows a backslash-escaped character as itself: only unescaped ones act.
    for text in markdown:
        assert not re.search(r"(?<!\\)(<img|\]\(javascript|!\[x\])", text), text
