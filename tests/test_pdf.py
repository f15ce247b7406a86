"""The shipped PDFs, read back as a reader would: text, metadata, fonts, contents, bookmarks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader

from briefgen.localise import localise
from briefgen.models import Briefing
from briefgen.project import Project
from briefgen.validate import load_dataset
from briefgen.variants import Variant, load_variants
from tests.conftest import REPO

PDF = "reports/chile-russia-briefing-note.en-GB.pdf"
VARIANTS = load_variants(Project(REPO))[1]


@pytest.fixture(scope="module")
def reader(built: Path) -> PdfReader:
    return PdfReader(built / PDF)


@pytest.fixture(scope="module")
def text(reader: PdfReader) -> str:
    """All page text, with line-end hyphenation undone and whitespace collapsed."""
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(re.sub(r"-\n", "", raw).split())


@pytest.fixture(scope="module")
def data() -> Briefing:
    english = load_dataset(REPO / "data/chile-russia", dt.date(2026, 11, 28))[0]
    return localise(english, "en-GB", "en")


def test_every_fact_is_in_the_text(text: str, data: Briefing) -> None:
    assert data.visits and data.ambassadors and data.mechanisms and data.milestones and data.trade
    expected: list[str] = [
        *(str(a.name) for a in data.ambassadors.ambassadors),
        *(f"{v.visitor.name}" for v in data.visits.visits),
        *(f"{v.place}, {v.country}" for v in data.visits.visits),
        *(str(m.title) for m in data.milestones.milestones),
        *(str(p.name) for m in data.milestones.milestones for p in m.participants),
        *(str(m.name) for m in data.trade.members),
        *(str(m.name) for m in data.mechanisms.mechanisms),
        *map(str, data.relationship.cooperation),
    ]
    # List items may be capitalised on the page ("energy" -> "Energy").
    missing = [
        fact for fact in expected if fact not in text and fact[:1].upper() + fact[1:] not in text
    ]
    assert not missing


def test_dates_terms_and_markers(text: str) -> None:
    for fragment in (
        "26 September 2019",
        "April 2014",
        "November 2017",
        "1993",
        "2001–2006",
        "2017– Rodrigo Nieto Maturana OPEN TERM",
        "CANCELLED",
        "APEC summit",
    ):
        assert fragment in text


def test_metadata(reader: PdfReader) -> None:
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Chile–Russia: bilateral relations and the EEU free-trade goal"
    assert meta.author == "Chile–Russia bilateral desk"
    assert meta.subject and "Eurasian Economic Union" in meta.subject
    assert str(meta["/Keywords"]).startswith("Chile, Russian Federation")
    assert str(meta["/CreationDate"]) == "D:20261128"
    assert cast(Any, reader.trailer)["/Root"]["/Lang"] == "en-GB"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_every_variant_has_marking_page_numbers_and_metadata(built: Path, variant: Variant) -> None:
    reader = PdfReader(built / "reports" / variant.output_name)
    doc, total = variant.document, len(reader.pages)
    page_of = _translate(variant.language, "Page %(page)s of %(pages)s")
    for number, page in enumerate(reader.pages, start=1):
        page_text = " ".join(page.extract_text().split())
        # Which marking is test_variants' business; here: one of the scale, top and bottom.
        banners = [variant.label(m) for m in variant.scale]
        assert any(page_text.count(b) >= 2 for b in banners), f"page {number}: no marking"
        assert page_of.format(page=number, pages=total) in page_text
        if number > 1:
            assert doc.short_title and str(doc.short_title) in page_text, "no running header"
    issuers = {
        "en-GB": "Chile–Russia bilateral desk",
        "es": "Unidad de Relaciones Bilaterales Chile–Rusia",
    }
    assert reader.metadata is not None and reader.metadata.title == doc.title
    assert reader.metadata.author == issuers.get(variant.language, reader.metadata.author)
    assert cast(Any, reader.trailer)["/Root"]["/Lang"] == variant.language


def _translate(language: str, message: str) -> str:
    """Return the catalogue's translation with %(name)s placeholders as {name}."""
    if language != "en-GB":
        from babel.messages.pofile import read_po

        path = REPO / f"templates/locale/{language}/LC_MESSAGES/messages.po"
        with path.open("rb") as f:
            entry = read_po(f).get(message)
            assert entry is not None
            message = str(entry.string)
    return re.sub(r"%\((\w+)\)s", r"{\1}", message)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_every_variant_keeps_its_page_budget(built: Path, variant: Variant) -> None:
    pages = len(PdfReader(built / "reports" / variant.output_name).pages)
    assert variant.document.page_budget is not None
    assert 1 <= pages <= variant.document.page_budget


