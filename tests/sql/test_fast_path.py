"""The fast load path (sosu.etl.fast) never accepts what the text path refuses, and builds
exactly the tables the text path builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import sosu.etl.load
from sosu.domain.contract import FILES, Column
from sosu.etl.fast import NATIVE, validate_fast
from sosu.etl.load import load_folder
from sosu.etl.read import ISO_DATE, cell_text, read_csv
from sosu.etl.validate import parse_expression
from tests.sql.inputs import CASES, VARIANTS
from tests.support import MINIMAL, TODAY, fast_path_accepts, sweep

# Awkward cells: padding, other formats, impossible dates, exponents, NaN, separators.
AWKWARD = {
    "month": ["2023-09", "2023-9", " 2023-09", "2023-09 ", "2023-09-01", "2023-09-15",
              "2023-9-1", "2023-13", "2023-00", "2023-09x", "202309", "09-2023", "+2023-09",
              "02023-09", " ", ""],
    "hours": ["148.0", "148", "148,0", "7,5", "1.234,5", "1,234.5", " 148.0", "148.0 ", "1e3",
              "1E3", "1,5e3", "inf", "-inf", "nan", "NaN", "Infinity", "+5", "-5", ".5", "5.",
              ",5", "5,", "0x10", "1_000", "5 5", "1.2.3", "1,2,3", "١٢",
              "148.00000000000000001", "1e400", "-0", "0.1e-400", " ", ""],
}


def _fast_value(con: duckdb.DuckDBPyConnection, tmp: Path, kind: str, cell: str,
                delimiter: str) -> tuple[bool, object]:
    """(accepted, value) as sosu.etl.fast's read_csv call reads one cell of this kind."""
    duck_type, date_format = NATIVE[kind]
    path = tmp / "cell.csv"
    quoted = '"' + cell.replace('"', '""') + '"' if cell else ""
    path.write_text(f"id{delimiter}v\n1{delimiter}{quoted}\n", encoding="utf-8")
    con.execute("DROP TABLE IF EXISTS rej")
    con.execute("DROP TABLE IF EXISTS rej_scan")
    reader, parameters = read_csv(path, delimiter, {"id": "VARCHAR", "v": duck_type}, "rej",
                                  dateformat=date_format or ISO_DATE)
    con.execute(f"CREATE OR REPLACE TEMP TABLE cell AS SELECT v FROM {reader}", parameters)
    rejected = con.execute("SELECT count(*) FROM rej").fetchone()
    if rejected and rejected[0]:
        return False, None
    row = con.execute("SELECT v FROM cell").fetchone()
    return True, row[0] if row else None


def _text_value(con: duckdb.DuckDBPyConnection, kind: str, cell: str) -> object:
    expression = parse_expression(Column("v", kind, "", ""))  # type: ignore[arg-type]
    row = con.execute(f"SELECT {expression} FROM (SELECT nullif(trim(?), '') AS v)",
                      [cell]).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize(("cell", "text"), [
    (None, None), ("", None), ("   ", None), (" a ", "a"), ("  a b  ", "a b"),
    ("\u00a0SSA\u2009", "SSA"), ("\u3000", None), ("ø ", "ø")])
def test_a_cells_text_is_trimmed_of_every_space(cell: str | None, text: str | None) -> None:
    """read.cell_text, the one expression every path reads a cell's text with."""
    row = duckdb.connect().execute(f"SELECT {cell_text('v')} FROM (SELECT ?::VARCHAR AS v)",
                                   [cell]).fetchone()
    assert row == (text,)


def test_hours_with_more_than_two_decimals_are_flagged_as_round_would() -> None:
    """fast._hours_may_hide_cpr spells round(x, 2) <> x out (four times faster): the
    same answer on hours as read_csv gives them, and on random values."""
    from sosu.domain.contract import FILES_BY_NAME
    from sosu.etl.fast import _hours_may_hide_cpr

    flag = _hours_may_hide_cpr(FILES_BY_NAME["sygefravaer"])
    values = [0.0, 0.01, 0.005, 0.015, 1.005, 2.675, 22.1, 148.0, 7.5, 10.1901234,
              1.01901234e-7, 744.0, 744.004, 12.345, 99.99, 0.1 + 0.2, 1e-300, 5e300,
              float("nan")]
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT x, ({flag}) IS TRUE, (round(x, 2) <> x) IS TRUE FROM (SELECT unnest(?) AS x, "
        "unnest(?) AS planlagte_timer, unnest(?) AS syge_timer)",
        [values, values, [0.0] * len(values)]).fetchall()
    assert [(x, spelled) for x, spelled, _ in rows] == [(x, rounded) for x, _, rounded in rows]
    disagree = con.execute(
        f"SELECT count(*) FROM (SELECT random() * 800 AS planlagte_timer, "
        f"round(random() * 80, 1) AS syge_timer FROM range(200000)) "
        f"WHERE ({flag}) <> (round(planlagte_timer, 2) <> planlagte_timer "
        f"OR round(syge_timer, 2) <> syge_timer)").fetchone()
    assert disagree == (0,)


