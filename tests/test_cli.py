"""The command line, called in-process: exit codes, messages, and never losing the last good PDF."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.schema import json_schemas, schema_text
from tests.conftest import BUILD_DATE, REPO, Run

Cli = Callable[..., Run]
PDF = "reports/chile-russia-briefing-note.en-GB.pdf"


def test_check_reports_every_broken_file_with_location_and_no_traceback(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "data/chile-russia/visits.yaml").write_text("visits:\n  - date: 1993\n  date: x\n")
    (project / "data/chile-russia/trade.yaml").write_text('objective: "unclosed\n')
    result = cli(project, "--check")
    assert result.code == 2
    lines = result.err.splitlines()
    # Each in plain words, then the parser's own; an unclosed quote is shown where it opened.
    assert lines[0].startswith(
        'error: data/chile-russia/trade.yaml:1:12: the quote " that opens here is never closed; '
        'end the value with "'
    )
    assert lines[1].startswith(
        "error: data/chile-russia/visits.yaml:3:3: a key at the indentation of the list that "
        "begins on line 2, where YAML expects another item (`- …`)"
    )
    assert all("(YAML parser: while " in line for line in lines[:2])
    assert lines[-1] == "error: 2 problem(s) found; nothing was built"
    assert "Traceback" not in result.err
    assert not (project / "reports").exists()


def test_check_lists_each_schema_error(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(
        visits.read_text()
        .replace("date: 2004", "date: 20O4")
        .replace("place: {en: Santiago", "plase: {en: Santiago")
    )
    result = cli(project, "check")
    assert result.code == 2
    assert [line for line in result.err.splitlines() if "visits.yaml" in line] == [
        "error: data/chile-russia/visits.yaml:27:5: visits #2 (Vladimir Putin) › place: missing; "
        "add it (the key is required)",
        "error: data/chile-russia/visits.yaml:31:5: visits #2 (Vladimir Putin) › plase: unknown "
        "key; did you mean `place`? (valid keys: place, date, illustrative, occasion, visitor, "
        "unverified, country)",
        "error: data/chile-russia/visits.yaml:33:5: visits #2 (Vladimir Putin) › date: expected a "
        "year (2019), a month (2019-11) or a day (2019-09-26)",
    ]


def test_failed_build_keeps_previous_pdf_byte_identical(project_built: Path, cli: Cli) -> None:
    project = project_built
    before = {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}
    assert len(before) == 3
    template = project / "templates/sections/visits.html"
    template.write_text(
        template.read_text().replace(
            "{{ data.visits.summary | markdown }}", "{{ data.visits.sumary | markdown }}"
        )
    )
    result = cli(project, "--date", "2026-12-01")
    assert result.code == 1
    assert "error: briefing-note.en-GB: " in result.err
    assert "templates/sections/visits.html:" in result.err and "sumary" in result.err
    assert "2 built, 0 up to date, 1 failed" in result.err
    assert (project / PDF).read_bytes() == before[Path(PDF).name]
    (project / "data/chile-russia/visits.yaml").write_text("visits: [\n")
    assert cli(project, "--date", "2026-12-01").code == 2
    assert (project / PDF).read_bytes() == before[Path(PDF).name]
    assert sorted(p.name for p in (project / "reports").glob("*.pdf")) == sorted(before)
    assert not list((project / "reports").glob(".*.tmp"))


def test_same_date_gives_byte_identical_pdfs(project_built: Path, cli: Cli) -> None:
    project = project_built  # built in another folder: where a project is does not count either
    first = {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}
    result = cli(project, "--date", BUILD_DATE, "--force")  # really render again
    assert result.code == 0 and "3 built, 0 up to date" in result.err
    assert {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")} == first
    assert cli(project, "--date", "2026-11-29", "--only", "briefing-note").code == 0
    assert (project / PDF).read_bytes() != first[Path(PDF).name]


def test_html_written_beside_pdf_and_summary_line(built: Path) -> None:
    html = (built / PDF).with_suffix(".html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html


def test_build_reports_each_document(project: Path, cli: Cli) -> None:
    result = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert result.code == 0
    assert "built " in result.err and "1 built, 0 up to date, 0 failed" in result.err


def test_usage_errors_exit_2(project: Path, cli: Cli) -> None:
    result = cli(project, "--only", "no-such-doc")
    assert (result.code, result.err.strip()) == (
        2,
        "error: --only: no document or variant named `no-such-doc` (all, closest first: "
        "fact-sheet.en-GB, fact-sheet, briefing-note.en-GB, briefing-note, eeu-brief.en-GB, "
        "eeu-brief)",
    )
    with pytest.raises(SystemExit) as caught:
        cli(project, "--date", "28/11/2026")
    assert caught.value.code == 2


def test_strict_fails_on_an_unacknowledged_data_warning(project: Path, cli: Cli) -> None:
    ambassadors = project / "data/chile-russia/ambassadors.yaml"
    ambassadors.write_text(
        ambassadors.read_text().replace("    acknowledged: [term-overlap]\n", "")
    )
    assert cli(project, "--date", BUILD_DATE, "--only", "fact-sheet").code == 0
    result = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet", "--strict")
    assert result.code == 1
    assert "--strict: 1 warning(s) count as failure" in result.err


def test_refused_resource_fails_the_document(project: Path, cli: Cli) -> None:
    base = project / "templates/base.html"
    base.write_text(base.read_text().replace("<main>", '<main><img src="file:///etc/passwd">'))
    result = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert result.code == 1
    assert (
        "refused to load file:///etc/passwd (only data: URLs and files in the template folders"
        in result.err
    )
    assert not (project / PDF).exists()


def test_help_documents_exit_codes(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli(REPO, "--help")
    out = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "3 ", "130"):
        assert f"\n  {code}" in out


def test_schema_command_prints_json(cli: Cli) -> None:
    result = cli(REPO, "schema", "visits")
    assert result.code == 0
    assert json.loads(result.out)["properties"]["visits"]["type"] == "array"


def test_committed_schemas_are_current() -> None:
    schemas = json_schemas()
    committed = sorted(p.name for p in (REPO / "schemas").glob("*.json"))
    assert committed == sorted(f"{name}.schema.json" for name in schemas)
    for name, schema in schemas.items():
        current = (REPO / "schemas" / f"{name}.schema.json").read_text()
        assert current == schema_text(schema), (
            f"schemas/{name}.schema.json is stale: run python3 generate.py schema --write"
        )


def test_data_files_point_at_their_schema() -> None:
    for path in sorted((REPO / "data").rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        relative = Path("../" * (len(path.relative_to(REPO / "data").parts)) + "schemas")
        assert first == f"# yaml-language-server: $schema={relative}/{path.stem}.schema.json", path


def test_config_and_data_problems_are_reported_together_and_located(
    project: Path, cli: Cli
) -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    reports.write_text(
        text.replace("name: eeu-brief", "name: briefing-note")
        .replace(
            "free-trade-brief.pdf\n    marking: PUBLIC\n    languages: [en-GB]",
            "free-trade-brief.pdf\n    marking: PUBLIC\n    languages: [zz]",
        )
        .replace(
            "data: chile-russia\n    output: chile-russia-fact-sheet.pdf",
            "data: chile-rusia\n    output: chile-russia-fact-sheet.pdf",
        )
    )
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(visits.read_text().replace("date: 1993", "date: 1993-00"))
    result = cli(project, "check")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: data/reports.yaml:74:5: documents #2 (briefing-note) › languages: unknown language "
        "'zz' (expected e.g. en-GB, es, ru)",
        "error: data/chile-russia/visits.yaml:26:5: visits #1 (Patricio Aylwin) › date: month "
        "must be in 1..12",
        "error: 2 problem(s) found; nothing was built",
    ]
    reports.write_text(
        text.replace("name: eeu-brief", "name: briefing-note").replace(
            "data: chile-russia\n    output: chile-russia-fact-sheet.pdf",
            "data: chile-rusia\n    output: chile-russia-fact-sheet.pdf",
        )
    )
    result = cli(project, "check")
    assert (
        "data/reports.yaml:58:5: documents #2 (briefing-note) › name: name 'briefing-note' is "
        "already used by documents #1 (briefing-note)" in result.err
    )
    assert (
        "data/reports.yaml:" in result.err
        and "documents #3 (fact-sheet) › data: no data set folder data/chile-rusia/" in result.err
    )


def test_bad_build_dates_are_usage_errors(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as caught:
        cli(project, "--date", "20261128")
    assert caught.value.code == 2
    for epoch in ("abc", "99999999999999999999"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        result = cli(project, "check")
        assert (
            result.code == 2 and "SOURCE_DATE_EPOCH" in result.err and "Traceback" not in result.err
        )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795824000")  # 2026-11-28
    assert cli(project, "check").code == 0


def test_check_finds_template_errors(project: Path, cli: Cli) -> None:
    (project / "templates/fact-sheet.html").write_text("{% block content %}\n{% if %}\n")
    result = cli(project, "check")
    assert result.code == 1
    assert "error: fact-sheet.en-GB: templates/fact-sheet.html:2: " in result.err


def test_any_template_exception_fails_only_its_document(project: Path, cli: Cli) -> None:
    assert cli(project, "--date", BUILD_DATE, "--html").code == 0
    html_before = (project / PDF).with_suffix(".html").read_bytes()
    note = project / "templates/sections/visits.html"
    note.write_text(
        note.read_text().replace("{{ data.visits.summary | markdown }}", "{{ 1 // 0 }}")
    )
    result = cli(project, "--date", "2026-12-01", "--html")
    assert result.code == 1
    assert "error: briefing-note.en-GB: templates/sections/visits.html:" in result.err
    assert "ZeroDivisionError: integer division or modulo by zero" in result.err
    assert "2 built, 0 up to date, 1 failed" in result.err
    assert (project / PDF).with_suffix(".html").read_bytes() == html_before


def test_unusable_folders_get_a_clear_message_and_no_litter(
    project: Path, cli: Cli, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli(empty)
    assert (
        result.code == 2 and "is not a briefgen project: it has no data/reports.yaml" in result.err
    )
    assert list(empty.iterdir()) == []
    (project / "reports").write_text("not a folder")
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 1 and "error: cannot use " in result.err and "Traceback" not in result.err
    assert "this is a bug" not in result.err
