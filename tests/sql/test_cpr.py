"""No CPR number gets in, however it is written or wherever it stands (sosu.domain.cpr).

Every CPR-shaped number here is made up: 010190-1234 in every spelling below.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest
import unicodedata2 as unicodedata

from sosu.cli.main import main
from sosu.domain.contract import ALL_FILES, FILES
from sosu.domain.cpr import (
    DIGIT_BLOCKS,
    NEWER_INVISIBLE,
    NUMBER_VALUED,
    RTL_RANGES,
    SPELLED_WITH_DIGITS,
    contains_cpr,
    mask_cpr,
    normalise,
    replace_cpr,
    sql_candidate,
    sql_digit_like,
    sql_shape,
)
from sosu.etl import history, rules
from sosu.etl.fast import validate_fast
from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.etl.pseudonymize import Pseudonymizer, pseudonymize_folder
from sosu.etl.read import CPR_HEADER, CPR_OUTSIDE_COLUMNS
from sosu.etl.rules import REGEX_FROM_VALUES
from tests.support import DATA, MINIMAL, TODAY, sweep

DIGITS = "0101901234"


def _in(digits: str, zero: int) -> str:
    """The digits in another Unicode script, given by the code point of its zero."""
    return "".join(chr(zero + int(d)) for d in digits)


# (id, spelling): every one is 010190-1234.
SPELLINGS = [
    ("nb-hyphen", "010190\u20111234"),
    ("en-dash", "010190\u20131234"),
    ("minus", "010190\u22121234"),
    ("space", "010190 1234"),
    ("nbsp", "010190\u00a01234"),
    ("thin-space", "010190\u20091234"),
    ("slash", "010190/1234"),
    ("dot", "010190.1234"),
    ("spaced-dash", "010190 - 1234"),
    ("dotted-date", "01.01.90-1234"),
    ("zero-width", "010190\u200b1234"),
    ("full-width", _in("010190", 0xFF10) + "-" + _in("1234", 0xFF10)),
    ("arabic-indic", _in(DIGITS, 0x0660)),
    ("devanagari", _in("010190", 0x0966) + "-" + _in("1234", 0x0966)),
    ("math-bold", _in(DIGITS, 0x1D7CE)),
    ("prefix", "CPR010190-1234"),
    ("prefix-colon", "cpr:0101901234"),
    ("in-text", "Døgnplejen (Anne 010190-1234)"),
    ("plain", "0101901234"),
    ("hyphen", "010190-1234"),
    ("short-day-month", "1.1.90-1234"),
    ("short-month", "01.1.90 1234"),
    ("four-digit-year", "01-01-1990-1234"),
    ("spaced-date", "1. 1. 1990 - 1234"),
    ("double-dash", "010190 -- 1234"),
    ("middle-dot", "010190\u00b71234"),
    ("pipe", "010190|1234"),
    ("digits-apart", "0 1 0 1 9 0 1 2 3 4"),
    # letters that show as blanks or none, other scripts' letters, private use
    ("hangul-filler", "010190\u31641234"),
    ("private-use", "010190\ue0001234"),
    ("cyrillic", "010190\u04161234"),
    ("click-letter", "010190\u01c01234"),  # ǀ, a Latin letter that looks like |
    ("right-to-left", "\u202e4321-091010"),  # shown as 010190-1234
    ("override-stored-in-order", "Sted \u202e010190-1234"),  # stored plainly all the same
    ("override-undone", "\u202e\u202d010190-1234\u202c\u202c"),
    # a right-to-left paragraph shows its numbers right to left: 010190 1234
    ("right-to-left-paragraph", "\u05d0\u05d1 1234 010190"),
    # as a spreadsheet writes a number: the leading zero lost, a decimal, an exponent
    ("nine-digits", "101901234"),
    ("nine-digits-decimal", "101901234.0"),
    ("nine-digits-quoted", "'101901234"),
    ("scientific", "1.01901234E+08"),
    ("scientific-comma", "1,01901234E8"),
    ("scientific-trailing-zero", "1.019012340E8"),
    ("scientific-long-mantissa", "1019012.34E2"),
    ("scientific-three-digit-exponent", "1.01901234E+008"),
    # a number format with thousands separators (`#.##0`), the leading zero lost or not
    ("thousands-dots", "101.901.234"),
    ("thousands-commas", "101,901,234"),
    ("thousands-spaces", "Elev 101 901 234"),
    # typed with a decimal comma or point, one key from `-`: a decimal number, the day's
    # leading zero lost (and a serial's trailing zeros: see test_decimal_numbers)
    ("decimal-comma", "10190,1234"),
    ("decimal-point", "Elev 10190.1234"),
    ("decimal-thousands", "10.190,1234"),
    ("decimal-scientific", "1,01901234E+04"),
    # a four-digit year after a day and month written together, the serial apart; or the
    # serial glued to the year where the day and month stand apart
    ("year-after-day-and-month", "01011990-1234"),
    ("year-apart-after-day-and-month", "0101 1990-1234"),
    ("all-apart-day-and-month-together", "0101-1990-1234"),
    ("serial-glued-to-the-year", "01.01.19901234"),
    # any number of separators between the parts, as in an aligned column
    ("six-spaces", "010190      1234"),
    ("many-dots", "01.01.90............1234"),
    # digits newer than Python's own Unicode database (14): Kawi, Nag Mundari (15),
    # outlined digits that look like ASCII ones, Garay (16)
    ("kawi", _in(DIGITS, 0x11F50)),
    ("nag-mundari", _in(DIGITS, 0x1E4F0)),
    ("outlined", "Elev " + _in("010190", 0x1CCF0) + "-" + _in("1234", 0x1CCF0)),
    ("garay", _in(DIGITS, 0x10D40)),
    # characters that stand for digits without Unicode's digit property (the review of
    # 2026-12-04): a number's value (dingbat zeros, Medefaidrin), a compatibility form of
    # more than one digit (⑩ is 10, ⑫ 12, ㉞ 34), fewer characters than digits
    ("circled-thirty-four", "010190-12\u325e"),
    ("circled-ten", "0\u2469190-\u246b\u325e"),
    ("dingbat-zeros",
     "\U0001f10b\u2780\U0001f10b\u2780\u2788\U0001f10b-\u2780\u2781\u2782\u2783"),
    ("medefaidrin", _in("010190", 0x16E80) + "-" + _in("1234", 0x16E80)),
    # letters with a digit's numeric value: the CJK numerals, plain and formal (a review
    # of 2026-12-04)
    ("cjk-numerals", "\u3007\u4e00\u3007\u4e00\u4e5d\u3007-\u4e00\u4e8c\u4e09\u56db"),
    ("cjk-formal", "Sted \u96f6\u58f9\u96f6\u58f9\u7396\u96f6 \u58f9\u8cb3\u53c3\u8086"),
    # tag characters: invisible copies of ASCII, the number hidden but all there
    ("tag-digits", "Elev " + _in("010190", 0xE0030) + "\U000e002d" + _in("1234", 0xE0030)),
    ("tags-between", "0101\U000e0039\U000e00301234"),
    # escapes that stand for characters: a URL's, HTML's and XML's
    ("percent-encoded-dash", "010190%2D1234"),
    ("ooxml-escaped", "Sted " + "".join(f"_x{ord(c):04X}_" for c in "010190-1234")),
    ("ooxml-escaped-dash", "010190_x2013_1234"),
    # as repr() writes a text in a message: the separator a Python or JSON escape
    ("python-repr", repr("Sted 010190\u00a01234")),
    ("json-escaped-digits", "".join(f"\\u{ord(c):04x}" for c in "010190") + "-1234"),
    ("percent-encoded-digits", "%30%31%30%31%39%30%2D%31%32%33%34"),
    ("html-decimal", "&#48;&#49;&#48;&#49;&#57;&#48;-1234"),
    ("html-hex-dash", "010190&#x2D;1234"),
    ("html-named", "010190&minus;1234"),
    ("escaped-twice", "010190%252D1234"),
]
NOT_CPR = ["9913001234", "3213901234", "0113901234", "20230101-1234", "0101901234567",
           "1230101901234", "E0000001", "2023-01-05", "+4512345678", "12 34 56 78",
           "148,0", "010190-123", "Plejecenter Å", "",
           # dates and times beside other numbers: a date and a year, the century of the
           # serial not that of the year, a time, a version, a count, no such day
           "1.1.2024-2025", "Forløb 1.1.2024-1234", "12.03.24 10:15", "kl. 10.15 12.03.24",
           "2024-03-12 10:15:00", "v1.2.3.4567", "1 2 3 4 5 6 7 8 9 10", "32.1.90-1234",
           "1.13.90-1234", "010190-12 34",
           # nine digits that are no day and month, a longer run; numbers as exponents
           "123456789", "1019012345678", "4.5E9", "2.5E9", "1.01901234E+07",
           "010190a1234",
           # groups of three that are no day and month, or too few or many digits
           "1.234.567.890", "12.345.678", "1.010.190.123.456", "Beløb 1.019.012",
           # escapes beside numbers that are none
           "50%20rabat 2024", "A&amp;B 12.03.24", "%41%42%43 123456",
           # decimal numbers that are none: kroner and øre, hours, a date's serial with a
           # time, no day and month, five decimals, a mark and a space
           "20.512,37", "10190,12", "148,5", "40123,5", "12345,678", "10190,12345",
           "10190, 1234",
           # longer numbers in groups or with decimals, a date and a year glued
           "12.345.678.901.234", "1.010.190,1234", "Bus 5 2.512.891.234.5", "01012024-2025"]


# Spellings with no place for a mask or pseudonym (numbers shown in another order than
# stored, escapes whose digits are the escapes'): every digit of the text goes.
EVERY_DIGIT_MASKED = {"right-to-left-paragraph", "percent-encoded-dash",
                      "percent-encoded-digits", "html-decimal", "html-hex-dash", "html-named",
                      "escaped-twice", "ooxml-escaped", "ooxml-escaped-dash",
                      "python-repr", "json-escaped-digits"}


def _ids(cases: list[tuple[str, str]]) -> list[str]:
    return [case[0] for case in cases]


def _leaks(text: str) -> bool:
    return contains_cpr(text) or any(s in text for _i, s in SPELLINGS) or DIGITS in text


# --- the definition -----------------------------------------------------------------


# A number beside another one: a separator that is no decimal mark parts them.
BESIDE_A_NUMBER = ["Hus 2 10190,1234", "101.901.234 7", "Team 3 2.512.891.234",
                   "Lokale 7\n150190,123", "10.190,1234 4"]


@pytest.mark.parametrize("text", BESIDE_A_NUMBER)
def test_a_spelling_beside_another_number_is_found_and_masked(text: str) -> None:
    assert contains_cpr(text)
    masked = mask_cpr(text)
    assert "XXXXXX-XXXX" in masked and not contains_cpr(masked)
    left = [c for c in masked.replace("XXXX", "") if c.isdigit()]
    assert len(left) == 1  # only the other number's digit
    row = duckdb.connect().execute(f"SELECT {sql_candidate('t')} FROM (SELECT ? AS t)",
                                   [text]).fetchone()
    assert row == (True,)


@pytest.mark.parametrize("text", [
    "010190-1234 020190%2D1234", "010190-1234 020190&#45;1234",
    "010190-1234 \u202e4321-091020\u202c", "Elevliste 010190-1234 \u202e4321-091020\u202c "
    "030190%2D1234.xlsx", "010190-1234 \u05d0 020190-1234 \u05d1 030190-1234"])
def test_numbers_in_several_readings_of_one_text_are_all_masked(text: str) -> None:
    """Each reading (as stored, as an override shows it, escaped) is masked in a pass of
    its own: masking stops only when no reading holds a number."""
    assert contains_cpr(text)
    assert not contains_cpr(mask_cpr(text))
    pseudonyms = Pseudonymizer(b"k" * 32)
    assert not contains_cpr(pseudonyms.text(text))


@pytest.mark.parametrize(("name", "spelling"), SPELLINGS, ids=_ids(SPELLINGS))
def test_every_spelling_is_found_masked_and_a_candidate(name: str, spelling: str) -> None:
    assert contains_cpr(spelling)
    masked = mask_cpr(spelling)
    # numbers shown in another order than stored: every digit goes
    assert ("XXXXXX-XXXX" in masked or name in EVERY_DIGIT_MASKED) \
        and not contains_cpr(masked)
    # No digit of the number is left (a decimal `.0` after it is no part of it).
    left = [c for c in masked.replace("XXXX", "") if unicodedata.digit(c, None) is not None]
    assert left in ([], ["0"]) and (left == [] or masked.endswith(".0"))
    row = duckdb.connect().execute(f"SELECT {sql_candidate('t')} FROM (SELECT ? AS t)",
                                   [spelling]).fetchone()
    assert row == (True,)


@pytest.mark.parametrize("hours", ["0101901234e-7", "010190_1234e-7", "0101901234E-06"])
def test_a_cpr_number_written_as_hours_in_scientific_notation_is_refused(
        hours: str, minimal_copy: Path) -> None:
    """read_csv reads it as 10.19 hours on the fast path, where its text is gone."""
    rows = _read(minimal_copy / "sygefravaer.csv")
    rows[1][3] = hours
    _write(minimal_copy / "sygefravaer.csv", rows)
    with pytest.raises(ValidationFailed) as refused:
        check_folder(minimal_copy, today=TODAY)
    assert refused.value.report() == [
        "sygefravaer.csv:2: planlagte_timer: indeholder noget, der ligner et CPR-nummer; "
        "skriv aldrig CPR-numre i filerne"]


def test_the_right_to_left_ranges_hold_every_right_to_left_character() -> None:
    """Every character that can turn digits around in Python's Unicode database."""
    turning = {"R", "AL", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "FSI", "PDF", "PDI"}
    outside = [hex(code) for code in range(0x110000)
               if unicodedata.bidirectional(chr(code)) in turning
               and not any(low <= code <= high for low, high in RTL_RANGES)]
    assert outside == []


