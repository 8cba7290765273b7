"""Empty templates and the contract's documentation, generated from domain.contract."""

from __future__ import annotations

import pandas as pd

from sosu.domain.contract import ALL_FILES, FileSpec
from sosu.store import export

KIND_TEXT = {
    "id": "tekst (pseudonym)",
    "text": "tekst",
    "code": "kode",
    "date": "dato",
    "month": "måned (ÅÅÅÅ-MM)",
    "int": "helt tal",
    "hours": "timer (decimaltal)",
    "yesno": "ja/nej",
}


def template_frame(spec: FileSpec) -> pd.DataFrame:
    """The header and one example row, all text."""
    return pd.DataFrame([[c.example for c in spec.columns]], columns=spec.column_names,
                        dtype=object)


def template_csv(spec: FileSpec) -> bytes:
    """Semicolon separated as Danish Excel expects; made like every other download."""
    return export.download(template_frame(spec), "csv")


def contract_markdown() -> str:
    lines = [
        "# Datakontrakt (data contract)",
        "",
        "Generated from `src/sosu/domain/contract.py` by `python -m sosu.etl.templates`; a test",
        "keeps the two in step. A data folder holds the five student files below, each as",
        "`.csv` or `.xlsx` (first sheet), or one `.xlsx` workbook with five sheets named",
        "like the files. The sixth, `indsatser` (the strategy's initiatives), is optional:",
        "without it the dashboard shows no initiatives; with it, it is checked like the others.",
        "",
        "Accepted variants, all loading to the same result: comma or semicolon separated;",
        "UTF-8 with or without BOM, or Windows-1252; CRLF or LF; dates `ÅÅÅÅ-MM-DD`,",
        "`DD-MM-ÅÅÅÅ`, `DD.MM.ÅÅÅÅ` or `DD/MM/ÅÅÅÅ`; decimal point or comma; headers in any",
        "case with spaces, hyphens or æ/ø/å (`Ansat dato` → `ansat_dato`). Codes may be",
        "given as the code or its Danish label, in any case. Empty rows are ignored.",
        "",
    ]
    for spec in ALL_FILES:
        lines += [f"## `{spec.name}` — {spec.title}", "", spec.description, "",
                  "| kolonne | type | påkrævet | beskrivelse | eksempel |",
                  "| --- | --- | --- | --- | --- |"]
        for c in spec.columns:
            codes = ""
            if c.codes:
                codes = " Koder: " + ", ".join(f"`{k}` ({v})" for k, v in c.codes.items())
            lines.append(f"| `{c.name}` | {KIND_TEXT[c.kind]} | {'ja' if c.required else 'nej'}"
                         f" | {c.description}{codes} | `{c.example}` |")
        lines.append("")
    lines += [
        "## Regler på tværs af filer",
        "",
        "- (`elev_id`, `uddannelse`) identificerer en elev og må kun stå én gang i `elever`,",
        "  `gennemfoerte`, `frafald` og `efter_uddannelse`; i `sygefravaer` én gang pr. måned.",
        "- Rækker i de andre filer skal høre til en elev i `elever`.",
        "- En elev kan ikke både have gennemført og være faldet fra.",
        "- Frafald og afslutning kan ikke ligge før ansættelsen; ingen dato i fremtiden.",
        "- Sygefraværsmåneder skal ligge inden for ansættelsen (ansat_dato til afslutning,",
        "  frafald eller i dag).",
        "- `efter_uddannelse` kun for elever i `gennemfoerte`; `arbejdssted` skal udfyldes ved ja.",
        "- `rekruttering = ssh` og årsagen `skift_ssa_ssh` gælder kun SSA-elever.",
        "- `indsatser`: `maal_id` skal være et id i målfilen (`SOSU_MAAL`); samme indsats og mål",
        "  må kun stå én gang.",
        "- Intet CPR-nummer i nogen celle i nogen fil, uanset hvordan det er skrevet: seks",
        "  cifre, hvor de fire første er en mulig dag og måned (DDMM), evt. en bindestreg,",
        "  tankestreg, skråstreg, punktum eller et mellemrum, og fire cifre; også med",
        "  fuldbredde- eller andre Unicode-cifre, med bogstaver lige foran (`CPR010190-1234`)",
        "  eller midt i en tekst. Ti cifre midt i et længere tal er ikke et CPR-nummer.",
        "  Desuden afvises et `elev_id` på ti cifre, der begynder med en gyldig dato, og på ni",
        "  cifre, når et foranstillet 0 giver en gyldig dato (Excel fjerner nullet i et",
        "  CPR-nummer skrevet som tal). Nummeret gentages aldrig i fejlbeskeden. Eksporterer",
        "  jeres system CPR-numre, så erstat dem først med faste pseudonymer:",
        "  `sosu pseudonymize MAPPE NY_MAPPE --key-file STI` (se README, Pseudonymisering).",
        "- Et CPR-nummer i et fil- eller arknavn gemmes og vises aldrig: navnet gemmes med",
        "  nummeret skiftet ud med `XXXXXX-XXXX`, og filen indlæses som ellers.",
        "",
        "Every problem is reported as `fil:linje: kolonne: besked` (the header is line 1).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(contract_markdown(), end="")
