"""CPR numbers however they are written: the one place that knows their spellings.

The loader refuses them (etl.rules), every message and log masks them
(etl.problems, store.audit), file and sheet names are masked before they are stored or
shown (etl.read), and `sosu pseudonymize` replaces them (etl.pseudonymize).

A CPR number, as found here, after normalising the text:
- every character Unicode gives a digit value (full-width ０, Arabic-Indic ٠, Devanagari,
  mathematical 𝟎, superscript ¹ …) counts as that ASCII digit;
- invisible characters (format characters such as the zero-width space and the soft
  hyphen, and combining marks) are ignored;
- a separator is any punctuation mark (P*: dashes, dots, slashes, `|`, `·`, `,` …),
  symbol (S*), space (Z*, NBSP, thin space …) or control character, full-width forms
  included. Letters are not.

The shapes (see _SHAPES) are DD MM YY NNNN with up to five separators between the parts;
a one-digit day or month, or a four-digit year in the century the serial's first digit
gives, where every part stands apart; and ten digits each apart. A day is 01–31 and a
month 01–12 (no modulus-11 check: many numbers issued since 2007 fail it), and no digit
stands directly before or after (a longer run of digits is some other number). Letters
glued to it do not matter: `CPR010190-1234`, `cpr:0101901234` and `010190-1234abc` are
caught. A serial split in two (`010190-12 34`) is not read as one: it has the shape of
a date and a time (`12.03.24 10.15`).

DuckDB cannot normalise text, so the loader asks DuckDB (sql_candidate) for candidate
cells, the same shape over the text's layout (sql_shape) without the date and
digit-boundary checks, a superset, and decides on those few with contains_cpr. On a small table a
cheaper superset (sql_digit_like) chooses the cells contains_cpr decides on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MASK = "XXXXXX-XXXX"

# Separators: every punctuation mark (P*), symbol (S*), space (Z*) and control character
# (Cc). Which mark stands between the parts tells nothing: `010190|1234`, `010190·1234`
# and `010190,1234` are the same number as `010190-1234`. Letters are not separators.
_SEPARATOR_CATEGORIES = ("P", "S", "Z")
_INVISIBLE = ("Cf", "Mn", "Me")
_SEP = "-"  # every separator is normalised to this


class _Normaliser(dict[int, str | None]):
    """A str.translate table built as characters are met: digits to ASCII, separators to
    '-', invisible characters removed. translate runs in C; only a character not seen
    before costs a Python call."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        digit = unicodedata.digit(char, None)
        if digit is not None:
            value: str | None = str(digit)
        elif (char.isspace() or unicodedata.category(char)[0] in _SEPARATOR_CATEGORIES
              or unicodedata.category(char) == "Cc"):
            value = _SEP
        elif unicodedata.category(char) in _INVISIBLE:
            value = None
        else:
            value = char
        self[code] = value
        return value


_TABLE = _Normaliser()
_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_MONTH = "(?:0[1-9]|1[0-2])"
_SHORT_DAY = f"(?:{_DAY}|[1-9])"
_SHORT_MONTH = f"(?:{_MONTH}|[1-9])"
_RUN = 5  # separators in a row between two parts, at most: `010190 -- 1234` has four
_GAP = f"-{{0,{_RUN}}}"  # between two-digit parts: none or some (`01. 01. 90`)
_APART = f"-{{1,{_RUN}}}"  # around a one-digit part or a four-digit year: at least one
# A four-digit year only where the serial number's first digit gives that century (the
# CPR rule): 19YY with 0–3, or 4/9 from 1937; 20YY with 4/9 up to 2036, 5–8 up to 2057.
# So `1.1.2024-2025` (a date and a year) is not one, `1.1.1990-1234` is.
_CENTURY = (f"(?:19[0-9]{{2}}{_APART}[0-3]"
            f"|19(?:3[7-9]|[4-9][0-9]){_APART}[49]"
            f"|20(?:[0-2][0-9]|3[0-6]){_APART}[49]"
            f"|20(?:[0-4][0-9]|5[0-7]){_APART}[5-8])")
_SPACED_DAY = f"(?:0{_APART}[1-9]|[12]{_APART}[0-9]|3{_APART}[01])"
_SPACED_MONTH = f"(?:0{_APART}[1-9]|1{_APART}[0-2])"
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
    rf"(?P<d2>{_SHORT_DAY}){_APART}(?P<m2>{_SHORT_MONTH}){_APART}(?P<c2>{_CENTURY})"
    rf"(?P<n2>[0-9]{{3}})",
    rf"(?P<s>{_SPACED_DAY}{_APART}{_SPACED_MONTH}(?:{_APART}[0-9]){{6}})",
)
# The spaced digits must not continue a run of digits apart either (fixed-width look-behinds).
_BEFORE = "".join(f"(?<![0-9]{'-' * n})" for n in range(_RUN + 1))
_STRICT = re.compile(
    "(?<![0-9])(?:" + "|".join(_SHAPES[:3]) + r")(?![0-9])"
    + f"|{_BEFORE}{_SHAPES[3]}(?!{_GAP}[0-9])")
# Also any ten digits in the first layout, inside a longer run too: what `sosu
# pseudonymize` replaces, besides every CPR number (replacing costs nothing).
_LOOSE = re.compile(_STRICT.pattern + r"|(?P<l>[0-9]{2}-?[0-9]{2}-?[0-9]{2}-{0,3}[0-9]{4})")
_MIN_LENGTH = 10  # normalising never lengthens a text; 1-1-901234 is the shortest
_MIN_DIGITS = 8  # the fewest digits a CPR spelling has: a one-digit day and month (1.1.90-1234)