@pytest.mark.parametrize("text", NOT_CPR)
def test_other_numbers_are_not_cpr_numbers(text: str) -> None:
    assert not contains_cpr(text)
    assert mask_cpr(text) == text


def test_the_sql_layout_holds_every_character_as_python_normalises_it() -> None:
    """The SQL candidate must be a superset of contains_cpr: each character's layout
    (sql_shape) is the class Python reads it as: a digit `d` (or `n`, digit or
    separator), a separator `s` (or `n`; or nothing for a mark newer than Python's
    Unicode database, which the candidate allows), a letter `x`, an invisible character
    nothing."""
    allowed = {"digit": ("d", "n"), "separator": ("s", "n", ""), "letter": ("x",),
               "invisible": ("",), "several": ("d", "n", "s", "x", "")}
    chars, expected = [], []
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates cannot be encoded, so never reach DuckDB
        value = normalise(chr(code))
        # A character that stands for several (⑩, ½, ㋀) makes a candidate of any text
        # (SPELLED_WITH_DIGITS, tested below): its own layout does not matter.
        kind = ("several" if len(value) > 1 else "separator" if value == "-"
                else "invisible" if value == ""
                else "digit" if value.isascii() and value.isdigit() else "letter")
        chars.append(chr(code))
        expected.append(kind)
    shapes = duckdb.connect().execute(
        f"SELECT list({sql_shape('c')} ORDER BY n) FROM unnest(?) WITH ORDINALITY u(c, n)",
        [chars]).fetchone()
    assert shapes is not None
    wrong = [(hex(ord(c)), kind, shape) for c, kind, shape in zip(chars, expected, shapes[0],
                                                                   strict=True)
             if shape not in allowed[kind]]
    assert wrong == []
    # ASCII, Latin-1 and Latin Extended-A/B but the four click letters (ǀ looks like |)
    # and the 52 tag letters (_TAGS)
    assert expected.count("digit") > 600 and expected.count("letter") == 52 + 62 + 336 - 4 + 52
    assert normalise("\u3164\ue000\u0416\u01c0") == "----"  # Hangul filler, private use, Ж, ǀ


