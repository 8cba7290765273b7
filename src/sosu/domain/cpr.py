"""CPR numbers however they are written: the one place that knows their spellings.

The loader refuses them (etl.rules), every message and log masks them
(etl.problems, store.audit), file and sheet names are masked before they are stored or
shown (etl.read), and `sosu pseudonymize` replaces them (etl.pseudonymize).

A CPR number, as found here, after normalising the text (by the newest Unicode
character database, unicodedata2, not Python's own):
- every character Unicode gives a digit value (full-width ０, Arabic-Indic ٠, Devanagari,
  mathematical 𝟎, superscript ¹, outlined 𜳰 …) counts as that ASCII digit, and so does
  every other character whose numeric value is a whole 0–9 (dingbat 🄋, Roman Ⅰ–Ⅸ, the
  CJK numerals 〇 一 二 … 九, 零, 壹 …); one whose compatibility form holds digits counts
  as those (⑩ as 10);
- a tag character (U+E0020–E007E, an invisible copy of ASCII) counts as its ASCII;
- other invisible characters (format characters such as the zero-width space and the
  soft hyphen, and combining marks) are ignored;
- a letter is a Latin letter (ASCII, Latin-1 and Latin Extended-A/B: `a`, `Å`, `é`, `ő`);
- anything else is a separator: punctuation (dashes, dots, slashes, `|`, `·`, `,` …),
  symbols, spaces (NBSP, thin space …), control characters, and also letters of other
  scripts, private-use and unassigned code points. Which of those stands between the
  parts tells nothing: `010190|1234`, `010190ㅤ1234` (a Hangul filler, which shows as a
  blank) and `010190-1234` are the same number. Only a Latin letter parts digits.

The shapes (see _SHAPES) are DD MM YY NNNN with any number of separators between the
parts; a one-digit day or month, or a four-digit year in the century the serial's first
digit gives, where every part stands apart; and ten digits each apart (up to five
separators between each). A day is 01–31 and a
month 01–12 (no modulus-11 check: many numbers issued since 2007 fail it), and no digit
stands directly before or after (a longer run of digits is some other number). Letters
glued to it do not matter: `CPR010190-1234`, `cpr:0101901234` and `010190-1234abc` are
caught. A serial split in two (`010190-12 34`) is not read as one: it has the shape of
a date and a time (`12.03.24 10.15`).

Four spellings a spreadsheet makes of a number: nine digits standing alone whose first
digit is a day 1–9 (`101901234`: 0101901234 with the leading zero lost, as a number cell
or a cell formatted as a number keeps it), scientific notation whose value is a CPR
number (`2.512891234E9`, `1,01901234E+08`, `1.01901234E+008`), groups of three as a
number format with thousands separators writes them (`2.512.891.234`, `101.901.234`), and
a decimal number made of one typed with a decimal comma (`10190,1234`, `150190,123`,
`10.190,1234`: zeros lost at both ends; three or four decimals, see _DECIMAL).

Text with escapes that stand for characters (a URL's `%2D`, HTML's and XML's `&#45;`,
`&#x2D;`, `&minus;`, Office Open XML's `_x002D_`, Python's and JSON's `\\xa0` and
`\\u2011`, as repr() writes a text in a message) is also read decoded; where only that
reading holds a number, every digit of the text is masked.

Right-to-left text is read in every order it may be shown in (RTL_RANGES): a right-to-left
override turns `\u202e4321-091010` into 010190-1234 on screen, a right-to-left paragraph
shows `1234 010190` as 010190 1234; masking such a text hides every digit of it.

DuckDB cannot normalise text, so the loader asks DuckDB (sql_candidate) for candidate
cells, the same shape over the text's layout (sql_shape) without the date and
digit-boundary checks, a superset, and decides on those few with contains_cpr. On a small table a
cheaper superset (sql_digit_like) chooses the cells contains_cpr decides on.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

# The newest Unicode character database, not Python's own (Unicode 14 in Python 3.11):
# a digit added since (outlined 𜳰, Garay, Kawi …) would otherwise be a separator.
import unicodedata2 as unicodedata

MASK = "XXXXXX-XXXX"

# The letters that part digits: Latin ones (ASCII, Latin-1 and Latin Extended-A/B, the
# × and ÷ between them excluded, and the four click letters ǀ ǁ ǂ ǃ, which look like
# `|`, `‖`, `ǂ` and `!`), as code point ranges, so that Python and DuckDB's RE2
# (sql_shape) use the same class. Every other character but a digit or an invisible one
# is a separator: `010190ㅤ1234` with a Hangul filler (a letter that shows as a blank),
# a private-use or an unassigned code point between the parts is a CPR number.
_LETTER_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x1BF),
                  (0x1C4, 0x24F))
_INVISIBLE = ("Cf", "Mn", "Me")
# Tag characters (U+E0020–E007E) are invisible copies of ASCII (` ` to `~`): a number
# spelled in tag digits shows nothing and is still the number. Each reads as its ASCII.
_TAGS = (0xE0020, 0xE007E)
_TAG_OFFSET = 0xE0000
_SEP = "-"  # every separator is normalised to this


def _is_letter(code: int) -> bool:
    return any(low <= code <= high for low, high in _LETTER_RANGES)


class _Normaliser(dict[int, str | None]):
    """A str.translate table built as characters are met: digits to ASCII, invisible
    characters removed, Latin letters kept, anything else to '-'. translate runs in C;
    only a character not seen before costs a Python call."""

    def __missing__(self, code: int) -> str | None:
        if _TAGS[0] <= code <= _TAGS[1]:  # a tag: invisible, but the ASCII it stands for
            self[code] = self[code - _TAG_OFFSET]
            return self[code]
        char = chr(code)
        digit = unicodedata.digit(char, None)
        if digit is not None:
            value: str | None = str(digit)
        elif (spelled := _spelled_digits(char)) is not None:
            value = spelled
        elif unicodedata.category(char) in _INVISIBLE:
            value = None
        elif _is_letter(code):
            value = char
        else:
            value = _SEP
        self[code] = value
        return value


_TABLE = _Normaliser()


def _spelled_digits(char: str) -> str | None:
    """The digits a character stands for without Unicode's digit property, normalised: a
    character whose numeric value is a whole 0–9 is that digit, a number (🄋, Medefaidrin
    𖺁, Ⅰ–Ⅸ, counting rods) or a letter (the CJK numerals 〇 一 二 … 九, 零, 壹 貳 …,
    which write a number as digits do: 〇一〇一九〇-一二三四 is 010190-1234); one whose
    compatibility form (NFKC) holds a digit is that form (⑩ as
    `10`, ⒑ as `10-`, ½ as `1-2`, ㋀ as `1-`), which makes the normalised text longer
    than the text. None for any other character."""
    value = unicodedata.numeric(char, None)
    if value is not None and float(value).is_integer() and 0 <= value <= 9:
        return str(int(value))
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and any(unicodedata.digit(c, None) is not None for c in compatible):
        return "".join(_TABLE[ord(c)] or "" for c in compatible)
    return None


class _MarksKept(dict[int, str | None]):
    """normalise's table with the decimal marks `,` and `.` kept, as `.`: the same length
    as the normalised text, character for character (_DECIMAL)."""

    def __missing__(self, code: int) -> str | None:
        self[code] = _TABLE[code]
        return self[code]


_MARKS = _MarksKept({ord(","): ".", ord("."): "."})


class _LinesApart(dict[int, str | None]):
    """normalise's table with every line ending (as str.splitlines ends lines) a newline,
    which normalise itself never gives: the lines of a text, normalised, in one pass."""

    def __missing__(self, code: int) -> str | None:
        self[code] = _TABLE[code]
        return self[code]


_LINE_ENDS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_END = re.compile(f"[{_LINE_ENDS}]")
_LINES_APART = _LinesApart({ord(char): "\n" for char in _LINE_ENDS})
_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_MONTH = "(?:0[1-9]|1[0-2])"
_SHORT_DAY = f"(?:{_DAY}|[1-9])"
_SHORT_MONTH = f"(?:{_MONTH}|[1-9])"
# Between the parts any number of separators (`010190      1234`, aligned in a column):
_GAP = "-*"  # between two-digit parts: none or some (`01. 01. 90`)
_APART = "-+"  # around a one-digit part or a four-digit year: at least one
_RUN = 5  # ten single digits apart (`0 1 0 1 9 0 1 2 3 4`): at most five between each
_SPACED = f"-{{1,{_RUN}}}"
# A four-digit year only where the serial number's first digit gives that century (the
# CPR rule): 19YY with 0–3, or 4/9 from 1937; 20YY with 4/9 up to 2036, 5–8 up to 2057.
# So `1.1.2024-2025` (a date and a year) is not one, `1.1.1990-1234` is.
def _century(apart: str) -> str:
    return (f"(?:19[0-9]{{2}}{apart}[0-3]"
            f"|19(?:3[7-9]|[4-9][0-9]){apart}[49]"
            f"|20(?:[0-2][0-9]|3[0-6]){apart}[49]"
            f"|20(?:[0-4][0-9]|5[0-7]){apart}[5-8])")


_CENTURY = _century(_APART)
# Where the day and month stand apart, the date is plain to see, and the serial may
# follow the year with nothing between (`16.12.19851234`).
_CENTURY_GLUED = _century(_GAP)
_SPACED_DAY = f"(?:0{_SPACED}[1-9]|[12]{_SPACED}[0-9]|3{_SPACED}[01])"
_SPACED_MONTH = f"(?:0{_SPACED}[1-9]|1{_SPACED}[0-2])"
# On normalised text, each with no digit directly before or after:
# - DD MM YY NNNN, written together or with separators between the parts;
# - a day or month of one digit (`1.1.90-1234`), where every part stands apart;
# - a four-digit year (`01-01-1990-1234`), likewise, in the serial's century;
# - ten single digits, each apart (`0 1 0 1 9 0 1 2 3 4`).
# Parts of the serial number apart (`010190-12 34`) are not read as one: `12.03.24 10 15`
# is a time, and the separators would have to be told apart.
_SHAPES = (
    rf"(?P<d>{_DAY}){_GAP}(?P<m>{_MONTH}){_GAP}(?P<y>[0-9]{{2}}){_GAP}(?P<n>[0-9]{{4}})",
    rf"(?P<d1>{_SHORT_DAY}){_APART}(?P<m1>{_SHORT_MONTH}){_APART}(?P<y1>[0-9]{{2}}){_GAP}"
    rf"(?P<n1>[0-9]{{4}})",
    rf"(?P<d2>{_SHORT_DAY}){_APART}(?P<m2>{_SHORT_MONTH}){_APART}(?P<c2>{_CENTURY_GLUED})"
    rf"(?P<n2>[0-9]{{3}})",
    rf"(?P<s>{_SPACED_DAY}{_SPACED}{_SPACED_MONTH}(?:{_SPACED}[0-9]){{6}})",
    # nine digits: a day 1–9 whose leading zero a number cell dropped
    rf"(?P<z>[1-9]{_MONTH}[0-9]{{6}})",
    # a four-digit year after a day and month of two digits each, written together or
    # apart (`06021985-1234`, `0602 1985-1234`): the serial apart, in the year's century
    rf"(?P<d3>{_DAY}){_GAP}(?P<m3>{_MONTH}){_GAP}(?P<c3>{_CENTURY})(?P<n3>[0-9]{{3}})",
)
# The spaced digits must not continue a run of digits apart either (fixed-width look-behinds).
_BEFORE = "".join(f"(?<![0-9]{'-' * n})" for n in range(_RUN + 1))
_STRICT = re.compile(
    "(?<![0-9])(?:" + "|".join((*_SHAPES[:3], *_SHAPES[4:])) + r")(?![0-9])"
    + f"|{_BEFORE}{_SHAPES[3]}(?!-{{0,{_RUN}}}[0-9])")
# Scientific notation as a spreadsheet writes a large number (`2.512891234E9`, after
# normalising `2-512891234E9`; `E+09` and `E+009` are `E-09`, `E-009`): its value is
# checked as digits.
_SCIENTIFIC = re.compile(
    r"(?<![0-9])([0-9]{1,12})(?:-([0-9]{1,12}))?[Ee]-?0*([0-9]{1,2})(?![0-9])")
# A number in groups of three, as a number format with thousands separators writes it
# (`2.512.891.234`, `101,901,234` with the leading zero lost): its digits are checked.
_GROUPED = re.compile(r"(?<![0-9])(?<![0-9]-)[0-9]{1,3}(?:-[0-9]{3}){2,3}(?![0-9])(?!-[0-9])")
# A decimal number a spreadsheet made of a CPR number typed with a decimal comma or point
# (`010190,1234`, one key from `-`): 10190,1234, the day's zero lost, and 150190,123 for
# 150190-1230, the serial's trailing zero lost too; with thousands groups, `10.190,1234`.
# Its whole part padded to six digits and its decimals to four are checked. Three or four
# decimals only: two are an amount in kroner and øre (`20.512,37`), and one or two are
# hours, which a serial ending in 00 (one in a hundred) would otherwise share. Read on
# the text normalised with its decimal marks kept (_MARKS: `.`), as the mark tells a
# decimal number from a shortened serial (`010190-123`, no CPR number).
# Only a decimal mark next to it ties a neighbouring digit to the number (`1.010.190,1234`
# is one longer number); any other separator parts two numbers (`Hus 2 10190,1234`).
_DECIMAL = re.compile(r"(?<![0-9])(?<![0-9]\.)([0-9]{5,6}|[0-9]{1,3}[-.][0-9]{3})\.([0-9]{3,4})"
                      r"(?![0-9])(?!\.[0-9])")
# Groups of three with a decimal mark as the thousands separator, read the same way:
# `Team 3 2.512.891.234` is a team and a number (_GROUPED, on normalised text, cannot tell
# the mark from the space before it).
_POINT_GROUPED = re.compile(r"(?<![0-9])(?<![0-9]\.)[0-9]{1,3}(?:\.[0-9]{3}){2,3}(?![0-9])"
                            r"(?!\.[0-9])")
# Also any ten digits in the first layout, inside a longer run too: what `sosu
# pseudonymize` replaces, besides every CPR number (replacing costs nothing).
_LOOSE = re.compile(_STRICT.pattern + r"|(?P<l>[0-9]{2}-?[0-9]{2}-?[0-9]{2}-{0,3}[0-9]{4})")
_MIN_LENGTH = 9  # 101901234 is the shortest; a shorter text may normalise longer (⑩)
_MIN_DIGITS = 8  # the fewest digits a CPR spelling has: a one-digit day and month (1.1.90-1234)


# Right-to-left text can show digits in another order than they are stored: a right-to-
# left override (U+202E) shows what follows it backwards, up to a pop (U+202C):
# `\u202e4321-091010` shows as 010190-1234; in a right-to-left paragraph the numbers of
# `1234 010190` stand right to left (`010190 1234`). A text holding any right-to-left
# character or directional control (these code point ranges: every character of bidi
# class R, AL, or an embedding, override or isolate, tested) is read in each of those
# orders too, as well as stored.
RTL_RANGES = ((0x590, 0x8FF), (0x200F, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069),
              (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF))
_RTL = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in RTL_RANGES) + "]")
_REVERSED, _POP = "\u202e", "\u202c"
_NUMBER = re.compile(r"[0-9]+")
_LETTERS = re.compile(r"[^\W\d_]+")  # letters of any script


def normalise(text: str) -> str:
    return text.translate(_TABLE)


def as_shown(text: str) -> str:
    """`text` with each right-to-left override's stretch turned around, the override and
    its pop removed, as it is shown. Other text is returned as it is."""
    if _REVERSED not in text:
        return text
    first, *overridden = text.split(_REVERSED)
    shown = [first]
    for stretch in overridden:
        turned, _pop, rest = stretch.partition(_POP)
        shown += [turned[::-1], rest]
    return "".join(shown)


def _readings(text: str) -> list[str]:
    """The normalised text, and where right-to-left text may reorder its digits, the
    orders it may be shown in: overridden stretches turned; per line, the numbers between
    two letters right to left; and every line backwards."""
    normal = normalise(text)
    if text.isascii() or not _RTL.search(text):
        return [normal]
    lines = text.translate(_LINES_APART)
    # Numbers a letter parts stay apart. Joined, they hold only digits and separators: a
    # line or stretch of fewer than _MIN_DIGITS digits cannot make a CPR number (a
    # picture's bytes read as text, etl.workbook_cpr, have tens of thousands of lines).
    reordered = [_SEP.join(reversed(numbers)) for line, normal_line
                 in zip(_LINE_END.split(text), lines.split("\n"), strict=True)
                 if _digit_count(normal_line) >= _MIN_DIGITS
                 for stretch in _LETTERS.split(line) if len(stretch) >= _MIN_DIGITS
                 if len(numbers := _NUMBER.findall(normalise(stretch))) > 1
                 and sum(map(len, numbers)) >= _MIN_DIGITS]
    # Every line backwards, as one reading: the whole text backwards, its lines apart by a
    # newline, which no spelling holds (only digits, separators and scientific notation's
    # E) or reaches across, as a line's start and end.
    return [normal, normalise(as_shown(text)), *reordered, lines[::-1]]


def _digit_count(normal: str) -> int:
    return sum(map(len, _NUMBER.findall(normal)))


def _holds(normal: str) -> bool:
    return _search(_STRICT, normal) or any(_scientific(normal)) or any(_grouped(normal))


# Eight digits with nothing but separators between them: in every spelling but
# scientific notation. A quick search (a character class first) that rules out most long
# texts before the patterns, whose look-behind first is tried at every character.
_CLOSE_DIGITS = re.compile(f"[0-9](?:-*[0-9]){{{_MIN_DIGITS - 1}}}")


def _search(pattern: re.Pattern[str], normal: str) -> bool:
    return _CLOSE_DIGITS.search(normal) is not None and pattern.search(normal) is not None


def contains_cpr(text: str | None) -> bool:
    """Whether `text` holds a CPR number in any spelling (see the module's docstring)."""
    if not text or _too_short(text):
        return False
    readings = _readings(text)
    if any(_holds(reading) for reading in readings) or _holds_decimal(text, readings[0]):
        return True
    decoded = _decoded(text)
    return decoded is not None and contains_cpr(decoded)


# Escapes that stand for characters: a URL's `%2D`, HTML's or XML's `&#45;`, `&#x2D;`,
# `&minus;`, an .xlsx's `_x002D_`, Python's `\xa0`. A text with one is read decoded as
# well (each decoding shortens it, so text escaped twice is decoded twice and no more), up
# to the length of a spreadsheet cell: a longer text is a part of a file read as text (a
# picture's bytes), where decoding every `%` and `&` of noise cost more than the search
# itself, and escapes are no spelling anyone writes by accident.
# Office Open XML's escape of a UTF-16 code unit in any text of an .xlsx (cells, shared
# strings, comments, names): `_x0030_` is shown as 0 by Excel, LibreOffice and calamine,
# and `_x005F_` escapes the underscore itself. openpyxl reads and writes them as written.
OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Python's and JSON's escapes, as repr() writes a text in a message ('010190\xa01234').
_BACKSLASH = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}|&#?[0-9A-Za-z]+;?|"
                     f"{OOXML_ESCAPE.pattern}|{_BACKSLASH.pattern}")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_MAX_CELL = 32_767  # characters, the most an Excel or LibreOffice cell holds


