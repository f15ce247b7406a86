"""Failures stay where they belong: bad data fails only the documents, or languages, that need it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BUILD_DATE, Run
from tests.test_model import MINIMAL, add_dataset

Cli = Callable[..., Run]
LATER = "2026-11-29"  # a new build date: every document is due again
SHEET = "reports/chile-russia-fact-sheet.en-GB.pdf"
OTHER = "reports/chile-kazakhstan-fact-sheet.en-GB.draft.pdf"
BAD_MONTH = (
    "error: data/chile-russia/visits.yaml:26:5: visits #1 (Patricio Aylwin) › date: month must be "
    "in 1..12"
)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def summary(project: Path) -> dict[str, Any]:
    return dict(json.loads((project / "reports/build.json").read_text("utf-8")))


def statuses(project: Path) -> dict[str, tuple[str, str | None]]:
    return {d["name"]: (d["status"], d["error"]) for d in summary(project)["documents"]}


def manifest_entry(project: Path, name: str) -> dict[str, Any]:
    manifest = json.loads((project / "reports/.briefgen/manifest.json").read_text("utf-8"))
    return dict(manifest["documents"][name])


def test_a_typo_in_one_data_set_fails_only_its_documents(project: Path, cli: Cli) -> None:
    add_dataset(project, "chile-kazakhstan", MINIMAL)
    sheets = ("--only", "*fact-sheet*")  # one document of each data set: two PDFs, not six
    assert cli(project, "--date", BUILD_DATE, *sheets).code == 0
    before, entry = (project / SHEET).read_bytes(), manifest_entry(project, "fact-sheet.en-GB")
    edit(project / "data/chile-russia/visits.yaml", "date: 1993", "date: 1993-00")

    result = cli(project, "--date", LATER, *sheets)
    assert result.code == 2
    assert BAD_MONTH in result.err.splitlines()
    not_built = "not built: its data set chile-russia has 1 problem(s)"
    assert f"error: fact-sheet.en-GB: {not_built}" in result.err
    assert result.err.rstrip().endswith("1 built, 0 up to date, 1 failed, 0 warning(s)")
    assert statuses(project) == {
        "fact-sheet.en-GB": ("failed", not_built),
        "chile-kazakhstan-fact-sheet.en-GB": ("built", None),
    }
    assert summary(project)["exit_code"] == 2
    assert summary(project)["errors"] == [BAD_MONTH.removeprefix("error: ")]
    assert (project / SHEET).read_bytes() == before  # the last good PDF, untouched
    assert manifest_entry(project, "fact-sheet.en-GB") == entry  # so the next run retries it
    assert LATER in manifest_entry(project, "chile-kazakhstan-fact-sheet.en-GB")["params"]["date"]

    check = cli(project, "check")  # a check still fails on every problem
    assert check.code == 2 and BAD_MONTH in check.err
    assert check.err.rstrip().endswith("1 problem(s) found; nothing was built")

    edit(project / "data/chile-russia/visits.yaml", "date: 1993-00", "date: 1993")
    fixed = cli(project, "--date", LATER, *sheets)
    assert fixed.code == 0, fixed.err
    assert statuses(project) == {
        "fact-sheet.en-GB": ("built", None),
        "chile-kazakhstan-fact-sheet.en-GB": ("up to date", None),
    }


def test_a_missing_translation_fails_only_that_language(full_project: Path, cli: Cli) -> None:
    milestones = full_project / "data/chile-russia/milestones.yaml"
    edit(milestones, "      es: Visita del ministro de Relaciones Exteriores de Rusia\n", "")
    result = cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet.*")
    assert result.code == 2
    assert (
        "error: data/chile-russia/milestones.yaml:7:5: milestones #1 (Visit of the Minister of "
        "Foreign…) › title: no 'es' text, needed by fact-sheet.es; give one text per language, "
        "e.g. {en: …, es: …}"
    ) in result.err.splitlines()
    not_built = "not built: its data set chile-russia lacks 'es' text in 1 place(s)"
    assert statuses(full_project) == {
        "fact-sheet.en-GB": ("built", None),
        "fact-sheet.es": ("failed", not_built),
        "fact-sheet.ru": ("built", None),
    }
    reports = sorted(p.name for p in (full_project / "reports").glob("*.pdf"))
    assert reports == ["chile-russia-fact-sheet.en-GB.pdf", "chile-russia-fact-sheet.ru.draft.pdf"]


def test_a_scheduled_run_says_what_it_built_despite_bad_data(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.commands import build_and_survive
    from briefgen.project import BuildOptions, Project
    from briefgen.stopping import NEVER

    monkeypatch.chdir(project)
    edit(project / "data/chile-russia/visits.yaml", "date: 1993", "date: 1993-00")
    options = BuildOptions(dt.date(2026, 11, 28), ("fact-sheet",))  # nothing to render
    once = build_and_survive(Project(project), lambda: options, False, 0, NEVER)
    assert once == (2, "0 built, 0 up to date, 1 failed; bad input in 1 place(s)")
    (project / "data/reports.yaml").write_text("documents: [\n")
    once = build_and_survive(Project(project), lambda: options, False, 0, NEVER)
    assert once == (2, "bad input; nothing was built")
