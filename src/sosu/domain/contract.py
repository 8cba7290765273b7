"""The data contract: the one place that says which files, columns, types and codes
the education team's exports must have.

Validation (etl.rules), the documentation (docs/data-contract.md), the empty
templates on the Data page and the demo generator are all driven from here, so
they cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "code", "date", "month", "int", "hours", "yesno"]

UDDANNELSER: dict[str, str] = {
    "SSH": "Social- og sundhedshjælper",
    "SSA": "Social- og sundhedsassistent",
}

REKRUTTERING: dict[str, str] = {
    "ekstern": "Ekstern",
    "ufaglaert": "Egen ufaglært medarbejder",
    "ssh": "Egen SSH-medarbejder",
}

AARSAGER: dict[str, str] = {
    "privatliv": "Udfordringer i privatlivet",
    "faglige_krav": "For høje faglige krav",
    "fravaer": "Fravær",
    "sygdom": "Fysisk / psykisk sygdom",
    "skift_ssa_ssh": "Skift fra SSA til SSH",
    "job_anden_kommune": "Ansættelse i anden kommune",
    "flyttet": "Flyttet til anden kommune",
    "doedsfald": "Dødsfald",
    "forkert_valg": "Forkert uddannelsesvalg",
    "andet": "Andet",
}

# The ministry's statistics count a switch within the programme group as a
# change of programme (omvalg), not as dropout; the metrics keep both views.
OMVALG_AARSAG = "skift_ssa_ssh"

FASER: dict[str, str] = {
    "GF": "Grundforløb",
    **{f"S{n}": f"Skoleperiode {n}" for n in range(1, 7)},
    **{f"O{n}": f"Oplæringsperiode {n}" for n in range(1, 7)},
}
# Every phase except the basic course belongs to the main course (hovedforløb).
GRUNDFORLOEB = "GF"

# The standard schedule: phases in order with their typical length in months. The
# data record a phase only for dropouts, so the early warning estimates an active
# student's phase from months since hire with this table (the loader writes it into
# the database as `standardforloeb`; the demo generator dates its dropouts' phases by
# it). Assumptions, documented in the README:
# - hire (ansat_dato) is the start of the basic course: the municipality pays its
#   students from GF on (strategy, seed 004), and GF takes about 5 months;
# - main course SSH 1 year 2 months = 14 months, SSA 2 years 9 months (+3 weeks) = 33
#   months (seed 004; the ministry's order for the programmes);
# - SSH: three school periods and two training periods (O1, O2); SSA: 48 school weeks
#   in four school periods (~11 months) and three training periods of about 40, 18 and
#   40 weeks (~9, 4 and 9 months).
# Schools plan their own calendars (some start the main course in training), so the
# phase is an estimate: "probably in".
GF_MAANEDER = 5
STANDARDFORLOEB: dict[str, tuple[tuple[str, int], ...]] = {
    "SSH": (("GF", GF_MAANEDER), ("S1", 2), ("O1", 5), ("S2", 2), ("O2", 4), ("S3", 1)),
    "SSA": (("GF", GF_MAANEDER), ("S1", 3), ("O1", 9), ("S2", 3), ("O2", 4), ("S3", 3),
            ("O3", 9), ("S4", 2)),
}
# Most dropouts happen early: in the basic course and the first two training periods
# (strategy, seed 004). The early warning treats everything from hire to the end of
# O2 as that stretch, school periods between included: an estimate from months since
# hire cannot tell S1 from O1 reliably anyway.
TIDLIGE_FASER = ("GF", "S1", "O1", "S2", "O2")


def schedule_rows() -> list[tuple[str, int, str, int, int, bool]]:
    """The standard schedule as rows: education, order, phase, from month, to month
    (months since hire, to exclusive), early phase."""
    rows = []
    for education, phases in STANDARDFORLOEB.items():
        start = 0
        for order, (phase, months) in enumerate(phases, 1):
            rows.append((education, order, phase, start, start + months,
                         phase in TIDLIGE_FASER))
            start += months
    return rows


JA_NEJ: dict[str, str] = {"ja": "Ja", "nej": "Nej"}

MIN_ALDER, MAX_ALDER = 15, 70
MAX_TIMER = 744  # hours in a month of 31 days: no month holds more
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    example: str
    required: bool = True
    codes: dict[str, str] = field(default_factory=dict)
    # False: no figure reads the column (its file's staging model leaves it out); it is
    # read only to be checked for CPR numbers, so the load's fast path keeps it as written
    # and the check trims its distinct values (etl.rules.cpr_cells). Never required.
    used: bool = True


@dataclass(frozen=True)
class FileSpec:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    optional: bool = False  # a folder without the file loads, with the table empty
    # False: the rows are read, checked and built on during the load, in memory only, and
    # never written to the database file (only what sql/intermediate builds from them is).
    kept: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_ELEV_ID = Column(
    "elev_id",
    "id",
    "Elevens pseudonym (1–64 tegn). Aldrig CPR-nummer: et CPR-nummer afvises "
    "(har jeres system kun CPR-numre, så erstat dem først med sosu pseudonymize).",
    "E0001",
)
_UDDANNELSE = Column("uddannelse", "code", "Uddannelsen.", "SSA", codes=UDDANNELSER)


def _site(required: bool, note: str = "", used: bool = True) -> Column:
    text = "Oplæringssted (arbejdsplads), fx Døgnplejen Nord."
    return Column(
        "oplaeringssted",
        "text",
        (text if required else text + " Må være tom.") + note,
        "Døgnplejen Nord",
        required=required,
        used=used,
    )


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "elever",
        "Ansatte elever",
        "Én række pr. elev og uddannelse: hvornår eleven blev ansat, hvor og hvordan.",
        (
            _ELEV_ID,
            _UDDANNELSE,
            Column("ansat_dato", "date", "Dato for ansættelse som elev.", "2023-08-14"),
            Column(
                "alder",
                "int",
                f"Alder i hele år ved ansættelse ({MIN_ALDER}–{MAX_ALDER}).",
                "27",
            ),
            _site(required=True),
            Column(
                "rekruttering",
                "code",
                "Hvor eleven kom fra. 'ssh' (egen SSH-medarbejder) kun for SSA.",
                "ekstern",
                codes=REKRUTTERING,
            ),
        ),
    ),
    FileSpec(
        "gennemfoerte",
        "Gennemførte",
        "Én række pr. elev, der har gennemført uddannelsen.",
        (
            _ELEV_ID,
            _UDDANNELSE,
            Column("afsluttet_dato", "date", "Dato for afsluttet uddannelse.", "2025-02-28"),
        ),
    ),
    FileSpec(
        "frafald",
        "Frafald",
        "Én række pr. elev, der er faldet fra, med årsag og fase.",
        (
            _ELEV_ID,
            _UDDANNELSE,
            Column("frafald_dato", "date", "Dato for frafald.", "2024-03-01"),
            Column("aarsag", "code", "Frafaldsårsag (kode eller dansk tekst).", "fravaer",
                   codes=AARSAGER),
            Column("fase", "code", "Fase ved frafald (kode eller dansk tekst).", "O1",
                   codes=FASER),
            _site(required=False),
        ),
    ),
    FileSpec(
        "sygefravaer",
        "Sygefravær",
        "Én række pr. elev og måned med planlagte timer og sygetimer. Rækkerne gemmes ikke "
        "i databasen, kun det, tallene bygger på: timerne lagt sammen pr. oplæringssted og "
        "måned, hver elevs samlede sygefravær, og til den tidlige opsporing tegnene pr. elev "
        "og måned og det seneste års månedlige andele.",
        (
            _ELEV_ID,
            _UDDANNELSE,
            Column("maaned", "month", "Måned som ÅÅÅÅ-MM.", "2023-09"),
            Column("planlagte_timer", "hours",
                   f"Planlagte timer i måneden (over 0, højst {MAX_TIMER}).", "148,0"),
            Column("syge_timer", "hours", "Sygetimer i måneden (0 til planlagte timer).", "7,5"),
            _site(required=False, note=" Bruges ikke: en elevs oplæringssted er det i "
                  "elever.", used=False),
        ),
        kept=False,
    ),
    FileSpec(
        "efter_uddannelse",
        "Efter uddannelse",
        "Én række pr. elev, der har gennemført: blev eleven ansat i kommunen bagefter?",
        (
            _ELEV_ID,
            _UDDANNELSE,
            Column("ansat_i_kommunen", "yesno", "ja eller nej.", "ja", codes=JA_NEJ),
            Column(
                "arbejdssted",
                "text",
                "Hvor eleven blev ansat (skal udfyldes ved ja), fx Døgnplejen, "
                "Omsorgscentre/daghjem, SSA-elev.",
                "Døgnplejen",
                required=False,
            ),
            Column("dato", "date", "Dato for ansættelsen. Må være tom.", "2025-03-01",
                   required=False),
        ),
    ),
)

# The strategy's initiatives (indsatser), as in its annex 1. Optional: a folder of the
# five student files loads without it. Not about students, so no elev_id.
FOKUSOMRAADER: dict[str, str] = {
    "foer": "Før uddannelse",
    "under": "Under uddannelse",
    "efter": "Efter uddannelse",
}
INDSATS_STATUS: dict[str, str] = {
    "implementeret": "Implementeret",
    "delvist_implementeret": "Delvist implementeret",
    "paa_vej": "På vej",
    "afventer": "Afventer",
    "ikke_implementeret": "Ikke implementeret",
}
INDSATSER = FileSpec(
    "indsatser",
    "Indsatser (valgfri)",
    "Valgfri fil. Én række pr. indsats og mål: strategiens indsatser med fokusområde, "
    "start og status. Vises som markeringer på målets udviklingsgrafer og som "
    "statustabel på Overblik og i kvartalsrapporten. En indsats, der tjener to mål, "
    "står på to rækker.",
    (
        Column("navn", "text", "Indsatsens navn, som brugerne ser det.",
               "Personlige vejledere"),
        Column("fokusomraade", "code", "Strategiens fokusområde.", "under",
               codes=FOKUSOMRAADER),
        Column("start_dato", "date", "Hvornår indsatsen startede. Tom for en indsats, der "
               "ikke er startet (Afventer, Ikke implementeret).", "2023-01-01",
               required=False),
        Column("status", "code", "Status som i strategiens bilag 1.", "Implementeret",
               codes=INDSATS_STATUS),
        Column("maal_id", "text", "Målet indsatsen tjener: et id fra målfilen, fx "
               "frafald_ssa. Må være tom.", "frafald_ssa", required=False),
    ),
    optional=True,
)
OPTIONAL_FILES: tuple[FileSpec, ...] = (INDSATSER,)
ALL_FILES: tuple[FileSpec, ...] = FILES + OPTIONAL_FILES
FILES_BY_NAME: dict[str, FileSpec] = {f.name: f for f in ALL_FILES}


# A workbook sheet by this name explains the columns (the Excel template has one) and is
# not data: the loader passes it over instead of calling it an unknown file.
GUIDE_SHEET = "Vejledning"


def normalize_header(raw: str) -> str:
    """Map a header as Danish Excel writes it ('Ansat dato', 'Årsag') to the contract name."""
    text = raw.strip().strip("\ufeff").lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(danish, ascii_)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


def code_lookup(codes: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling (code or Danish label, any case) → code."""
    lookup: dict[str, str] = {}
    for code, label in codes.items():
        lookup[code.lower()] = code
        lookup[label.lower()] = code
        lookup[normalize_header(label)] = code
    return lookup


