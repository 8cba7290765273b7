"""The Data page's import step (issue 22), run by AppTest on the uploaded files as the
page saves them: a foreign export gets a new profile with every suggestion preselected,
a value the team maps by drop-down, a preview of 20 rows, save, check and load; the
saved profile is offered at the next upload."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain.roles import Viewer
from sosu.etl.profile import load_profile, profile_folder
from tests.app.helpers import TIMEOUT
from tests.support import FOREIGN


def _import_page(folder: str) -> None:
    from pathlib import Path

    from sosu.app.app_pages.upload_view import import_step

    import_step(Path(folder))


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The foreign export as the page saves an upload; one reason nobody has a name for."""
    folder = tmp_path / "upload"
    folder.mkdir()
    for path in FOREIGN.glob("*.csv"):
        shutil.copy(path, folder)
    text = (folder / "Afgange.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    rows[2][3] = "Udvandret"  # A3's reason, line 3: no synonym, no close label
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    (folder / "Afgange.csv").write_text(buffer.getvalue(), encoding="utf-8")
    monkeypatch.setenv("SOSU_DB", str(tmp_path / "sosu.duckdb"))
    monkeypatch.setenv("SOSU_LOG", str(tmp_path / "log.jsonl"))
    return folder


def _run(folder: Path) -> Any:
    at = AppTest.from_function(_import_page, args=(str(folder),), default_timeout=TIMEOUT)
    at.session_state["viewer"] = Viewer("uddannelse-test", "uddannelse")
    return at.run()


def _select(at: Any, label: str) -> list[Any]:
    return [s for s in at.selectbox if s.label == label]


def test_a_foreign_upload_gets_a_new_profile_with_suggestions(uploads: Path) -> None:
    at = _run(uploads)
    assert not at.exception
    assert at.radio(key="import_reading").value == "ny"
    assert {s.value for s in _select(at, "»CPR/Elev-nr«")} == {"elev_id"}
    assert [s.value for s in _select(at, "»Klasse«")] == [""]  # ignored
    assert [s.value for s in _select(at, "»Startdato«")] == ["ansat_dato"]
    assert [s.value for s in _select(at, "Hvilken af datakontraktens filer er det?")] == [
        "frafald", "efter_uddannelse", "elever", "gennemfoerte", "sygefravaer"]
    (sosu,) = _select(at, "»SOSU-assistent« (1 række, første i linje 5)")
    assert sosu.value == "SSA"
    (unknown,) = _select(at, "»Udvandret« (1 række, første i linje 3)")
    assert unknown.value == ""
    assert [s.value for s in _select(at, "Flere rækker for samme elev")] == [
        "afvis", "afvis", "foerste", "afvis"]
    assert [s.value for s in _select(at, "Flere rækker for samme elev og måned")] == ["summer"]
    assert len(at.dataframe) == 5  # the preview: one table per file, in the contract's order
    assert len(at.dataframe[0].value) == 8  # elever: A2's two spells are one student
    assert len(at.dataframe[2].value) == 3  # frafald: A2's resumed spell is no dropout


def test_choose_save_check_and_load(uploads: Path) -> None:
    at = _run(uploads)
    (unknown,) = _select(at, "»Udvandret« (1 række, første i linje 3)")
    unknown.set_value("flyttet").run()
    assert not at.exception
    frafald = at.dataframe[2].value
    assert list(frafald["aarsag"]) == ["flyttet", "faglige_krav", "skift_ssa_ssh"]
    at.button(key="import_save_check").click().run()
    assert not at.exception
    saved = profile_folder(Path(uploads.parent / "sosu.duckdb")) / "importprofil.toml"
    profile = load_profile(saved)
    assert profile.files["frafald"].value_map("aarsag")["Udvandret"] == "flyttet"
    assert any("Ingen fejl" in s.value for s in at.success)
    at.button(key="load_button").click().run()
    assert not at.exception
    assert any(s.value.startswith("Indlæst. OK: elever 8") for s in at.success)
    assert (uploads.parent / "sosu.duckdb").exists()


def test_the_saved_profile_is_offered_at_the_next_upload(uploads: Path) -> None:
    at = _run(uploads)
    (unknown,) = _select(at, "»Udvandret« (1 række, første i linje 3)")
    unknown.set_value("flyttet").run()
    at.button(key="import_save_check").click().run()
    again = _run(uploads)
    assert not again.exception
    saved = profile_folder(Path(uploads.parent / "sosu.duckdb")) / "importprofil.toml"
    assert again.radio(key="import_reading").value == str(saved)
    assert any("Ingen fejl" in s.value for s in again.success)
    assert again.button(key="load_button")


def test_an_unmapped_value_is_refused_with_its_count(uploads: Path) -> None:
    at = _run(uploads)
    at.button(key="import_save_check").click().run()
    assert not at.exception
    assert any("1 fejl" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert list(problems["problem"])[0].startswith("værdien 'Udvandret' er ikke oversat (1 række")
    assert list(problems["kolonne"]) == ["Afgangsårsag"]


def _everything_shown(at: Any) -> str:
    """The text of every table, drop-down, message and caption the page drew."""
    shown = [frame.value.to_string() for frame in at.dataframe]
    shown += [f"{s.label} {s.options}" for s in at.selectbox]
    for kind in (at.markdown, at.caption, at.error, at.warning, at.success, at.info):
        shown += [str(element.value) for element in kind]
    return "\n".join(shown)


def test_a_cpr_number_in_an_upload_is_never_shown(uploads: Path) -> None:
    """A CPR number in a site cell (line 4) and in a row the profile drops (A2's second
    spell, line 5) stops the preview with a problem naming the cells, never their text."""
    path = uploads / "Elevforloeb.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    rows[3][4] = "030405-6789"
    rows[4][4] = "0102901234"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    at = _run(uploads)
    assert not at.exception
    shown = _everything_shown(at)
    assert "6789" not in shown and "1234" not in shown
    problems = at.dataframe[-1].value
    assert list(problems["linje"]) == [4, 5]
    assert set(problems["kolonne"]) == {"Oplæringssted"}
    assert all("CPR-nummer" in text for text in problems["problem"])


def test_a_cpr_number_as_a_header_is_never_shown(uploads: Path) -> None:
    path = uploads / "Elevforloeb.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    rows[0][6] = "010190-1234"  # Klasse's header
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    at = _run(uploads)
    assert not at.exception
    assert "1234" not in _everything_shown(at)
    assert any("XXXXXX-XXXX: overskriften ligner et CPR-nummer" in e.value for e in at.error)


def test_files_by_the_contract_need_no_profile(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import MINIMAL

    folder = tmp_path / "upload"
    shutil.copytree(MINIMAL, folder)
    monkeypatch.setenv("SOSU_DB", str(tmp_path / "sosu.duckdb"))
    at = _run(folder)
    assert not at.exception
    assert at.radio(key="import_reading").value == "kontrakt"
    assert any("Ingen fejl" in s.value for s in at.success)
    assert not at.selectbox  # no mapping step
