"""How current the information is, kept apart from when it was checked and when it was issued."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import BUILD_DATE, Run
from tests.test_model import MINIMAL, add_dataset, pdf_text

Cli = Callable[..., Run]
SHEET = "reports/chile-kazakhstan-fact-sheet.en-GB.pdf"


def sheet(project: Path, cli: Cli) -> str:
    run = cli(project, "--date", BUILD_DATE, "--only", "chile-kazakhstan-fact-sheet")
    assert run.code == 0, run.err
    return pdf_text(project / SHEET)


def test_an_undated_source_is_current_to_its_latest_dated_fact(project: Path, cli: Cli) -> None:
    # MINIMAL has a visit in June 2015 and a term from March 2021, and an undated source.
    add_dataset(project, "chile-kazakhstan", MINIMAL)
    text = sheet(project, cli)
    assert "CURRENT TO Mar 2021" in text and "ISSUED 28 Nov 2026" in text
    assert (
        "Information current to March 2021: the source is undated, and this is the latest dated "
        "event it reports. Checked against the source on 1 November 2026." in text
    )
    assert "Desk notes” (English), undated." in text


def test_a_dated_source_is_current_to_its_own_date_and_cited_with_it(
    project: Path, cli: Cli
) -> None:
    sources = MINIMAL["sources.yaml"] + "    published: 2024-05\n    accessed: 2026-10-30\n"
    add_dataset(project, "chile-kazakhstan", MINIMAL | {"sources.yaml": sources})
    text = sheet(project, cli)
    assert "CURRENT TO May 2024" in text
    assert "Information current to May 2024, the date of its source." in text
    assert "Desk notes” (English), May 2024. Accessed 30 October 2026." in text


def test_the_shipped_documents_say_how_old_their_source_is(built: Path) -> None:
    for pdf in sorted((built / "reports").glob("*.en-GB*.pdf")):
        text = pdf_text(pdf)
        assert "Information current to November 2019: the source is undated" in text, pdf.name
        assert "SERVING" not in text and "Captured for this project" not in text
        assert "Recent milestones" not in text
