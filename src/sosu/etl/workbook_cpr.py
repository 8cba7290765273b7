"""A CPR number anywhere in a workbook: every part of the file, not only the cells read.

The load reads one sheet's cells per contract file, but the history keeps the workbook
as given: its other and hidden sheets, formulas, comments, document properties, defined
names, data-validation lists, headers and footers, and the texts no cell shows. An .xlsx
or .ods file is a zip of XML parts; every XML part is read here (streaming, after the
zip limits of etl.workbook), and each text and attribute value is asked whether it
holds a CPR number (domain.cpr). The runs of one formatted text (a cell, a comment, a
paragraph) are joined first, so `0101` in bold before `90-1234` is one number.

Every other part is read as text too, whatever it is (a picture's metadata, a note
added to the zip, a printer's settings, an embedded object's strings): as UTF-8 and as
UTF-16 in both byte orders; an embedded workbook or other zip is opened and read the same
way, within the limits of etl.workbook. The zip's own texts are read: the names of its
parts and its comments. What is drawn in a picture's pixels is not read (docs/privacy.md).

Where one is found is said as the user can find it: the sheet and cell, a comment, the
document's properties. The text itself is never returned.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse

from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.etl.number_formats import could_show_cpr
from sosu.etl.workbook import WorkbookRefused, check_members

_XML_PARTS = (".xml", ".rels", ".vml")
# Elements whose text runs make one text a reader sees: a shared or inline string, a
# comment's text, a paragraph (drawings, .ods cells and comments), an .ods heading.
_JOINED = {"si", "is", "text", "p", "h"}
# Elements whose paragraphs a reader sees as the lines of one text: an .ods cell, comment
# or text box, an .xlsx drawing's text body (`010190` and `1234` in two paragraphs of one
# cell show as 010190⏎1234).
_PARAGRAPHS = {"table-cell", "covered-table-cell", "annotation", "text-box", "txBody"}
_MAX_PLACES = 10  # a file full of numbers needs no more than this to be fixed
# Any other part is read as text in pieces of _CHUNK bytes, each with the last _OVERLAP
# bytes of the one before: a spelling with its separators (four bytes a character) fits
# in it unless more than a hundred separators stand between two of its parts. Both even,
# so UTF-16 keeps its alignment.
_CHUNK = 1 << 20
_OVERLAP = 512
_ZIP = b"PK\x03\x04"
_MAX_DEPTH = 3  # a zip in a workbook in a workbook: deeper is refused as unreadable


@dataclass
class _Found:
    places: list[str] = field(default_factory=list)

    def add(self, place: str) -> None:
        if place not in self.places and len(self.places) < _MAX_PLACES:
            self.places.append(place)

    @property
    def full(self) -> bool:
        return len(self.places) >= _MAX_PLACES


def cpr_places(path: Path) -> list[str]:
    """Where in the workbook at `path` a CPR number stands (in Danish, e.g. "arket
    'elever', celle C5", "en kommentar"), at most ten places; [] when nowhere. The zip
    limits are checked by the caller (etl.workbook.check_limits). Raises ValueError for a
    part that cannot be read (encrypted, an unknown compression, an embedded zip beyond
    the limits): it cannot be vouched for."""
    found = _Found()
    ods = path.suffix.lower() == ".ods"
    try:
        with zipfile.ZipFile(path) as archive:
            _scan_envelope(archive, "filen", found)
            parts = [name for name in archive.namelist() if _is_xml(name)]
            if ods:
                _scan_ods(archive, parts, found)
            else:
                _scan_xlsx(archive, parts, found)
            names = [info.filename for info in archive.infolist()]
            for info in archive.infolist():
                # A name the zip holds twice: the XML scan above opened its last copy.
                twice = names.count(info.filename) > 1
                if (twice or not _is_xml(info.filename)) and not info.is_dir() \
                        and not found.full:
                    _scan_other(archive, info, _part_place(info.filename, ods=ods), found,
                                depth=0)
    except (RuntimeError, NotImplementedError, zlib.error) as unreadable:
        raise ValueError("a part cannot be read") from unreadable
    # Bytes that belong to no part (before the first, between, after the directory) are
    # kept with the file too; the file's own bytes are read as text once.
    with open(path, "rb") as handle:
        if _holds_cpr_as_text(handle):
            found.add("i filen, uden for dens dele")
    return found.places


def _is_xml(name: str) -> bool:
    return name.lower().endswith(_XML_PARTS)


def _part_place(part: str, *, ods: bool) -> str:
    if ods:
        return ("dokumentets egenskaber" if part == "meta.xml"
                else "sidehoved, sidefod eller typografier" if part == "styles.xml"
                else f"delen {mask_cpr(part)} i filen")
    return _xlsx_place(part)


# --- the zip itself and the parts that are not XML -----------------------------------------

def _scan_envelope(archive: zipfile.ZipFile, where: str, found: _Found) -> None:
    """The zip's own texts: the names of its parts, its comment and theirs."""
    if any(contains_cpr(name) for name in archive.namelist()):
        found.add(f"navnet på en del af {where}")
    comments = [archive.comment, *(info.comment for info in archive.infolist())]
    if any(contains_cpr(comment.decode("utf-8", errors="replace")) for comment in comments):
        found.add(f"kommentarerne i {where}")


def _decodings(data: bytes) -> Iterator[str]:
    """`data` as a reader might take it: UTF-8 (Windows-1252 digits and separators read the
    same way), and where it has NUL bytes as UTF-16 at both alignments (either byte order:
    big-endian text, one byte on, reads as little-endian)."""
    yield data.decode("utf-8", errors="replace")
    if b"\x00" in data:
        yield data.decode("utf-16-le", errors="replace")
        yield data[1:].decode("utf-16-le", errors="replace")


def _scan_other(archive: zipfile.ZipFile, info: zipfile.ZipInfo, place: str, found: _Found,
                *, depth: int) -> None:
    """A part that is not XML: an embedded zip is opened, anything else read as text."""
    with archive.open(info) as handle:
        first = handle.read(len(_ZIP))
        if first == _ZIP:
            _scan_nested(first + handle.read(), place, found, depth=depth + 1)
        elif _holds_cpr_as_text(handle, first):
            found.add(place)


def _holds_cpr_as_text(handle: IO[bytes], first: bytes = b"") -> bool:
    """Read as text (_decodings) in pieces, each with the end of the one before."""
    tail = first
    while True:
        chunk = handle.read(_CHUNK)
        block = tail + chunk
        if any(contains_cpr(text) for text in _decodings(block)):
            return True
        if not chunk:
            return False
        tail = block[-_OVERLAP:]


def _scan_nested(data: bytes, place: str, found: _Found, *, depth: int) -> None:
    """An embedded zip (a workbook or document in the workbook): every part of it, within
    the limits a workbook's own parts have."""
    if depth > _MAX_DEPTH:
        raise ValueError("embedded too deep")
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        members = inner.infolist()
        try:
            check_members(members, "den indlejrede fil")
        except WorkbookRefused as refused:
            raise ValueError("an embedded zip beyond the limits") from refused
        _scan_envelope(inner, place, found)
        for member in members:
            if member.is_dir() or found.full:
                continue
            if _is_xml(member.filename):
                _generic(inner, member.filename, place, found)
            else:
                _scan_other(inner, member, place, found, depth=depth)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _texts(element: Element) -> Iterator[str]:
    """The values of an element's attributes, its own text and, for an element whose runs
    make one text, all of them joined."""
    yield from element.attrib.values()
    if element.text:
        yield element.text
    if _local(element.tag) in _JOINED:
        yield "".join(element.itertext())
    elif _local(element.tag) in _PARAGRAPHS:
        yield "\n".join("".join(paragraph.itertext()) for paragraph in element.iter()
                         if _local(paragraph.tag) in ("p", "h"))


def _holds_cpr(element: Element) -> bool:
    return any(contains_cpr(text) for text in _texts(element))


def _events(handle: IO[bytes]) -> Iterator[tuple[str, Element]]:
    return iterparse(handle, events=("start", "end"))


def _generic(archive: zipfile.ZipFile, part: str, place: str, found: _Found) -> None:
    """Any other part: one place for the whole part."""
    try:
        _generic_xml(archive, part, place, found)
    except ParseError:
        # Excel's VML drawings are not always well-formed XML: their texts and attribute
        # values are read with the markup cut out.
        with archive.open(part) as handle:
            text = handle.read().decode("utf-8", errors="replace")
        values = re.findall(r"=\s*[\"']([^\"']*)[\"']", text)
        if any(contains_cpr(html.unescape(t)) for t in (*values, re.sub(r"<[^>]*>", "x", text))):
            found.add(place)


def _generic_xml(archive: zipfile.ZipFile, part: str, place: str, found: _Found) -> None:
    # The styles' formats are asked on their own (_formats_may_show_cpr), as "typografierne".
    formats = not part.lower().endswith("styles.xml")
    with archive.open(part) as handle:
        stack: list[Element] = []
        for event, element in _events(handle):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            if element.tail and contains_cpr(element.tail) or _holds_cpr(element):
                found.add(place)
                return
            if formats and _format_may_show_cpr(element):
                found.add(f"et talformat i {place}, der kan vise tal som CPR-numre")
                return
            if stack and not any(_local(e.tag) in _JOINED | _PARAGRAPHS
                                 for e in (*stack, element)):
                stack[-1].remove(element)  # read: its texts need not stay in memory


# --- .xlsx ------------------------------------------------------------------------------

_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _scan_xlsx(archive: zipfile.ZipFile, parts: list[str], found: _Found) -> None:
    sheets = _xlsx_sheets(archive, parts)
    shared = _cpr_strings(archive, parts)
    shown: set[int] = set()
    for part in parts:
        if part in sheets:
            _xlsx_sheet(archive, part, sheets[part], shared, shown, found)
        elif not part.endswith("sharedStrings.xml"):
            _generic(archive, part, _xlsx_place(part), found)
        if part.lower().endswith("styles.xml") and _formats_may_show_cpr(archive, part):
            found.add("et talformat i typografierne, der kan vise tal som CPR-numre")
        if found.full:
            return
    if shared - shown:
        found.add("en tekst i projektmappen, som ingen celle viser")


def _format_may_show_cpr(element: Element) -> bool:
    """A number format in any part, not only the styles': a chart's data labels
    (`<c:numFmt formatCode=…>`) and cached values (`<c:formatCode>`) are drawn through
    their own, which may show a CPR number of a value no part holds as one."""
    name = _local(element.tag)
    if name == "numFmt":
        return could_show_cpr(element.get("formatCode", ""))
    return name == "formatCode" and could_show_cpr(element.text or "")


def _formats_may_show_cpr(archive: zipfile.ZipFile, part: str) -> bool:
    """Could a number format show a CPR number no part of the file holds (an .xlsx cell
    keeps its value, not the text it shows)? etl.number_formats decides."""
    with archive.open(part) as handle:
        for _event, element in iterparse(handle):
            if _local(element.tag) == "numFmt" and could_show_cpr(
                    element.get("formatCode", "")):
                return True
            element.clear()
    return False


def _xlsx_place(part: str) -> str:
    name = part.lower()
    if "comment" in name or "vmldrawing" in name:
        return "en kommentar"
    if name.startswith("docprops/") or name.startswith("customxml/"):
        return "dokumentets egenskaber"
    if name == "xl/workbook.xml":
        return "projektmappens navne på ark eller områder"
    return f"delen {mask_cpr(part)} i filen"


def _xlsx_sheets(archive: zipfile.ZipFile, parts: list[str]) -> dict[str, str]:
    """Each worksheet part → its sheet's name (from xl/workbook.xml and its relations)."""
    if "xl/workbook.xml" not in parts or "xl/_rels/workbook.xml.rels" not in parts:
        return {}
    targets: dict[str, str] = {}
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for _event, element in iterparse(handle):
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                targets[element.get("Id", "")] = (
                    target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target)))
    sheets: dict[str, str] = {}
    with archive.open("xl/workbook.xml") as handle:
        for _event, element in iterparse(handle):
            if _local(element.tag) == "sheet":
                target = targets.get(element.get(_RELATIONSHIP, ""), "")
                if target:
                    sheets[target] = element.get("name", "")
    return sheets


