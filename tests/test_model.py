"""A general relationship model: optional sections, empty lists, and `generate.py new`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]

HEAD = "source: desk-notes\nas_of: 2026-11-01\n"
MINIMAL = {
    "sources.yaml": "sources:\n  - id: desk-notes\n    title: Desk notes\n"
    "    publisher: The desk\n    language: English\n",
    "relationship.yaml": HEAD + "parties: {home: Chile, counterpart: Kazakhstan}\n"
    "diplomatic_relations: Established in 1992.\n"
    "characterisation: A friendly relationship with room to grow.\n",
    "visits.yaml": HEAD + "visits:\n  - visitor: {name: Ana Pérez, role: President, "
    "country: Chile}\n    place: Astana\n    country: Kazakhstan\n    date: 2015-06\n",
    "ambassadors.yaml": HEAD + "post: Ambassador of Chile to Kazakhstan\n"
    "ambassadors:\n  - name: Luis Soto\n    start: 2021-03\n",
}
# Present but empty: the same documents must come out as if the files were absent.
EMPTY_LISTS = {
    "mechanisms.yaml": HEAD + "mechanisms: []\n",
    "milestones.yaml": HEAD + "milestones: []\n",
}
DOCUMENTS = {"briefing-note": "BN", "eeu-brief": "EB", "fact-sheet": "FS"}
# The headings of every section the minimal data set has no data for, in any document.
OMITTED = [
    "Fields of cooperation",
    "Bilateral mechanisms",
    "Milestones",
    "Economic relationship",
    "Economic goal",
    "The objective",
    "line to take",
    "at a glance",
    "State of play",
    "Main mechanisms",
    "Trade goal",
    "Mechanisms.",
    "Cancelled events",
    "Member states",
]


def add_dataset(project: Path, name: str, files: dict[str, str]) -> None:
    """Write data/NAME/ and one English document of each type built from it."""
    folder = project / "data" / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, "utf-8")
    entries = "".join(
        f"\n  - name: {name}-{kind}\n    title: {name} {kind}\n    document_id: {code}-1\n"
        f"    version: '1'\n    template: {kind}.html\n    data: {name}\n    status: final\n"
        f"    subject: A test of a small data set.\n"
        for kind, code in DOCUMENTS.items()
    )
    reports = project / "data/reports.yaml"
    reports.write_text(reports.read_text("utf-8") + entries, "utf-8")


def pdf_text(path: Path) -> str:
    pages = PdfReader(path).pages
    return " ".join(re.sub(r"-\n", "", "\n".join(p.extract_text() for p in pages)).split())


def bookmarks(path: Path) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(PdfReader(path).outline)
    return titles


@pytest.mark.parametrize("extra", [{}, EMPTY_LISTS], ids=["files-absent", "lists-empty"])
def test_a_relationship_one_visit_and_one_ambassador_build_every_document_type(
    project: Path, cli: Cli, extra: dict[str, str]
) -> None:
    add_dataset(project, "chile-kazakhstan", MINIMAL | extra)
    run = cli(project, "--date", BUILD_DATE, "--only", "chile-kazakhstan-*")
    assert run.code == 0, run.err
    assert "warning:" not in run.err and "3 built" in run.err, run.err
    assert "0 failed, 0 warning(s)" in run.err
    texts = {
        kind: pdf_text(project / f"reports/chile-kazakhstan-{kind}.en-GB.pdf") for kind in DOCUMENTS
    }
    for kind, text in texts.items():
        for heading in OMITTED:
            assert heading not in text, f"{kind} shows {heading!r}"
        assert not re.search(r"\b0 [a-z]", text), f"{kind} counts nothing: {text}"
    note = texts["briefing-note"]
    assert "A friendly relationship with room to grow." in note
    assert "Ana Pérez" in note and "Luis Soto" in note
    assert "One high-level visit, by Ana Pérez (Astana, June 2015)." in note
    # Dates as precise as known, in words, in the table, the timeline and the key points.
    assert "March 2021–" in note and "Astana, June 2015" in note and "2015-06" not in note
    assert "term from March 2021" in note
    contents = PdfReader(project / "reports/chile-kazakhstan-briefing-note.en-GB.pdf").pages[0]
    entries = re.findall(r"(\d+)\. ([^.\n]+?) \.+ \d+", contents.extract_text())
    assert [title for _, title in entries] == ["High-level visits", "Ambassadors", "Sources"]
    assert [number for number, _ in entries] == ["1", "2", "3"]
    marks = bookmarks(project / "reports/chile-kazakhstan-briefing-note.en-GB.pdf")
    assert marks[1:] == [
        "Key points",
        "Contents",
        "1. High-level visits",
        "2. Ambassadors",
        "3. Sources",
    ]
    assert "Sources" in texts["eeu-brief"] and "Desk notes" in texts["eeu-brief"]
    sheet = texts["fact-sheet"]
    assert "Fast facts" in sheet and "Key dates" in sheet and "Luis Soto" in sheet
    assert "2015-06–2015-06" not in sheet  # one visit: one date


TRADE = HEAD + (
    "objective: To explore a framework for economic cooperation with the union.\n"
    "horizon: Long term\npartner: Eurasian Economic Union\npartner_abbreviation: EEU\n"
    "partner_description: A customs union.\nmembers:\n  - name: Kazakhstan\n"
    "advocacy: Chile raises the idea at each meeting.\n"
)


def test_trade_wording_comes_from_the_data_or_is_left_out(project: Path, cli: Cli) -> None:
    add_dataset(project, "chile-kazakhstan", MINIMAL | {"trade.yaml": TRADE})
    only = ("--date", BUILD_DATE, "--only", "chile-kazakhstan-*")
    run = cli(project, *only)
    assert run.code == 0 and "0 failed, 0 warning(s)" in run.err, run.err
    note = pdf_text(project / "reports/chile-kazakhstan-briefing-note.en-GB.pdf")
    sheet = pdf_text(project / "reports/chile-kazakhstan-fact-sheet.en-GB.pdf")
    assert "To explore a framework for economic cooperation with the union." in note
    for unsupported in ("Free Trade Agreement", "to be negotiated", "sets the negotiation"):
        assert unsupported not in note and unsupported not in sheet
    assert "Trade goal" not in note + sheet and "What comes next" not in note
    trade = project / "data/chile-kazakhstan/trade.yaml"
    trade.write_text(
        TRADE + "goal: A framework agreement, to be explored.\n"
        "goal_short: Framework agreement, to be explored\n"
        "next_steps: A first meeting of experts is planned.\n",
        "utf-8",
    )
    assert cli(project, *only).code == 0
    note = pdf_text(project / "reports/chile-kazakhstan-briefing-note.en-GB.pdf")
    sheet = pdf_text(project / "reports/chile-kazakhstan-fact-sheet.en-GB.pdf")
    assert "Trade goal. A framework agreement, to be explored." in note
    assert "What comes next. A first meeting of experts is planned." in note
    assert "Trade goal Framework agreement, to be explored [1]" in sheet


def test_new_writes_a_data_set_that_checks_and_builds(project: Path, cli: Cli) -> None:
    before = (project / "data/reports.yaml").read_text("utf-8")
    run = cli(project, "new", "chile-peru", "--date", BUILD_DATE)
    assert run.code == 0, run.err
    folder = project / "data/chile-peru"
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["ambassadors.yaml", "relationship.yaml", "sources.yaml", "visits.yaml"]
    relationship = (folder / "relationship.yaml").read_text("utf-8")
    assert "illustrative: true" in relationship and "Replace with" in relationship
    for optional in ("# mechanisms.yaml", "# milestones.yaml", "# trade.yaml", "# cooperation:"):
        assert optional in relationship
    after = (project / "data/reports.yaml").read_text("utf-8")
    assert after.startswith(before.rstrip("\n"))
    assert "data: chile-peru" in after[len(before) :]
    check = cli(project, "check", "--date", BUILD_DATE)
    assert check.code == 0 and "warning:" not in check.err, check.err
    build = cli(project, "--date", BUILD_DATE, "--only", "chile-peru-*")
    assert build.code == 0 and "2 built" in build.err, build.err
    sheet = pdf_text(project / "reports/chile-peru-fact-sheet.en-GB.draft.pdf")
    note = pdf_text(project / "reports/chile-peru-briefing-note.en-GB.draft.pdf")
    assert "(draft)" in note and "Replace with" in sheet
    assert re.search(r"Illustrative Source: \[1\]", note, re.IGNORECASE), note


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("chile-russia", "error: data/chile-russia: a data set of that name already exists"),
        ("Chile Peru", "error: new: 'Chile Peru' is not a valid data set name"),
        ("chile--peru", "error: new: 'chile--peru' is not a valid data set name"),
    ],
)
def test_new_refuses_an_existing_or_badly_named_data_set(
    project: Path, cli: Cli, name: str, message: str
) -> None:
    reports = (project / "data/reports.yaml").read_text("utf-8")
    folders = sorted((project / "data").iterdir())
    run = cli(project, "new", name)
    assert run.code == 2 and message in run.err, run.err
    assert (project / "data/reports.yaml").read_text("utf-8") == reports
    assert sorted((project / "data").iterdir()) == folders


CANCELLED = HEAD + (
    "milestones:\n"
    "  - {date: 2018-03, title: Trade fair, status: cancelled, organiser: Chile}\n"
    "  - {date: 2019-05, title: Forum, status: cancelled}\n"
)


def test_cancelled_events_of_different_dates_each_keep_their_date(project: Path, cli: Cli) -> None:
    add_dataset(project, "chile-kazakhstan", MINIMAL | {"milestones.yaml": CANCELLED})
    run = cli(project, "--date", BUILD_DATE, "--only", "chile-kazakhstan-briefing-note")
    assert run.code == 0, run.err
    note = pdf_text(project / "reports/chile-kazakhstan-briefing-note.en-GB.pdf")
    assert (
        "Cancelled events. Two events were cancelled: Trade fair (organised by Chile), March "
        "2018; Forum, May 2019." in note
    )
    assert "participation was contemplated in" not in note