def _same(a: object, b: object) -> bool:
    return a == b or (a != a and b != b)  # NaN equals NaN here


@pytest.mark.parametrize(("cell", "accepted"), [
    ("2022-02-01", True), ("44593", False), ("epoch", False), ("infinity", False),
    ("22-02-01", False), ("0022-02-01", False),
    # a date written otherwise than the file's others (rules.date_convention_sql)
    ("01-02-22", False)])
def test_dates_are_read_by_the_text_paths_expression(minimal_copy: Path, cell: str,
                                                     accepted: bool) -> None:
    """read_csv's own dates read 'epoch' as 1970 and '23-01-05' as the year 23, so the fast
    path reads dates as text with parse_expression and declines what that refuses."""
    assert "date" not in NATIVE
    path = minimal_copy / "elever.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2022-02-01", cell, 1),
                    encoding="utf-8")
    con = duckdb.connect()
    assert (validate_fast(con, minimal_copy, TODAY) is not None) == accepted
    if accepted:
        assert con.execute("SELECT ansat_dato FROM elever WHERE elev_id = 'A1'").fetchone() == (
            dt.date(2022, 2, 1),)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("kind", list(NATIVE))
def test_read_csv_accepts_only_what_the_text_path_reads_the_same(
        tmp_path: Path, kind: str, delimiter: str) -> None:
    con = duckdb.connect()
    for cell in AWKWARD[kind]:
        accepted, fast = _fast_value(con, tmp_path, kind, cell, delimiter)
        if accepted:
            text = _text_value(con, kind, cell)
            assert _same(fast, text), f"{kind} {cell!r}: read_csv {fast!r}, text path {text!r}"


# `make check` asks one rule of each file; `make test` every rule.
@pytest.mark.parametrize(("file", "old", "new", "words"), sweep(
    CASES, [f"{c[0]}-{'-'.join(c[3][1:2])[:30]}" for c in CASES], group=lambda case: case[0]))
def test_fast_path_declines_every_refused_input(minimal_copy: Path, file: str, old: str,
                                               new: str, words: list[str]) -> None:
    path = minimal_copy / f"{file}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert not fast_path_accepts(minimal_copy)