def test_ten_digits_in_groups_of_three_are_the_number_they_make() -> None:
    """`#.##0` writes 2512891234 as 2.512.891.234: that is 251289-1234."""
    for text in ("2.512.891.234", "Beløb: 2 512 891 234 kr.", "2,512,891,234"):
        assert contains_cpr(text) and mask_cpr(text).count("XXXXXX-XXXX") == 1, text
        row = duckdb.connect().execute(f"SELECT {sql_candidate('t')} FROM (SELECT ? AS t)",
                                       [text]).fetchone()
        assert row == (True,)
    assert not contains_cpr("2.512.891.234.567") and not contains_cpr("3.212.891.234")


def test_decimal_numbers_are_the_number_typed_with_a_decimal_comma() -> None:
    """A spreadsheet keeps 150190,1230 as 150190,123 and 010190,1234 as 10190,1234: the
    zeros lost at both ends are put back, and a pseudonym is the same as the number's."""
    for text, digits in (("150190,123", "1501901230"), ("Sted 150190.123 nord", "1501901230"),
                         ("10190,1234", "0101901234"), ("1.501.901,23E+0", None),
                         ("2.512.891,234", "2512891234"), ("1,50190123E5", "1501901230"),
                         ("1,5019012E5", None)):
        seen: list[str] = []
        replace_cpr(text, lambda found, seen=seen: seen.append(found) or "P")
        assert seen == ([digits] if digits else []), text
        assert contains_cpr(text) == (digits is not None), text
        if digits:
            row = duckdb.connect().execute(f"SELECT {sql_candidate('t')} FROM (SELECT ? AS t)",
                                           [text]).fetchone()
            assert row == (True,), text