def _cpr_strings(archive: zipfile.ZipFile, parts: list[str]) -> set[int]:
    """The indexes of the shared strings that hold a CPR number."""
    found: set[int] = set()
    for part in parts:
        if not part.endswith("sharedStrings.xml"):
            continue
        with archive.open(part) as handle:
            index = 0
            for _event, element in iterparse(handle):
                if _local(element.tag) == "si":
                    if _holds_cpr(element):
                        found.add(index)
                    index += 1
                    element.clear()
    return found


def _xlsx_sheet(archive: zipfile.ZipFile, part: str, sheet: str, shared: set[int],
                shown: set[int], found: _Found) -> None:
    where = f"arket '{mask_cpr(sheet)}'"
    with archive.open(part) as handle:
        stack: list[Element] = []
        cell, kind = "", ""
        for event, element in _events(handle):
            name = _local(element.tag)
            if event == "start":
                stack.append(element)
                if name == "c":
                    cell, kind = element.get("r", ""), element.get("t", "")
                continue
            stack.pop()
            if name == "v" and kind == "s":
                text = (element.text or "").strip()
                index = int(text) if re.fullmatch(r"[0-9]{1,9}", text) else -1
                if index in shared:
                    shown.add(index)
                    found.add(f"{where}, celle {cell}")
            elif (_holds_cpr(element) or element.tail and contains_cpr(element.tail)
                  or name == "f" and contains_cpr(_joined_pieces(element.text or ""))
                  or name == "v" and kind in ("", "n") and _scaled_shows_cpr(element.text)):
                found.add(f"{where}, celle {cell}" if cell and name in ("c", "v", "f", "is", "t")
                          else where)
            if name == "c":
                cell, kind = "", ""
            if name in ("c", "row") and stack:
                stack[-1].remove(element)
            if found.full:
                return


