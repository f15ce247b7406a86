"""The changes box speaks to readers: what they would call a change, in their language, in full."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefgen.changes import Change, Snapshot, changes
from briefgen.wording import Wording
from tests.conftest import REPO, Run
from tests.test_model import pdf_text

Cli = Callable[..., Run]
MEETING = {
    "en-GB": "New milestone: Meeting of the Intergovernmental Commission for Trade and Economic "
    "Cooperation (March 2020)",
    "es": "Nuevo hito: Reunión de la Comisión Intergubernamental de Comercio y Cooperación "
    "Económica (marzo de 2020)",
    "ru": "Новое событие: Заседание Межправительственной комиссии по торгово-экономическому "
    "сотрудничеству (март 2020 г.)",
}
NEW_MILESTONE = """  - date: 2020-03
    illustrative: true
    title:
      en: Meeting of the Intergovernmental Commission for Trade and Economic Cooperation
      es: Reunión de la Comisión Intergubernamental de Comercio y Cooperación Económica
      ru: Заседание Межправительственной комиссии по торгово-экономическому сотрудничеству
"""
BUDGETS = {"briefing-note": 4, "eeu-free-trade-brief": 1, "fact-sheet": 1}


def box(html: str) -> list[str]:
    """Return the lines of a page's changes box, as text."""
    found = re.search(r'<aside class="changes".*?</aside>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S) if found else []
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_one_new_milestone_is_one_line_in_every_edition_and_every_budget_holds(
    built_copy: Path, cli: Cli
) -> None:
    project = built_copy  # the shipped project, every document built once
    milestones = project / "data/chile-russia/milestones.yaml"
    milestones.write_text(milestones.read_text("utf-8") + NEW_MILESTONE, "utf-8")
    run = cli(project, "--date", "2026-11-29", "--html", "--json")
    assert run.code == 0, run.err
    documents = json.loads(run.out)["documents"]
    assert len(documents) == 12 and all(d["edition"] == 2 for d in documents)
    labels = {"en-GB": "Illustrative", "es": "Ilustrativo", "ru": "Для иллюстрации"}
    for pdf in sorted((project / "reports").glob("*.pdf")):
        language = next(lang for lang in MEETING if f".{lang}." in pdf.name)
        lines = box(pdf.with_suffix(".html").read_text("utf-8"))
        # Not "Removed: the meeting that is no longer the latest", not "Added: the commission
        # named in the new title", no field names, no counts, nothing cut short.
        assert lines == [f"{MEETING[language]} {labels[language]}"], pdf.name
        kind = next(k for k in BUDGETS if k in pdf.name)
        assert len(PdfReader(pdf).pages) <= BUDGETS[kind], pdf.name
        text = " ".join(pdf_text(pdf).split())
        assert MEETING[language].split(": ")[1].split(" (")[0][:40] in text
        if language == "en-GB":  # the currency line reports the source, not the example
            assert "Information current to November 2019" in text


def snapshot(**sections: Any) -> Snapshot:
    return Snapshot(sections, sections)


VISIT = {"visitor": {"name": "Ricardo Lagos"}, "place": "Moscow", "date": "2005"}


def test_a_revised_visit_names_the_visit_in_words() -> None:
    old = snapshot(visits={"visits": [VISIT]})
    new = snapshot(visits={"visits": [{**VISIT, "place": "Saint Petersburg"}]})
    assert changes(old, new, Wording()) == [Change("Visit revised: Ricardo Lagos (2005)")]


def test_an_entry_the_edition_stops_showing_is_not_removed() -> None:
    first = {"title": "First", "date": "2019-09"}
    second = {"title": "Second", "date": "2020-03", "illustrative": True}
    old = Snapshot({"milestones": {"milestones": [first]}}, {"milestones": {"milestones": [first]}})
    data = {"milestones": {"milestones": [first, second]}}
    new = Snapshot(data, {"milestones": {"milestones": [second]}})  # it shows the latest only
    assert changes(old, new, Wording()) == [
        Change("New milestone: Second (March 2020)", "illustrative")
    ]


def test_an_entry_named_in_another_entry_is_not_new() -> None:
    commission = {"name": "Intergovernmental Commission", "cadence": "Annual"}
    meeting = {"title": "Meeting of the Intergovernmental Commission", "date": "2020"}
    data_old = {"mechanisms": {"mechanisms": [commission]}, "milestones": {"milestones": []}}
    data_new = {**data_old, "milestones": {"milestones": [meeting]}}
    old = Snapshot(data_old, {})
    # A new milestone's title contains the commission's name: the edition seems to show it.
    new = Snapshot(data_new, data_new)
    assert changes(old, new, Wording()) == [
        Change("New milestone: Meeting of the Intergovernmental Commission (2020)")
    ]


def test_a_reworded_point_is_one_line_and_a_dropped_one_is_removed() -> None:
    old = snapshot(trade={"lines_to_take": ["Good for both.", "Chile persuades.", "Third."]})
    new = snapshot(trade={"lines_to_take": ["Good for both sides.", "Chile persuades."]})
    assert [c.text for c in changes(old, new, Wording())] == [
        "Point of the line to take reworded: Good for both sides.",
        "Point removed from the line to take: Third.",
    ]


def test_a_section_text_revised_names_the_section_as_the_document_does() -> None:
    old = snapshot(trade={"objective": "Sign an FTA.", "partner_abbreviation": "EEU"})
    new = snapshot(trade={"objective": "Sign an FTA soon.", "partner_abbreviation": "EEU"})
    assert [c.text for c in changes(old, new, Wording())] == [
        "Section revised: “Economic relationship and the EEU free-trade objective”"
    ]


def test_a_text_the_edition_does_not_show_is_no_change() -> None:
    before = {"relationship": {"characterisation": "Good.", "diplomatic_relations": "1990s"}}
    after = {"relationship": {"characterisation": "Good.", "diplomatic_relations": "1991"}}
    shown = {"relationship": {"characterisation": "Good."}}
    assert changes(Snapshot(before, shown), Snapshot(after, shown), Wording()) == []


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("es", "Datos revisados de la visita: Ricardo Lagos (2005)"),
        ("ru", "Уточнены сведения о визите: Ricardo Lagos (2005)"),
    ],
)
def test_lines_are_in_the_editions_language(language: str, line: str) -> None:
    from babel.messages.pofile import read_po

    with (REPO / f"templates/locale/{language}/LC_MESSAGES/messages.po").open("rb") as f:
        catalogue = {m.id: m.string for m in read_po(f) if isinstance(m.id, str)}
    words = Wording(lambda message: str(catalogue[message]), language)
    old = snapshot(visits={"visits": [VISIT]})
    new = snapshot(visits={"visits": [{**VISIT, "place": "Sochi"}]})
    assert [c.text for c in changes(old, new, words)] == [line]


def test_a_snapshot_from_an_older_version_is_still_read() -> None:
    shown = {"visits": {"visits": [VISIT]}}
    assert Snapshot.from_json(shown) == Snapshot(shown, shown)
    assert Snapshot.from_json(Snapshot(shown, {}).to_json()) == Snapshot(shown, {})
