"""Incremental builds at estate scale: each file hashed once a run (unchanged ones not at all), a
document rebuilt only for what it used, and a PDF kept when its HTML comes out the same."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefgen import filehashes
from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]
REPORTS = ("briefing-note.en-GB", "eeu-brief.en-GB", "fact-sheet.en-GB")
DAY_NS = 86_400 * 10**9


def documents(result: Run) -> dict[str, dict[str, Any]]:
    """Return the documents of a --json run by name."""
    return {d["name"]: d for d in json.loads(result.out)["documents"]}


def statuses(result: Run) -> dict[str, str]:
    return {name: d["status"] for name, d in documents(result).items()}


def by_report(*states: str) -> dict[str, str]:
    """Return the statuses expected of the note, the EEU brief and the fact sheet."""
    return dict(zip(REPORTS, states, strict=True))


def pdf_states(project: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in project.glob("reports/*.pdf")}


def age(project: Path) -> None:
    """Make every file of the project a day old, older than any file a run may not trust."""
    old = time.time_ns() - DAY_NS
    for path in project.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, ns=(old, old))


def counting_digests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the files the command reads to hash them (workers are other processes)."""
    calls: list[str] = []
    real = filehashes.digest

    def digest(path: Path) -> str:
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(filehashes, "digest", digest)
    return calls


