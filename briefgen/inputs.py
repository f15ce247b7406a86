"""Validate everything a run needs before anything is rendered: report definitions, data sets."""

from __future__ import annotations

from dataclasses import dataclass

from .config import DocumentDef, ReportsFile, load_reports
from .errors import InputError, Problem, UsageError
from .models import Briefing
from .project import BuildOptions, Project


@dataclass
class Inputs:
    """Everything validated before any document is rendered."""

    reports: ReportsFile
    documents: list[DocumentDef]
    datasets: dict[str, Briefing]
    problems: list[Problem]


def check(project: Project, options: BuildOptions) -> Inputs:
    """Load and validate the report definitions and every data set the selected documents use."""
    from .validate import load_dataset

    errors: list[Problem] = []
    try:
        reports = load_reports(project)
        documents = _select(reports, options.only)
        names = sorted({d.data for d in documents})
    except InputError as e:  # still check every data set, to report every problem at once
        errors += e.problems
        folders = project.data_dir.iterdir() if project.data_dir.is_dir() else []
        names = sorted(p.name for p in folders if (p / "sources.yaml").is_file())
    datasets: dict[str, Briefing] = {}
    problems: list[Problem] = []
    for name in names:
        try:
            datasets[name], warnings = load_dataset(project.data_dir / name, options.date)
            problems += warnings
        except InputError as e:
            errors += e.problems
    if errors:
        raise InputError(errors)
    return Inputs(reports, documents, datasets, problems)


def _select(reports: ReportsFile, only: tuple[str, ...]) -> list[DocumentDef]:
    names = [d.name for d in reports.documents]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UsageError(f"unknown document {', '.join(unknown)}; defined: {', '.join(names)}")
    return [d for d in reports.documents if not only or d.name in only]
