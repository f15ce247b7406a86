"""Where a project's inputs, outputs and build state live. Standard library only: the no-change path
uses it without loading the schema, the templates or WeasyPrint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; `date` is the build date printed in and stamped on every document."""

    date: dt.date
    only: tuple[str, ...] = ()
    html: bool = False
    force: bool = False
    jobs: int = 1  # worker processes for documents that need rendering
    time_limit: float = 300.0  # seconds per document
    memory_limit: int = 2048  # MB per document, beyond the warm interpreter
    pdf_variant: str | None = None  # overrides every document's pdf_variant
    first: tuple[str, ...] = ()  # variants (names or patterns, as --only) to render before others


@dataclass(frozen=True)
class Project:
    """A project folder: data/, templates/, reports/; everything is relative to its root."""

    root: Path
    user_templates: tuple[Path, ...] = ()  # --templates folders, searched first

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def reports_file(self) -> Path:
        return self.data_dir / "reports.yaml"

    @property
    def state_dir(self) -> Path:
        """Build state beside the output: manifest, edition snapshots, lock."""
        return self.reports_dir / ".briefgen"

    @property
    def manifest_file(self) -> Path:
        return self.state_dir / "manifest.json"

    @property
    def hashes_file(self) -> Path:
        """The size, time and hash of input files last hashed (filehashes.py)."""
        return self.state_dir / "hashes.json"

    @property
    def summary_file(self) -> Path:
        return self.reports_dir / "build.json"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "lock"


def matches(name: str, pattern: str) -> bool:
    """True when `pattern` picks variant `name`: its name, its document's name, or a glob (*.es)."""
    document = "." not in pattern and name.startswith(pattern + ".")  # every variant of it
    return name == pattern or document or fnmatchcase(name, pattern)
