"""The SQL models in sql/, one object per file, in the order their headers declare.

As in dbt: every file under `sql/<layer>/` (layers staging, intermediate, metrics;
subfolders only group) creates exactly one view, table or macro, named exactly as
the file, and begins with a header naming every model it reads:

    -- depends: int_elevforloeb, er_valgt

(`-- depends:` with nothing after it for a model that reads only loaded tables; a long
list goes on in further `-- depends:` lines.)
`build_order` reads the headers and puts every file after the models it depends on,
so the order is explicit, not the alphabet's; ties go by layer, then name, so every
load runs the files in the same order. It refuses, with a message naming the file, a
missing header, a file that creates no object, more than one or one named otherwise
than the file, a dependency that is no model, a model that reads a later layer, and a
cycle. `undeclared_references` parses each body with DuckDB's own parser and names
the models it reads that its header leaves out, so a header cannot go stale
(tests/test_sql_models.py runs it over sql/).

The loaded tables (the contract's files, `indlaesning`, `standardforloeb`, `koder`)
are no models: they exist before the first file runs.
"""

from __future__ import annotations

import heapq
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("staging", "intermediate", "metrics")

_HEADER = re.compile(r"\A(?:--\s*depends:[^\n]*\n)+")
_CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(?P<kind>VIEW|TABLE|MACRO)\s+"
    r"(?P<name>\w+)", re.I | re.M)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class ModelError(Exception):
    """The SQL models are inconsistent: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Model:
    name: str
    kind: str  # VIEW, TABLE or MACRO
    layer: str
    path: Path
    depends: tuple[str, ...]
    sql: str


def read_models(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    """Every model under sql_dir, by name, with its header and object checked."""
    models: dict[str, Model] = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).rglob("*.sql")):
            model = _read(path, layer, sql_dir)
            if model.name in models:
                raise ModelError(f"{_show(path, sql_dir)}: modellen {model.name} findes også i "
                                 f"{_show(models[model.name].path, sql_dir)}")
            models[model.name] = model
    return models


def _read(path: Path, layer: str, sql_dir: Path) -> Model:
    where = _show(path, sql_dir)
    sql = path.read_text(encoding="utf-8")
    header = _HEADER.match(sql)
    if header is None:
        raise ModelError(f"{where}: første linje skal være '-- depends: ...' "
                         "(de modeller, filen læser; tom, hvis ingen)")
    listed = ",".join(line.split(":", 1)[1] for line in header[0].splitlines())
    depends = tuple(name.strip() for name in listed.split(",") if name.strip())
    for name in depends:
        if not _NAME.match(name):
            raise ModelError(f"{where}: '{name}' i '-- depends:' er ikke et modelnavn")
    created = list(_CREATE.finditer(_code(sql)))
    if len(created) != 1:
        raise ModelError(f"{where}: en fil skal skabe netop ét objekt (view, tabel eller "
                         f"makro), men skaber {len(created)}")
    name, kind = created[0]["name"], created[0]["kind"].upper()
    if name != path.stem:
        raise ModelError(f"{where}: filen skaber {name}; den skal hedde {name}.sql, "
                         f"eller objektet {path.stem}")
    return Model(name, kind, layer, path, depends, sql)


def build_order(sql_dir: Path = SQL_DIR) -> list[Model]:
    """The models in an order where each comes after every model in its header."""
    models = read_models(sql_dir)
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    waiting: dict[str, set[str]] = {}
    for model in models.values():
        where = _show(model.path, sql_dir)
        for name in model.depends:
            if name not in models:
                raise ModelError(f"{where}: '-- depends:' nævner {name}, som ingen fil i "
                                 "sql/ skaber")
            if name == model.name:
                raise ModelError(f"{where}: modellen afhænger af sig selv")
            if rank[models[name].layer] > rank[model.layer]:
                raise ModelError(f"{where}: {model.layer} må ikke læse {name} fra det senere "
                                 f"lag {models[name].layer}")
        waiting[model.name] = set(model.depends)
    dependents: dict[str, list[str]] = {name: [] for name in models}
    for name, needs in waiting.items():
        for need in needs:
            dependents[need].append(name)

    def key(name: str) -> tuple[int, str]:
        return rank[models[name].layer], name

    ready = [key(name) for name, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    order: list[Model] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(models[name])
        for dependent in dependents[name]:
            waiting[dependent].discard(name)
            if not waiting[dependent]:
                heapq.heappush(ready, key(dependent))
    if len(order) < len(models):
        stuck = sorted(name for name, needs in waiting.items() if needs)
        raise ModelError("ring af afhængigheder mellem " + ", ".join(
            f"{_show(models[name].path, sql_dir)} ({', '.join(sorted(waiting[name]))})"
            for name in stuck))
    return order


def undeclared_references(model: Model, models: dict[str, Model],
                          con: duckdb.DuckDBPyConnection) -> set[str]:
    """The models `model` reads (tables and views after FROM/JOIN, macros called) that
    its header does not name. Parsed with DuckDB's parser, so comments, strings, column
    names and the body's own CTEs are told apart from references."""
    tree = _parse_body(model, con)
    ctes = {entry["key"] for node in _nodes(tree) if isinstance(node, dict)
            for entry in node.get("cte_map", {}).get("map", [])}
    relations = {node["table_name"] for node in _nodes(tree)
                 if isinstance(node, dict) and node.get("type") == "BASE_TABLE"}
    functions = {node["function_name"] for node in _nodes(tree)
                 if isinstance(node, dict) and node.get("class") == "FUNCTION"}
    read = {name for name in relations - ctes
            if name in models and models[name].kind != "MACRO"}
    read |= {name for name in functions if name in models and models[name].kind == "MACRO"}
    return read - {model.name} - set(model.depends)


def _parse_body(model: Model, con: duckdb.DuckDBPyConnection) -> object:
    code = _code(model.sql)
    created = _CREATE.search(code)
    assert created is not None  # read_models checked it
    rest = code[created.end():]
    if model.kind == "MACRO":
        depth = 0
        for index, char in enumerate(rest):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == ")" and depth == 0:
                rest = rest[index + 1:]
                break
        body = re.sub(r"\A\s*AS\s+", "", rest, flags=re.I)
        table = re.match(r"TABLE\b", body, re.I)
        select = body[table.end():] if table else f"SELECT ({body.strip().rstrip(';')})"
    else:
        select = re.sub(r"\A\s*AS\s+", "", rest, flags=re.I)
    row = con.execute("SELECT json_serialize_sql(?)", [select.strip().rstrip(";")]).fetchone()
    tree = json.loads(row[0]) if row else {}
    if tree.get("error"):
        raise ModelError(f"{model.path.name}: kan ikke læses: {tree.get('error_message')}")
    return tree


def _nodes(tree: object) -> list[object]:
    found: list[object] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _code(sql: str) -> str:
    """The SQL without its comments (lines are kept, for the CREATE search)."""
    return re.sub(r"--[^\n]*", "", sql)


def _show(path: Path, sql_dir: Path) -> str:
    return "sql/" + path.relative_to(sql_dir).as_posix()
