"""Rendering: resources the fetcher allows and refuses, WeasyPrint warnings, isolation of documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]
PDF = "reports/chile-russia-briefing-note.en-GB.pdf"
PIXEL = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'%3E"
    "%3Crect width='4' height='4'/%3E%3C/svg%3E"
)


def insert(project: Path, markup: str) -> None:
    base = project / "templates/base.html"
    base.write_text(base.read_text().replace("<main>", f"<main>{markup}"))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/urandom",
        "/dev/urandom",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "../../x.png",
    ],
)
def test_urls_outside_the_project_are_refused(project: Path, cli: Cli, url: str) -> None:
    (project.parent / "x.png").write_bytes(b"outside the project")
    insert(project, f'<img src="{url}">')
    result = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert result.code == 1
    assert "refused to load" in result.err
    assert (
        "only data: URLs and files in the template folders, data/ and the folders of extra stylesheets may be read"
        in result.err
    )
    assert not (project / PDF).exists()


def test_data_urls_and_project_files_are_allowed(project: Path, cli: Cli) -> None:
    (project / "data/seal.svg").write_text(
        (PIXEL.split(",", 1)[1]).replace("%3C", "<").replace("%3E", ">")
    )
    insert(project, f'<img src="{PIXEL}" alt="a"><img src="../data/seal.svg" alt="b">')
    result = cli(project, "--date", BUILD_DATE, "--strict", "--only", "briefing-note")
    assert result.code == 0, result.err
    assert len(PdfReader(project / PDF).pages) >= 1


def test_weasyprint_warnings_are_reported_and_strict_fails(project: Path, cli: Cli) -> None:
    css = project / "templates/briefing.css"
    css.write_text(css.read_text() + "\nbody { colour: red; }\n")
    result = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert result.code == 0
    assert "warning: briefing-note.en-GB: weasyprint: Ignored `colour: red`" in result.err
    assert (project / PDF).exists()
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 1


def test_one_failing_document_does_not_stop_the_others(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    start = text.index("  - name: briefing-note")
    entry = text[start : text.index("\n\n  - name:", start) + 1]
    broken = (
        entry.replace("name: briefing-note", "name: broken")
        .replace("template: briefing-note.html", "template: broken.html")
        .replace("output: chile-russia-briefing-note.pdf", "output: broken.pdf")
    )
    reports.write_text(text.replace(entry, broken + entry))
    (project / "templates/broken.html").write_text(
        '{% extends "base.html" %}\n{% block sections %}\n'
        "{% for x in %}{% endfor %}\n{% endblock %}\n"
    )
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 1
    assert "error: broken.en-GB: templates/broken.html:3: " in result.err
    assert "3 built, 0 up to date, 1 failed" in result.err
    assert (project / PDF).exists() and not (project / "reports/broken.pdf").exists()


def test_draft_documents_carry_a_watermark(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    reports.write_text(reports.read_text().replace("status: final", "status: draft"))
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 0
    assert not (project / PDF).exists()  # a draft is never written under the final's name
    pages = PdfReader(project / PDF.replace(".pdf", ".draft.pdf")).pages
    # The watermark is outlines, not text (test_reading); the masthead and every running header
    # say draft.
    assert all("(draft)" in page.extract_text() for page in pages)
    assert "EDITION 1 (draft)" in " ".join(pages[0].extract_text().split())


def test_data_strings_are_escaped(project: Path, cli: Cli) -> None:
    trade = project / "data/chile-russia/trade.yaml"
    trade.write_text(
        trade.read_text().replace(
            "  en: A customs union led by Moscow.", '  en: "<b>Medium</b> <script>x</script>"'
        )
    )
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--html").code == 0
    html = (project / PDF).with_suffix(".html").read_text()
    assert "&lt;b&gt;Medium&lt;/b&gt; &lt;script&gt;" in html and "<script>" not in html
    assert "<b>Medium</b> <script>x</script>" in PdfReader(project / PDF).pages[
        2
    ].extract_text() + "".join(p.extract_text() for p in PdfReader(project / PDF).pages)


def test_letter_page_size_keeps_every_page_budget(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text().replace("    page_size: A4\n", "")
    reports.write_text(
        text.replace("    languages: [en-GB]\n", "    languages: [en-GB]\n    page_size: Letter\n")
    )
    result = cli(project, "--date", BUILD_DATE, "--strict")  # a budget overrun would fail here
    assert result.code == 0, result.err
    for pdf in (project / "reports").glob("*.pdf"):
        box = PdfReader(pdf).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792), pdf.name
    assert len(PdfReader(project / "reports/chile-russia-fact-sheet.en-GB.pdf").pages) == 1


def test_page_budget_overrun_warns_and_fails_under_strict(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    reports.write_text(reports.read_text().replace("page_budget: 4", "page_budget: 2"))
    result = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert result.code == 0
    assert "warning: briefing-note.en-GB: page budget: 4 pages, over the budget of 2" in result.err
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 1


def test_cyrillic_text_uses_the_shipped_font(project: Path, cli: Cli) -> None:
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(
        visits.read_text().replace("place: {en: Vladivostok", "place: {en: Владивосток")
    )
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 0
    reader = PdfReader(project / PDF)
    assert "Владивосток" in "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert fonts and all("Brief-Sans" in name for name in fonts), fonts


def test_keep_together_joins_short_names_only() -> None:
    from briefgen.filters import keep_together

    assert keep_together("New York") == "New\u00a0York"
    # Joined, a long place would be one run no line can hold (the long-word cap is 300).
    place = "Palacio de La Moneda, Santiago de Chile, " * 10
    assert keep_together(place) == place