def decode_ooxml_escapes(text: str) -> str:
    """`text` as a spreadsheet shows it: every `_xHHHH_` the code unit it stands for (a
    surrogate pair one character; a lone surrogate U+FFFD)."""
    if "_x" not in text:
        return text
    units = OOXML_ESCAPE.sub(lambda escape: chr(int(escape.group(1), 16)), text)
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _decoded(text: str) -> str | None:
    if len(text) > _MAX_CELL or _ESCAPE.search(text) is None:
        return None
    decoded = html.unescape(_PERCENT_RUN.sub(_unquoted, decode_ooxml_escapes(text)))
    decoded = _BACKSLASH.sub(_unescaped, decoded)
    return decoded if decoded != text else None


def _unescaped(escape: re.Match[str]) -> str:
    code = int(next(group for group in escape.groups() if group), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _unquoted(run: re.Match[str]) -> str:
    """A run of %XX escapes as the UTF-8 text they encode (as urllib.parse.unquote)."""
    return bytes.fromhex(run.group().replace("%", "")).decode("utf-8", errors="replace")


def ascii_digits(text: str) -> str:
    """Every digit of `text` (any script's, tag digits too, ⑩'s two) as ASCII, in order."""
    return "".join(char for value in map(_TABLE.__getitem__, map(ord, text)) if value
                   for char in value if "0" <= char <= "9")


def _every_digit_masked(text: str) -> str:
    return "".join("X" if ascii_digits(char) else char for char in text)


def mask_cpr(text: str) -> str:
    """`text` with every CPR number, however written, replaced by XXXXXX-XXXX."""
    return replace_cpr(text, lambda _digits: MASK)


def replace_cpr(text: str, replacement: Callable[[str], str], *, loose: bool = False) -> str:
    """`text` with every CPR number replaced by `replacement(its ten ASCII digits)`, so two
    spellings of one number get the same replacement. `loose` also replaces ten digits
    that are not a date or stand in a longer run of digits.

    Each pass replaces the numbers of the first reading that holds one (as stored, as a
    right-to-left override shows it, escaped), so a text with numbers in two readings
    (`010190-1234 020190%2D1234`) takes a pass each; a text that still holds one after
    _PASSES has every digit masked."""
    replaced = text
    for _ in range(_PASSES):
        once = _replaced_once(replaced, replacement, loose=loose)
        if once == replaced:
            break
        replaced = once
        if not contains_cpr(replaced):
            return replaced
    if replaced is text:
        return text  # the usual case: nothing found, no second search
    return _every_digit_masked(replaced) if contains_cpr(replaced) else replaced


_PASSES = 4


def _too_short(text: str) -> bool:
    """Too short to hold a number even normalised (a short text is quick to normalise)."""
    return len(text) < _MIN_LENGTH and len(normalise(text)) < _MIN_LENGTH


def _replaced_once(text: str, replacement: Callable[[str], str], *, loose: bool) -> str:
    if not text or _too_short(text):
        return text
    readings = _readings(text)
    if len(readings) > 1 and not _holds(readings[0]) and not _decimal_in(text):
        if _holds(readings[1]) or _decimal_in(as_shown(text)):
            text = as_shown(text)  # replaced as it is read; the override goes with it
        elif any(map(_holds, readings[2:])):
            # Numbers shown in another order than stored: every digit goes.
            return _every_digit_masked(text)
    pattern = _LOOSE if loose else _STRICT
    normal = normalise(text)
    if not _search(pattern, normal) and not any(_scientific(normal)) \
            and not any(_grouped(normal)) and not _holds_decimal(text, normal):
        decoded = _decoded(text)
        if decoded is not None and contains_cpr(decoded):
            return _every_digit_masked(text)  # escaped: its digits are the escapes'
        return text  # the usual case: no per-character work
    normal, origin = _normalise_with_origin(text)
    parts: list[str] = []
    done = 0
    for start, end, digits in _found(normal, pattern, marked=text.translate(_MARKS)):
        parts += [text[done:origin[start]], replacement(digits)]
        done = origin[end - 1] + 1
    return "".join(parts) + text[done:]


def _found(normal: str, pattern: re.Pattern[str], *, marked: str
           ) -> list[tuple[int, int, str]]:
    """(start, end, DDMMYYNNNN) of every CPR number in normalised text (`marked`: the same
    with its decimal marks kept, of the same length), in order: numbers in scientific
    notation first, then the pattern's matches outside them (the digits of
    `2.512891234E9` also hold the nine-digit shape of another number)."""
    found = list(_scientific(normal))
    for other in (*_grouped(normal), *_decimal(marked)):
        if not any(start < other[1] and other[0] < end for start, end, _d in found):
            found.append(other)
    for match in pattern.finditer(normal):
        if not any(start < match.end() and match.start() < end for start, end, _d in found):
            found.append((match.start(), match.end(), _digits(match)))
    return sorted(found)


def _scientific(normal: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, DDMMYYNNNN) of every number in scientific notation whose value, as
    nine or ten digits (a leading zero lost) or as a decimal number (_DECIMAL), is a CPR
    number: however the mantissa is written (`2.512891234E9`, `1.019012340E8`,
    `1019012.34E2`, `101901234E0`, `1.01901234E4`)."""
    for match in _SCIENTIFIC.finditer(normal):
        whole, fraction, exponent = match[1], match[2] or "", int(match[3])
        mantissa = whole + fraction
        for shift in dict.fromkeys((exponent, -exponent)):  # normalised, + and - are alike
            point = len(whole) + shift
            if not 0 < point <= 12:
                continue
            decimals = mantissa[point:].rstrip("0")
            value = mantissa[:point].ljust(point, "0").lstrip("0")
            digits = (_as_cpr(whole=value, decimals=decimals) if decimals
                      else value.zfill(10) if 9 <= len(value) <= 10 else None)
            if digits and _STRICT.fullmatch(digits):
                yield match.start(), match.end(), digits
                break


def _grouped(normal: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, DDMMYYNNNN) of every number in groups of three whose nine or ten digits
    (a leading zero lost) are a CPR number."""
    if _CLOSE_DIGITS.search(normal) is None:
        return
    for match in _GROUPED.finditer(normal):
        value = match.group().replace(_SEP, "")
        if len(value) in (9, 10) and _STRICT.fullmatch(value.zfill(10)):
            yield match.start(), match.end(), value.zfill(10)


def _holds_decimal(text: str, normal: str) -> bool:
    """Does `text` (normalised: `normal`) hold a decimal number that is a CPR number, as
    stored or as a right-to-left override shows it?"""
    if _CLOSE_DIGITS.search(normal) is None:
        return False
    return _decimal_in(text) or _REVERSED in text and _decimal_in(as_shown(text))


def _decimal_in(text: str) -> bool:
    return next(_decimal(text.translate(_MARKS)), None) is not None


def _decimal(marked: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, DDMMYYNNNN) of every number in text normalised with its decimal marks
    kept that the marks make a CPR number: a decimal number (_DECIMAL) whose whole part,
    padded to six digits, and decimals, padded to four, are one; and groups of three
    parted by marks (_POINT_GROUPED) whose nine or ten digits are one."""
    for match in _DECIMAL.finditer(marked):
        digits = _as_cpr(whole=re.sub("[-.]", "", match[1]), decimals=match[2])
        if digits:
            yield match.start(), match.end(), digits
    for match in _POINT_GROUPED.finditer(marked):
        value = match.group().replace(".", "")
        if len(value) in (9, 10) and _STRICT.fullmatch(value.zfill(10)):
            yield match.start(), match.end(), value.zfill(10)


def _as_cpr(*, whole: str, decimals: str) -> str | None:
    """DDMMYYNNNN of a number with at most six whole digits and three or four decimals
    (a CPR number's leading and trailing zeros lost), or None."""
    whole = whole.lstrip("0")
    if len(whole) > 6 or not 3 <= len(decimals) <= 4:
        return None
    digits = whole.zfill(6) + decimals.ljust(4, "0")
    return digits if _STRICT.fullmatch(digits) else None


def _normalise_with_origin(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, its index in `text` (each
    character ⑩ becomes stands at ⑩'s)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        value = _TABLE[ord(char)]
        if value:
            chars.append(value)
            origin += [index] * len(value)
    return "".join(chars), origin


def _digits(match: re.Match[str]) -> str:
    """DDMMYYNNNN of a match: short parts padded, a four-digit year's century dropped."""
    parts = match.groupdict()
    if parts["d1"]:
        return parts["d1"].zfill(2) + parts["m1"].zfill(2) + parts["y1"] + parts["n1"]
    for n in ("2", "3"):  # a four-digit year: its century dropped, its serial's first
        if parts[f"d{n}"]:  # digit is the one after the year
            century = parts[f"c{n}"]
            return (parts[f"d{n}"].zfill(2) + parts[f"m{n}"].zfill(2) + century[2:4]
                    + century[-1] + parts[f"n{n}"])
    return match.group().replace(_SEP, "").zfill(10)  # nine digits: the day's zero lost


# --- DuckDB --------------------------------------------------------------------------
# RE2 has the Unicode classes but cannot compare digit values, so the candidate pattern is
# the layout alone: digits (DIGIT_BLOCKS), characters that may be digits or separators (No:
# a superscript or circled digit is a digit, a fraction a separator; a digit newer than
# Python's Unicode database), invisible characters
# dropped anywhere, the letters as Python's (_LETTER_RANGES), and anything else a
# separator. A test checks every character's class against Python's.
# The first code point of each run of ten decimal digits (0–9) in Python's Unicode
# database (tested against it). RE2's may be newer: a digit Python does not know is a
# separator there, so in SQL only these are sure digits; any other is `n`.
DIGIT_BLOCKS = (
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6,
    0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
    0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
    0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136,
    0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730,
    0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50, 0x11DA0, 0x11DE0, 0x11F50, 0x16130,
    0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0)
# Characters that stand for digits without Unicode's digit property (_spelled_digits),
# named one by one (tested against the Unicode database): a character whose numeric value
# is a whole 0-9 (a number, or a CJK numeral, a letter to RE2) is a digit or `n`, as RE2
# may not know it; one whose compatibility form holds digits stands for more than one,
# so a cell holding one is a candidate whatever its layout (⑩⑩⑨⓪-⑫㉞ is 101090-1234 in
# six characters).
NUMBER_VALUED = (
    (0xC78, 0xC7E), (0x17F0, 0x17F9), (0x215F, 0x2168), (0x2170, 0x2178), (0x2185, 0x2185),
    (0x2189, 0x2189), (0x3007, 0x3007), (0x3021, 0x3029), (0x3192, 0x3195), (0x3220, 0x3228),
    (0x3280, 0x3288), (0x3405, 0x3405), (0x3483, 0x3483), (0x382A, 0x382A), (0x3B4D, 0x3B4D),
    (0x4E00, 0x4E00), (0x4E03, 0x4E03), (0x4E09, 0x4E09), (0x4E24, 0x4E24), (0x4E5D, 0x4E5D),
    (0x4E8C, 0x4E8C), (0x4E94, 0x4E94), (0x4E96, 0x4E96), (0x4EE8, 0x4EE8), (0x4F0D, 0x4F0D),
    (0x4FE9, 0x4FE9), (0x5006, 0x5006), (0x5169, 0x5169), (0x516B, 0x516B), (0x516D, 0x516D),
    (0x53C1, 0x53C4), (0x56DB, 0x56DB), (0x58F1, 0x58F1), (0x58F9, 0x58F9), (0x5E7A, 0x5E7A),
    (0x5EFE, 0x5EFE), (0x5F0C, 0x5F0E), (0x5F10, 0x5F10), (0x62D0, 0x62D0), (0x634C, 0x634C),
    (0x67D2, 0x67D2), (0x6D1E, 0x6D1E), (0x6F06, 0x6F06), (0x7396, 0x7396), (0x8086, 0x8086),
    (0x8CAE, 0x8CAE), (0x8CB3, 0x8CB3), (0x8D30, 0x8D30), (0x920E, 0x920E), (0x94A9, 0x94A9),
    (0x9646, 0x9646), (0x9678, 0x9678), (0x96F6, 0x96F6), (0xA6E6, 0xA6EF), (0xF96B, 0xF96B),
    (0xF978, 0xF978), (0xF9B2, 0xF9B2), (0xF9D1, 0xF9D1), (0xF9D3, 0xF9D3), (0x10107, 0x1010F),
    (0x10142, 0x10143), (0x10148, 0x10148), (0x1014F, 0x1014F), (0x10158, 0x1015F),
    (0x10173, 0x10173), (0x1018A, 0x1018A), (0x102E1, 0x102E9), (0x10320, 0x10321),
    (0x103D1, 0x103D2), (0x10858, 0x1085A), (0x10879, 0x1087D), (0x108A7, 0x108AC),
    (0x108FB, 0x108FC), (0x10916, 0x10916), (0x1091A, 0x1091B), (0x109C0, 0x109C8),
    (0x10A7D, 0x10A7D), (0x10A9D, 0x10A9D), (0x10AEB, 0x10AEC), (0x10B58, 0x10B5B),
    (0x10B78, 0x10B7B), (0x10BA9, 0x10BAC), (0x10CFA, 0x10CFB), (0x10F1D, 0x10F21),
    (0x10F51, 0x10F51), (0x10FC5, 0x10FC8), (0x111E1, 0x111E9), (0x11C5A, 0x11C62),
    (0x12038, 0x12039), (0x12079, 0x12079), (0x1222B, 0x1222B), (0x1230B, 0x1230B),
    (0x1230D, 0x1230D), (0x12399, 0x12399), (0x12400, 0x12431), (0x12434, 0x12459),
    (0x12469, 0x1246F), (0x12475, 0x1247F), (0x12550, 0x12586), (0x1258C, 0x12597),
    (0x1259A, 0x12686), (0x16E80, 0x16E89), (0x16E94, 0x16E96), (0x16FF4, 0x16FF4),
    (0x16FF6, 0x16FF6), (0x1D2C0, 0x1D2C9), (0x1D2E0, 0x1D2E9), (0x1D360, 0x1D368),
    (0x1D372, 0x1D378), (0x1E8C7, 0x1E8CF), (0x1EC71, 0x1EC79), (0x1ECA3, 0x1ECAB),
    (0x1ECB1, 0x1ECB2), (0x1ED01, 0x1ED09), (0x1ED2F, 0x1ED36), (0x1F10B, 0x1F10C),
    (0x20001, 0x20001), (0x20064, 0x20064), (0x200E2, 0x200E2), (0x20121, 0x20121),
    (0x2092A, 0x2092A), (0x20AEA, 0x20AEA), (0x20AFD, 0x20AFD), (0x20B19, 0x20B19),
    (0x22390, 0x22390), (0x22998, 0x22998), (0x23B1B, 0x23B1B), (0x2626D, 0x2626D),
    (0x2F890, 0x2F890))
SPELLED_WITH_DIGITS = (
    (0xBC, 0xBE), (0x2150, 0x215E), (0x2469, 0x2473), (0x247D, 0x2487), (0x2491, 0x249B),
    (0x3251, 0x325F), (0x32B1, 0x32CB), (0x3358, 0x3370), (0x3378, 0x3379),
    (0x339F, 0x33A6), (0x33A8, 0x33A8), (0x33AF, 0x33AF), (0x33E0, 0x33FE))
# Invisible characters (Cf, Mn, Me) newer than Unicode 14, which DuckDB's RE2 may not
# count in its classes (it knows Unicode 15): named one by one (tested).
NEWER_INVISIBLE = (
    (0x5C8, 0x5C9), (0x897, 0x897), (0xB53, 0xB54), (0xECE, 0xECE), (0x1ACF, 0x1AF0),
    (0x10D69, 0x10D6D), (0x10ECB, 0x10ECF), (0x10EF0, 0x10EFF), (0x11241, 0x11241),
    (0x113BB, 0x113C0), (0x113CE, 0x113CE), (0x113D0, 0x113D0), (0x113D2, 0x113D2),
    (0x113E1, 0x113E2), (0x11B60, 0x11B60), (0x11B62, 0x11B64), (0x11B66, 0x11B66),
    (0x11DF0, 0x11DF0), (0x11F00, 0x11F01), (0x11F36, 0x11F3A), (0x11F40, 0x11F40),
    (0x11F42, 0x11F42), (0x11F5A, 0x11F5A), (0x13439, 0x13440), (0x13447, 0x13455),
    (0x1611E, 0x16129), (0x1612D, 0x1612F), (0x1D127, 0x1D128), (0x1D25B, 0x1D25C),
    (0x1E08F, 0x1E08F), (0x1E4EC, 0x1E4EF), (0x1E5EE, 0x1E5EF), (0x1E6E3, 0x1E6E3),
    (0x1E6E6, 0x1E6E6), (0x1E6EE, 0x1E6EF), (0x1E6F5, 0x1E6F5))


def _re2_class(ranges: tuple[tuple[int, int], ...], properties: str = "") -> str:
    """An RE2 class of the code point `ranges`, after any Unicode `properties` (\\p{..})."""
    return ("[" + properties
            + "".join(f"\\x{{{low:X}}}-\\x{{{high:X}}}" for low, high in ranges) + "]")


_RE2_INVISIBLE = _re2_class(NEWER_INVISIBLE, r"\p{Cf}\p{Mn}\p{Me}")
# Tags (_TAGS) read as the ASCII they stand for, before the invisible ones are dropped:
# a digit as 0, a letter as x, anything else a separator.
_RE2_TAG_DIGIT = _re2_class(((_TAGS[0] + 0x10, _TAGS[0] + 0x19),))
_RE2_TAG_LETTER = _re2_class(((_TAG_OFFSET + 0x41, _TAG_OFFSET + 0x5A),
                              (_TAG_OFFSET + 0x61, _TAG_OFFSET + 0x7A)))
_RE2_TAG = _re2_class((_TAGS,))
_RE2_LETTER = _re2_class(_LETTER_RANGES)
_RE2_DIGIT = _re2_class(tuple((start, start + 9) for start in DIGIT_BLOCKS))
_RE2_RTL = _re2_class(RTL_RANGES)
_RE2_SPELLED = _re2_class(SPELLED_WITH_DIGITS)
# What may be a digit or a separator: any number character RE2 knows, and those Python
# reads as a digit (NUMBER_VALUED), which RE2 may not know or count (Nl).
_RE2_NUMBER = _re2_class(NUMBER_VALUED, r"\p{Nd}\p{No}")
_RE2_OOXML = OOXML_ESCAPE.pattern.replace("(", "").replace(")", "")
# What may begin an escape (_ESCAPE): a URL's, HTML's, Python's or an .xlsx's.
_RE2_ESCAPED = f"[%&\\\\]|{_RE2_OOXML}"


def sql_shape(expression: str) -> str:
    """SQL: the layout of `expression`'s text, one ASCII letter a character: `d` a digit,
    `n` a digit or a separator, `s` a separator, `x` a letter, invisible characters
    dropped. Letters go first, so the letters d, n and s of the text are `x` before any
    character becomes one of them. RE2 writes a repeated class out once per repetition:
    the layout pattern over the raw text (each part's digits and separator runs counted)
    took some 160 ms of CPU to compile in every query that named it and 30 µs a cell; a
    few one-class replacements and an ASCII pattern take some 7 ms and 4 µs."""
    text = f"regexp_replace({expression}, '{_RE2_TAG_DIGIT}', '0', 'g')"
    text = f"regexp_replace({text}, '{_RE2_TAG_LETTER}', 'x', 'g')"
    text = f"regexp_replace({text}, '{_RE2_TAG}', '-', 'g')"
    text = f"regexp_replace({text}, '{_RE2_INVISIBLE}', '', 'g')"
    text = f"regexp_replace({text}, '{_RE2_LETTER}', 'x', 'g')"
    text = f"regexp_replace({text}, '{_RE2_DIGIT}', 'd', 'g')"
    text = f"regexp_replace({text}, '{_RE2_NUMBER}', 'n', 'g')"
    return f"regexp_replace({text}, '[^dnx]', 's', 'g')"


def _shape_candidate() -> str:
    """Every shape of _STRICT over sql_shape's layout, with any number of digits a part may
    have (1–2, 1–2, 2–4, 4) and without the date, century and digit-boundary checks; or
    ten digits with separators between each; or a number in groups of three; or five
    digits and three decimals (a decimal number, grouped or not: the groups'); or any
    number in scientific notation
    (its mantissa's digits may stand on either side of the point). Nine digits hold eight
    in a row, which the first shape takes. Separators may be missing where Python has
    one: RE2's Unicode may be newer, and drop a new combining mark that Python does not
    know (an unassigned code point, so a separator)."""
    digit, sep = "[dn]", "[sn]"
    gap = f"{sep}*"
    return (f"{digit}{{1,2}}{gap}{digit}{{1,2}}{gap}{digit}{{2,4}}{gap}{digit}{{4}}"
            f"|{digit}(?:{gap}{digit}){{9}}"
            f"|{digit}{{1,3}}(?:{sep}{digit}{{3}}){{2,3}}"
            f"|{digit}{{5}}{sep}{digit}{{3}}"
            f"|{digit}+(?:{sep}{digit}+)?x{sep}?{digit}")


SQL_CANDIDATE = _shape_candidate()  # matched against sql_shape(expression)


def sql_candidate(expression: str) -> str:
    """SQL: true when `expression` may hold a CPR number (a superset of contains_cpr). The
    layout (sql_shape) is made only for cells with enough digit-like characters
    (sql_digit_like, its superset): CASE evaluates its THEN on those rows alone."""
    return (f"CASE WHEN {sql_digit_like(expression)} "
            f"THEN regexp_matches({sql_shape(expression)}, '{SQL_CANDIDATE}') "
            f"OR regexp_matches({expression}, '{_RE2_RTL}|{_RE2_SPELLED}|{_RE2_ESCAPED}') "
            "ELSE false END")


def sql_digit_like(expression: str) -> str:
    """SQL: true when `expression` has eight characters that may be digits, ASCII digits or
    any character outside ASCII: a CPR number's digits (eight when the day and month are
    written with one digit) are such characters, so this is a superset of sql_candidate.
    It is far less selective, but its pattern compiles in microseconds where
    sql_candidate's Unicode classes take some 7 ms of CPU in every query that names it.
    A character that stands for several digits (SPELLED_WITH_DIGITS) or an .xlsx escape
    (OOXML_ESCAPE, whose hex digits need not be digits) makes a candidate of any text."""
    return (f"(length(regexp_replace({expression}, '[\\x00-/:-\\x7F]', '', 'g')) "
            f">= {_MIN_DIGITS} OR regexp_matches({expression}, '{_RE2_SPELLED}|{_RE2_OOXML}'))")


class MaskedLines:
    """A text stream whose every line is written masked: whatever a command or the
    dashboard's server prints about paths, files and errors (a traceback holds the
    message of the exception, and that may hold a cell's text), no CPR number reaches the
    terminal or a log that keeps it. Lines are written whole; what `flush` finds pending
    (a progress bar's line) is written as far as it goes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._stream.write(mask_cpr(line) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(mask_cpr(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding: the stream's
        return getattr(self._stream, name)
