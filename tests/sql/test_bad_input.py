"""Bad input: every rule gives `file:line: column: message`, and nothing is loaded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sosu.cli.main import main
from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.store.db import connect_read_only
from tests.sql.inputs import CASES
from tests.support import TODAY, file_digest, sweep


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    return refused.value.report()


CASE_IDS = [f"{c[0]}-{'-'.join(c[3][1:2])[:30]}" for c in CASES]


# `make check` asks one rule of each file; `make test` every rule.
@pytest.mark.parametrize(("file", "old", "new", "words"),
                         sweep(CASES, CASE_IDS, group=lambda case: case[0]))
def test_rule_reports_file_line_column(minimal_copy: Path, file: str, old: str, new: str,
                                       words: list[str]) -> None:
    path = minimal_copy / f"{file}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = _problems(minimal_copy)
    report = "\n".join(problems)
    for word in words:
        assert word in report


@pytest.mark.parametrize(("file", "old", "new", "words"), sweep(CASES, CASE_IDS))
def test_the_load_reports_what_the_check_reports(minimal_copy: Path, file: str, old: str,
                                                 new: str, words: list[str]) -> None:
    # `sosu load` reads inside one transaction, where a new row's rowid is not its place
    # in the file: the same report, line numbers included, and no database.
    path = minimal_copy / f"{file}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    problems = _problems(minimal_copy)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(minimal_copy, minimal_copy / "sosu.duckdb", today=TODAY)
    assert refused.value.report() == problems
    assert not (minimal_copy / "sosu.duckdb").exists()


@pytest.mark.parametrize("cpr", ["010203-1234", "0102031234", "311299-4321"])
def test_cpr_number_is_refused_and_never_echoed(minimal_copy: Path, cpr: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = minimal_copy / "elever.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("A2,SSH", f"{cpr},SSH"),
                    encoding="utf-8")
    for name in ("gennemfoerte", "sygefravaer", "efter_uddannelse"):
        other = minimal_copy / f"{name}.csv"
        other.write_text(other.read_text(encoding="utf-8").replace("A2,", f"{cpr},"),
                         encoding="utf-8")
    assert main(["check", str(minimal_copy)]) == 1
    output = capsys.readouterr()
    everything = output.out + output.err
    assert "elever.csv:3: elev_id: ligner et CPR-nummer" in everything
    assert cpr not in everything and cpr.replace("-", "") not in everything


def test_ten_digits_without_a_valid_date_is_a_pseudonym(minimal_copy: Path,
                                                         tmp_path: Path) -> None:
    for path in minimal_copy.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").replace("A2,", "9913001234,"),
                        encoding="utf-8")
    # Accepted (a refusal would raise) and loaded as an ordinary id.
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8
    load_folder(minimal_copy, tmp_path / "db.duckdb", today=TODAY)
    con = connect_read_only(tmp_path / "db.duckdb")
    try:
        assert con.execute("SELECT count(*) FROM elever WHERE elev_id = '9913001234'"
                           ).fetchone() == (1,)
    finally:
        con.close()


@pytest.mark.parametrize(("content", "words"), [
    (b"", ["elever.csv:", "filen er tom"]),
    (b"\x00\x01\x02PK\x03\x04binary", ["elever.csv:", "ikke en tekstfil"]),
    (b"elev_id,uddannelse,ansat_dato,alder,oplaeringssted,rekruttering\nA1,SSH,2022-0",
     ["elever.csv:2:", "ikke 6 felter"]),
    (b"\x81\x8d\x8f\x90\x9d", ["elever.csv:", "ukendt tegnsæt"]),
    ("elev_id,uddannelse\n".encode("utf-16"), ["elever.csv:", "UTF-16", "CSV UTF-8"]),
    # a field over the csv module's limit among the lines searched for the header
    (b"elev_id,uddannelse,ansat_dato,alder,oplaeringssted,rekruttering\nA1,SSH,2022-02-01,24,"
     + b"P" * 131_073 + b",ekstern\n", ["elever.csv:", "over 100.000 tegn"]),
    # Excel for Mac's "CSV (Macintosh)": CR alone ends each line
    (b"elev_id,uddannelse,ansat_dato,alder,oplaeringssted,rekruttering\rA1,SSH,2022-02-01,24,"
     b"Sted,ekstern\r", ["elever.csv:1:", "CR alene"]),
    (b"elev_id,uddannelse,ansat_dato,alder,oplaeringssted,rekruttering\nA1,SSH,2022-02-01,24,"
     b"Sted,ekstern\rA2,SSH,2022-02-01,24,Sted,ekstern\n", ["elever.csv:2:", "CR alene"]),
])
def test_broken_files_give_a_message_not_a_traceback(minimal_copy: Path, content: bytes,
                                                     words: list[str]) -> None:
    (minimal_copy / "elever.csv").write_bytes(content)
    report = "\n".join(_problems(minimal_copy))
    for word in words:
        assert word in report


def test_a_short_line_is_one_problem(minimal_copy: Path) -> None:
    """DuckDB rejects a line short of five fields once per missing field."""
    with open(minimal_copy / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write("Udskrevet 2026-11-22\n")
    assert _problems(minimal_copy) == ["elever.csv:10: linjen har ikke 6 felter som "
                                       "overskriften"]


def test_truncated_excel_file(minimal_copy: Path) -> None:
    (minimal_copy / "elever.csv").unlink()
    (minimal_copy / "elever.xlsx").write_bytes(b"PK\x03\x04 truncated zip")
    assert "elever.xlsx: kan ikke åbnes som Excel-fil" in "\n".join(_problems(minimal_copy))


def test_a_workbook_part_that_is_not_well_formed_xml(minimal_copy: Path) -> None:
    """openpyxl raises the XML parser's error for a cut-off xl/workbook.xml."""
    (minimal_copy / "elever.csv").unlink()
    book = openpyxl.Workbook()
    book.active.append(["elev_id"])
    packed = io.BytesIO()
    book.save(packed)
    with zipfile.ZipFile(packed) as source, \
            zipfile.ZipFile(minimal_copy / "elever.xlsx", "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data.replace(b"</workbook>", b"")
                            if info.filename == "xl/workbook.xml" else data)
    assert "elever.xlsx: kan ikke åbnes som Excel-fil" in "\n".join(_problems(minimal_copy))