def label(codes: dict[str, str], code: str | None) -> str:
    return codes.get(code or "", code or "")


# --- other systems' names, for import profiles (etl.profile) ---------------------------
# Headers and values as the student-administration systems (EduAdm, the schools' Uddata+),
# payroll and hand-kept spreadsheets write them. Only ever *suggested* in a draft profile
# (`sosu profil forslag`, the Data page): nothing here is applied without the user's say.
# Headers are compared after normalize_header; values after code_key.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "elev_id": ("cpr_elev_nr", "elev_nr", "elevnr", "elevnummer", "elev", "pseudonym",
                "elev_pseudonym", "person_id", "id", "medarbejder", "medarbejdernr",
                "loennummer", "tjenestenummer"),
    "uddannelse": ("uddannelsesretning", "retning", "uddannelsesnavn", "udd", "speciale",
                   "uddannelsesforloeb"),
    "ansat_dato": ("startdato", "start_dato", "ansaettelsesdato", "ansaettelse",
                   "forloebsstart", "uddannelsesstart", "start"),
    "alder": ("alder_ved_start", "alder_ved_ansaettelse", "alder_ved_ansaettelsen"),
    "oplaeringssted": ("praktiksted", "oplaeringsvirksomhed", "afdeling", "enhed",
                       "arbejdsplads"),
    "rekruttering": ("rekrutteringsvej", "baggrund", "rekrutteret_fra"),
    "afsluttet_dato": ("slutdato", "afslutningsdato", "fuldfoert_dato", "faerdig_dato",
                       "dimissionsdato", "udlaert_dato"),
    "frafald_dato": ("afbrudsdato", "afgangsdato", "ophoersdato", "slutdato", "frafaldsdato",
                     "udmeldt_dato"),
    "aarsag": ("afgangsaarsag", "frafaldsaarsag", "afbrudsaarsag", "ophoersaarsag",
               "aarsag_til_frafald"),
    "fase": ("fase_ved_frafald", "forloebsdel", "periode", "uddannelsesdel"),
    "maaned": ("loenperiode", "periode", "maaned_aar", "aar_maaned"),
    "planlagte_timer": ("normtimer", "planlagt_tid", "planlagte_arbejdstimer",
                        "arbejdstimer", "timer_i_alt"),
    "syge_timer": ("sygetimer", "sygefravaer_timer", "fravaerstimer", "sygdomstimer",
                   "sygefravaer"),
    "ansat_i_kommunen": ("ansat_efter", "fastansat", "ansat_efter_uddannelse", "ansat"),
    "arbejdssted": ("ansaettelsessted", "afdeling", "ansat_hvor"),
    "dato": ("ansaettelsesdato", "startdato", "ansat_dato"),
}

VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "uddannelse": {
        "sosu_assistent": "SSA", "sosu_hjaelper": "SSH",
        "social_og_sundhedsassistentuddannelsen": "SSA",
        "social_og_sundhedshjaelperuddannelsen": "SSH",
        "social_og_sundhedsassistentelev": "SSA", "social_og_sundhedshjaelperelev": "SSH",
    },
    "aarsag": {
        "personlige_forhold": "privatliv", "private_forhold": "privatliv",
        "familiemaessige_forhold": "privatliv",
        "faglige_vanskeligheder": "faglige_krav", "faglige_aarsager": "faglige_krav",
        "manglende_faglige_forudsaetninger": "faglige_krav", "fagligt_niveau": "faglige_krav",
        "for_meget_fravaer": "fravaer", "ulovligt_fravaer": "fravaer",
        "helbred": "sygdom", "helbredsmaessige_aarsager": "sygdom", "sygdom": "sygdom",
        "flytning": "flyttet", "fraflytning": "flyttet",
        "doed": "doedsfald", "afgaaet_ved_doeden": "doedsfald",
        "fortrudt_uddannelsesvalg": "forkert_valg", "fortrudt": "forkert_valg",
        "omvalg_til_anden_uddannelse": "forkert_valg",
        "job_i_anden_kommune": "job_anden_kommune", "ansat_i_anden_kommune": "job_anden_kommune",
        "oevrige": "andet", "andre_aarsager": "andet", "ukendt": "andet", "uoplyst": "andet",
    },
    "fase": {
        **{f"praktikperiode_{n}": f"O{n}" for n in range(1, 7)},
        **{f"praktik_{n}": f"O{n}" for n in range(1, 7)},
        **{f"skole_{n}": f"S{n}" for n in range(1, 7)},
        "grundforloeb_2": "GF", "gf2": "GF", "gf_2": "GF",
    },
    "ansat_i_kommunen": {"j": "ja", "n": "nej", "1": "ja", "0": "nej", "x": "ja",
                         "sand": "ja", "falsk": "nej", "yes": "ja", "no": "nej"},
    "rekruttering": {"ekstern_ansoeger": "ekstern", "egen_ufaglaert": "ufaglaert",
                     "ufaglaert_medarbejder": "ufaglaert", "egen_ssh": "ssh",
                     "ssh_medarbejder": "ssh"},
}


def code_key(value: str) -> str:
    """A value as profiles and suggestions compare it: 'Praktikperiode 1' → 'praktikperiode_1'
    (normalize_header: case, æ/ø/å, spaces and punctuation do not matter)."""
    return normalize_header(value)