# What a number format may multiply a value by before it is shown: a percent sign (two of
# them), or each comma after the last digit place (a thousand, a million, a billion).
_SCALES = (100, 10_000, 1e-3, 1e-6, 1e-9)


def _scaled_shows_cpr(text: str | None) -> bool:
    """Would a number cell's value, scaled as a number format may scale it and shown as a
    whole number, read as a CPR number (`0,` shows 1501901234000 as 1501901234, `0%`
    shows 15019012.34 as 1501901234 %)? The cell keeps the value, not the text, and the
    format is the cell's style's: every scale is asked of every number cell. Only nine or
    ten digits can be one, so an ordinary number (an age, hours, a date's serial) is none
    at any scale."""
    try:
        value = abs(float(text or ""))
    except ValueError:
        return False
    shown = (round(value * scale) for scale in _SCALES if value * scale < 1e10)
    return any(number >= 100_000_000 and contains_cpr(str(number)) for number in shown)


# What joins text pieces in a formula: quotes, the & operator, argument separators.
_JOINERS = re.compile(r'["&,;\s]+')


def _joined_pieces(formula: str) -> str:
    """A formula with the text it would join put together: `CONCAT("010190";"-";"1234")`
    holds its number in pieces further apart than any spelling (a formula without a
    stored result shows it only when Excel computes it)."""
    return _JOINERS.sub("", formula)


