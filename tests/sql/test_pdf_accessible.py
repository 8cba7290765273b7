"""The quarterly PDF for readers with a screen reader (issue #23), read back from the file:
a tagged PDF/UA-1 document in Danish with a title, headings in reading order, tables with
header cells, and every chart a figure with alternative text saying what it shows."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject

from sosu.domain.fmt import number, pct
from sosu.domain.roles import Viewer
from sosu.domain.targets import load_targets
from sosu.metrics import datasets
from sosu.metrics.scorecard import series_for
from sosu.store.db import connect_read_only
from tests.support import DEMO_SITE

OWN = DEMO_SITE
LEDER = Viewer("leder", "leder", (OWN,))


@dataclass
class Node:
    """A structure element: its type (H1, Table, Figure…), the text of its own marked
    content and its children's, its /Alt, its attributes, its children in order."""

    kind: str
    text: str
    alt: str | None
    attributes: dict[str, object]
    children: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.walk())]

    def find(self, kind: str) -> list[Node]:
        return [n for n in self.walk() if n.kind == kind]


def _marked_text(pdf: bytes) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page, MCID)."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    for number_, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
        open_ids: list[int | None] = []

        def before(operator: bytes, arguments: list, *_rest: object,
                   _ids: list[int | None] = open_ids) -> None:
            if operator == b"BDC":
                properties = arguments[1] if len(arguments) > 1 else None
                _ids.append(properties.get("/MCID") if isinstance(properties, dict) else None)
            elif operator == b"BMC":
                _ids.append(None)
            elif operator == b"EMC" and _ids:
                _ids.pop()

        def text(value: str, *_rest: object, _page: int = number_,
                 _ids: list[int | None] = open_ids) -> None:
            mcid = next((m for m in reversed(_ids) if m is not None), None)
            if mcid is not None:
                texts[(_page, mcid)] += value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def structure(pdf: bytes) -> tuple[pypdf.PdfReader, Node]:
    """The document's structure tree read back, in order (pypdf: pikepdf would bring lxml
    into the test environment, which changes how openpyxl writes the Excel downloads)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)
             if page.indirect_reference is not None}
    texts = _marked_text(pdf)

    def read(element: DictionaryObject) -> Node:
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, ArrayObject) else [kids]
        kids = [k.get_object() if k is not None else None for k in kids]
        page = element.get("/Pg")
        number_ = pages.get(page.idnum) if page is not None else None
        # Each marked sequence is a line's run of text: lines meet at a space.
        own = " ".join(texts.get((number_, int(k)), "") for k in kids
                       if isinstance(k, int) and number_ is not None)
        attributes = element.get("/A")
        attributes = attributes.get_object() if attributes is not None else None
        node = Node(str(element.get("/S"))[1:], own,
                    str(element["/Alt"]) if "/Alt" in element else None,
                    dict(attributes.items()) if isinstance(attributes, DictionaryObject)
                    else {})
        for kid in kids:
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                child = read(kid)
                node.children.append(child)
                node.text += " " + child.text
        node.text = " ".join(node.text.split())
        return node

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    top = root["/K"]
    top = top[0] if isinstance(top, ArrayObject) else top
    return reader, read(top.get_object())


@pytest.fixture(scope="module")
def con(demo_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(demo_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def site_report(demo_site_report: bytes) -> tuple[pypdf.PdfReader, Node]:
    # A leder's report of their own site: every kind of page, with hidden cells.
    return structure(demo_site_report)


def test_report_is_tagged_danish_and_titled(site_report: tuple[pypdf.PdfReader, Node]) -> None:
    reader, tree = site_report
    catalogue = reader.trailer["/Root"]
    assert catalogue["/Lang"] == "da"
    assert bool(catalogue["/MarkInfo"]["/Marked"])
    assert catalogue["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata is not None and reader.metadata.title == "Kvartalsrapport 2025Q3"
    xmp = catalogue["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp  # PDF/UA-1 identification
    assert tree.kind == "Document"


def test_headings_in_reading_order(site_report: tuple[pypdf.PdfReader, Node]) -> None:
    _document, tree = site_report
    headings = [(n.kind, n.text) for n in tree.walk() if n.kind in ("H1", "H2", "H3")]
    assert headings == [
        ("H1", "SOSU-uddannelserne – kvartalsrapport 2025Q3"),
        ("H2", "Sammenfatning"), ("H2", "Målene"),
        ("H2", "Før uddannelse: rekruttering"), ("H3", "Indsatser"),
        ("H2", "Under uddannelse: frafald og sygefravær"), ("H3", "Indsatser"),
        ("H2", "Efter uddannelse: fastholdelse"), ("H3", "Indsatser"),
        ("H2", f"Oplæringssted: {OWN}"), ("H2", "Om tallene")]
    # The summary is a list, after its heading and before the scorecard.
    kinds = [n.kind for n in tree.children]
    assert kinds.index("L") == kinds.index("H2") + 1


def test_tables_have_header_cells(site_report: tuple[pypdf.PdfReader, Node]) -> None:
    _document, tree = site_report
    tables = tree.find("Table")
    assert len(tables) >= 5  # scorecard, three initiative tables, the site's cohorts
    for table in tables:
        rows = table.find("TR")
        assert rows and all(c.kind == "TH" for c in rows[0].children), table.text[:80]
        assert all(str(c.attributes.get("/Scope")) == "/Column" for c in rows[0].children)
        for cell in table.find("TD"):
            assert cell.attributes.get("/Headers"), cell.text  # each cell names its headers
    scorecard = tables[0]
    header = [cell.text for cell in scorecard.find("TR")[0].children]
    assert header == ["Mål", "Seneste værdi", "Periode", "Mål", "Status", "Målopfyldelse"]
    # Each target's row is headed by the target's name.
    labels = [row.children[0] for row in scorecard.find("TR")[1:]]
    # (A line may break after a hyphen: "SSA-" / "elever" read back as "SSA- elever".)
    assert [(c.kind, c.text.replace("- ", "-")) for c in labels] == [
        ("TH", t.label) for t in load_targets()]
    assert all(str(c.attributes.get("/Scope")) == "/Row" for c in labels)
    site = next(t for t in tables if t.find("TR")[0].children[0].text == "Sted")
    cells = [c.text for c in site.find("TD")]
    assert OWN in cells and "skjult" in cells and "≤3" not in cells  # the release's mark


def test_every_chart_is_a_figure_with_its_description(
        con, site_report: tuple[pypdf.PdfReader, Node]) -> None:  # noqa: ANN001
    _document, tree = site_report
    figures = tree.find("Figure")
    targets = load_targets()
    assert len(figures) == len(targets) + 1  # one per target, and the site's sick leave
    series = datasets.target_series(con, LEDER)
    series = series[series.aar <= 2025]
    by_label = {f.alt.split(". Seneste værdi")[0].split(". Ingen værdier")[0]: f.alt
                for f in figures if f.alt}
    assert len(by_label) == len(figures)  # every figure has alternative text
    for target in targets:
        rows = series_for(series, target).dropna(subset=["vaerdi"])
        if rows.empty:  # every value hidden from the leder: said so, no number
            assert by_label[target.label].startswith(f"{target.label}. Ingen værdier")
            continue
        last = rows.iloc[-1]
        value = pct(last.vaerdi) if target.is_rate else number(last.vaerdi)
        said = f"{target.label}. Seneste værdi – Værdi: {last.periode}: {value}"
        assert by_label[target.label].startswith(said), by_label[target.label]
    sick = by_label["Sygefravær: stedet og kommunen"]
    assert "Stedet: 2025: " in sick and "Hele kommunen: 2025: " in sick
