"""Shared fixtures: every test builds its inputs in a temporary project and calls the CLI in-process."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

REPO = Path(__file__).resolve().parent.parent
BUILD_DATE = "2026-11-28"


@dataclass
class Run:
    code: int
    out: str
    err: str


def copy_project(target: Path) -> Path:
    """Copy the shipped templates and data into `target`, a fresh project with no reports."""
    for folder in ("templates", "data"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def english_only(root: Path) -> Path:
    """Make each shipped document a single final English edition: one PDF per document.

    Most tests are about building, not languages; they run on this smaller matrix (3 PDFs, not 12).
    """
    reports = root / "data/reports.yaml"
    text = re.sub(r"languages: \[[^]]*\]", "languages: [en-GB]", reports.read_text("utf-8"))
    text = re.sub(r"status: \{[^}]*\}", "status: final", text)
    text = re.sub(r"\n    releasable_at: \[[^]]*\]", "", text)
    reports.write_text(text, "utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The shipped project, in English only: chile-russia-briefing-note.en-GB.pdf and two more."""
    return english_only(copy_project(tmp_path / "project"))


@pytest.fixture
def full_project(tmp_path: Path) -> Path:
    """The shipped project as it is: every document in every language, 12 PDFs."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Return a function that runs the CLI in-process from a project's folder, capturing output."""

    def run(root: Path, *args: str) -> Run:
        monkeypatch.chdir(root)  # as a user would; messages name files relative to it
        code = main([*args], project_root=root)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the shipped documents once per session; return the project folder."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    assert main(["--date", BUILD_DATE, "--html", "--strict", "-q"], project_root=root) == 0
    return root


def figure_alts(pdf: Path) -> list[str]:
    """Return the /Alt text of every Figure in a tagged PDF's structure tree, in order."""
    import pikepdf

    figures: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(pdf) as document:
        walk(document.Root.StructTreeRoot)
    return figures
