"""The generated data as a foreign export with its import profile, for the benchmark's
profile case (bench/run.py): every header the user's own, long education names and
"SOSU-assistent" in every row of every file (a value map on millions of sick-leave rows),
reasons as the student-administration system writes them, dates DD-MM-ÅÅÅÅ, decimal
commas, an extra column in every file and a resumed spell per 100 students.

Written with DuckDB's COPY, once per data set (reused while the canonical files are
older than the export).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sosu.domain.contract import AARSAGER, FASER, FILES_BY_NAME

HEADERS = {
    "elever": {"elev_id": "CPR/Elev-nr", "uddannelse": "Uddannelsesretning",
               "ansat_dato": "Startdato", "alder": "Alder", "oplaeringssted": "Oplæringssted",
               "rekruttering": "Rekrutteringsvej"},
    "gennemfoerte": {"elev_id": "CPR/Elev-nr", "uddannelse": "Uddannelsesretning",
                     "afsluttet_dato": "Slutdato"},
    "frafald": {"elev_id": "CPR/Elev-nr", "uddannelse": "Uddannelsesretning",
                "frafald_dato": "Afgangsdato", "aarsag": "Afgangsårsag", "fase": "Forløbsdel",
                "oplaeringssted": "Oplæringssted"},
    "sygefravaer": {"elev_id": "Medarbejder", "uddannelse": "Uddannelse",
                    "maaned": "Lønperiode", "planlagte_timer": "Normtimer",
                    "syge_timer": "Sygetimer", "oplaeringssted": "Afdeling"},
    "efter_uddannelse": {"elev_id": "CPR/Elev-nr", "uddannelse": "Uddannelsesretning",
                         "ansat_i_kommunen": "Fastansat", "arbejdssted": "Ansættelsessted",
                         "dato": "Ansættelsesdato"},
}
FILE_NAMES = {"elever": "Elevforloeb.csv", "gennemfoerte": "Fuldfoerte.csv",
              "frafald": "Afgange.csv", "sygefravaer": "Loen_sygefravaer.csv",
              "efter_uddannelse": "Efter_uddannelse.csv"}
EXTRA = "Bemærkning"
EDUCATION = {"SSA": "SOSU-assistent", "SSH": "Social- og sundhedshjælper"}
REASONS = {code: f"{label} (afgangsårsag)" for code, label in AARSAGER.items()}
PHASES = {code: f"{label}." for code, label in FASER.items()}
YES_NO = {"ja": "J", "nej": "N"}


def _case(column: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{ours}' THEN '{theirs}'" for ours, theirs in mapping.items())
    return f"CASE {column} {whens} ELSE {column} END"


def _expression(name: str, column: str, later: int = 0) -> str:
    """Their text for one of our columns (read as text); `later` moves dates on."""
    kind = FILES_BY_NAME[name].column(column).kind
    if column == "uddannelse":
        return _case(column, EDUCATION)
    if column == "aarsag":
        return _case(column, REASONS)
    if column == "fase":
        return _case(column, PHASES)
    if column == "ansat_i_kommunen":
        return _case(column, YES_NO)
    if kind == "date":
        return f"strftime({column}::DATE + {int(later)}, '%d-%m-%Y')"
    if kind == "hours":
        return f"replace({column}, '.', ',')"
    return column


def write_foreign(canonical: Path, target: Path) -> Path:
    """The foreign export of `canonical` in `target`, and its profile; returns the profile."""
    target.mkdir(parents=True, exist_ok=True)
    profile = target.parent / f"{target.name}-profil.toml"
    con = duckdb.connect()
    try:
        for name, headers in HEADERS.items():
            source = canonical / f"{name}.csv"
            out = target / FILE_NAMES[name]
            if out.exists() and out.stat().st_mtime > source.stat().st_mtime:
                continue
            columns = ", ".join(f'{_expression(name, c)} AS "{h}"' for c, h in headers.items())
            reader = "read_csv(?, all_varchar = true)"
            resumed = ""
            if name == "elever":  # a second spell 3 months after the first, every 100th
                later = ", ".join(_expression(name, c, later=91) for c in headers)
                resumed = (f" UNION ALL SELECT {later}, 'genoptaget' FROM {reader} "
                           "WHERE hash(elev_id) % 100 = 0")
            con.execute(
                f"COPY (SELECT {columns}, '' AS \"{EXTRA}\" FROM {reader}{resumed}) "
                f"TO '{out}' (HEADER, DELIMITER ';')",
                [str(source)] * (2 if resumed else 1))
    finally:
        con.close()
    profile.write_text(_profile_text(), encoding="utf-8")
    return profile


def _profile_text() -> str:
    lines = ['navn = "Benchmark: fremmed eksport"']
    for name, headers in HEADERS.items():
        lines += ["", f"[{name}]", f'fil = "{FILE_NAMES[name]}"', f'ignorer = ["{EXTRA}"]']
        if name != "sygefravaer":
            lines.append('datoformat = "DD-MM-ÅÅÅÅ"')
        if name == "elever":
            lines.append('flere_raekker = "foerste"')
        if name == "frafald":
            lines.append("genoptaget_inden_maaneder = 15")
        lines.append(f"[{name}.kolonner]")
        lines += [f'"{theirs}" = "{ours}"' for ours, theirs in headers.items()]
        lines += [f"[{name}.vaerdier.uddannelse]", '"SOSU-assistent" = "SSA"']
        for column, mapping in (("aarsag", REASONS), ("fase", PHASES),
                                ("ansat_i_kommunen", YES_NO)):
            if column in headers:
                lines.append(f"[{name}.vaerdier.{column}]")
                lines += [f'"{theirs}" = "{ours}"' for ours, theirs in mapping.items()]
    return "\n".join(lines) + "\n"
