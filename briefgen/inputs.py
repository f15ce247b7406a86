"""Validate everything a run needs before anything is rendered: report definitions, data sets."""

from __future__ import annotations

from dataclasses import dataclass

from .config import ReportsFile
from .data import Loc, read_yaml
from .errors import InputError, Problem
from .models import Briefing, free_id, unknown_free_section
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
    if not errors:
        errors = _check_free_sections(project, reports, datasets)
    if errors:
        raise InputError(errors)
    return Inputs(reports, variants, documents, datasets, problems)


def _check_free_sections(
    project: Project, reports: ReportsFile, datasets: dict[str, Briefing]
) -> list[Problem]:
    """Check that each free section a document lists (free:ID) is in its data set's analysis.yaml."""
    found: list[tuple[Loc, str]] = []
    for i, d in enumerate(reports.documents):
        if (briefing := datasets.get(d.data)) is None:
            continue
        ids = {s.id for s in briefing.analysis.sections} if briefing.analysis else set()
        for j, name in enumerate(d.sections or []):
            if (wanted := free_id(name)) is not None and wanted not in ids:
                message = unknown_free_section(wanted, briefing, f"data/{d.data}/analysis.yaml")
                found.append((("documents", i, "sections", j), message))
    if not found:
        return []
    doc = read_yaml(project.reports_file)  # read again only to locate the problems
    return [doc.problem(loc, message) for loc, message in found]


def _languages(variants: list[Variant], dataset: str) -> dict[str, str]:
    """Return each language the selected variants need from `dataset`, and which variants."""
    users: dict[str, list[str]] = {}
    for v in variants:
        if v.document.data == dataset and v.name not in users.get(v.language, []):
            users.setdefault(v.language, []).append(v.name)
    return {language: ", ".join(names) for language, names in users.items()}