def test_a_refused_students_file_declines_before_the_sick_leave_is_read(
        minimal_copy: Path) -> None:
    """A file's own rules are asked as soon as it is read: a bad age in elever sends the
    load to the text path without reading the (nationally millions of) sick-leave rows."""
    path = minimal_copy / "elever.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[3] = "245"  # an age the contract refuses
    path.write_text("".join([lines[0], ",".join(cells), *lines[2:]]), encoding="utf-8")
    steps: list[str] = []
    con = duckdb.connect()
    assert validate_fast(con, minimal_copy, TODAY,
                         progress=lambda step, _fraction: steps.append(step)) is None
    assert steps == ["Læser elever.csv"]
    assert "sygefravaer" not in {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables()").fetchall()}


def _tables(db: Path) -> dict[str, list[tuple]]:
    """Every table the database keeps: the files' in file order, the rest as sets of rows
    (the sick-leave file's rows are compared through what is built from them)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        files = {spec.name for spec in FILES}
        tables = {name: con.execute(
            f"SELECT * FROM {name} ORDER BY rowid" if name in files else
            f"SELECT * EXCLUDE (indlaest_tid) FROM {name}" if name == "indlaesning" else
            f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in names}
    finally:
        con.close()
    assert {"elever", "int_sygefravaer_maaned", "int_tidlig_elevmaaneder"} <= set(tables)
    return tables


def _text_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sosu.etl.load, "validate_fast", lambda *args, **kwargs: None)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, students_per_year=40, years=6, seed=3, today=TODAY, municipalities=2)
    return folder


@pytest.mark.parametrize("source", sweep(["minimal", "generated", *VARIANTS]))
def test_fast_and_text_path_build_the_same_tables(
        source: str, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if source == "minimal":
        folder = MINIMAL
    elif source == "generated":
        folder = generated
    else:
        folder = tmp_path / "input"
        folder.mkdir()
        VARIANTS[source](folder)
    load_folder(folder, tmp_path / "fast.duckdb", today=TODAY)
    with monkeypatch.context() as patch:
        _text_path_only(patch)
        load_folder(folder, tmp_path / "text.duckdb", today=TODAY)
    assert _tables(tmp_path / "fast.duckdb") == _tables(tmp_path / "text.duckdb")


def test_clean_exports_take_the_fast_path(generated: Path) -> None:
    assert validate_fast(duckdb.connect(), MINIMAL, TODAY) is not None
    assert validate_fast(duckdb.connect(), generated, TODAY) is not None


def test_a_problem_deep_in_a_big_file_is_reported_by_line(generated: Path,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    for spec in FILES:
        (folder / f"{spec.name}.csv").write_bytes((generated / f"{spec.name}.csv").read_bytes())
    sick = folder / "sygefravaer.csv"
    lines = sick.read_text(encoding="utf-8").splitlines(keepends=True)
    target = len(lines) - 7
    fields = lines[target - 1].split(",")
    fields[4] = str(float(fields[3]) + 1)  # more sick hours than planned
    lines[target - 1] = ",".join(fields)
    sick.write_text("".join(lines), encoding="utf-8")
    from sosu.etl.load import check_folder
    from sosu.etl.problems import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    assert refused.value.report() == [
        f"sygefravaer.csv:{target}: syge_timer: sygetimer ({float(fields[4])}) er flere end de "
        f"planlagte timer ({float(fields[3])})"]


def test_generated_national_shape_passes_validation(generated: Path) -> None:
    """The generator's data is clean by construction, at any scale and date."""
    from bench.generate import generate
    from sosu.etl.load import check_folder

    counts = check_folder(generated, today=TODAY)
    assert counts["elever"] == 40 * 6 and counts["sygefravaer"] > 40 * 6 * 10
    later = generated.parent / "later"
    generate(later, students_per_year=25, years=3, seed=9, today=dt.date(2027, 3, 1))
    check_folder(later, today=dt.date(2027, 3, 1))


def test_sick_leave_years_after_hire_keeps_to_the_fast_path(minimal_copy: Path,
                                                            tmp_path: Path) -> None:
    """A month more than ten years after hire (beyond any limit of the screen's own) is
    checked on the fast path like any other and loads."""
    with (minimal_copy / "elever.csv").open("a", encoding="utf-8") as elever:
        elever.write("Z1,SSH,2012-01-01,30,Plejecenter Å,ekstern\n")
    with (minimal_copy / "sygefravaer.csv").open("a", encoding="utf-8") as sick:
        sick.write("Z1,SSH,2012-06,150.0,1.0,Plejecenter Å\n"
                   "Z1,SSH,2023-05,150.0,3.0,Plejecenter Å\n")
    assert fast_path_accepts(minimal_copy)
    summary = load_folder(minimal_copy, tmp_path / "sosu.duckdb", today=TODAY)
    assert summary.rows["sygefravaer"] == 7


def test_a_late_non_utf8_byte_sends_the_load_down_the_text_path(
        minimal_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path judges the encoding on the first piece of a file and lets read_csv
    reject any later line that is not UTF-8; the text path then reads the file as the
    Windows-1252 it is."""
    import sosu.etl.read

    monkeypatch.setattr(sosu.etl.read, "CHUNK", 64)  # the first 'Å' lies beyond byte 64
    elever = minimal_copy / "elever.csv"
    elever.write_bytes(elever.read_text(encoding="utf-8").encode("cp1252"))
    assert b"\xc5" not in elever.read_bytes()[:64]
    assert not fast_path_accepts(minimal_copy)
    load_folder(minimal_copy, tmp_path / "sosu.duckdb", today=TODAY)
    con = duckdb.connect(str(tmp_path / "sosu.duckdb"), read_only=True)
    sites = {row[0] for row in con.execute("SELECT oplaeringssted FROM elever").fetchall()}
    assert "Plejecenter Å" in sites


def test_a_refused_sick_leave_month_stops_the_build_at_its_screen(
        minimal_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules over every sick-leave month are screened on int_elevmaaneder as soon as
    it is built: a refused load builds nothing after it before the text path reports."""
    from sosu.etl.fast import ScreenedBuild
    from sosu.etl.problems import ValidationFailed

    told: list[str] = []
    ask = ScreenedBuild.__call__

    def telling(self: ScreenedBuild, model: str) -> bool:
        told.append(model)
        return ask(self, model)

    monkeypatch.setattr(ScreenedBuild, "__call__", telling)
    sick = minimal_copy / "sygefravaer.csv"
    lines = sick.read_text(encoding="utf-8").splitlines(keepends=True)
    sick.write_text("".join([*lines, lines[-1]]), encoding="utf-8")  # a month twice
    with pytest.raises(ValidationFailed) as refused:
        load_folder(minimal_copy, tmp_path / "sosu.duckdb", today=TODAY)
    assert "samme elev og måned" in "\n".join(refused.value.report())
    assert told[-1] == "int_elevmaaneder"
    assert "int_tidlig_elevmaaneder" not in told
