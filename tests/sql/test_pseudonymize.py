"""`sosu pseudonymize`: CPR numbers become keyed, stable pseudonyms, and none is left.

Every CPR-shaped number here is made up.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sosu.cli.main import main
from sosu.domain.contract import FILES
from sosu.etl.load import check_folder, load_folder
from sosu.etl.pseudonymize import PseudonymizeError, Pseudonymizer, pseudonymize_folder
from tests.support import MINIMAL, TODAY, kpi_of

# Fixture id → made-up CPR number. A4, B2 and B3 keep their ordinary pseudonyms.
CPRS = {"A1": "010190-1234", "A2": "020285-1234", "A3": "150399-4321", "B1": "311201-1111"}
CPR_BYTES = re.compile(rb"\d{6}-?\d{4}")
PSEUDONYM = re.compile(r"P[a-p]{16}")


def _rows(name: str) -> list[list[str]]:
    with open(MINIMAL / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _cpr_spelling(cpr: str, index: int) -> str:
    """Alternate ddmmyy-xxxx and ddmmyyxxxx between files: both are the same person."""
    return cpr if index % 2 == 0 else cpr.replace("-", "")


def _cpr_rows(index: int, name: str) -> list[list[str]]:
    rows = _rows(name)
    return [rows[0]] + [[_cpr_spelling(CPRS[r[0]], index) if r[0] in CPRS else r[0], *r[1:]]
                        for r in rows[1:]]


def _write_csv(folder: Path, name: str, rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding))


def _cpr_folder(folder: Path, **options: str) -> Path:
    folder.mkdir()
    for index, spec in enumerate(FILES):
        _write_csv(folder, spec.name, _cpr_rows(index, spec.name), **options)
    return folder


@pytest.fixture
def cpr_input(tmp_path: Path) -> Path:
    return _cpr_folder(tmp_path / "input")


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    return folder


def _run(in_dir: Path, out_dir: Path, key: Path, force: bool = False) -> None:
    pseudonymize_folder(in_dir, out_dir, key, force=force)


def _output_rows(folder: Path, name: str) -> list[list[str]]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _ids(folder: Path) -> list[str]:
    return [row[0] for spec in FILES for row in _output_rows(folder, spec.name)[1:]]


def _kpi(folder: Path, db: Path) -> dict:
    load_folder(folder, db, today=TODAY)
    return kpi_of(db)


def _assert_no_cpr(folder: Path) -> None:
    for path in folder.iterdir():
        assert not CPR_BYTES.search(path.read_bytes()), path.name


# --- pseudonyms ---------------------------------------------------------------------


def test_same_cpr_gets_the_same_pseudonym_in_every_file(cpr_input: Path, key_dir: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(cpr_input, out, key_dir / "nøgle")
    seen: dict[str, set[str]] = {}
    for spec in FILES:
        original = _rows(spec.name)
        written = _output_rows(out, spec.name)
        assert written[0] == list(spec.column_names)
        assert len(written) == len(original)
        for before, after in zip(original[1:], written[1:], strict=True):
            seen.setdefault(before[0], set()).add(after[0])
            assert after[1:] == before[1:]  # every other value unchanged
    for fixture_id, pseudonyms in seen.items():
        assert len(pseudonyms) == 1, fixture_id
        (pseudonym,) = pseudonyms
        if fixture_id in CPRS:
            assert PSEUDONYM.fullmatch(pseudonym)
        else:
            assert pseudonym == fixture_id
    assert len({next(iter(seen[i])) for i in CPRS}) == len(CPRS)


def test_same_key_gives_identical_output_across_runs(cpr_input: Path, key_dir: Path,
                                                     tmp_path: Path) -> None:
    key = key_dir / "nøgle"
    _run(cpr_input, tmp_path / "first", key)
    _run(cpr_input, tmp_path / "second", key)
    for spec in FILES:
        name = f"{spec.name}.csv"
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_different_keys_give_different_pseudonyms(cpr_input: Path, key_dir: Path,
                                                  tmp_path: Path) -> None:
    _run(cpr_input, tmp_path / "one", key_dir / "en")
    _run(cpr_input, tmp_path / "two", key_dir / "to")
    one = {i for i in _ids(tmp_path / "one") if PSEUDONYM.fullmatch(i)}
    two = {i for i in _ids(tmp_path / "two") if PSEUDONYM.fullmatch(i)}
    assert len(one) == len(two) == len(CPRS)
    assert not one & two


def test_output_passes_the_loader_with_the_same_figures(cpr_input: Path, key_dir: Path,
                                                        tmp_path: Path) -> None:
    from sosu.etl.problems import ValidationFailed

    with pytest.raises(ValidationFailed):  # the raw export is refused: it holds CPR numbers
        check_folder(cpr_input, today=TODAY)
    out = tmp_path / "out"
    _run(cpr_input, out, key_dir / "nøgle")
    assert check_folder(out, today=TODAY) == check_folder(MINIMAL, today=TODAY)
    assert _kpi(out, tmp_path / "out.duckdb") == _kpi(MINIMAL, tmp_path / "ref.duckdb")


def test_no_cpr_shaped_text_is_left_anywhere(cpr_input: Path, key_dir: Path,
                                             tmp_path: Path) -> None:
    rows = _cpr_rows(0, "efter_uddannelse")
    rows[1][3] = "SSA-elev, se 0101901234 og 311201-1111"
    rows[2][3] = "ref0202851234567 / 12345-150399-4321-99"  # glued to other digits
    _write_csv(cpr_input, "efter_uddannelse", rows)
    rows = _cpr_rows(0, "frafald")
    rows[2][5] = "Døgnplejen Øst (leder 010190-1234)"
    _write_csv(cpr_input, "frafald", rows)
    out = tmp_path / "out"
    _run(cpr_input, out, key_dir / "nøgle")
    _assert_no_cpr(out)
    text = (out / "efter_uddannelse.csv").read_text(encoding="utf-8-sig")
    elever = dict((r[0], r[1]) for r in _output_rows(out, "elever")[1:])
    a1 = next(i for i, u in elever.items() if PSEUDONYM.fullmatch(i) and u == "SSA")
    assert f"SSA-elev, se {a1} og P" in text  # free text uses the same pseudonym
    check_folder(out, today=TODAY)


def test_pseudonyms_never_look_like_cpr_numbers() -> None:
    pseudo = Pseudonymizer(bytes(range(32)))
    for n in range(20_000):
        cpr = f"{n % 28 + 1:02d}{n % 12 + 1:02d}{n % 100:02d}{n:04d}"
        pseudonym = pseudo.pseudonym(cpr)
        assert PSEUDONYM.fullmatch(pseudonym)
        assert not re.search(r"\d", pseudonym)
    assert pseudo.pseudonym("010190-1234") == pseudo.pseudonym("0101901234")


def test_excel_number_without_leading_zero_is_still_a_cpr_number() -> None:
    pseudo = Pseudonymizer(bytes(32))
    assert pseudo.elev_id("101901234") == pseudo.pseudonym("010190-1234")
    # Nine digits that cannot be a date are an ordinary pseudonym.
    assert pseudo.elev_id("991301234") == "991301234"
    assert pseudo.elev_id("E0001") == "E0001"


# --- input formats ------------------------------------------------------------------


def test_cp1252_semicolon_input(key_dir: Path, tmp_path: Path) -> None:
    key = key_dir / "nøgle"
    _run(_cpr_folder(tmp_path / "plain"), tmp_path / "expected", key)
    _run(_cpr_folder(tmp_path / "cp1252", delimiter=";", encoding="cp1252"),
         tmp_path / "out", key)
    for spec in FILES:
        name = f"{spec.name}.csv"
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "expected" / name).read_bytes()
    assert "Plejecenter Å" in (tmp_path / "out" / "elever.csv").read_text(encoding="utf-8")


def _write_xlsx(folder: Path, workbook: bool) -> None:
    folder.mkdir()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, spec in enumerate(FILES):
        if not workbook:
            book = openpyxl.Workbook()
            book.remove(book.active)
        sheet = book.create_sheet(spec.name)
        rows = _cpr_rows(index, spec.name)
        sheet.append(rows[0])
        for row in rows[1:]:
            # A1 typed as a number in elever, as Excel stores it: the leading zero is lost.
            first: object = 101901234 if row[0] == "010190-1234" else row[0]
            sheet.append([first, *row[1:]])
        if not workbook:
            book.save(folder / f"{spec.name}.xlsx")
    if workbook:
        book.save(folder / "eksport.xlsx")


@pytest.mark.parametrize("workbook", [False, True], ids=["xlsx_files", "one_workbook"])
def test_excel_input(workbook: bool, key_dir: Path, tmp_path: Path) -> None:
    key = key_dir / "nøgle"
    _run(_cpr_folder(tmp_path / "plain"), tmp_path / "expected", key)
    _write_xlsx(tmp_path / "excel", workbook)
    _run(tmp_path / "excel", tmp_path / "out", key)
    for spec in FILES:
        name = f"{spec.name}.csv"
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "expected" / name).read_bytes()
    _assert_no_cpr(tmp_path / "out")


# --- the key ------------------------------------------------------------------------


def test_key_is_created_owner_only_and_announced(cpr_input: Path, key_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    key = key_dir / "nøgle"
    assert main(["pseudonymize", str(cpr_input), str(tmp_path / "out"),
                 "--key-file", str(key)]) == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", key.read_text(encoding="ascii"))
    output = capsys.readouterr()
    assert "Ny nøgle oprettet" in output.err and "kopi" in output.err
    assert "4 forskellige" in output.out
    assert main(["pseudonymize", str(cpr_input), str(tmp_path / "again"),
                 "--key-file", str(key)]) == 0
    assert "Ny nøgle" not in capsys.readouterr().err


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["pseudonymize", *args]) == 1
    output = capsys.readouterr()
    assert "Traceback" not in output.err and output.out == ""
    return output.err


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_key_readable_by_others_is_refused(mode: int, cpr_input: Path, key_dir: Path,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    key = key_dir / "nøgle"
    key.write_text("ab" * 32 + "\n", encoding="ascii")
    key.chmod(mode)
    err = _refused([str(cpr_input), str(tmp_path / "out"), "--key-file", str(key)], capsys)
    assert "kan læses af andre" in err and "chmod 600" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["input", "out"])
def test_key_inside_a_data_folder_is_refused(where: str, cpr_input: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").mkdir()
    key = tmp_path / where / "nøgle"
    err = _refused([str(cpr_input), str(tmp_path / "out"), "--key-file", str(key)], capsys)
    assert "ligger i datamappen" in err
    assert not key.exists()


def test_key_folder_must_exist(cpr_input: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "mangler" / "nøgle"
    err = _refused([str(cpr_input), str(tmp_path / "out"), "--key-file", str(key)], capsys)
    assert "findes ikke" in err and "mangler" in err
    assert not key.parent.exists()


def test_damaged_key_is_refused(cpr_input: Path, key_dir: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    key = key_dir / "nøgle"
    key.write_text("ikke en nøgle\n", encoding="utf-8")
    key.chmod(0o600)
    err = _refused([str(cpr_input), str(tmp_path / "out"), "--key-file", str(key)], capsys)
    assert "ikke en gyldig nøgle" in err


def test_key_file_is_required(cpr_input: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["pseudonymize", str(cpr_input), str(tmp_path / "out")])
    assert exit_.value.code == 2


# --- folders and failures -----------------------------------------------------------


def test_folder_problems_are_refused(cpr_input: Path, key_dir: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    key = str(key_dir / "nøgle")
    assert "inputmappen" in _refused([str(tmp_path / "nej"), str(tmp_path / "out"),
                                      "--key-file", key], capsys)
    assert "samme som inputmappen" in _refused([str(cpr_input), str(cpr_input),
                                                "--key-file", key], capsys)
    other = tmp_path / "other"
    other.mkdir()
    (other / "noter.xlsx").write_bytes(b"")
    assert "andre datafiler (noter.xlsx)" in _refused([str(cpr_input), str(other),
                                                       "--key-file", key], capsys)
    assert not (key_dir / "nøgle").exists()  # no key is made for a run that is refused


def test_existing_output_needs_force(cpr_input: Path, key_dir: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = [str(cpr_input), str(out), "--key-file", str(key_dir / "nøgle")]
    assert main(["pseudonymize", *args]) == 0
    capsys.readouterr()
    (out / "elever.csv").write_text("gammel\n", encoding="utf-8")
    assert "--force" in _refused(args, capsys)
    assert (out / "elever.csv").read_text(encoding="utf-8") == "gammel\n"
    assert main(["pseudonymize", *args, "--force"]) == 0
    check_folder(out, today=TODAY)


def test_unreadable_input_is_reported_without_cpr(cpr_input: Path, key_dir: Path,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (cpr_input / "elever.csv").write_text(
        "elev_id,010190-1234,ansat_dato\n020285-1234,SSH\n", encoding="utf-8")
    err = _refused([str(cpr_input), str(tmp_path / "out"), "--key-file",
                    str(key_dir / "nøgle")], capsys)
    assert "elever.csv:1:" in err and "Ingen filer er skrevet" in err
    assert not CPR_BYTES.search(err.encode())
    assert not (tmp_path / "out").exists()


def test_a_crash_while_writing_leaves_no_half_files(cpr_input: Path, key_dir: Path,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import sosu.etl.pseudonymize as module

    out = tmp_path / "out"
    key = key_dir / "nøgle"
    _run(cpr_input, out, key)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real, calls = module._write_file, []

    def failing(*args: object) -> tuple[Path, int]:
        calls.append(args)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_write_file", failing)
    with pytest.raises(PseudonymizeError, match="ingen halve filer"):
        _run(cpr_input, out, key, force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_cli_never_prints_a_cpr_number(cpr_input: Path, key_dir: Path, tmp_path: Path) -> None:
    """The real command in a subprocess: nothing on stdout or stderr is CPR-shaped."""
    sosu = Path(sys.executable).with_name("sosu")
    runs = [
        [str(cpr_input), str(tmp_path / "out"), "--key-file", str(key_dir / "nøgle")],
        [str(cpr_input), str(tmp_path / "out"), "--key-file", str(key_dir / "nøgle")],
        [str(cpr_input), str(tmp_path / "x"), "--key-file", str(cpr_input / "010190-1234")],
    ]
    codes = []
    for args in runs:
        done = subprocess.run([str(sosu), "pseudonymize", *args], capture_output=True,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
        codes.append(done.returncode)
        assert not CPR_BYTES.search(done.stdout + done.stderr), args
        assert b"Traceback" not in done.stderr
    assert codes == [0, 1, 1]


def test_the_optional_initiatives_file_goes_through(cpr_input: Path, key_dir: Path,
                                                    tmp_path: Path) -> None:
    from tests.support import INITIATIVES

    shutil.copy(INITIATIVES, cpr_input / "indsatser.csv")
    out = tmp_path / "out"
    _run(cpr_input, out, key_dir / "nøgle")
    rows = _output_rows(out, "indsatser")
    assert rows[0] == ["navn", "fokusomraade", "start_dato", "status", "maal_id"]
    assert rows[1][0] == "Personlige vejledere" and len(rows) == 6
    assert check_folder(out, today=TODAY)["indsatser"] == 5


def test_force_removes_an_old_initiatives_file_the_input_no_longer_has(
        cpr_input: Path, key_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "indsatser.csv").write_text("navn,fokusomraade,start_dato,status,maal_id\n",
                                       encoding="utf-8")
    _run(cpr_input, out, key_dir / "nøgle", force=True)
    assert not (out / "indsatser.csv").exists()
