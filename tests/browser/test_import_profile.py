"""The Data page's mapping step in a real browser (issue 22): the education team uploads
a realistic foreign export (other headers such as "CPR/Elev-nr", "Startdato" and
"Uddannelsesretning", long education names, reason labels, an extra column, a resumed
spell, sick leave in several rows a month), picks a code from a drop-down for the one
value nothing suggests, sees the preview, saves the profile and checks; at the next
upload the saved profile is offered, and the files load."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bench.browser import EXCEPTION, PATIENCE_MS, settled
from tests.support import FOREIGN


def _foreign_upload(folder: Path) -> list[str]:
    """The foreign fixture's files, with one reason written as nobody has a name for."""
    folder.mkdir()
    files = []
    for source in sorted(FOREIGN.glob("*.csv")):
        text = source.read_bytes().decode("utf-8-sig")
        if source.name == "Afgange.csv":
            rows = list(csv.reader(io.StringIO(text), delimiter=";"))
            rows[2][3] = "Udvandret"
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=";").writerows(rows)
            text = buffer.getvalue()
        (folder / source.name).write_text(text, encoding="utf-8")
        files.append(str(folder / source.name))
    return files


def _upload(page: object, server: str, files: list[str]) -> None:
    page.goto(f"{server}/data")  # type: ignore[attr-defined]
    settled(page)
    page.locator("input[type=file]").set_input_files(files)  # type: ignore[attr-defined]
    page.get_by_text("Hvordan skal filerne læses?").wait_for(  # type: ignore[attr-defined]
        timeout=PATIENCE_MS)
    settled(page)


def test_map_save_check_and_load_a_foreign_export(server: str, browser: object,
                                                  tmp_path: Path) -> None:
    files = _foreign_upload(tmp_path / "eksport")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    try:
        _upload(page, server, files)
        page.get_by_text("Forhåndsvisning").wait_for(timeout=PATIENCE_MS)
        assert page.locator(EXCEPTION).count() == 0
        body = page.inner_text("body")
        # Their headers with the contract's columns preselected, and their values.
        for text in ("»CPR/Elev-nr«", "»Startdato«", "»Uddannelsesretning«", "»Klasse«",
                     "»SOSU-assistent« (1 række, første i linje 5)",
                     "»Udvandret« (1 række, første i linje 3)"):
            assert text in body
        # The one value without a suggestion: a code from the drop-down.
        page.get_by_role("combobox", name="»Udvandret« (1 række, første i linje 3)").click()
        # The drop-down draws only the options in view: typing filters them, as a user would.
        page.keyboard.type("Flyttet til")
        page.get_by_role("option", name="Flyttet til anden kommune (flyttet)").click()
        settled(page)
        page.get_by_role("button", name="Gem profilen og kontrollér filerne").click()
        page.get_by_text("Ingen fejl").wait_for(timeout=PATIENCE_MS)
        settled(page)
        assert page.locator(EXCEPTION).count() == 0
        assert "er gemt" in page.inner_text("body")

        # The next upload of the same files: the saved profile is chosen, the check runs.
        _upload(page, server, files)
        page.get_by_text("Ingen fejl").wait_for(timeout=PATIENCE_MS)
        settled(page)
        chosen = page.get_by_role("radio", name="Gemt importprofil: Importprofil")
        assert chosen.is_checked()
        page.get_by_role("button", name="Indlæs data").click()
        page.get_by_text("Indlæst.").wait_for(timeout=PATIENCE_MS)
        assert page.locator(EXCEPTION).count() == 0
        assert "elever 8" in page.inner_text("body")
    finally:
        page.close()
