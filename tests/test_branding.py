"""Branding in one place: data/reports.yaml's defaults reach every document, which may override."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30" viewBox="0 0 60 30">
<rect width="30" height="30" fill="#0b5d1e"/><circle cx="45" cy="15" r="12" fill="#c8a000"/></svg>
"""
NOTE = "reports/chile-russia-briefing-note.en-GB"
SHEET = "reports/chile-russia-fact-sheet.en-GB"
BRIEF = "reports/chile-eeu-free-trade-brief.en-GB"


def set_defaults(project: Path, defaults: str, issuer: str | None = None) -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text("utf-8").replace(
        "documents:\n", f"defaults:\n{defaults}documents:\n", 1
    )
    if issuer is not None:
        text = re.sub(r"issuer:\n(  \w\w: .*\n)+", f"issuer: {issuer}\n", text, count=1)
    reports.write_text(text, "utf-8")


def house(project: Path) -> None:
    from PIL import Image

    (project / "house").mkdir()
    (project / "house/logo.svg").write_text(LOGO)
    Image.new("RGB", (120, 60), "#0b5d1e").save(project / "house/logo.png")
    (project / "house/house.css").write_text(
        ":root { --band: #f4f1e6; }\n.masthead .issuer { font-weight: 700; }\n"
    )


def images(pdf: Path, page: int) -> int:
    """Return how many raster images a page draws, inside forms too (a PNG logo is one)."""

    def count(resources: Any) -> int:
        found = 0
        for xobject in (resources or {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                found += 1
            elif "/Resources" in xobject:
                found += count(xobject["/Resources"])
        return found

    return count(PdfReader(pdf).pages[page]["/Resources"])


def test_defaults_brand_every_document_and_a_document_may_override(project: Path, cli: Cli) -> None:
    house(project)
    set_defaults(
        project,
        "  style: {accent: '#0b5d1e', rule: '#999999'}\n"
        "  extra_css: [house/house.css]\n"
        "  logo: house/logo.png\n",
    )
    reports = project / "data/reports.yaml"
    text = reports.read_text("utf-8")
    # The EEU brief keeps the house colours but its own accent.
    text = text.replace(
        "    template: eeu-brief.html\n",
        "    template: eeu-brief.html\n    style: {accent: '#5b1230'}\n",
        1,
    )
    reports.write_text(text, "utf-8")
    run = cli(project, "--date", BUILD_DATE, "--html", "--strict")
    assert run.code == 0, run.err
    for name in (NOTE, SHEET, BRIEF):
        html = (project / f"{name}.html").read_text("utf-8")
        accent = "#5b1230" if name == BRIEF else "#0b5d1e"
        assert f"--accent: {accent};" in html and "--rule: #999999;" in html, name
        assert "house/house.css" in html, name
        assert re.search(
            r'<img class="logo" src="file://[^"]*/house/logo.png" alt="Chile–Russia bilateral desk">',
            html,
        ), name
        assert images(project / f"{name}.pdf", 0) >= 1, name
        assert 'class="running-head"' not in html  # the header logo is asked for separately


def test_the_logo_can_head_every_page_but_the_first(project: Path, cli: Cli) -> None:
    house(project)
    set_defaults(project, "  logo: house/logo.png\n  logo_in_header: true\n")
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--html").code == 0
    html = (project / f"{NOTE}.html").read_text("utf-8")
    assert 'class="running-head"' in html
    assert images(project / f"{NOTE}.pdf", 1) == 1  # page 2's header
    assert images(project / f"{NOTE}.pdf", 0) == 1  # the masthead's, not the header's
    page_two = " ".join(PdfReader(project / f"{NOTE}.pdf").pages[1].extract_text().split())
    assert "Chile–Russia briefing note" in page_two  # the running title is still there


def test_a_changed_logo_rebuilds_and_a_missing_one_is_located(project: Path, cli: Cli) -> None:
    house(project)
    set_defaults(project, "  logo: house/logo.svg\n")
    assert cli(project, "--date", BUILD_DATE, "--only", "fact-sheet").code == 0
    (project / "house/logo.svg").write_text(LOGO.replace("#c8a000", "#000000"))
    again = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet")
    assert again.code == 0 and "built reports/chile-russia-fact-sheet" in again.err
    (project / "house/logo.svg").unlink()
    missing = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet")
    assert missing.code != 0
    assert re.search(
        r"data/reports\.yaml:\d+:\d+: defaults › logo: house/logo\.svg does not exist", missing.err
    )


def test_defaults_are_checked_like_a_documents(project: Path, cli: Cli) -> None:
    house(project)
    set_defaults(project, "  style: {acent: '#0b5d1e'}\n  logo: house/house.css\n")
    run = cli(project, "check")
    assert run.code != 0
    assert re.search(r"data/reports\.yaml:\d+:\d+: defaults › logo: .*expected an image", run.err)
    set_defaults_file = project / "data/reports.yaml"
    set_defaults_file.write_text(
        set_defaults_file.read_text("utf-8").replace(
            "logo: house/house.css", "logo: house/logo.svg"
        )
    )
    run = cli(project, "check")
    assert re.search(
        r"data/reports\.yaml:\d+:\d+: defaults › style › acent: the stylesheets define no --acent",
        run.err,
    )


def test_one_issuer_name_serves_every_edition_with_a_note(full_project: Path, cli: Cli) -> None:
    set_defaults(full_project, "  style: {}\n", issuer="Desk of the Americas")
    run = cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet", "--strict")
    assert run.code == 0, run.err
    assert re.search(
        r"note: data/reports\.yaml:\d+:\d+: issuer: fact-sheet: its 'es' and 'ru' editions "
        r"print this 'en' name as it is",
        run.err,
    )
    for language in ("es.draft", "ru.draft"):
        pdf = full_project / f"reports/chile-russia-fact-sheet.{language}.pdf"
        assert PdfReader(pdf).metadata["/Author"] == "Desk of the Americas"  # type: ignore[index]
        assert "DESK OF THE AMERICAS" in PdfReader(pdf).pages[0].extract_text()
