"""The one exception hierarchy of briefgen; the CLI maps each class to an exit code."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located finding in an input file: an error, or a warning when `warning` is set."""

    path: Path
    line: int
    col: int
    message: str
    field: str = ""  # the machine path of the value, counted from 0: visits.4.date
    warning: bool = False
    acknowledged: bool = False  # a warning the data says was checked; --strict does not count it
    note: bool = False  # a finding that asks for nothing (acknowledged as well, so never counted)
    where: str = ""  # the same place in words, counted from 1: visits #5 (Sebastián Piñera) › date

    def __str__(self) -> str:
        place = f"{display_path(self.path)}:{self.line}:{self.col}"
        name = self.where or self.field
        what = f"{name}: {self.message}" if name else self.message
        acknowledged = self.acknowledged and not self.note
        return f"{place}: {what}" + (" (acknowledged in the data)" if acknowledged else "")


def problem_to_dict(problem: Problem) -> dict[str, object]:
    """Return a Problem as JSON-ready data (the manifest keeps data warnings this way)."""
    return {**asdict(problem), "path": str(problem.path)}


def problem_from_dict(data: dict[str, Any]) -> Problem:
    """Return the Problem that problem_to_dict stored."""
    return Problem(**{**data, "path": Path(data["path"])})


def display_path(path: Path) -> str:
    """Return `path` relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path) if Path(path).is_absolute() else str(path)
    except ValueError:  # a different drive on Windows
        return str(path)


class BriefgenError(Exception):
    """Base class: every failure briefgen expects is one of these."""


class InputError(BriefgenError):
    """Raised when an input file (data, definitions, a stylesheet, template or catalogue) is
    unreadable or invalid; carries every problem, each located in its file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateError(BriefgenError):
    """Raised when a template is missing, has a syntax error, uses an undefined variable, or reaches
    for what is refused (Python internals, a file whose real path leaves its folder)."""


class RenderError(BriefgenError):
    """Raised when WeasyPrint cannot lay out a document or it asks for a refused resource."""


class OutputError(BriefgenError):
    """Raised when a PDF or HTML file cannot be written."""


class UsageError(BriefgenError):
    """Raised when the command line asks for something that does not exist (e.g. an unknown document)."""


class LockTimeout(BriefgenError):
    """Raised when another build holds the project's lock for longer than we may wait."""


class Interrupted(BriefgenError):
    """Raised when SIGTERM or Ctrl-C asks a run to stop: its workers are stopped, nothing is lost.

    Once the build has begun it carries a result per selected document: built, or left as it was.
    """

    def __init__(self, message: str, documents: list[Any] | None = None) -> None:
        super().__init__(message)
        self.documents = documents or []
