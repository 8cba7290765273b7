"""The SQL models: one object per file, named as the file, built in the declared order.

`build_order` (run by every load) refuses a missing header, a misnamed or doubled object,
an unknown dependency, a read from a later layer and a cycle; `undeclared_references`
catches a header that leaves out a model the body reads, so headers cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sosu.etl.models import (
    LAYERS,
    SQL_DIR,
    ModelError,
    build_order,
    read_models,
    undeclared_references,
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for layer in LAYERS:
        (root / layer).mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(sql, encoding="utf-8")
    return root


GOOD = {
    "staging/stg_a.sql": "-- depends:\nCREATE OR REPLACE VIEW stg_a AS SELECT 1 AS x;\n",
    "intermediate/dobbelt.sql": "-- depends:\nCREATE OR REPLACE MACRO dobbelt(v) AS 2 * v;\n",
    "intermediate/int_b.sql": (
        "-- depends: stg_a, dobbelt\n"
        "-- A comment that names int_c and stg_a is no reference.\n"
        "CREATE OR REPLACE TABLE int_b AS\n"
        "WITH a AS (SELECT * FROM stg_a)\n"
        "SELECT dobbelt(x) AS dobbelt, 'int_c' AS tekst FROM a;\n"),
    "metrics/maal.sql": (
        "-- depends: int_b\n"
        "CREATE OR REPLACE MACRO maal(n) AS TABLE\n"
        "WITH int_c AS (SELECT 1 AS y) SELECT * FROM int_b, int_c;\n"),
    "intermediate/int_c.sql": "-- depends:\nCREATE OR REPLACE VIEW int_c AS SELECT 3 AS z;\n",
}


def test_the_shipped_models_build_in_their_declared_order() -> None:
    order = build_order()
    assert len(order) == len({model.name for model in order}) > 40
    built: set[str] = set()
    for model in order:
        assert set(model.depends) <= built, model.name
        assert model.path.stem == model.name
        built.add(model.name)


def test_no_shipped_header_leaves_out_a_model_its_body_reads() -> None:
    models = read_models()
    con = duckdb.connect()
    missing = {name: undeclared_references(model, models, con)
               for name, model in models.items()}
    assert not {name: refs for name, refs in missing.items() if refs}


def test_a_body_reading_an_undeclared_model_is_caught(tmp_path: Path) -> None:
    root = _write(tmp_path, GOOD)
    models = read_models(root)
    con = duckdb.connect()
    # Comments, strings, columns and CTEs named like models are not references.
    assert all(not undeclared_references(model, models, con) for model in models.values())

    stale = GOOD["metrics/maal.sql"].replace("SELECT * FROM int_b, int_c;",
                                              "SELECT dobbelt(z) FROM int_b, main.int_c;")
    stale = stale.replace("WITH int_c AS (SELECT 1 AS y) ", "")
    _write(root, {"metrics/maal.sql": stale})
    models = read_models(root)
    assert undeclared_references(models["maal"], models, con) == {"dobbelt", "int_c"}
    build_order(root)  # the order alone cannot know: the test above is what catches it


@pytest.mark.parametrize(("change", "message"), [
    ({"intermediate/int_b.sql": GOOD["intermediate/int_b.sql"].replace("-- depends: ", "-- ")},
     "første linje skal være '-- depends: ...'"),
    ({"intermediate/int_c.sql": "-- depends:\nCREATE VIEW int_d AS SELECT 1;\n"},
     "filen skaber int_d; den skal hedde int_d.sql"),
    ({"intermediate/int_c.sql": "-- depends:\nCREATE VIEW int_c AS SELECT 1;\n"
                                "CREATE VIEW int_e AS SELECT 2;\n"},
     "en fil skal skabe netop ét objekt"),
    ({"metrics/maal.sql": GOOD["metrics/maal.sql"].replace("int_b\n", "int_b, int_x\n")},
     "nævner int_x, som ingen fil i sql/ skaber"),
    ({"staging/stg_a.sql": "-- depends: int_c\nCREATE VIEW stg_a AS SELECT 1 AS x;\n"},
     "staging må ikke læse int_c fra det senere lag intermediate"),
    ({"intermediate/int_c.sql": "-- depends: int_b\nCREATE VIEW int_c AS SELECT 3 AS z;\n",
      "intermediate/int_b.sql": GOOD["intermediate/int_b.sql"].replace("dobbelt\n",
                                                                       "dobbelt, int_c\n")},
     "ring af afhængigheder mellem sql/intermediate/int_b.sql (int_c), "
     "sql/intermediate/int_c.sql (int_b)"),
    ({"metrics/int_b.sql": "-- depends:\nCREATE VIEW int_b AS SELECT 1;\n"},
     "modellen int_b findes også i"),
])
def test_an_inconsistent_set_of_models_is_refused_by_name(
        tmp_path: Path, change: dict[str, str], message: str) -> None:
    root = _write(tmp_path, {**GOOD, **change})
    with pytest.raises(ModelError, match="^sql/|^ring") as refused:
        build_order(root)
    assert message in str(refused.value)


def test_the_order_follows_the_headers_not_the_alphabet(tmp_path: Path) -> None:
    root = _write(tmp_path, GOOD)
    names = [model.name for model in build_order(root)]
    assert names.index("dobbelt") < names.index("int_b") < names.index("maal")
    assert names.index("stg_a") < names.index("int_b")
    assert names[0] == "stg_a"  # layer first, then name, among the models that are ready


def test_every_file_under_sql_is_a_model() -> None:
    files = sorted(SQL_DIR.rglob("*.sql"))
    assert [path.parts[len(SQL_DIR.parts)] for path in files
            if path.parts[len(SQL_DIR.parts)] not in LAYERS] == []
    assert len(files) == len(read_models())


def test_a_column_the_contract_marks_unused_is_read_by_no_model(minimal_db: Path) -> None:
    """The load's fast path keeps an unused column as written (only the CPR check reads
    it, trimmed): every model must build with the column gone."""
    from sosu.domain.contract import FILES
    from sosu.etl.fast import TYPES
    from sosu.etl.load import create_views

    unused = {spec.name: [c for c in spec.columns if not c.used] for spec in FILES}
    assert unused["sygefravaer"]
    con = duckdb.connect(str(minimal_db))
    for spec in FILES:
        if not unused[spec.name]:
            continue
        assert all(c.kind == "text" and not c.required for c in unused[spec.name])
        names = [c.name for c in unused[spec.name]]
        if spec.kept:
            con.execute(f"CREATE OR REPLACE TABLE {spec.name} AS "
                        f"SELECT * EXCLUDE ({', '.join(names)}) FROM {spec.name}")
        else:  # read during the load only: an empty table of the columns in use
            columns = ", ".join(f"{c.name} {TYPES.get(c.kind, 'VARCHAR')}"
                                for c in spec.columns if c.used)
            con.execute(f"CREATE TEMP TABLE {spec.name} ({columns})")
    assert create_views(con)
    con.close()
