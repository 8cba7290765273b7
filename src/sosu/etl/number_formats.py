"""Could a spreadsheet number format show a CPR number that no cell holds?

An .xlsx cell keeps its value; the text a reader sees is the value drawn through the
cell's number format. A format can add what makes a CPR number: digits of its own
(`ddmmyy"-1234"`), a time right after a date (`ddmmyy-hhmm` shows 1 January 1990 12.34 as
010190-1234), or a separator and leading zeros among ten digit places (`000000-0000,`
shows 101901234000 as 010190-1234). Each section of a format is drawn here with the
values that would make one (the moment 1990-01-01 12:34:56, the digits 0101901234) and
the result asked of domain.cpr. Ordinary formats (`dd-mm-yyyy hh:mm`, `#,##0.00`,
`0" kr."`, `[$-406]d. mmmm yyyy`) show none.
"""

from __future__ import annotations

import re

from sosu.domain.cpr import contains_cpr

# A format's pieces: a quoted text, an escaped character, a character's width (_x), a
# repeated fill (*x), a [colour, condition or locale], or one character of the code.
_PIECE = re.compile(r'"[^"]*"?|\\.|_.|\*.|\[[^\]]*\]?|.', re.S)
_DATE_LETTERS = re.compile(r"[ydhs]", re.I)
_PLACES = "0#?"
# The moment and digits drawn: day 01, month 01, year 90, then 12 34 (hours, minutes) or
# 1234 in the last four digit places.
_DATE_TOKENS = re.compile(r"AM/PM|A/P|y+|d+|h+|s+|m+|0+", re.I)
_CPR_DIGITS = "0101901234"


def could_show_cpr(code: str) -> bool:
    """Would some value drawn through number format `code` read as a CPR number? Any
    digit of the format's own could make one with a value's digits (1901234 drawn with
    `"010"0` is 0101901234); no ordinary format writes one."""
    sections = _sections(code)
    if any(literal and any(char.isdecimal() for char in text)
           for section in sections for literal, text in section):
        return True
    return any(contains_cpr(_drawn(section)) for section in sections)


def _sections(code: str) -> list[list[tuple[bool, str]]]:
    """The format's sections (split at `;`), each a list of (literal?, text) pieces."""
    sections: list[list[tuple[bool, str]]] = [[]]
    for piece in _PIECE.findall(code):
        if piece == ";":
            sections.append([])
        elif piece.startswith('"'):
            sections[-1].append((True, piece.strip('"')))
        elif piece.startswith("\\"):
            sections[-1].append((True, piece[1:]))
        elif piece.startswith("_"):
            sections[-1].append((True, " "))
        elif not piece.startswith(("*", "[")):
            if sections[-1] and not sections[-1][-1][0]:  # the code's characters run on
                sections[-1][-1] = (False, sections[-1][-1][1] + piece)
            else:
                sections[-1].append((False, piece))
    return sections


def _drawn(section: list[tuple[bool, str]]) -> str:
    code = "".join(text for literal, text in section if not literal)
    if _DATE_LETTERS.search(code) or ("m" in code.lower() and not any(
            place in code for place in _PLACES)):
        return _drawn_moment(section)
    return _drawn_number(section)


def _drawn_moment(section: list[tuple[bool, str]]) -> str:
    """The section drawn for 1 January 1990 at 12:34:56."""
    tokens: list[tuple[bool, str]] = []
    for literal, text in section:
        if literal:
            tokens.append((True, text))
            continue
        at = 0
        for match in _DATE_TOKENS.finditer(text):
            tokens += [(True, text[at:match.start()]), (False, match.group())]
            at = match.end()
        tokens.append((True, text[at:]))
    letters = [text.lower()[0] for literal, text in tokens if not literal]
    drawn, index = [], 0
    for literal, text in tokens:
        if literal:
            drawn.append(text)
            continue
        before = letters[index - 1] if index else ""
        after = letters[index + 1] if index + 1 < len(letters) else ""
        drawn.append(_moment_token(text.lower(), minutes=before == "h" or after == "s"))
        index += 1
    return "".join(drawn)


def _moment_token(token: str, *, minutes: bool) -> str:
    if token[0] == "y":
        return "1990" if len(token) > 2 else "90"
    if token[0] == "d":
        return {1: "1", 2: "01"}.get(len(token), "man")
    if token[0] == "m":
        if minutes:
            return "34"
        return {1: "1", 2: "01"}.get(len(token), "jan")
    if token[0] == "h":
        return "12"
    if token[0] == "s":
        return "56"
    if token[0] == "0":
        return "0" * len(token)  # fractions of a second
    return "PM"


def _drawn_number(section: list[tuple[bool, str]]) -> str:
    """The section drawn with the digits 0101901234 in its last ten whole-number digit
    places (right to left), where it has ten or more and no thousands grouping: fewer
    cannot add a leading zero or a separator to ten digits (the digits a value shows by
    itself are read from the cell), and grouped digits stand in threes."""
    pieces = [(literal, char) for literal, text in section
              for char in (text if not literal else [text])]
    point = next((i for i, (literal, char) in enumerate(pieces)
                  if not literal and char == "."), len(pieces))
    whole = pieces[:point]
    places = [i for i, (literal, char) in enumerate(whole)
              if not literal and char in _PLACES]
    grouped = any(not literal and char == "," and places and places[0] < i < places[-1]
                  for i, (literal, char) in enumerate(whole))
    if len(places) < len(_CPR_DIGITS) or grouped:
        return ""
    digits = dict(zip(reversed(places), reversed(_CPR_DIGITS), strict=False))
    drawn = []
    for i, (literal, char) in enumerate(whole):
        if i in digits:
            drawn.append(digits[i])
        elif literal or char not in _PLACES + ",":  # a trailing comma scales: not shown
            drawn.append(char)
    return "".join(drawn)