def test_a_no_change_run_reads_no_unchanged_file_and_no_file_twice(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    age(project)  # the PDFs just written are too new to trust by their times; now they are not
    calls = counting_digests(monkeypatch)
    assert "0 built, 3 up to date" in cli(project, "--date", BUILD_DATE).err
    assert calls and len(calls) == len(set(calls)), "a file was read twice in one run"
    calls.clear()
    assert "0 built, 3 up to date" in cli(project, "--date", BUILD_DATE).err
    assert calls == []  # sizes and times as recorded: nothing read
    # A change: the no-change check fails and the build checks everything again, from memory.
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(visits.read_text().replace("place: {en: Santiago", "place: {en: Valparaíso"))
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert calls == [str(visits)]


def test_a_file_saved_again_unchanged_is_read_but_rebuilds_nothing(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    age(project)
    assert cli(project, "--date", BUILD_DATE).code == 0
    css = project / "templates/briefing.css"
    os.utime(css)  # a new time, the same bytes: the hash decides
    calls = counting_digests(monkeypatch)
    assert "0 built, 3 up to date" in cli(project, "--date", BUILD_DATE).err
    assert calls == [str(css)]


def test_a_file_modified_in_the_same_tick_as_it_was_hashed_is_never_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("one")
    hashes = filehashes.Hashes(tmp_path, {}, time.time_ns() - filehashes.TICK_NS)
    first = hashes.digest("a.txt")
    assert "a.txt" not in hashes.recorded  # modified just now: the same size and time may hide
    (tmp_path / "a.txt").write_text("two")  # a change within the same tick
    calls = counting_digests(monkeypatch)
    later = filehashes.Hashes(tmp_path, hashes.recorded, time.time_ns() - filehashes.TICK_NS)
    assert later.digest("a.txt") != first and calls == [str(tmp_path / "a.txt")]


def test_a_section_template_used_only_by_the_briefing_note_rebuilds_only_it(
    project: Path, cli: Cli
) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    visits = project / "templates/sections/visits.html"
    visits.write_text(visits.read_text() + "<!-- reviewed -->\n")
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert statuses(result) == by_report("built", "up to date", "up to date")
    note = documents(result)["briefing-note.en-GB"]
    assert note["reason"] == "changed: templates/sections/visits.html"
    assert documents(result)["fact-sheet.en-GB"]["reason"] == "inputs unchanged"


def test_a_jinja_comment_in_base_html_rebuilds_no_pdf(project: Path, cli: Cli) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    before = pdf_states(project)
    base = project / "templates/base.html"
    base.write_text(base.read_text() + "{# a note for template authors #}\n")
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert result.code == 0
    assert json.loads(result.out)["counts"] == {"built": 0, "up to date": 3, "failed": 0}
    for document in documents(result).values():
        assert document["reason"] == (
            "changed: templates/base.html; its HTML came out the same, so its PDF was kept"
        )
    assert pdf_states(project) == before  # the same bytes, not even written again
    assert "0 built, 3 up to date" in cli(project, "--date", BUILD_DATE).err  # and remembered


def test_an_override_added_later_that_shadows_a_template_or_asset_rebuilds(
    project: Path, cli: Cli
) -> None:
    (project / "house/sections").mkdir(parents=True)
    reports = project / "data/reports.yaml"
    reports.write_text("templates: [house]\n" + reports.read_text())
    assert cli(project, "--date", BUILD_DATE).code == 0
    visits = (project / "templates/sections/visits.html").read_text()
    (project / "house/sections/visits.html").write_text(
        visits.replace("</section>", "<p>Seen by the house.</p></section>", 1)
    )
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert statuses(result) == by_report("built", "up to date", "up to date")
    assert documents(result)["briefing-note.en-GB"]["reason"] == (
        "changed: house/sections/visits.html"
    )
    note = PdfReader(project / "reports/chile-russia-briefing-note.en-GB.pdf")
    assert "Seen by the house." in " ".join(page.extract_text() for page in note.pages)
    # An asset (asset("briefing.css")) shadowed: every document uses it.
    css = (project / "templates/briefing.css").read_text()
    (project / "house/briefing.css").write_text(css + "\nh2 { color: #123456; }\n")
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert set(statuses(result).values()) == {"built"}
    assert "house/briefing.css" in documents(result)["fact-sheet.en-GB"]["reason"]


def test_a_changed_font_that_weasyprint_read_rebuilds(project: Path, cli: Cli) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    fonts = project / "templates/fonts"
    shutil.copyfile(fonts / "NotoSans-Italic.ttf", fonts / "NotoSans-Regular.ttf")
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert set(statuses(result).values()) == {"built"}
    for document in documents(result).values():
        assert "templates/fonts/NotoSans-Regular.ttf" in document["reason"]


def test_an_entry_from_before_tracking_is_rebuilt_without_a_warning(
    project: Path, cli: Cli
) -> None:
    assert cli(project, "--date", BUILD_DATE).code == 0
    manifest_file = project / "reports/.briefgen/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    for key in ("search_path", "found", "fetched", "pdf_key"):
        del manifest["documents"]["fact-sheet.en-GB"][key]
    manifest_file.write_text(json.dumps(manifest))
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert result.code == 0 and "warning:" not in result.err
    assert statuses(result) == by_report("up to date", "up to date", "built")
    assert documents(result)["fact-sheet.en-GB"]["reason"] == (
        "its manifest entry predates tracking what each document uses"
    )


def test_watch_renders_the_variants_of_the_latest_saves_first(project: Path, cli: Cli) -> None:
    from briefgen.incremental import saved_for
    from briefgen.project import Project

    assert cli(project, "--date", BUILD_DATE).code == 0
    root = Project(project)
    sheet = project / "templates/fact-sheet.html"
    assert saved_for(root, [sheet], []) == ["fact-sheet.en-GB"]
    visits = project / "templates/sections/visits.html"
    assert saved_for(root, [visits], ["fact-sheet.en-GB"]) == [
        "briefing-note.en-GB",
        "fact-sheet.en-GB",
    ]
    base = project / "templates/base.html"  # used by all: says nothing of what is being edited
    assert saved_for(root, [base], ["fact-sheet.en-GB"], keep=2) == ["fact-sheet.en-GB"]


def test_editing_one_data_set_validates_and_renders_only_its_documents(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefgen.validate

    shutil.copytree(project / "data/chile-russia", project / "data/copy")
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    sheet = text[text.index("  - name: fact-sheet") :]
    copy = sheet.replace("name: fact-sheet", "name: copy-sheet").replace(
        "data: chile-russia", "data: copy"
    )
    reports.write_text(text + "\n" + copy.replace("chile-russia-fact-sheet.pdf", "copy-sheet.pdf"))
    assert cli(project, "--date", BUILD_DATE).code == 0
    validated: list[str] = []
    real = briefgen.validate.read_dataset

    def read_dataset(folder: Path, *args: Any) -> Any:
        validated.append(folder.name)
        return real(folder, *args)

    monkeypatch.setattr(briefgen.validate, "read_dataset", read_dataset)
    visits = project / "data/copy/visits.yaml"
    visits.write_text(visits.read_text().replace("place: {en: Santiago", "place: {en: Valparaíso"))
    result = cli(project, "--date", BUILD_DATE, "--json", "-v")
    assert validated == ["copy"]  # the other data set's documents are current: not read again
    assert [n for n, s in statuses(result).items() if s == "built"] == ["copy-sheet.en-GB"]
    assert "note: data/chile-russia/ambassadors.yaml:23:5" in result.err  # still reported