def test_the_newer_invisible_characters_are_those_since_unicode_14() -> None:
    """Named one by one for RE2, which may not know them: every one of them, and no more."""
    import unicodedata as python_unicode

    assert python_unicode.unidata_version == "14.0.0"
    invisible = ("Cf", "Mn", "Me")
    newer = [code for code in range(sys.maxunicode + 1)
             if unicodedata.category(chr(code)) in invisible
             and python_unicode.category(chr(code)) not in invisible]
    assert newer == [code for low, high in NEWER_INVISIBLE for code in range(low, high + 1)]


def test_the_characters_that_stand_for_digits_are_named_for_sql() -> None:
    """NUMBER_VALUED and SPELLED_WITH_DIGITS hold every character that normalise reads as
    digits without Unicode's digit property, one digit or several, and no other."""
    one, several = [], []
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF or unicodedata.digit(chr(code), None) is not None \
                or 0xE0020 <= code <= 0xE007E:  # tags read as their ASCII (_RE2_TAG_DIGIT)
            continue
        value = normalise(chr(code))
        if value and any("0" <= char <= "9" for char in value):
            (one if len(value) == 1 else several).append(code)
    assert one == [code for low, high in NUMBER_VALUED for code in range(low, high + 1)]
    assert several == [code for low, high in SPELLED_WITH_DIGITS
                       for code in range(low, high + 1)]
    assert normalise("\u2469\u00bd\u32c0\U0001f10b") == "101-21-0"  # ⑩ ½ ㋀ 🄋
    row = duckdb.connect().execute(
        f"SELECT {sql_candidate('t')}, {sql_digit_like('t')} FROM (SELECT ? AS t)",
        ["\u2469"]).fetchone()
    assert row == (True, True)  # one character that stands for two digits


def test_the_sure_digits_are_pythons_decimal_digits() -> None:
    runs = [code for code in range(sys.maxunicode + 1)
            if unicodedata.category(chr(code)) == "Nd" and unicodedata.digit(chr(code)) == 0]
    assert list(DIGIT_BLOCKS) == runs
    assert all(unicodedata.digit(chr(start + i), None) == i
               for start in DIGIT_BLOCKS for i in range(10))


