"""Import profiles (issue 22): a foreign export read through its profile loads to the
same figures as the canonical fixture, on both load paths, and every problem names the
user's own file, line and header."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sosu.cli.main import main
from sosu.etl.fast import validate_fast
from sosu.etl.load import check_folder, load_folder, validate_folder
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import KEPT_PROFILE, Profile, ProfileError, load_profile, parse_profile
from sosu.etl.read import UNREAD
from sosu.etl.suggest import draft_text
from tests.sql.inputs import (
    foreign_as_ods,
    foreign_rows,
    spreadsheet_cell,
    write_foreign,
)
from tests.support import FOREIGN, FOREIGN_PROFILE, MINIMAL, TODAY, fast_path_accepts, sweep


def _kpi_json(db: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    """`sosu kpi --json` as a user runs it."""
    capsys.readouterr()
    assert main(["kpi", "--json", "--db", str(db)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def canonical_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("canonical") / "sosu.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    target = tmp_path / "eksport"
    shutil.copytree(FOREIGN, target)
    return target


def _profile(folder: Path, edit: str = "", replace: tuple[str, str] = ("", "")) -> Profile:
    text = FOREIGN_PROFILE.read_text(encoding="utf-8").replace(*replace) + edit
    path = folder / "profil.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


def _problems(folder: Path, profile: Profile) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, TODAY, profile=profile)
    return refused.value.report()


def test_foreign_export_loads_to_the_canonical_figures(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(foreign), "--db", str(db), "--profil",
                 str(FOREIGN_PROFILE)]) == 0
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_both_paths_read_the_foreign_export_alike(foreign: Path) -> None:
    """The fast path takes the clean CSV files; the text path (which reports problems)
    builds the same tables from them."""
    profile = load_profile(FOREIGN_PROFILE)
    fast = duckdb.connect()
    text = duckdb.connect()
    assert validate_fast(fast, foreign, TODAY, profile=profile) is not None
    validate_folder(text, foreign, TODAY, profile=profile)
    for name in ("elever", "gennemfoerte", "frafald", "sygefravaer", "efter_uddannelse"):
        assert fast.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() == \
            text.execute(f"SELECT * EXCLUDE (_line) FROM typed_{name} ORDER BY ALL").fetchall()


@pytest.mark.parametrize("spellings", [
    # Each cell as their map writes it, the contract's code or label, or otherwise:
    # looked up (etl.fast._lookup) or read as the text path reads it, the same value.
    {"Personlige forhold": " Personlige forhold ", "For meget fravær": "FOR MEGET FRAVÆR",
     "Grundforløb 2": "grundforløb 2", "Social- og sundhedshjælper": "ssh"},
    {"Personlige forhold": "privatliv", "For meget fravær": "Fravær",
     "Grundforløb 2": "GF", "SOSU-assistent": "SSA"},
    {"Personlige forhold": "personlige\u00a0forhold", "Grundforløb 2": "Grundforløb\u00a02",
     "SOSU-assistent": "sosu-assistent"},
])
def test_any_spelling_of_a_code_reads_alike_on_both_paths(
        foreign: Path, spellings: dict[str, str]) -> None:
    path = foreign / "Afgange.csv"
    rows = foreign_rows(path)
    write_foreign(path, [rows[0]] + [[spellings.get(cell, cell) for cell in row]
                                     for row in rows[1:]])
    profile = load_profile(FOREIGN_PROFILE)
    fast = duckdb.connect()
    text = duckdb.connect()
    accepted = validate_fast(fast, foreign, TODAY, profile=profile) is not None
    try:
        validate_folder(text, foreign, TODAY, profile=profile)
    except ValidationFailed:
        assert not accepted  # what the text path refuses the fast path never accepts
        return
    assert accepted
    assert fast.execute("SELECT * FROM frafald ORDER BY ALL").fetchall() == \
        text.execute("SELECT * EXCLUDE (_line) FROM typed_frafald ORDER BY ALL").fetchall()


def test_foreign_workbook_loads_to_the_canonical_figures(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """One workbook, a sheet per file (the text path), with date and number cells."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {"Elevforloeb.csv": "Forløb", "Afgange.csv": "Afgange",
              "Fuldfoerte.csv": "Fuldført", "Loen_sygefravaer.csv": "Løn",
              "Efter_uddannelse.csv": "Efter"}
    text = FOREIGN_PROFILE.read_text(encoding="utf-8")
    for name, sheet in sheets.items():
        rows = foreign_rows(foreign / name)
        ws = book.create_sheet(sheet)
        for row in rows:
            ws.append([spreadsheet_cell(v) for v in row])
        (foreign / name).unlink()
        text = text.replace(f'fil = "{name}"', f'fil = "Eksport.xlsx"\nark = "{sheet}"')
    book.save(foreign / "Eksport.xlsx")
    (tmp_path / "profil.toml").write_text(text.replace('datoformat = "DD-MM-ÅÅÅÅ"\n', ""),
                                          encoding="utf-8")
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(foreign), "--db", str(db), "--profil",
                 str(tmp_path / "profil.toml")]) == 0
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_the_load_keeps_the_profile_for_reload(foreign: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "sosu.duckdb"
    summary = load_folder(foreign, db, today=TODAY, profile=load_profile(FOREIGN_PROFILE))
    kept = db.parent / f"{db.name.removesuffix('.duckdb')}-historik" / summary.history_id
    assert (kept / "kilder" / KEPT_PROFILE).read_text(encoding="utf-8") == \
        FOREIGN_PROFILE.read_text(encoding="utf-8")
    before = _kpi_json(db, capsys)
    assert main(["reload", summary.history_id, "--db", str(db)]) == 0  # read as it was
    assert _kpi_json(db, capsys) == before


def test_a_file_the_profile_passes_over_is_refused_not_kept(
        foreign: Path, tmp_path: Path) -> None:
    """The history keeps the folder's files as given: a contract-named file beside the one
    the profile reads would be kept unread, a CPR number in it never looked for."""
    shutil.copy(MINIMAL / "elever.csv", foreign / "elever.csv")
    with open(foreign / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write("010190-1234,SSH,2022-02-01,24,Sted,ekstern\n")
    (foreign / "sygefravaer.xlsx").write_bytes(b"not a workbook 010190-1234")
    assert _problems(foreign, load_profile(FOREIGN_PROFILE)) == [
        "elever.csv: profilen læser elever fra Elevforloeb.csv, så denne fil ville ikke blive "
        "læst; flyt den ud af mappen",
        "sygefravaer.xlsx: profilen læser sygefravaer fra Loen_sygefravaer.csv, så denne fil "
        "ville ikke blive læst; flyt den ud af mappen"]
    db = tmp_path / "db" / "sosu.duckdb"
    with pytest.raises(ValidationFailed):
        load_folder(foreign, db, today=TODAY, profile=load_profile(FOREIGN_PROFILE))
    assert not db.parent.exists() or not any(
        b"010190-1234" in path.read_bytes() for path in db.parent.rglob("*") if path.is_file())


def test_a_problem_names_their_file_line_and_header(foreign: Path) -> None:
    rows = foreign_rows(foreign / "Elevforloeb.csv")
    rows[3][3] = "245"  # A3's age, line 4
    write_foreign(foreign / "Elevforloeb.csv", rows)
    assert _problems(foreign, load_profile(FOREIGN_PROFILE)) == [
        "Elevforloeb.csv:4: Alder: ugyldig alder '245'; skal være et helt tal fra 15 til 70"]


def test_a_rule_across_files_names_their_header(foreign: Path) -> None:
    rows = foreign_rows(foreign / "Loen_sygefravaer.csv")
    rows.append(["A9", "SSH", "2023-01", "10,0", "1,0", ""])
    write_foreign(foreign / "Loen_sygefravaer.csv", rows)
    assert _problems(foreign, load_profile(FOREIGN_PROFILE)) == [
        "Loen_sygefravaer.csv:8: Medarbejder: eleven A9 (SSH) findes ikke i elever"]


def test_an_incomplete_profile_lists_unmapped_values_with_counts(foreign: Path) -> None:
    profile = _profile(foreign, replace=('"For meget fravær" = "fravaer"',
                                         '"For meget fravær" = ""'))
    rows = foreign_rows(foreign / "Afgange.csv")
    rows.append(["B3", "Social- og sundhedsassistent", "01-09-2023", "Udvandret",
                 "Skoleperiode 1", ""])
    rows.append(["B1", "Social- og sundhedsassistent", "01-09-2023", "Udvandret",
                 "Skoleperiode 1", ""])
    write_foreign(foreign / "Afgange.csv", rows)
    codes = ("privatliv, faglige_krav, fravaer, sygdom, skift_ssa_ssh, job_anden_kommune, "
             "flyttet, doedsfald, forkert_valg, andet")
    assert _problems(foreign, profile) == [
        f"Afgange.csv:3: Afgangsårsag: værdien 'For meget fravær' er ikke oversat (1 række, "
        f"den første her); tilføj den i profilen under [frafald.vaerdier.aarsag] som en af: "
        f"{codes}",
        f"Afgange.csv:6: Afgangsårsag: værdien 'Udvandret' er ikke oversat (2 rækker, den "
        f"første her); tilføj den i profilen under [frafald.vaerdier.aarsag] som en af: {codes}"]


def test_a_column_not_in_the_profile_is_named(foreign: Path) -> None:
    profile = _profile(foreign, replace=('ignorer = ["Klasse"]\n', ""))
    problems = _problems(foreign, profile)
    assert len(problems) == 1
    assert problems[0].startswith("Elevforloeb.csv:1: Klasse: kolonnen står ikke i profilen")


def test_cpr_in_an_ignored_column_is_refused_and_never_echoed(foreign: Path) -> None:
    """A header called CPR/Elev-nr is fine; a CPR number in any cell is refused, in a
    column the profile ignores too, on both paths."""
    rows = foreign_rows(foreign / "Elevforloeb.csv")
    rows[5][6] = "010190-1234"  # Klasse, line 6
    write_foreign(foreign / "Elevforloeb.csv", rows)
    profile = load_profile(FOREIGN_PROFILE)
    assert validate_fast(duckdb.connect(), foreign, TODAY, profile=profile) is None
    problems = _problems(foreign, profile)
    assert problems == ["Elevforloeb.csv:6: Klasse: indeholder noget, der ligner et "
                        "CPR-nummer; skriv aldrig CPR-numre i filerne (også i kolonner, der "
                        "ignoreres)"]
    assert "1234" not in " ".join(problems)


def test_cpr_as_a_student_id_is_refused(foreign: Path) -> None:
    rows = foreign_rows(foreign / "Fuldfoerte.csv")
    rows[1][0] = "0101901234"
    write_foreign(foreign / "Fuldfoerte.csv", rows)
    problems = _problems(foreign, load_profile(FOREIGN_PROFILE))
    assert any(p.startswith("Fuldfoerte.csv:2: CPR/Elev-nr: ligner et CPR-nummer")
               for p in problems)
    assert "0101901234" not in " ".join(problems)


def test_a_value_map_never_folds_a_cpr_number_into_a_code(foreign: Path, tmp_path: Path) -> None:
    """The third review's case: `010190K1234` with a Kelvin sign is a CPR number (the sign
    parts nothing), and lower() made it the key `010190k1234`, which is none, mapped
    before any CPR check. Case is folded only in Latin text; on both load paths the cell
    stays as written and is refused."""
    rows = foreign_rows(foreign / "Afgange.csv")
    rows[1][3] = "010190\u212a1234"
    write_foreign(foreign / "Afgange.csv", rows)
    profile = _profile(tmp_path, replace=('"Personlige forhold" = "privatliv"',
                                          '"Personlige forhold" = "privatliv"\n'
                                          '"010190k1234" = "andet"'))
    problems = _problems(foreign, profile)
    assert problems == ["Afgange.csv:2: Afgangsårsag: indeholder noget, der ligner et "
                        "CPR-nummer; skriv aldrig CPR-numre i filerne"], problems
    assert not fast_path_accepts(foreign, profile)
    with pytest.raises(ValidationFailed):
        load_folder(foreign, tmp_path / "sosu.duckdb", today=TODAY, profile=profile)


# Rows the foreign profile's reductions leave out or add up: Elevforloeb line 5 (A2's second
# spell, "foerste"), Afgange line 2 (A2's dropout, resumed within 15 months) and
# Loen_sygefravaer line 4 (A1's second row for 2023-07, "summer"); then rows they keep.
DROPPED_CELLS = [
    ("Elevforloeb.csv", 5, "Oplæringssted"),
    ("Elevforloeb.csv", 5, "Alder"),
    ("Elevforloeb.csv", 5, "Rekrutteringsvej"),
    ("Elevforloeb.csv", 5, "Startdato"),
    ("Afgange.csv", 2, "Afgangsårsag"),
    ("Afgange.csv", 2, "Oplæringssted"),
    ("Loen_sygefravaer.csv", 4, "Afdeling"),
    ("Loen_sygefravaer.csv", 4, "Sygetimer"),
    # Rows the reductions keep, in the files they reduce: their text is searched once,
    # before the reduction (etl.fast.rows_may_hide_cpr), and not again after it.
    ("Elevforloeb.csv", 2, "Oplæringssted"),
    ("Afgange.csv", 3, "Oplæringssted"),
    ("Loen_sygefravaer.csv", 3, "Afdeling"),
]


@pytest.mark.parametrize(("file", "line", "header"), sweep(
    DROPPED_CELLS, [f"{f.split('.')[0]}-{h}" for f, _, h in DROPPED_CELLS]))
def test_cpr_in_a_row_the_profile_reduces_is_refused_and_never_kept(
        foreign: Path, tmp_path: Path, file: str, line: int, header: str) -> None:
    """The load keeps the user's files in its history: a CPR number in a row that a
    reduction drops, adds up or keeps is refused like any other, on both paths, and
    nothing of the load is kept."""
    rows = foreign_rows(foreign / file)
    rows[line - 1][rows[0].index(header)] = "010190-1234"
    write_foreign(foreign / file, rows)
    profile = load_profile(FOREIGN_PROFILE)
    assert validate_fast(duckdb.connect(), foreign, TODAY, profile=profile) is None
    problems = _problems(foreign, profile)
    # A CPR number, or (a date) a date in no known convention, shown masked.
    assert any(p.startswith(f"{file}:{line}: {header}: ") for p in problems), problems
    assert "1234" not in " ".join(problems)
    db = tmp_path / "db" / "sosu.duckdb"
    with pytest.raises(ValidationFailed):
        load_folder(foreign, db, today=TODAY, profile=profile)
    assert not db.exists()
    assert not any(db.parent.glob("*-historik/*"))


def test_a_spell_resumed_after_15_months_is_a_dropout(foreign: Path) -> None:
    """A2 left on 2022-05-01; a new spell 16 months later is a new start, not a resumed
    one, so the dropout stands, and the contract's one row per student meets a student
    who both completed and dropped out: refused, in the user's terms."""
    rows = foreign_rows(foreign / "Elevforloeb.csv")
    assert rows[4][:3] == ["A2", "Social- og sundhedshjælper", "01-09-2022"]
    rows[4][2] = "01-09-2023"
    write_foreign(foreign / "Elevforloeb.csv", rows)
    problems = _problems(foreign, load_profile(FOREIGN_PROFILE))
    assert problems == ["Afgange.csv:2: CPR/Elev-nr: eleven A2 står også som gennemført "
                        "(gennemfoerte linje 3); en elev kan ikke både gennemføre og falde fra"]


def test_without_a_reduction_several_rows_are_refused(foreign: Path) -> None:
    profile = _profile(foreign, replace=('flere_raekker = "summer"\n', ""))
    assert _problems(foreign, profile) == [
        "Loen_sygefravaer.csv:4: Medarbejder: samme elev og måned står også i linje 3"]


def test_seneste_keeps_the_latest_spell(foreign: Path) -> None:
    profile = _profile(foreign, replace=('flere_raekker = "foerste"', 'flere_raekker = "seneste"'))
    con = duckdb.connect()
    validate_folder(con, foreign, TODAY, profile=profile)
    assert con.execute("SELECT ansat_dato::VARCHAR, _line FROM typed_elever "
                       "WHERE elev_id = 'A2'").fetchall() == [("2022-09-01", 5)]


def test_a_date_format_reads_us_dates(foreign: Path, canonical_db: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    rows = foreign_rows(foreign / "Fuldfoerte.csv")
    for row in rows[1:]:
        day, month, year = row[2].split("-")
        row[2] = f"{month}/{day}/{year}"
    write_foreign(foreign / "Fuldfoerte.csv", rows)
    profile = _profile(foreign, replace=('fil = "Fuldfoerte.csv"',
                                         'fil = "Fuldfoerte.csv"\ndatoformat = "MM/DD/ÅÅÅÅ"'))
    db = tmp_path / "sosu.duckdb"
    load_folder(foreign, db, today=TODAY, profile=profile)
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_a_missing_file_is_named_as_the_profile_names_it(foreign: Path) -> None:
    (foreign / "Fuldfoerte.csv").unlink()
    assert _problems(foreign, load_profile(FOREIGN_PROFILE)) == [
        "Fuldfoerte.csv: filen mangler: profilen læser gennemfoerte fra Fuldfoerte.csv, som "
        "ikke er i mappen"]


def test_a_profile_may_cover_some_files(foreign: Path, canonical_db: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The files the profile does not name are read as the contract names them."""
    (foreign / "Efter_uddannelse.csv").unlink()
    shutil.copy(MINIMAL / "efter_uddannelse.csv", foreign)
    text = FOREIGN_PROFILE.read_text(encoding="utf-8")
    profile = parse_profile(text[:text.index("[efter_uddannelse]")], tmp_path / "p.toml")
    db = tmp_path / "sosu.duckdb"
    load_folder(foreign, db, today=TODAY, profile=profile)
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_the_draft_loads_the_foreign_export_as_it_is(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`sosu profil forslag` matches every header and value of the realistic export; the
    draft, unedited, loads to the canonical figures."""
    out = tmp_path / "udkast.toml"
    assert main(["profil", "forslag", str(foreign), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '"CPR/Elev-nr" = "elev_id"  # kendt navn for elev_id' in text
    assert '"Alder" = "alder"  # samme navn' in text
    assert ('"SOSU-assistent" = "SSA"  # kendt navn for Social- og sundhedsassistent; '
            '1 række, første i linje 8') in text
    assert 'ignorer = [\n    "Klasse",\n]' in text
    assert "genoptaget_inden_maaneder = 15" in text
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(foreign), "--db", str(db), "--profil", str(out)]) == 0
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_the_draft_leaves_unknown_values_to_the_user(foreign: Path, tmp_path: Path) -> None:
    rows = foreign_rows(foreign / "Afgange.csv")
    rows[2][3] = "Udvandret"
    write_foreign(foreign / "Afgange.csv", rows)
    text, _notes = draft_text(foreign, tmp_path / "udkast.toml", TODAY)
    assert ('"Udvandret" = ""  # IKKE OVERSAT: 1 række, første i linje 3; vælg en af '
            'privatliv,') in text
    profile = parse_profile(text, tmp_path / "udkast.toml")
    problems = _problems(foreign, profile)
    assert len(problems) == 1 and "værdien 'Udvandret' er ikke oversat" in problems[0]


def test_the_draft_never_writes_a_cpr_number_in_a_name_or_header(
        foreign: Path, tmp_path: Path) -> None:
    """A draft names the files and headers it read: a file named with a CPR number, or a
    header that is one, is refused there (masked), never written into the draft."""
    (foreign / "Fuldfoerte.csv").rename(foreign / "Fuldfoerte 010190-1234.csv")
    rows = foreign_rows(foreign / "Elevforloeb.csv")
    rows[0][6] = "0201901234"  # Klasse's header
    write_foreign(foreign / "Elevforloeb.csv", rows)
    text, notes = draft_text(foreign, tmp_path / "udkast.toml")
    assert "1234" not in text and "1234" not in "\n".join(notes)
    assert "Fuldfoerte XXXXXX-XXXX.csv: navnet ligner et CPR-nummer; giv filen (eller arket) " \
        "et andet navn, før den læses med en importprofil" in notes
    assert "Elevforloeb.csv:1: XXXXXX-XXXX: overskriften ligner et CPR-nummer; skriv aldrig " \
        "CPR-numre i filerne, heller ikke som overskrift" in notes


@pytest.mark.parametrize("profiled", [False, True])
def test_a_csv_duckdb_cannot_parse_is_reported_not_a_crash(
        profiled: bool, tmp_path: Path, minimal_copy: Path, foreign: Path) -> None:
    """Mixed line endings stop DuckDB's CSV reader with an error, not a rejected line:
    inside the load's transaction that once aborted it, and the next file's staging ended
    the load with an unexpected error. Now the file is named and the database untouched."""
    folder, name = (foreign, "Loen_sygefravaer.csv") if profiled else (
        minimal_copy, "sygefravaer.csv")
    with open(folder / name, "ab") as handle:
        handle.write(b"A1;SSH;2023-09;1;0;x\n" if profiled else b"A1,SSH,2023-09,1,0,x\r\n")
    profile = load_profile(FOREIGN_PROFILE) if profiled else None
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, tmp_path / "sosu.duckdb", today=TODAY, profile=profile)
    assert [p.file for p in refused.value.problems] == [name]
    assert not (tmp_path / "sosu.duckdb").exists()


# --- files as they really come, through a profile ----------------------------------------

TITLE = "Udtræk fra elevadministrationen pr. 22-11-2026"


def test_foreign_export_as_ods_with_titles_loads_to_the_canonical_figures(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each file an .ods spreadsheet of date, number and text cells with a title row and
    an empty row above its header (the text path). Elevforloeb's date cells follow the
    profile's datoformat, the others' are dates as they are."""
    text = foreign_as_ods(foreign, FOREIGN_PROFILE.read_text(encoding="utf-8"), title=TITLE)
    assert 'fil = "Elevforloeb.ods"' in text and 'datoformat = "DD-MM-ÅÅÅÅ"' in text
    (tmp_path / "profil.toml").write_text(text, encoding="utf-8")
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(foreign), "--db", str(db), "--profil",
                 str(tmp_path / "profil.toml")]) == 0
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_foreign_export_with_title_lines_loads_on_the_fast_path(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    for path in foreign.glob("*.csv"):
        write_foreign(path, foreign_rows(path), title=TITLE)
    profile = load_profile(FOREIGN_PROFILE)
    assert validate_fast(duckdb.connect(), foreign, TODAY, profile=profile) is not None
    db = tmp_path / "sosu.duckdb"
    load_folder(foreign, db, today=TODAY, profile=profile)
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


@pytest.mark.parametrize("suffix", [".csv", ".ods"])
def test_a_problem_below_a_title_names_the_files_own_line(foreign: Path, suffix: str) -> None:
    rows = foreign_rows(foreign / "Elevforloeb.csv")
    rows[3][3] = "245"  # A3's age: line 4 of the file without the title, 6 with it
    write_foreign(foreign / "Elevforloeb.csv", rows, title=TITLE)
    text = FOREIGN_PROFILE.read_text(encoding="utf-8")
    if suffix == ".ods":
        text = foreign_as_ods(foreign, text)  # the title row is the CSV file's first cell
    assert _problems(foreign, parse_profile(text, FOREIGN_PROFILE)) == [
        f"Elevforloeb{suffix}:6: Alder: ugyldig alder '245'; skal være et helt tal fra 15 "
        "til 70"]


def test_a_profiled_file_without_their_header_is_refused_saying_so(foreign: Path) -> None:
    rows = foreign_rows(foreign / "Afgange.csv")
    write_foreign(foreign / "Afgange.csv", rows[1:], title=TITLE)
    problems = _problems(foreign, load_profile(FOREIGN_PROFILE))
    assert (
        "Afgange.csv: fandt ingen overskriftslinje i de første 20 linjer: overskriften skal "
        "stå lige over dataene og bruge kolonnenavnene (CPR/Elev-nr, Uddannelsesretning, "
        "Afgangsdato, Afgangsårsag, Forløbsdel, Oplæringssted)") in problems, problems


MIXED = ("Fuldfoerte.csv:3: Slutdato: datoen '30/09/2023' er skrevet som DD/MM/ÅÅÅÅ, men "
         "filen skriver datoer som DD-MM-ÅÅÅÅ (linje 2, Slutdato); skriv alle datoer i filen "
         "på samme måde, så ingen dato læses forkert")
NOT_THE_FORMAT = ("Fuldfoerte.csv:3: Slutdato: datoen '30/09/2023' er ikke skrevet som "
                  "profilens datoformat DD-MM-ÅÅÅÅ; skriv alle datoer i filen sådan (eller ret "
                  "datoformat i profilen), så ingen dato læses forkert")


@pytest.mark.parametrize(("datoformat", "expected"), [("", MIXED), ("DD-MM-ÅÅÅÅ", NOT_THE_FORMAT)],
                         ids=["first-date-sets-it", "datoformat-sets-it"])
def test_a_profiled_file_mixing_date_conventions_is_refused_on_both_paths(
        foreign: Path, datoformat: str, expected: str) -> None:
    """Either date reads as 30 September; a file that writes both may hold a month-first
    source too. The fast path declines it, the text path names their file, line and
    header. With a datoformat the format is the convention, whichever date comes first."""
    rows = foreign_rows(foreign / "Fuldfoerte.csv")
    assert rows[2][2] == "30-09-2023"
    rows[2][2] = "30/09/2023"
    write_foreign(foreign / "Fuldfoerte.csv", rows)
    profile = _profile(foreign, replace=(
        'fil = "Fuldfoerte.csv"',
        f'fil = "Fuldfoerte.csv"\ndatoformat = "{datoformat}"' if datoformat
        else 'fil = "Fuldfoerte.csv"'))
    assert validate_fast(duckdb.connect(), foreign, TODAY, profile=profile) is None
    assert _problems(foreign, profile) == [expected]


def test_the_draft_reads_an_ods_folder_with_titles(
        foreign: Path, tmp_path: Path, canonical_db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`sosu profil forslag` on spreadsheets: each sheet's header found below its title,
    date cells read as dates (no datoformat needed); the draft, unedited, loads."""
    foreign_as_ods(foreign, "", title=TITLE)
    out = tmp_path / "udkast.toml"
    assert main(["profil", "forslag", str(foreign), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert 'fil = "Elevforloeb.ods"' in text
    assert '"CPR/Elev-nr" = "elev_id"  # kendt navn for elev_id' in text
    assert ('"SOSU-assistent" = "SSA"  # kendt navn for Social- og sundhedsassistent; '
            '1 række, første i linje 10') in text
    assert "datoformat" not in text
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(foreign), "--db", str(db), "--profil", str(out)]) == 0
    assert _kpi_json(db, capsys) == _kpi_json(canonical_db, capsys)


def test_a_draft_puts_each_ignored_header_on_its_own_line(foreign: Path, tmp_path: Path) -> None:
    """Two ignored headers harmless alone, `Kode 010190` and `1234 Note`, side by side on
    one line were a CPR number, and the draft refused itself (the third review)."""
    rows = foreign_rows(foreign / "Fuldfoerte.csv")
    rows = [[*row, "", ""] for row in rows]
    rows[0][-2:] = ["Kode 010190", "1234 Note"]
    write_foreign(foreign / "Fuldfoerte.csv", rows)
    text, _notes = draft_text(foreign, tmp_path / "udkast.toml", TODAY)
    assert '    "Kode 010190",\n    "1234 Note",\n' in text
    parse_profile(text, tmp_path / "udkast.toml")  # a draft the profile reader takes


def test_a_profile_error_never_quotes_a_cpr_number(tmp_path: Path) -> None:
    """The Data page shows a saved profile's error as it is (the third review: a file
    name like a CPR number, with bytes that are not UTF-8)."""
    path = tmp_path / "010190-1234.toml"
    path.write_bytes(b"navn = \"x\xff\"\n")
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert "010190-1234" not in str(refused.value) and "XXXXXX-XXXX" in str(refused.value)


@pytest.mark.parametrize("second", ["Elever.csv", "elever.xlsx"])
def test_a_second_file_of_a_name_the_profile_reads_is_refused_not_kept(
        second: str, tmp_path: Path) -> None:
    """A profile that reads `elever.csv`, and beside it `Elever.csv` (or the profile reads
    `elever.xlsx` and the raw `elever.csv` lies beside it): the search's complaint about
    two files of one name fell away as the profile claims the name, and the other file
    was kept in the history unread, a CPR number in it never looked for. Every file the
    history would keep must be one the load reads."""
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    header = (folder / "elever.csv").read_text("utf-8").splitlines()[0].split(",")
    read_from = "elever.csv" if second == "Elever.csv" else "elever.xlsx"
    if read_from == "elever.xlsx":
        book = openpyxl.Workbook()
        for row in csv.reader(io.StringIO((folder / "elever.csv").read_text("utf-8"))):
            book.active.append(row)
        book.active.title = "Ark1"
        book.save(folder / "elever.xlsx")
        raw = folder / "elever.csv"
    else:
        raw = folder / second
    raw.write_text("cpr;navn\n010190-1234;Anna Jensen\n", "utf-8")
    path = tmp_path / "profil.toml"
    path.write_text('navn = "kontrakt"\n\n[elever]\n' f'fil = "{read_from}"\n'
                    + ('ark = "Ark1"\n' if read_from == "elever.xlsx" else "")
                    + "[elever.kolonner]\n" + "".join(f'"{h}" = "{h}"\n' for h in header),
                    "utf-8")
    assert _problems(folder, load_profile(path)) == [f"{raw.name}: {UNREAD}"]
    db = tmp_path / "db" / "sosu.duckdb"
    with pytest.raises(ValidationFailed):
        load_folder(folder, db, today=TODAY, profile=load_profile(path))
    assert not db.parent.exists() or not any(
        b"010190-1234" in p.read_bytes() for p in db.parent.rglob("*") if p.is_file())


def test_the_preview_never_shows_a_number_only_the_workbooks_scan_finds(
        tmp_path: Path) -> None:
    """1019012.34 formatted `0%` shows as 101901234% (010190-1234, its leading zero lost):
    the preview read the cell's value and showed it as a site (a review of 2026-12-04)."""
    from sosu.etl.profiled import preview

    folder = tmp_path / "eksport"
    shutil.copytree(FOREIGN, folder)
    source = folder / "Elevforloeb.csv"
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    source.unlink()
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active["E2"] = 1019012.34  # Oplæringssted
    book.active["E2"].number_format = "0%"
    book.save(folder / "Elevforloeb.xlsx")
    profile = tmp_path / "profil.toml"
    profile.write_text(FOREIGN_PROFILE.read_text(encoding="utf-8").replace(
        "Elevforloeb.csv", "Elevforloeb.xlsx"), encoding="utf-8")
    frames, problems = preview(folder, load_profile(profile), TODAY)
    assert frames == {}
    shown = [str(problem) for problem in problems]
    assert len(shown) == 1 and "ligner et CPR-nummer: arket 'Sheet', celle E2" in shown[0]
    assert not any(number in shown[0] for number in ("1019012", "101901234"))
