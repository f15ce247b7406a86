"""The shipped briefing PDF, read back as a reader would: text, metadata, fonts, contents, bookmarks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader

from briefgen.models import Briefing
from briefgen.validate import load_dataset
from tests.conftest import REPO

PDF = "reports/chile-russia-briefing-note.pdf"


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
    return load_dataset(REPO / "data/chile-russia", dt.date(2026, 11, 28))[0]


def test_every_fact_is_in_the_text(text: str, data: Briefing) -> None:
    expected = [
        *(a.name for a in data.ambassadors.ambassadors),
        *(f"{v.visitor.name}" for v in data.visits.visits),
        *(f"{v.place}, {v.country}" for v in data.visits.visits),
        *(m.title for m in data.milestones.milestones),
        *(p.name for m in data.milestones.milestones for p in m.participants),
        *(m.name for m in data.trade.members),
        *(m.name for m in data.mechanisms.mechanisms),
        *data.relationship.cooperation,
    ]
    missing = [fact for fact in expected if fact not in text]
    assert not missing


def test_dates_terms_and_markers(text: str) -> None:
    for fragment in (
        "26 September 2019",
        "April 2014",
        "November 2017",
        "1993",
        "2001–2006",
        "2017– Rodrigo Nieto Maturana CURRENT",
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


def test_marking_and_page_numbers_on_every_page(reader: PdfReader) -> None:
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert page_text.count("PUBLIC") >= 2, f"page {number} lacks the top and bottom marking"
        assert f"Page {number} of {total}" in page_text


def test_fonts_are_shipped_and_embedded(reader: PdfReader) -> None:
    fonts = _fonts(reader)
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


def _bookmarks(reader: PdfReader) -> list[tuple[str, int]]:
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
    headings = re.findall(r'<section id="[^"]+">\s*<h2>([^<]+)</h2>', html)
    titles = [title for title, _ in _bookmarks(reader)]
    assert titles[0] == "Chile–Russia: bilateral relations and the EEU free-trade goal"
    assert titles[1:] == [h.replace("&amp;", "&") for h in headings]


def test_contents_page_numbers_are_where_headings_land(reader: PdfReader) -> None:
    contents = reader.pages[0].extract_text()
    for title, page in _bookmarks(reader)[1:]:
        match = re.search(rf"\d+\. {re.escape(title)} \.+ (\d+)", contents)
        assert match, f"{title!r} is not in the contents"
        assert int(match[1]) == page, f"contents says {title!r} is on page {match[1]}, not {page}"
        assert title in reader.pages[page - 1].extract_text()