def test_fact_sheet_is_exactly_one_page(built: Path) -> None:
    assert len(PdfReader(built / "reports/chile-russia-fact-sheet.en-GB.pdf").pages) == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_fonts_are_shipped_and_embedded(built: Path, variant: Variant) -> None:
    fonts = _fonts(PdfReader(built / "reports" / variant.output_name))
    assert fonts, "no fonts found"
    for name, descriptor in fonts.items():
        assert "Brief-Sans" in name, f"{name} is not the theme's font"
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def _fonts(reader: PdfReader) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for page in reader.pages:
        for font in cast(Any, page)["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                found[str(descendant["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return found


def outline(reader: PdfReader) -> list[tuple[str, int]]:
    """Return every bookmark, depth first, with the page number it leads to."""
    flat: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                number = reader.get_destination_page_number(item)
                assert number is not None
                flat.append((item.title, number + 1))

    walk(reader.outline)
    return flat


def test_bookmarks_mirror_the_headings(reader: PdfReader, built: Path) -> None:
    html = (built / PDF).with_suffix(".html").read_text()
    expected, number = [], 0
    for css_class, heading in re.findall(r'<h2(?: class="([^"]*)")?>([^<]+)</h2>', html):
        number += not css_class  # section headings are numbered by the stylesheet
        expected.append(heading if css_class else f"{number}. {heading}")
    titles = [title for title, _ in outline(reader)]
    assert titles[0] == "Chile–Russia: bilateral relations and the EEU free-trade goal"
    assert titles[1:] == [h.replace("&amp;", "&").replace("&#39;", "'") for h in expected]
    assert titles[1:3] == ["Key points", "Contents"]


def test_contents_page_numbers_are_where_headings_land(reader: PdfReader) -> None:
    contents = reader.pages[0].extract_text() + reader.pages[1].extract_text()  # it may go on
    numbered = [(title, page) for title, page in outline(reader) if re.match(r"\d+\. ", title)]
    assert len(numbered) == 7
    for title, page in numbered:
        match = re.search(rf"{re.escape(title)} \.+ (\d+)", contents)
        assert match, f"{title!r} is not in the contents"
        assert int(match[1]) == page, f"contents says {title!r} is on page {match[1]}, not {page}"
        assert title in reader.pages[page - 1].extract_text()


def test_timeline_has_one_mark_per_visit(built: Path, data: Briefing) -> None:
    html = (built / PDF).with_suffix(".html").read_text()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert data.visits and svg.count('class="visit-mark') == len(data.visits.visits)
    assert "<title" in svg and "Figure 1. Presidential visits" in html
    for visit in data.visits.visits:
        assert f">{visit.visitor.name}</text>" in svg


def test_key_points_are_written_from_the_data(text: str, data: Briefing) -> None:
    assert data.visits
    latest = max(data.visits.visits, key=lambda v: v.date.sort_key)
    assert "Five presidential visits between 1993 and 2012" in text
    assert f"the latest by {latest.visitor.name}" in text
    assert (
        # The source dates the contemplated participation, not the events: stay as loose as it.
        "In November 2019, participation was contemplated in two events organised by Chile, "
        "which the source reports as cancelled: APEC Leaders’ Summit (Vladimir Putin) and COP25 "
        "(a high Russian authority)." in text.replace("'", "’")
    )


def test_eeu_brief_and_fact_sheet_content(built: Path, data: Briefing) -> None:
    def read(name: str) -> str:
        pages = PdfReader(built / "reports" / name).pages
        return " ".join(re.sub(r"-\n", "", "\n".join(p.extract_text() for p in pages)).split())

    assert data.trade and data.mechanisms
    brief = read("chile-eeu-free-trade-brief.en-GB.pdf")
    for line in data.trade.lines_to_take:
        assert " ".join(str(line).split()) in brief
    assert all(str(m.name) in brief for m in data.trade.members)
    sheet = read("chile-russia-fact-sheet.en-GB.pdf")
    assert "Rodrigo Nieto Maturana" in sheet
    assert all(str(m.name) in sheet for m in data.mechanisms.mechanisms)
    assert sheet.count("Cancelled".upper()) == 2