def test_the_layout_reads_letters_as_letters_and_drops_invisible_characters() -> None:
    """sql_candidate matches an ASCII pattern of d and s against the layout: a text
    written with the letters d and s must not pass for digits and separators, and an
    invisible character between two digits must not part them."""
    con = duckdb.connect()
    texts = ["dd-ss-dd-dddd", "01\u200b0190-1234", "０１０１９０－１２３４", "Åse 7",
             "010190\u31641234", "2.512891234E9"]
    shapes = con.execute(f"SELECT list({sql_shape('t')} ORDER BY n) "
                         "FROM unnest(?) WITH ORDINALITY u(t, n)", [texts]).fetchone()
    assert shapes == (["xxsxxsxxsxxxx", "ddddddsdddd", "ddddddsdddd", "xxxsd",
                       "ddddddsdddd", "dsdddddddddxd"],)
    candidates = con.execute(f"SELECT list({sql_candidate('t')} ORDER BY n) "
                             "FROM unnest(?) WITH ORDINALITY u(t, n)", [texts]).fetchone()
    assert candidates == ([False, True, True, False, True, True],)


def test_the_broad_test_holds_every_candidate_and_no_code() -> None:
    """sql_digit_like stands in for SQL_CANDIDATE on small tables and in front of the
    code key: it must hold every spelling, and no code or label in any case (it would
    refuse a valid value)."""
    con = duckdb.connect()
    test = sql_digit_like("t")
    caught = {text for (text,) in con.execute(f"SELECT t FROM unnest(?) u(t) WHERE {test}",
                                              [[s for _n, s in SPELLINGS]]).fetchall()}
    assert caught == {s for _n, s in SPELLINGS}
    spellings = [spelling for spec in ALL_FILES for column in spec.columns
                 for code, label in column.codes.items()
                 for text in (code, label) for spelling in (text, text.lower(), text.upper())]
    assert len(spellings) > 50
    assert con.execute(f"SELECT list(t) FROM unnest(?) u(t) WHERE {test}",
                       [spellings]).fetchone() == (None,)