# --- .ods -------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_REPEAT_ROWS = f"{{{_TABLE}}}number-rows-repeated"
_REPEAT_COLUMNS = f"{{{_TABLE}}}number-columns-repeated"
_NAME = f"{{{_TABLE}}}name"
_FORMULA = f"{{{_TABLE}}}formula"


_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_VALUE = f"{{{_OFFICE}}}value"
_DATA_STYLE = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"


def _scan_ods(archive: zipfile.ZipFile, parts: list[str], found: _Found) -> None:
    for part in parts:
        if part == "content.xml":
            _ods_content(archive, part, found)
        else:
            _generic(archive, part, _part_place(part, ods=True), found)
        # An embedded object (`Object 1/content.xml`) has number styles of its own.
        if part.endswith(("content.xml", "styles.xml")) \
                and _ods_styles_may_show_cpr(archive, part):
            found.add("et talformat i typografierne, der kan vise tal som CPR-numre")
        if found.full:
            return


def _ods_styles_may_show_cpr(archive: zipfile.ZipFile, part: str) -> bool:
    """Could an .ods number or date style show a CPR number no part of the file holds?
    LibreOffice draws a cell's value through its style when it opens the file (the text
    the file keeps beside the value is not what it shows). Each style is written as the
    Excel format it amounts to and drawn by etl.number_formats."""
    with archive.open(part) as handle:
        for _event, element in iterparse(handle):
            if element.tag.startswith(f"{{{_DATA_STYLE}}}") and element.tag.endswith("-style"):
                if could_show_cpr(_ods_format_code(element)):
                    return True
                element.clear()
    return False


