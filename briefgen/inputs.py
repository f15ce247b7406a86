"""Validate everything a run needs before anything is rendered: report definitions, data sets."""

from __future__ import annotations

from dataclasses import dataclass

from .config import ReportsFile
from .errors import InputError, Problem
from .models import Briefing
from .project import BuildOptions, Project
from .stopping import NEVER, Stop
from .variants import Variant, load_variants, select


@dataclass
class Inputs:
    """Everything validated before any document is rendered."""

    reports: ReportsFile
    variants: list[Variant]  # all of them, in definition order
    documents: list[Variant]  # the selected ones
    datasets: dict[str, Briefing]
    problems: list[Problem]


def check(project: Project, options: BuildOptions, stop: Stop = NEVER) -> Inputs:
    """Load and validate the report definitions and every data set the selected documents use.

    A stop request is heard between data sets (Interrupted), so a large estate stops promptly.
    """
    from .validate import load_dataset

    errors: list[Problem] = []
    documents: list[Variant] = []
    text_language = "en"  # until the definitions say otherwise
    try:
        reports, variants = load_variants(project)
        text_language = reports.text_language
        documents = select(variants, options.only)
        names = sorted({d.document.data for d in documents})
    except InputError as e:  # still check every data set, to report every problem at once
        errors += e.problems
        folders = project.data_dir.iterdir() if project.data_dir.is_dir() else []
        names = sorted(p.name for p in folders if (p / "sources.yaml").is_file())
    datasets: dict[str, Briefing] = {}
    problems: list[Problem] = []
    for name in names:
        stop.check()
        try:
            languages = _languages(documents, name)
            folder = project.data_dir / name
            datasets[name], warnings = load_dataset(folder, options.date, languages, text_language)
            problems += warnings
        except InputError as e:
            errors += e.problems
    if errors:
        raise InputError(errors)
    return Inputs(reports, variants, documents, datasets, problems)


def _languages(variants: list[Variant], dataset: str) -> dict[str, str]:
    """Return each language the selected variants need from `dataset`, and which variants."""
    users: dict[str, list[str]] = {}
    for v in variants:
        if v.document.data == dataset and v.name not in users.get(v.language, []):
            users.setdefault(v.language, []).append(v.name)
    return {language: ", ".join(names) for language, names in users.items()}
