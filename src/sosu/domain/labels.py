"""Danish column headers, in one place: every table, download and the PDF takes its
headers from here. The code names (`ansat_efter`, `aargang`, …) stay the names of the
data's columns; users see these labels (`tests/test_danish.py` checks every table)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sosu.domain import fmt

COLUMNS: dict[str, str] = {
    # the data contract's columns
    "elev_id": "Elev (pseudonym)",
    "uddannelse": "Uddannelse",
    "ansat_dato": "Ansat",
    "alder": "Alder",
    "oplaeringssted": "Oplæringssted",
    "rekruttering": "Rekruttering",
    "afsluttet_dato": "Afsluttet",
    "frafald_dato": "Frafaldsdato",
    "aarsag": "Årsag (kode)",
    "aarsag_tekst": "Årsag",
    "fase": "Fase (kode)",
    "fase_tekst": "Fase",
    "maaned": "Måned",
    "planlagte_timer": "Planlagte timer",
    "syge_timer": "Sygetimer",
    "ansat_i_kommunen": "Ansat i kommunen",
    "arbejdssted": "Arbejdssted",
    "dato": "Dato",
    "navn": "Navn",
    "fokusomraade": "Fokusområde",
    "start_dato": "Start",
    "status": "Status",
    "maal_id": "Mål",
    # the metrics' columns
    "aar": "År",
    "aargang": "Årgang",
    "afsluttet": "Årgangen færdig",
    "ansatte": "Ansatte",
    "gennemfoert": "Gennemført",
    "frafald": "Frafald",
    "frafald_hovedforloeb": "Frafald i hovedforløbet",
    "frafald_uden_omvalg": "Frafald uden skift SSA→SSH",
    "frafald_hovedforloeb_uden_omvalg": "Frafald i hovedforløbet uden skift SSA→SSH",
    "omvalg": "Skift SSA→SSH",
    "aktive": "I gang",
    "ansat_efter": "Ansat efter endt uddannelse",
    "ansat_efter_af_gennemfoerte": "Ansat efter, af gennemførte",
    "andel": "Andel",
    "andel_frafald": "Frafald, andel",
    "andel_frafald_hovedforloeb": "Frafald i hovedforløbet, andel",
    "andel_frafald_uden_omvalg": "Frafald uden skift, andel",
    "andel_frafald_hovedforloeb_uden_omvalg": "Frafald i hovedforløbet uden skift, andel",
    "andel_omvalg": "Skift SSA→SSH, andel",
    "andel_gennemfoert": "Gennemført, andel",
    "andel_ansat_efter": "Ansat efter, andel af ansatte",
    "andel_ansat_efter_af_gennemfoerte": "Ansat efter, andel af gennemførte",
    "andel_3_mdr": "Andel, seneste 3 måneder",
    "andel_i_forloeb": "Stadig i forløb, andel",
    "maaneder": "Måneder efter ansættelse",
    "fulgt_alle": "Måneder alle er fulgt",
    "andel_uafklaret": "Stadig i gang, andel",
    "i_forloeb": "Stadig i gang",
    "i_risiko": "Stadig i forløb (antal)",
    "kurve": "Kurve",
    "antal": "Antal",
    "periode": "Periode",
    "andel_maalkurve": "Målkurven",
    "antal_maalkurve": "Målkurven",
    "endelig": "Endeligt tal",
    "i_alt": "I alt",
    "elever": "Elever",
    "hvem": "Hvem",
    "gruppe": "Gruppe",
    "kilde": "Kilde",
    "aldersgruppe": "Aldersgruppe",
    "alder_25_plus": "25 år eller ældre",
    "intern_ssh": "Egne SSH-medarbejdere",
    "intern_ufaglaert": "Egne ufaglærte",
    "slut_dato": "Slut",
    "frafald_fase": "Frafaldsfase",
    "sygefravaer_3_mdr": "Sygefravær seneste 3 mdr.",
    "sygefravaer_i_alt": "Sygefravær i alt",
    # completeness (the Data page and beside the figures)
    "maal_tekst": "Tal",
    "grundlag": "Grundlag",
    "mangler": "Mangler",
    "andel_kendt": "Kendt, andel",
    # the Data page
    "fil": "Fil",
    "linje": "Linje",
    "problem": "Problem",
    "rækker": "Rækker",
    "kolonne": "Kolonne",
    "type": "Type",
    "påkrævet": "Påkrævet",
    "beskrivelse": "Beskrivelse",
    "eksempel": "Eksempel",
    "tid": "Tid",
    "hændelse": "Hændelse",
    "bruger": "Bruger",
    "detaljer": "Detaljer",
}
# Completeness (sql: int_fuldstaendighed): each measure's name, what its year is and what
# counts as missing, as the Data page and the figures' notes say it.
COMPLETENESS: dict[str, tuple[str, str, str]] = {
    "aarsag": ("Frafaldsårsag", "frafaldsår",
               "frafald uden en bestemt årsag (Andet eller tom)"),
    "fase": ("Frafaldsfase", "frafaldsår", "frafald uden fase"),
    "efter_uddannelse": ("Ansat efter uddannelsen", "årgang",
                         "gennemførte uden en række i efter_uddannelse"),
    "sygefravaer": ("Sygefravær", "kalenderår",
                    "ansættelsesmåneder uden en række i sygefravaer"),
}

# The interval columns of a rate: <stem>_nedre / <stem>_oevre.
_BOUNDS = {"_nedre": "95 %-interval, nedre", "_oevre": "95 %-interval, øvre"}
# Columns that only feed a chart (hover texts) or repeat a labelled column (codes).
INTERNAL = frozenset({"hover"})
YEARS = frozenset({"aar", "aargang"})  # years: 2024, never 2.024


def header(column: str) -> str:
    """The Danish header of a column; a column already named in Danish keeps its name."""
    if column in COLUMNS:
        return COLUMNS[column]
    for suffix, text in _BOUNDS.items():
        stem = column.removesuffix(suffix)
        if stem != column and stem in COLUMNS:
            return f"{COLUMNS[stem]}, {text}"
    return column


def is_rate(column: str) -> bool:
    return column.startswith("andel") or column.endswith(tuple(_BOUNDS))


def cell(column: str, value: Any, decimals: int | None = None) -> str:
    """A cell as the user reads it: 46,7 · 5.233 · 8,8 % · 01-02-2024 · februar 2024.
    `decimals` keeps a column's numbers alike (100,0 beside 94,8)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or (
            type(value).__name__ == "NaTType"):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "ja" if value else "nej"
    if isinstance(value, dt.datetime | dt.date):
        if column == "maaned":
            return fmt.month(value)
        return fmt.date(value)
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return cell(column, value.to_pydatetime())
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        if column in YEARS:
            return str(int(number))
        if is_rate(column):
            return fmt.pct(number)
        if decimals is None:
            decimals = 0 if number.is_integer() else 1
        return fmt.number(number, decimals)
    return str(value)