def test_missing_and_unknown_files(minimal_copy: Path) -> None:
    (minimal_copy / "frafald.csv").rename(minimal_copy / "frafaldne.csv")
    report = "\n".join(_problems(minimal_copy))
    assert "frafaldne.csv: ukendt fil" in report
    assert "frafald.csv: filen mangler" in report


def test_missing_folder() -> None:
    assert "mappen findes ikke" in "\n".join(_problems(Path("/nonexistent/folder")))


def test_many_problems_are_capped_with_a_count(minimal_copy: Path) -> None:
    lines = ["elev_id,uddannelse,ansat_dato,alder,oplaeringssted,rekruttering"]
    lines += [f"X{i},SSH,2022-01-01,999,Sted,ekstern" for i in range(500)]
    (minimal_copy / "elever.csv").write_text("\n".join(lines), encoding="utf-8")
    report = _problems(minimal_copy)
    assert len(report) == 201
    # 500 bad ages + 12 rows in the other files whose students are now missing
    assert report[-1].startswith("… og 312 fejl mere")


def test_refused_load_leaves_the_database_byte_for_byte(minimal_copy: Path,
                                                        tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    load_folder(minimal_copy, db, today=TODAY)
    before = file_digest(db)
    (minimal_copy / "frafald.csv").write_text("noget helt andet\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_folder(minimal_copy, db, today=TODAY)
    assert file_digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "input", "live-historik", "live-udgivet", "live.duckdb", "live.duckdb.lock"]
    assert len(list((tmp_path / "live-historik").iterdir())) == 1  # the refused load: nothing


def test_cli_exit_status_and_summary(minimal_copy: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "cli.duckdb"
    assert main(["load", str(minimal_copy), "--db", str(db)]) == 0
    assert "OK: elever 8" in capsys.readouterr().out
    (minimal_copy / "elever.csv").write_text("x\n", encoding="utf-8")
    assert main(["load", str(minimal_copy), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "Databasen er ikke ændret" in err and "Traceback" not in err


def test_kpi_json_from_the_cli(minimal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["kpi", "--db", str(minimal_db), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["cohorts"][1]["ansatte"] == 4
    assert main(["kpi", "--db", str(minimal_db), "--site", "Plejecenter Å", "--json"]) == 0
    site = json.loads(capsys.readouterr().out)
    assert [c["ansatte"] for c in site["cohorts"]] == [2, 2]
    assert main(["kpi", "--db", "/nonexistent.duckdb"]) == 1


def test_kpi_piped_to_a_reader_that_stops_early_is_not_an_error(
        minimal_db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    # `sosu kpi | head`: the reader has closed its end of the pipe.
    reader, writer = os.pipe()
    os.close(reader)
    with os.fdopen(writer, "w") as closed_pipe:
        monkeypatch.setattr("sys.stdout", closed_pipe)
        assert main(["kpi", "--db", str(minimal_db)]) == 0
        monkeypatch.undo()
    assert "Uventet fejl" not in capsys.readouterr().err
