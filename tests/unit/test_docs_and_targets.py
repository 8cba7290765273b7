"""Docs stay in step with code; the targets file is validated entry by entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sosu.domain.contract import FILES
from sosu.domain.targets import FIELDS, TargetsError, load_targets
from sosu.etl.templates import contract_markdown
from tests.support import ROOT


def test_contract_doc_is_generated_from_the_contract() -> None:
    doc = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == contract_markdown(), "run: python -m sosu.etl.templates > docs/data-contract.md"
    for spec in FILES:
        for column in spec.columns:
            assert f"`{column.name}`" in doc


def test_shipped_targets_cover_the_strategy() -> None:
    targets = {t.id: t for t in load_targets()}
    assert targets["frafald_ssh"].goal_value == pytest.approx(0.16 * 0.93)
    assert targets["frafald_ssa"].goal_value == pytest.approx(0.40 * 0.93)
    assert targets["sygefravaer"].goal_value == pytest.approx(0.0784)
    assert targets["ansat_efter"].goal_value == pytest.approx(0.444)
    assert (targets["ansatte_ssa"].goal_value, targets["ansatte_ssh"].goal_value) == (56, 27)
    assert targets["intern_ufaglaert"].goal_value == 8
    assert targets["intern_ssh"].goal_value == 5


def test_every_target_field_is_documented_in_the_targets_file() -> None:
    text = (ROOT / "src" / "sosu" / "targets.toml").read_text(encoding="utf-8")
    used = set(re.findall(r"^(\w+) =", text, flags=re.M))
    assert used <= set(FIELDS)


@pytest.mark.parametrize(("entry", "words"), [
    ('id = "x"\nlabel = "X"\nmetric = "frafald"\nmaal_type = "absolut"\nmaal = 1\n'
     'frist = 2026\nretning = "op"', ["mål nr. 1 (x)", "'metric' skal være en af"]),
    ('id = "x"\nlabel = "X"\nmetric = "ansatte"\nmaal_type = "pp"\nmaal = 1\n'
     'frist = 2026\nretning = "op"', ["mål nr. 1 (x)", "kræver en baseline"]),
    ('id = "x"\nlabel = "X"\nmetric = "ansatte"\nmaal_type = "absolut"\nmaal = "mange"\n'
     'frist = 2026\nretning = "op"', ["mål nr. 1 (x)", "'maal' har forkert type"]),
    ('id = "x"\nmetric = "ansatte"', ["feltet 'label' mangler"]),
    ('id = "x"\nlabel = "X"\nmetric = "ansatte"\nmaal_type = "absolut"\nmaal = 1\n'
     'frist = 2026\nretning = "op"\nfarve = "rød"', ["ukendt felt 'farve'"]),
    # shown on every page and in the report: never a CPR number, never echoed
    ('id = "x 010190-1234"\nlabel = "Elev 0101901234"\nmetric = "ansatte"\n'
     'maal_type = "absolut"\nmaal = 1\nfrist = 2026\nretning = "op"',
     ["mål nr. 1 (x XXXXXX-XXXX)", "ligner et CPR-nummer"]),
])
def test_broken_targets_name_the_entry(tmp_path: Path, entry: str, words: list[str]) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f"[[maal]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(TargetsError) as error:
        load_targets(path)
    for word in words:
        assert word in str(error.value)


def test_pages_stay_thin() -> None:
    """Pages never touch the database or write SQL: that is the query layer's job."""
    pages = [page for page in (ROOT / "src" / "sosu" / "app" / "app_pages").glob("*.py")
             if not page.name.endswith("_view.py") and page.name != "__init__.py"]
    assert len(pages) == 8
    # A pages/ folder would be Streamlit's old auto-discovery: a fresh server would run
    # pages/x.py directly for the URL /x, without main.py and its login gate.
    assert not (ROOT / "src" / "sosu" / "app" / "pages").exists()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "duckdb" not in text, page.name
        assert not re.search(r"\bSELECT\b|\bFROM\b", text), page.name
        assert len(text.splitlines()) <= 60, page.name


def test_every_setting_is_documented_in_the_readme() -> None:
    from sosu.domain.settings import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS.values():
        default = f"`{setting.default}`" if setting.default else "(tom)"
        assert f"| `{setting.env}` | {default} |" in readme, setting.env
