"""Shared fixtures: every test builds its inputs in a temporary project and calls the CLI in-process."""

from __future__ import annotations

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


@pytest.fixture
def project(tmp_path: Path) -> Path:
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