@pytest.mark.parametrize("regex_from_values", [0, REGEX_FROM_VALUES], ids=["regex", "broad"])
def test_cpr_cells_finds_every_spelling_with_either_candidate_test(
        regex_from_values: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns of fewer than REGEX_FROM_VALUES distinct values are screened by the broad
    test, others by the CPR regex; either way contains_cpr decides, and the same cells
    are found."""
    monkeypatch.setattr(rules, "REGEX_FROM_VALUES", regex_from_values)
    texts = [s for _n, s in SPELLINGS] + NOT_CPR + [None]
    # The id rule reports the ids shaped like 010190-1234 itself: cpr_cells leaves those out.
    by_id_rule = ["0101901234", "010190-1234"]
    other_spellings = ["CPR010190-1234", _in(DIGITS, 0xFF10)]
    ids = ["A1", *by_id_rule, *other_spellings, "E0000001", "9913001234", "A2"]
    con = duckdb.connect()
    con.execute("CREATE TABLE cells (_line INTEGER, elev_id VARCHAR, note VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?, ?)",
                    [(line, ids[line % len(ids)], text) for line, text in enumerate(texts)])
    found = rules.cpr_cells(con, "cells", ["elev_id", "note"])
    notes = {line for line, column in found if column == "note"}
    assert notes == set(range(len(SPELLINGS)))
    id_lines = {line for line, column in found if column == "elev_id"}
    assert id_lines == {line for line in range(len(texts))
                        if ids[line % len(ids)] in other_spellings}
    assert len(id_lines) >= 2


# --- every column of every file, both load paths ---------------------------------------


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _all_files(folder: Path) -> Path:
    shutil.copy(DATA / "initiatives" / "indsatser.csv", folder / "indsatser.csv")
    return folder


def _cpr_in_every_cell_of_line_2(folder: Path, spelling: str) -> None:
    for spec in ALL_FILES:
        rows = _read(folder / f"{spec.name}.csv")
        rows[1] = [spelling for _ in rows[1]]
        _write(folder / f"{spec.name}.csv", rows)


@pytest.mark.parametrize(("name", "spelling"), sweep(SPELLINGS, _ids(SPELLINGS)))
def test_a_cpr_number_in_any_column_of_any_file_is_refused_and_never_kept(
        name: str, spelling: str, minimal_copy: Path, minimal_db: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = minimal_db  # a live database the refused load must leave alone
    folder = _all_files(minimal_copy)
    _cpr_in_every_cell_of_line_2(folder, spelling)
    capsys.readouterr()
    assert main(["load", str(folder), "--db", str(db)]) == 1
    output = capsys.readouterr()
    report = output.out + output.err
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    lines = refused.value.report(limit=1000)
    for spec in ALL_FILES:
        for column in spec.column_names:
            where = f"{spec.name}.csv:2: {column}: "
            assert any(line.startswith(where) and "CPR" in line for line in lines), where
            assert where in report
    log = (tmp_path / "log.jsonl").read_text(encoding="utf-8")
    assert "indlaesning_afvist" in log
    for text in (report, "\n".join(lines), log):
        assert not _leaks(text)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert spelling.encode("utf-8") not in stored and DIGITS.encode() not in stored


# Columns where only the CPR check itself can decline the fast path (code columns get a
# valid code in front of the number: 'SSA ０１０１９０-１２３４' must not read as SSA).
# The id is replaced in every file at once (see _put), so it is listed once.
FAST_COLUMNS = [(spec.name, column.name, column.kind) for spec in FILES
                for column in spec.columns if column.kind in ("text", "code", "yesno")
                or (column.kind == "id" and spec.name == "elever")]
FAST_SPELLINGS = [s for s in SPELLINGS if s[0] in ("nb-hyphen", "full-width", "arabic-indic",
                                                   "prefix", "in-text", "short-day-month",
                                                   "four-digit-year", "digits-apart",
                                                   "circled-ten")]


def _put(folder: Path, file: str, column: str, kind: str, spelling: str) -> None:
    if kind == "id":  # the same student in every file, so no rule across files fires
        for spec in FILES:
            rows = _read(folder / f"{spec.name}.csv")
            _write(folder / f"{spec.name}.csv",
                   [[spelling if cell == "A1" else cell for cell in row] for row in rows])
        return
    rows = _read(folder / f"{file}.csv")
    index = rows[0].index(column)
    line = next(row for row in rows[1:] if row[index])
    line[index] = f"{line[index]} {spelling}"
    _write(folder / f"{file}.csv", rows)


@pytest.mark.parametrize(("name", "spelling"), sweep(FAST_SPELLINGS, _ids(FAST_SPELLINGS)))
def test_both_load_paths_refuse_a_cpr_number_in_each_column(
        name: str, spelling: str, tmp_path: Path) -> None:
    # The fast path declines a folder with the number in any one column ...
    for file, column, kind in FAST_COLUMNS:
        folder = tmp_path / f"{file}-{column}"
        shutil.copytree(MINIMAL, folder)
        _put(folder, file, column, kind, spelling)
        assert validate_fast(duckdb.connect(), folder, TODAY) is None, (file, column)
    # ... and the text path names every one of them at once, file, line and column.
    everywhere = tmp_path / "overalt"
    shutil.copytree(MINIMAL, everywhere)
    for file, column, kind in FAST_COLUMNS:
        _put(everywhere, file, column, kind, spelling)
    with pytest.raises(ValidationFailed) as refused:
        check_folder(everywhere, today=TODAY)
    report = "\n".join(refused.value.report())
    with_the_student = [spec.name for spec in FILES
                        if any("A1" in row for row in _read(MINIMAL / f"{spec.name}.csv"))]
    for file, column, kind in FAST_COLUMNS:
        for where in with_the_student if kind == "id" else [file]:
            assert any(line.startswith(f"{where}.csv:") and f" {column}: " in line
                       for line in report.splitlines()), (where, column, report)
    assert "CPR" in report and not _leaks(report)


@pytest.mark.parametrize("space", sweep(["\u00a0", " ", "\u3000", "\t"],
                                         ["no-break", "space", "ideographic", "tab"]))
def test_a_cpr_number_alone_in_a_column_no_figure_reads_is_refused_padded(
        space: str, minimal_copy: Path) -> None:
    """The fast path keeps the sick-leave file's site (which no figure reads) as written;
    the CPR check trims each distinct value as every path reads a cell."""
    rows = _read(minimal_copy / "sygefravaer.csv")
    rows[2][rows[0].index("oplaeringssted")] = f"{space * 2}010190-1234{space}"
    _write(minimal_copy / "sygefravaer.csv", rows)
    assert validate_fast(duckdb.connect(), minimal_copy, TODAY) is None
    with pytest.raises(ValidationFailed) as refused:
        check_folder(minimal_copy, today=TODAY)
    report = "\n".join(refused.value.report())
    assert "sygefravaer.csv:3: oplaeringssted:" in report and "CPR" in report
    assert not _leaks(report)


def test_a_clean_folder_still_takes_the_fast_path() -> None:
    assert validate_fast(duckdb.connect(), MINIMAL, TODAY) is not None


# --- file and sheet names -------------------------------------------------------------


def _workbook(path: Path, extra_sheet: str | None = None) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in FILES:
        sheet = book.create_sheet(spec.name)
        for row in _read(MINIMAL / f"{spec.name}.csv"):
            sheet.append(row)
    if extra_sheet:
        book.create_sheet(extra_sheet).append(["noget"])
    book.save(path)


def test_a_cpr_number_in_xlsx_escapes_is_refused_and_the_cell_read_as_shown(
        tmp_path: Path) -> None:
    """Excel, LibreOffice and calamine show `_x0030_` in a cell's text as 0 (openpyxl
    keeps it as written): escaped, a CPR number is refused like any other, and other
    escaped text is read as a spreadsheet shows it."""
    folder = tmp_path / "input"
    folder.mkdir()
    _workbook(folder / "eksport.xlsx")
    book = openpyxl.load_workbook(folder / "eksport.xlsx")
    escaped = "".join(f"_x{ord(c):04X}_" for c in "0101901234")
    book["elever"]["E2"] = f"Plejecenter {escaped}"
    book.save(folder / "eksport.xlsx")
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    shown = [str(p) for p in refused.value.problems]
    assert shown == ["eksport.xlsx[elever]:2: oplaeringssted: indeholder noget, der ligner et "
                     "CPR-nummer; skriv aldrig CPR-numre i filerne"]
    book["elever"]["E2"] = "Plejecenter _x00C5_en"
    book.save(folder / "eksport.xlsx")
    db = tmp_path / "sosu.duckdb"
    load_folder(folder, db, today=TODAY)
    con = duckdb.connect(str(db), read_only=True)
    assert ("Plejecenter Åen",) in con.execute(
        "SELECT DISTINCT oplaeringssted FROM elever").fetchall()
    con.close()


def test_a_database_named_with_a_cpr_number_is_printed_masked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator chooses the name; the command line still never prints the number.
    The load is kept as made at 14:06:46: the history's listing must not put those six
    digits beside the next column's year (a CPR number spelled apart, "140646  2026")."""
    monkeypatch.setattr(history, "new_id", lambda _folder, _now: "20261204-140646")
    db = tmp_path / "Elev 010190-1234.duckdb"
    assert main(["load", str(MINIMAL), "--db", str(db)]) == 0
    assert main(["kpi", "--db", str(tmp_path / "mangler 010190-1234.duckdb")]) == 1
    output = capsys.readouterr()
    assert "Elev XXXXXX-XXXX.duckdb" in output.out
    assert not _leaks(output.out + output.err)
    # Every command's messages, whichever path they name (history, rollback, reload,
    # report, argparse's own errors): the streams are masked line by line.
    folder = tmp_path / "Mappe 020190-1234"
    for argv in (["history", "--db", str(db)], ["rollback", "--db", str(db)],
                 ["reload", "--db", str(tmp_path / "Ny 030190-1234.duckdb")],
                 ["report", "--db", str(db), "--quarter", "2024Q1",
                  "--out", str(folder / "r.pdf")],
                 ["report", "--db", str(db), "--quarter", "2024Q1",
                  "--out", str(tmp_path / "Rapport 040190-1234.pdf")],
                 ["check", str(folder), "--profil", str(folder / "p 050190-1234.toml")]):
        with contextlib.suppress(SystemExit):  # argparse's own errors exit
            main(argv)
        output = capsys.readouterr()
        assert output.out + output.err, argv
        assert not contains_cpr(output.out + output.err), (argv, output)