def _ods_attribute(element: Element, name: str, default: str = "") -> str:
    return element.get(f"{{{_DATA_STYLE}}}{name}", default)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


def _ods_format_code(style: Element) -> str:
    """An .ods data style (number:number-style, date-style, …) as an Excel format code."""
    long = {"day": ("d", "dd"), "month": ("m", "mm"), "year": ("yy", "yyyy"),
            "hours": ("h", "hh"), "minutes": ("m", "mm"), "seconds": ("s", "ss")}
    code = []
    for child in style:
        name = _local(child.tag)
        if name in ("text", "currency-symbol"):
            code.append(_quoted("".join(child.itertext())))
        elif name in long:
            textual = name == "month" and _ods_attribute(child, "textual") == "true"
            code.append("mmm" if textual else long[name][
                _ods_attribute(child, "style") == "long"])
        elif name in ("number", "scientific-number", "fraction"):
            code.append(_ods_number_code(child))
    return "".join(code)


def _ods_number_code(number: Element) -> str:
    """number:number's digits, its texts embedded among them (number:position counts the
    digits to their right) and its decimals."""
    digits = _ods_attribute(number, "min-integer-digits", "1")
    places = int(digits) if digits.isdigit() else 1
    embedded = {}
    for child in number:
        position = _ods_attribute(child, "position", "0")
        if _local(child.tag) == "embedded-text" and position.isdigit():
            embedded[int(position)] = _quoted("".join(child.itertext()))
    width = max(places, max(embedded, default=0))
    tokens = []  # right to left: a text at position p has p digits to its right
    for index in range(width):
        tokens += [embedded.get(index, ""), "0" if index < places else "#"]
    tokens.append(embedded.get(width, ""))
    whole = "".join(reversed(tokens))
    decimals = _ods_attribute(number, "decimal-places", "0")
    return whole + ("." + "0" * int(decimals) if decimals.isdigit() and int(decimals) else "")


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _repeat(element: Element, attribute: str) -> int:
    value = element.get(attribute, "1")
    return int(value) if re.fullmatch(r"[0-9]{1,7}", value) else 1


def _ods_content(archive: zipfile.ZipFile, part: str, found: _Found) -> None:
    """content.xml holds every sheet: the place of a cell is counted as a spreadsheet
    shows it (rows and cells may stand for several repeated ones)."""
    with archive.open(part) as handle:
        stack: list[Element] = []
        sheet, row, column = "", 0, 0
        for event, element in _events(handle):
            name = _local(element.tag)
            if event == "start":
                stack.append(element)
                if name == "table":
                    sheet, row = element.get(_NAME, ""), 0
                elif name == "table-row":
                    row, column = row + 1, 0
                elif name in ("table-cell", "covered-table-cell"):
                    column += 1
                continue
            stack.pop()
            formula = element.get(_FORMULA)
            if (_holds_cpr(element) or element.tail and contains_cpr(element.tail)
                    or formula and contains_cpr(_joined_pieces(formula))
                    # a value a style scales (number:display-factor, a percentage)
                    or element.get(_VALUE) and _scaled_shows_cpr(element.get(_VALUE))):
                where = f"arket '{mask_cpr(sheet)}'" if sheet else "projektmappen"
                inside = row and column and any(_local(e.tag) in ("table-cell",
                                                                  "covered-table-cell")
                                                for e in (*stack, element))
                found.add(f"{where}, celle {_column_letters(column)}{row}" if inside else where)
            if name in ("table-cell", "covered-table-cell"):
                column += _repeat(element, _REPEAT_COLUMNS) - 1
            elif name == "table-row":
                row += _repeat(element, _REPEAT_ROWS) - 1
            if name in ("table-cell", "covered-table-cell", "table-row") and stack:
                stack[-1].remove(element)
            if found.full:
                return
