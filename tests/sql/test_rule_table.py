"""One rule table (sosu.etl.rules): a new rule is one entry there, and both load paths
obey it. The text path reports it as `fil:linje: kolonne: besked`; the fast path, which
only asks whether the text path would find a problem, declines the same data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.etl import rules
from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.etl.rules import ColumnRule, RowRule
from tests.support import MINIMAL, TODAY, fast_path_accepts


def _text_path_report(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    return refused.value.report()


# (new rule, what the text path reports on tests/data/minimal with it)
COLUMN_RULES = {
    # an age: read as text on both paths
    "alder": (ColumnRule(lambda c: c.name == "alder", lambda c: f"{c.value} > 40",
                         "alderen {shown} er over 40 (prøveregel)"),
              ["elever.csv:4: alder: alderen '45' er over 40 (prøveregel)"]),
    # hours: typed by read_csv on the fast path, parsed from text on the text path
    "timer": (ColumnRule(lambda c: c.kind == "hours", lambda c: f"{c.value} >= 155",
                         "{shown} timer er 155 eller flere (prøveregel)"),
              ["sygefravaer.csv:6: planlagte_timer: '160.0' timer er 155 eller flere "
               "(prøveregel)"]),
    # a code, by the contract's codes: every file's uddannelse
    "kode": (ColumnRule(lambda c: c.kind == "code" and "SSA" in c.codes,
                        lambda c: f"{c.value} = 'SSA' AND NOT {c.unreadable}",
                        "SSA er lukket (prøveregel)"),
             [f"{file}:{line}: uddannelse: SSA er lukket (prøveregel)"
              for file, line in (("elever.csv", 6), ("elever.csv", 7), ("elever.csv", 8),
                                 ("elever.csv", 9), ("frafald.csv", 4),
                                 ("sygefravaer.csv", 6))]),
}

ROW_RULES = {
    "one file": (RowRule("frafald", "fase", "'frafald i fasen ' || t.fase || ' (prøveregel)'",
                         "FROM typed_frafald t WHERE t.fase = 'GF'"),
                 ["frafald.csv:2: fase: frafald i fasen GF (prøveregel)"]),
    "two files": (RowRule(
        "gennemfoerte", "afsluttet_dato",
        "'gennemført efter ' || date_diff('month', e.ansat_dato, t.afsluttet_dato) "
        "|| ' måneder (prøveregel)'",
        "FROM typed_gennemfoerte t JOIN typed_elever e USING (elev_id, uddannelse) "
        "WHERE date_diff('month', e.ansat_dato, t.afsluttet_dato) < 19"),
        [f"gennemfoerte.csv:{line}: afsluttet_dato: gennemført efter 18 måneder (prøveregel)"
         for line in (2, 3)]),
}


def test_the_minimal_data_are_clean_without_the_new_rules() -> None:
    assert fast_path_accepts(MINIMAL)
    assert check_folder(MINIMAL, today=TODAY)["elever"] == 8


@pytest.mark.parametrize("name", COLUMN_RULES)
def test_a_new_column_rule_is_one_entry(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rule, report = COLUMN_RULES[name]
    monkeypatch.setattr(rules, "COLUMN_RULES", (*rules.COLUMN_RULES, rule))
    assert not fast_path_accepts(MINIMAL)
    assert _text_path_report(MINIMAL) == report


@pytest.mark.parametrize("name", ROW_RULES)
def test_a_new_rule_across_rows_or_files_is_one_entry(name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rule, report = ROW_RULES[name]
    monkeypatch.setattr(rules, "ROW_RULES", (*rules.ROW_RULES, rule))
    assert not fast_path_accepts(MINIMAL)
    assert _text_path_report(MINIMAL) == report


def test_a_load_refused_by_a_new_rule_says_so(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    rule, report = COLUMN_RULES["timer"]
    monkeypatch.setattr(rules, "COLUMN_RULES", (*rules.COLUMN_RULES, rule))
    with pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, tmp_path / "sosu.duckdb", today=TODAY)
    assert refused.value.report() == report
    assert not (tmp_path / "sosu.duckdb").exists()


def test_every_rule_names_a_column_of_its_file() -> None:
    from sosu.domain.contract import FILES_BY_NAME

    for rule in rules.ROW_RULES:
        assert rule.column in FILES_BY_NAME[rule.file].column_names, rule
    screens = {rule.screen for rule in rules.ROW_RULES if rule.screen}
    from sosu.etl.fast import SCREENS
    from sosu.etl.load import _shipped_models

    assert screens <= set(SCREENS)
    # A screen is asked once the models it reads are built: each must be one.
    models = {model.name for model in _shipped_models()}
    for name in screens:
        assert set(SCREENS[name].reads) <= models, name
