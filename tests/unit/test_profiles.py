"""Import profiles without a database: validation naming the entry, header matching and
value suggestions (etl.profile, etl.suggest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.domain.contract import FILES_BY_NAME
from sosu.etl.profile import (
    DATE_FORMAT_EXAMPLES,
    ProfileError,
    parse_profile,
    render_profile,
    strptime_format,
)
from sosu.etl.suggest import IGNORE, match_headers, suggest_code
from tests.support import FOREIGN_PROFILE

PATH = Path("profil.toml")
MINIMAL_PROFILE = """
[frafald]
fil = "Afgange.csv"
[frafald.kolonner]
"Elev" = "elev_id"
"""


def test_the_fixture_profile_is_valid() -> None:
    profile = parse_profile(FOREIGN_PROFILE.read_text(encoding="utf-8"), FOREIGN_PROFILE)
    assert set(profile.files) == {"elever", "gennemfoerte", "frafald", "sygefravaer",
                                  "efter_uddannelse"}
    frafald = profile.files["frafald"]
    assert frafald.header_of("aarsag") == "Afgangsårsag"
    assert frafald.value_map("aarsag")["Personlige forhold"] == "privatliv"
    assert frafald.resume_months == 15


def test_render_and_parse_round_trip() -> None:
    profile = parse_profile(FOREIGN_PROFILE.read_text(encoding="utf-8"), FOREIGN_PROFILE)
    again = parse_profile(render_profile(profile), PATH)
    assert again.files == profile.files


@pytest.mark.parametrize(("text", "message"), [
    ("[elevr]\nfil = 'x.csv'", "profil.toml: ukendt afsnit [elevr]"),
    ("navn = 'x'", "profil.toml: profilen nævner ingen af filerne"),
    ("[frafald]\n[frafald.kolonner]\n", "profil.toml: [frafald]: feltet 'fil' mangler"),
    ("[frafald]\nfil = 'a.txt'", "profil.toml: [frafald]: 'fil' skal være et filnavn"),
    ("[frafald]\nfil = '../a.csv'", "profil.toml: [frafald]: 'fil' skal være et filnavn"),
    ("[frafald]\nfil = 'a.csv'\nfarve = 1", "profil.toml: [frafald]: ukendt felt 'farve'"),
    (MINIMAL_PROFILE + '"Dato" = "frafalds_dato"',
     "profil.toml: [frafald.kolonner] \"Dato\": 'frafalds_dato' er ingen kolonne i frafald"),
    (MINIMAL_PROFILE + '"Nr" = "elev_id"',
     "profil.toml: [frafald.kolonner]: både \"Elev\" og \"Nr\" er sat til 'elev_id'"),
    (MINIMAL_PROFILE + "[frafald.vaerdier.aarsag]\n\"Syg\" = \"syg\"",
     "profil.toml: [frafald.vaerdier.aarsag] \"Syg\": ukendt kode 'syg'"),
    (MINIMAL_PROFILE + "[frafald.vaerdier.frafald_dato]\n\"x\" = \"y\"",
     "profil.toml: [frafald.vaerdier.frafald_dato]: 'frafald_dato' er ingen kodet kolonne"),
    (MINIMAL_PROFILE.replace("[frafald.kolonner]", "flere_raekker = 'summer'\n"
                             "[frafald.kolonner]"),
     "profil.toml: [frafald]: 'flere_raekker' skal være en af afvis, foerste, seneste"),
    (MINIMAL_PROFILE.replace("[frafald.kolonner]", "datoformat = 'MM-ÅÅÅÅ'\n"
                             "[frafald.kolonner]"),
     "profil.toml: [frafald] datoformat: 'MM-ÅÅÅÅ' er ikke et datoformat"),
    (MINIMAL_PROFILE.replace("[frafald.kolonner]", "genoptaget_inden_maaneder = 0\n"
                             "[frafald.kolonner]"),
     "profil.toml: [frafald]: 'genoptaget_inden_maaneder' gælder kun frafald"),
    (MINIMAL_PROFILE.replace("[frafald.kolonner]", "ignorer = ['ELEV']\n[frafald.kolonner]"),
     "profil.toml: [frafald]: \"ELEV\" står både i kolonner og i ignorer"),
    ("[frafald\nfil = 'a.csv'", "profil.toml: ugyldig TOML"),
])
def test_a_broken_profile_names_the_entry(text: str, message: str) -> None:
    with pytest.raises(ProfileError) as broken:
        parse_profile(text, PATH)
    assert str(broken.value).startswith(message)


def test_a_cpr_number_in_a_profile_refuses_it_unechoed() -> None:
    text = MINIMAL_PROFILE + "[frafald.vaerdier.aarsag]\n\"010190-1234\" = \"andet\""
    with pytest.raises(ProfileError) as broken:
        parse_profile(text, PATH)
    assert "CPR-nummer" in str(broken.value) and "1234" not in str(broken.value)


def test_an_empty_code_is_a_value_still_to_be_mapped() -> None:
    profile = parse_profile(MINIMAL_PROFILE + "[frafald.vaerdier.aarsag]\n\"Syg\" = \"\"", PATH)
    assert profile.files["frafald"].value_map("aarsag") == {}
    assert profile.files["frafald"].unmapped("aarsag") == ["Syg"]


def test_date_formats_in_danish_terms() -> None:
    assert strptime_format("DD-MM-ÅÅÅÅ") == "%d-%m-%Y"
    assert strptime_format("MM/DD/ÅÅ") == "%m/%d/%y"
    assert strptime_format("ÅÅÅÅMMDD TT:mm:ss") == "%Y%m%d %H:%M:%S"
    assert strptime_format("%d.%m.%Y") == "%d.%m.%Y"


@pytest.mark.parametrize("date_format", ["DDMMÅÅ-TTmm", "DDMMÅÅTTmm", "DDMMÅÅ TTmm",
                                         "DD-MM-ÅÅÅÅ-TTmm",
                                         # 26 May 2020 at midnight as 200526-0000
                                         "ÅÅMMDD-TTmm", "DD-MM-ÅÅ TTmm"])
def test_a_date_format_that_writes_cpr_numbers_is_refused(date_format: str) -> None:
    """A date with a time is read as the date alone: 200823-1234 in DDMMÅÅ-TTmm would turn
    a CPR number into 20 August 2023 before any rule saw it."""
    text = f'[gennemfoerte]\nfil = "a.csv"\ndatoformat = "{date_format}"\n'
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, Path("profil.toml"))
    assert "ligner CPR-numre" in str(refused.value) and "XXXXXX-XXXX" in str(refused.value)


def test_every_documented_date_format_is_accepted() -> None:
    for date_format in DATE_FORMAT_EXAMPLES:
        parse_profile(f'[gennemfoerte]\nfil = "a.csv"\ndatoformat = "{date_format}"\n',
                      Path("profil.toml"))


def test_headers_match_exactly_then_by_synonym_then_closely() -> None:
    matches = match_headers(["Elev ID", "Uddannelsesretning", "Afgangsdato", "Årsag",
                             "Fasen", "Bemærkning"], FILES_BY_NAME["frafald"])
    assert [(m.column, m.reason) for m in matches] == [
        ("elev_id", "samme navn"),
        ("uddannelse", "kendt navn for uddannelse"),
        ("frafald_dato", "kendt navn for frafald_dato"),
        ("aarsag", "samme navn"),
        ("fase", "ligner fase (89%)"),
        (IGNORE, "ingen kolonne i datakontrakten ligner"),
    ]


def test_an_exact_name_wins_over_a_synonym() -> None:
    """'Oplæringssted' is the contract's own; 'Afdeling', its synonym, is left over."""
    matches = match_headers(["Afdeling", "Oplæringssted"], FILES_BY_NAME["elever"])
    assert [m.column for m in matches] == [IGNORE, "oplaeringssted"]


def test_value_suggestions_give_their_reason() -> None:
    aarsag = FILES_BY_NAME["frafald"].column("aarsag")
    assert suggest_code(aarsag, "Personlige forhold") == (
        "privatliv", "kendt navn for Udfordringer i privatlivet")
    assert suggest_code(aarsag, "For høje faglig krav") == (
        "faglige_krav", "ligner For høje faglige krav (98%)")
    assert suggest_code(aarsag, "Udvandret") == ("", "ikke oversat")
    fase = FILES_BY_NAME["frafald"].column("fase")
    assert suggest_code(fase, "Praktikperiode 2") == ("O2", "kendt navn for Oplæringsperiode 2")
