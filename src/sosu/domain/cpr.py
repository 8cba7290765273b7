"""CPR numbers however they are written: the one place that knows their spellings.

The loader refuses them (etl.rules), every message and log masks them
(etl.problems, store.audit), file and sheet names are masked before they are stored or
shown (etl.read), and `sosu pseudonymize` replaces them (etl.pseudonymize).

A CPR number, as found here, after normalising the text:
- every character Unicode gives a digit value (full-width ０, Arabic-Indic ٠, Devanagari,
  mathematical 𝟎, superscript ¹ …) counts as that ASCII digit;
- invisible characters (format characters such as the zero-width space and the soft
  hyphen, and combining marks) are ignored;
- a separator is any dash (Unicode Pd, incl. the non-breaking hyphen U+2011 and en dash),
  the minus sign, any white space (NBSP, thin space …), a dot, a slash, a backslash or an
  underscore, also in their full-width forms.

The shape is DD MM YY NNNN: a day 01–31 and a month 01–12 (no modulus-11 check: many
numbers issued since 2007 fail it), an optional separator after the day and after the
month, up to three separators before the last four digits (`010190 - 1234`), and no
digit directly before or after (a longer run of digits is some other number). Letters
glued to it do not matter: `CPR010190-1234`, `cpr:0101901234` and `010190-1234abc` are
caught.

DuckDB cannot normalise text, so the loader asks DuckDB's regex (SQL_CANDIDATE) for
candidate cells, the same shape over the raw text without the date and digit-boundary
checks, a superset, and decides on those few with contains_cpr. On a small table a
cheaper superset (sql_ten_digit_like) chooses the cells contains_cpr decides on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MASK = "XXXXXX-XXXX"

# Separators besides Unicode dashes (Pd) and white space, with their full-width forms, the
# minus signs and the fraction and division slashes.
_OTHER_SEPARATORS = "./\\_\u2212\u2796\u2044\u2215\uff0e\uff0f\uff3c\uff3f"
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
        elif char.isspace() or char in _OTHER_SEPARATORS or unicodedata.category(char) == "Pd":
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
# On normalised text. STRICT: what is a CPR number; LOOSE: any ten digits in that layout,
# also inside a longer run (what `sosu pseudonymize` replaces: replacing costs nothing).
_STRICT = re.compile(
    rf"(?<![0-9]){_DAY}-?{_MONTH}-?[0-9]{{2}}-{{0,3}}[0-9]{{4}}(?![0-9])")
_LOOSE = re.compile(r"[0-9]{2}-?[0-9]{2}-?[0-9]{2}-{0,3}[0-9]{4}")
_MIN_LENGTH = 10


def normalise(text: str) -> str:
    return text.translate(_TABLE)


def contains_cpr(text: str | None) -> bool:
    """Whether `text` holds a CPR number in any spelling (see the module's docstring)."""
    if not text or len(text) < _MIN_LENGTH:
        return False
    return _STRICT.search(normalise(text)) is not None


def cpr_digits(text: str) -> list[str]:
    """The ten ASCII digits of every CPR number in `text`, in order."""
    return [_digits(m.group()) for m in _STRICT.finditer(normalise(text))]


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
        parts += [text[done:start], replacement(_digits(match.group()))]
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


def _digits(match: str) -> str:
    return match.replace(_SEP, "")


# --- DuckDB --------------------------------------------------------------------------
# RE2 has the Unicode classes but cannot compare digit values, so the candidate pattern is
# the layout alone: digit-like characters (Nd, and No for superscript and circled digits),
# invisible characters anywhere between them, the separators as above. A test checks that
# every character normalised to a digit, separator or nothing is in the matching class.
_RE2_DIGIT = r"[\p{Nd}\p{No}]"
_RE2_INVISIBLE = r"[\p{Cf}\p{Mn}\p{Me}]*"
_RE2_SEPARATOR = (r"[\p{Pd}\p{Z}\t\n\x{0B}\f\r\x{1C}-\x{1F}\x{85}"
                  + "".join(f"\\x{{{ord(c):04X}}}" for c in _OTHER_SEPARATORS) + "]")


def _re2_candidate() -> str:
    digit = _RE2_DIGIT + _RE2_INVISIBLE
    separator = f"(?:{_RE2_SEPARATOR}{_RE2_INVISIBLE})"
    return (digit * 2 + separator + "?" + digit * 2 + separator + "?" + digit * 2
            + separator + "{0,3}" + digit * 4)


SQL_CANDIDATE = _re2_candidate()
assert "'" not in SQL_CANDIDATE  # written into SQL as a literal


def sql_candidate(expression: str) -> str:
    """SQL: true when `expression` may hold a CPR number (a superset of contains_cpr)."""
    return f"regexp_matches({expression}, '{SQL_CANDIDATE}')"


def sql_ten_digit_like(expression: str) -> str:
    """SQL: true when `expression` has ten characters that may be digits, ASCII digits or
    any character outside ASCII: a CPR number's ten digits are such characters, so this is
    a superset of sql_candidate. It is far less selective, but its pattern compiles in
    microseconds where SQL_CANDIDATE's Unicode classes take some 15 ms of CPU in every
    query that names it, which dominates checking a small file."""
    return f"length(regexp_replace({expression}, '[\\x00-/:-\\x7F]', '', 'g')) >= {_MIN_LENGTH}"