@pytest.mark.parametrize("cpr", ["010190-1234", "010190\u20111234",
                                 _in("010190", 0xFF10) + " " + _in("1234", 0xFF10)])
def test_a_cpr_number_in_a_file_name_is_masked_where_it_is_stored_and_shown(
        cpr: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    _workbook(folder / f"Elevliste Anne Hansen {cpr}.xlsx")
    db = tmp_path / "sosu.duckdb"
    assert main(["load", str(folder), "--db", str(db)]) == 0
    output = capsys.readouterr()
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT filer FROM indlaesning").fetchone()
    con.close()
    assert row is not None
    assert "Elevliste Anne Hansen XXXXXX-XXXX.xlsx[elever]" in str(row[0])
    log = (tmp_path / "log.jsonl").read_text(encoding="utf-8")
    assert "XXXXXX-XXXX" in log
    for text in (str(row[0]), log, output.out + output.err):
        assert not _leaks(text) and cpr not in text
    stored = db.read_bytes()
    assert cpr.encode("utf-8") not in stored and DIGITS.encode() not in stored


def test_a_cpr_number_in_a_sheet_name_is_masked_in_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    _workbook(folder / "eksport.xlsx", extra_sheet="Anne 010190\u20111234")
    assert main(["check", str(folder)]) == 1
    output = capsys.readouterr()
    assert "eksport.xlsx[Anne XXXXXX-XXXX]: ukendt fil" in output.err
    assert not _leaks(output.out + output.err)


def test_a_csv_file_named_with_a_cpr_number_is_refused_with_the_name_masked(
        minimal_copy: Path) -> None:
    (minimal_copy / "elever.csv").rename(minimal_copy / "elever 010190\u20131234.csv")
    with pytest.raises(ValidationFailed) as refused:
        check_folder(minimal_copy, today=TODAY)
    problems = refused.value.problems
    assert any(p.file == "elever XXXXXX-XXXX.csv" for p in problems)
    assert not _leaks("\n".join(f"{p.file} {p.column} {p.message}" for p in problems))


# --- the header -----------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    "elev_id " + _in("010190", 0x0660) + "-" + _in("1234", 0x0660),  # Arabic-Indic
    "elev_id" + _in(DIGITS, 0xE0030),  # invisible tag digits
], ids=["arabic-indic", "tags"])
def test_a_cpr_number_in_a_header_the_contract_reads_past_is_refused(
        minimal_copy: Path, header: str) -> None:
    """A header's names are compared normalised, which drops digits of other scripts:
    `elev_id ٠١٠١٩٠-١٢٣٤` read as elev_id. The header is searched as written."""
    path = minimal_copy / "elever.csv"
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(first.replace("elev_id", header, 1) + "\n" + rest, encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        check_folder(minimal_copy, today=TODAY)
    problems = refused.value.problems
    assert [(p.file, p.line, p.column, p.message) for p in problems] == [
        ("elever.csv", 1, "elev_id XXXXXX-XXXX" if "-" in header else "elev_idXXXXXX-XXXX",
         CPR_HEADER)]
    assert not _leaks("\n".join(str(p) for p in problems))


# --- outside the columns: above the header, right of it -------------------------------


def test_a_cpr_number_in_a_title_above_the_header_is_refused(minimal_copy: Path) -> None:
    """A report's title is no column's, but the history keeps the file as given."""
    path = minimal_copy / "elever.csv"
    path.write_text("Elevliste for 010190-1234;;\n\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert validate_fast(duckdb.connect(), minimal_copy, TODAY) is None
    with pytest.raises(ValidationFailed) as refused:
        check_folder(minimal_copy, today=TODAY)
    assert [str(p) for p in refused.value.problems] == [f"elever.csv:1: {CPR_OUTSIDE_COLUMNS}"]


@pytest.mark.parametrize(("where", "value", "line"), [
    ("title", "Elevliste 010190-1234", 1), ("right", "010190-1234", 4),
    ("right", 2501901234, 4)], ids=["title", "right-text", "right-number"])
def test_a_cpr_number_outside_a_sheets_columns_is_refused(
        tmp_path: Path, where: str, value: object, line: int) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    _workbook(folder / "eksport.xlsx")
    book = openpyxl.load_workbook(folder / "eksport.xlsx")
    sheet = book["elever"]
    if where == "title":
        sheet.insert_rows(1, 2)
        sheet["A1"] = value
    else:
        sheet.cell(row=line, column=sheet.max_column + 2, value=value)
    book.save(folder / "eksport.xlsx")
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    shown = [str(p) for p in refused.value.problems]
    assert shown == [f"eksport.xlsx[elever]:{line}: {CPR_OUTSIDE_COLUMNS}"]
    assert not _leaks("\n".join(shown))


# --- sosu pseudonymize ----------------------------------------------------------------


def test_pseudonymize_gives_every_spelling_of_one_number_one_pseudonym() -> None:
    pseudo = Pseudonymizer(bytes(32))
    expected = pseudo.pseudonym("010190-1234")
    for name, spelling in SPELLINGS:
        replaced = pseudo.text(spelling)
        if name in EVERY_DIGIT_MASKED:  # no place to put it: every digit goes
            assert replaced == "".join("X" if c.isdigit() else c for c in spelling)
            assert not contains_cpr(replaced)
            continue
        assert expected in replaced and not contains_cpr(replaced), spelling
    assert pseudo.elev_id(_in(DIGITS, 0xFF10)) == expected


def test_pseudonymize_a_folder_with_full_width_and_other_spellings(tmp_path: Path) -> None:
    folder = tmp_path / "input"
    shutil.copytree(MINIMAL, folder)
    spellings = [s for _n, s in SPELLINGS if not any(c.isalpha() for c in s)]
    for index, spec in enumerate(FILES):
        rows = _read(folder / f"{spec.name}.csv")
        spelling = spellings[index % len(spellings)]
        rows = [[spelling if cell == "A1" else cell for cell in row] for row in rows]
        if "oplaeringssted" in rows[0]:
            site = rows[0].index("oplaeringssted")
            rows[1][site] = f"{rows[1][site]} ({SPELLINGS[11][1]})".strip()
        _write(folder / f"{spec.name}.csv", rows)
    keys = tmp_path / "keys"
    keys.mkdir()
    out = tmp_path / "out"
    summary = pseudonymize_folder(folder, out, keys / "nøgle")
    texts = {p.name: p.read_text(encoding="utf-8-sig") for p in out.iterdir()}
    assert not any(_leaks(text) for text in texts.values())
    expected = Pseudonymizer(bytes.fromhex((keys / "nøgle").read_text().strip()))
    a1 = expected.pseudonym(DIGITS)
    for spec in FILES:
        ids = [row[0] for row in csv.reader(io.StringIO(texts[f"{spec.name}.csv"]),
                                            delimiter=";")]
        before = [row[0] for row in _read(MINIMAL / f"{spec.name}.csv")]
        assert ids.count(a1) == before.count("A1"), spec.name
    assert summary.distinct == 1
    check_folder(out, today=TODAY)
