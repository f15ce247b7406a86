"""What a desk officer reads: each thing said once, each date once, marks that are not text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run
from tests.test_model import pdf_text
from tests.test_pdf import outline

Cli = Callable[..., Run]
NOTE = "reports/chile-russia-briefing-note.en-GB.pdf"
BRIEF = "reports/chile-eeu-free-trade-brief.en-GB.pdf"
SHEET = "reports/chile-russia-fact-sheet.en-GB.pdf"


def test_the_note_and_the_brief_say_each_thing_once(built: Path) -> None:
    note, brief = pdf_text(built / NOTE), pdf_text(built / BRIEF)
    for text in (note, brief):
        assert text.count("cordial and frank political dialogue") == 1
        assert text.count("Embassy of Chile in the Russian Federation, “Bilateral Relations”") == 1
        assert " ".join(text.split()).count("Checked against the source on the day of issue.") == 1
    assert "checked against it" not in note + brief  # the currency line has said it
    # The objective: once in the key points (the summary), once in its section.
    assert note.count("Free Trade Agreement with the Eurasian Economic Union") == 2
    assert brief.count("Free Trade Agreement with the Eurasian Economic Union") == 1
    # One citation mark per section, the full reference once, at the end.
    sections = [t for t, _ in outline(PdfReader(built / NOTE)) if t[0].isdigit()]
    assert note.count("Source: [1]") == len(sections) - 1  # all but the sources themselves


def test_the_masthead_gives_each_date_once(built: Path) -> None:
    first = PdfReader(built / NOTE).pages[0].extract_text()
    assert first.count("28 Nov 2026") == 1 and "28 November 2026" not in first
    assert "VERSION" not in first and "BG-CLRU-01 · v1.0" in first
    assert "Checked against the source on the day of issue." in " ".join(first.split())


def test_an_edition_reissued_unchanged_gives_its_own_date(project: Path, cli: Cli) -> None:
    assert cli(project, "--date", BUILD_DATE, "--only", "fact-sheet.en-GB").code == 0
    assert cli(project, "--date", "2026-12-03", "--only", "fact-sheet.en-GB", "--force").code == 0
    text = pdf_text(project / SHEET)
    assert "EDITION 1 of 28 Nov 2026" in text and "ISSUED 3 Dec 2026" in text
    assert "Checked against the source on 28 November 2026." in text


def test_the_draft_watermark_is_drawn_but_is_not_text(built: Path) -> None:
    draft = built / "reports/chile-russia-briefing-note.es.draft.pdf"
    pages = PdfReader(draft).pages
    with pikepdf.open(draft) as pdf:
        for number, page in enumerate(pdf.pages):
            states: dict[str, Any] = dict(page.Resources.get("/ExtGState", {}))
            faint = [s for s in states.values() if float(s.get("/ca", 1)) < 0.1]
            assert faint, f"page {number + 1}: no watermark drawn"
            text = pages[number].extract_text()
            assert "BORRADOR" not in text, f"page {number + 1}: the watermark is text"
            if number:  # the running header says it is a draft
                assert "(borrador)" in text
    final = PdfReader(built / NOTE).pages[1].extract_text()
    assert "BG-CLRU-01 · v1.0" in final and "(draft)" not in final


def test_letter_spaced_and_hyphenated_headings_extract_as_words(built: Path) -> None:
    assert "CHILE–RUSSIA BILATERAL DESK" in pdf_text(built / NOTE)
    lines = PdfReader(built / BRIEF).pages[0].extract_text().splitlines()
    assert not [line for line in lines if line.rstrip().endswith(("free-", "Chile–"))]
    assert any("free-trade objective" in line for line in lines)


def test_the_fact_sheet_bookmarks_match_its_headings(built: Path) -> None:
    titles = [title for title, _ in outline(PdfReader(built / SHEET))]
    assert titles[1:] == [
        "Fast facts",
        "Key dates",
        "Ambassador listed as serving",
        "Bilateral mechanisms",
        "Sources",
    ], titles


def test_no_generator_credit_unless_a_template_asks(built: Path, project: Path, cli: Cli) -> None:
    for pdf in (built / "reports").glob("*.pdf"):
        assert "briefgen" not in pdf_text(pdf), pdf.name
    mine = project / "mine"
    mine.mkdir()
    (mine / "eeu-brief.html").write_text(
        '{% extends "default:eeu-brief.html" %}\n{% set credit_generator = true %}\n'
    )
    run = cli(project, "--date", BUILD_DATE, "--only", "eeu-brief.en-GB", "--templates", "mine")
    assert run.code == 0, run.err
    assert re.search(r"· INTERNAL · made with briefgen \d", pdf_text(project / BRIEF))


def test_russian_dates_hold_together_and_end_a_sentence_once(built: Path) -> None:
    for pdf in sorted((built / "reports").glob("*.ru*.pdf")):
        raw = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "г.." not in raw, pdf.name
        assert not re.search(r"\d{4} г\.", raw), f"{pdf.name}: a year breakable from 'г.'"
        assert "ОТКРЫТО\n" not in raw and "Чили–Россия" not in raw


def printed_sizes(pdf: Path) -> dict[float, str]:
    """Return each size (pt, as printed) of the PDF's text under 8 pt, with a sample of it.

    pdfminer applies every transform, a figure's scaling included, which pypdf does not.
    """
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    small: dict[float, str] = {}

    def walk(item: object) -> None:
        if isinstance(item, LTChar) and item.get_text().strip() and item.size < 7.95:
            small[round(item.size, 2)] = small.get(round(item.size, 2), "") + item.get_text()
        elif isinstance(item, LTContainer):
            for child in item:
                walk(child)

    for page in extract_pages(pdf):
        walk(page)
    return small


def test_no_text_is_printed_under_8_pt(built: Path) -> None:
    for pdf in sorted((built / "reports").glob("*.pdf")):
        assert printed_sizes(pdf) == {}, pdf.name