def normalise(text: str) -> str:
    return text.translate(_TABLE)


def contains_cpr(text: str | None) -> bool:
    """Whether `text` holds a CPR number in any spelling (see the module's docstring)."""
    if not text or len(text) < _MIN_LENGTH:
        return False
    return _STRICT.search(normalise(text)) is not None


def cpr_digits(text: str) -> list[str]:
    """The ten ASCII digits (DDMMYYNNNN) of every CPR number in `text`, in order."""
    return [_digits(m) for m in _STRICT.finditer(normalise(text))]


def mask_cpr(text: str) -> str:
    """`text` with every CPR number, however written, replaced by XXXXXX-XXXX."""
    return replace_cpr(text, lambda _digits: MASK)


def replace_cpr(text: str, replacement: Callable[[str], str], *, loose: bool = False) -> str:
    """`text` with every CPR number replaced by `replacement(its ten ASCII digits)`, so two
    spellings of one number get the same replacement. `loose` also replaces ten digits
    that are not a date or stand in a longer run of digits."""
    if not text or len(text) < _MIN_LENGTH:
        return text
    pattern = _LOOSE if loose else _STRICT
    if pattern.search(normalise(text)) is None:
        return text  # the usual case: no per-character work
    normal, origin = _normalise_with_origin(text)
    parts: list[str] = []
    done = 0
    for match in pattern.finditer(normal):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        parts += [text[done:start], replacement(_digits(match))]
        done = end
    return "".join(parts) + text[done:]


def _normalise_with_origin(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, its index in `text`."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        value = _TABLE[ord(char)]
        if value:
            chars.append(value)
            origin.append(index)
    return "".join(chars), origin


def _digits(match: re.Match[str]) -> str:
    """DDMMYYNNNN of a match: short parts padded, a four-digit year's century dropped."""
    parts = match.groupdict()
    if parts["d1"] or parts["d2"]:
        short = "1" if parts["d1"] else "2"
        year = parts["y1"] if parts["d1"] else parts[f"c{short}"][2:4]
        serial = parts["n1"] if parts["d1"] else parts["c2"][-1] + parts["n2"]
        return (parts[f"d{short}"].zfill(2) + parts[f"m{short}"].zfill(2) + year + serial)
    return match.group().replace(_SEP, "")


# --- DuckDB --------------------------------------------------------------------------
# RE2 has the Unicode classes but cannot compare digit values, so the candidate pattern is
# the layout alone: digit-like characters (Nd, and No for superscript and circled digits),
# invisible characters anywhere between them, the separators as above. A test checks that
# every character normalised to a digit, separator or nothing is in the matching class.
_RE2_DIGIT = r"[\p{Nd}\p{No}]"
_RE2_INVISIBLE = r"[\p{Cf}\p{Mn}\p{Me}]*"
_RE2_SEPARATOR = r"[\p{P}\p{S}\p{Z}\p{Cc}]"


# Any other character (letters above all): none of the three classes.
_RE2_OTHER = r"[^\p{Nd}\p{No}\p{P}\p{S}\p{Z}\p{Cc}\p{Cf}\p{Mn}\p{Me}]"


def sql_shape(expression: str) -> str:
    """SQL: the layout of `expression`'s text, one ASCII letter a character: `d` a digit,
    `s` a separator, `x` anything else, invisible characters dropped. The classes are
    disjoint (Unicode general categories), so the order of the replacements does not
    matter once letters are `x`. RE2 writes a repeated class out once per repetition: the
    layout pattern over the raw text (each part's digits and separator runs counted) took
    some 160 ms of CPU to compile in every query that named it and 30 µs a cell; four
    one-class replacements and an ASCII pattern take some 7 ms and 4 µs."""
    text = f"regexp_replace({expression}, '{_RE2_INVISIBLE.rstrip('*')}', '', 'g')"
    text = f"regexp_replace({text}, '{_RE2_OTHER}', 'x', 'g')"
    text = f"regexp_replace({text}, '{_RE2_DIGIT}', 'd', 'g')"
    return f"regexp_replace({text}, '{_RE2_SEPARATOR}', 's', 'g')"


def _shape_candidate() -> str:
    """Every shape of _STRICT over sql_shape's layout, with any number of digits a part may
    have (1–2, 1–2, 2–4, 4) and without the date, century and digit-boundary checks; or
    ten digits apart."""
    gap, apart = f"s{{0,{_RUN}}}", f"s{{1,{_RUN}}}"
    return f"d{{1,2}}{gap}d{{1,2}}{gap}d{{2,4}}{gap}d{{4}}|d(?:{apart}d){{9}}"


SQL_CANDIDATE = _shape_candidate()  # matched against sql_shape(expression)


def sql_candidate(expression: str) -> str:
    """SQL: true when `expression` may hold a CPR number (a superset of contains_cpr). The
    layout (sql_shape) is made only for cells with enough digit-like characters
    (sql_digit_like, its superset): CASE evaluates its THEN on those rows alone."""
    return (f"CASE WHEN {sql_digit_like(expression)} "
            f"THEN regexp_matches({sql_shape(expression)}, '{SQL_CANDIDATE}') ELSE false END")


def sql_digit_like(expression: str) -> str:
    """SQL: true when `expression` has eight characters that may be digits, ASCII digits or
    any character outside ASCII: a CPR number's digits (eight when the day and month are
    written with one digit) are such characters, so this is a superset of sql_candidate.
    It is far less selective, but its pattern compiles in microseconds where
    sql_candidate's Unicode classes take some 7 ms of CPU in every query that names it."""
    return (f"length(regexp_replace({expression}, '[\\x00-/:-\\x7F]', '', 'g')) "
            f">= {_MIN_DIGITS}")
