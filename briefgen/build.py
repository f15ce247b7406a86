"""The pipeline: validate everything first, then render each document in isolation and write it."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import __version__
from .config import DocumentDef, Project, ReportsFile, load_reports, search_path
from .errors import BriefgenError, InputError, Problem, UsageError
from .models import Briefing
from .output import write_atomic


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; `date` is the build date printed in and stamped on every document."""

    date: dt.date
    only: tuple[str, ...] = ()
    html: bool = False


@dataclass
class DocumentResult:
    """The outcome of one document."""

    name: str
    output: Path
    status: Literal["built", "failed"]
    seconds: float = 0.0
    pages: int = 0
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


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
        names = sorted(p.name for p in folders if p.is_dir())
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


def check_templates(project: Project, inputs: Inputs) -> list[str]:
    """Return one message per selected document whose template is missing or does not parse."""
    from .templating import load_template, make_environment

    env = make_environment(search_path(project, inputs.reports))
    messages = []
    for doc in inputs.documents:
        names = [doc.template, *(f"sections/{name}.html" for name in doc.sections or [])]
        for name in names:
            try:
                load_template(env, name)
            except BriefgenError as e:
                messages.append(f"{doc.name}: {e}")
    return messages


def build(project: Project, options: BuildOptions, inputs: Inputs) -> list[DocumentResult]:
    """Build every selected document; one failing document does not stop the others."""
    from .templating import make_environment

    env = make_environment(search_path(project, inputs.reports))
    return [_build_one(project, options, inputs, doc, env) for doc in inputs.documents]


def _build_one(
    project: Project, options: BuildOptions, inputs: Inputs, doc: DocumentDef, env: Any
) -> DocumentResult:
    from .render import render_pdf
    from .templating import render_html

    target = project.reports_dir / doc.output_name
    started = time.perf_counter()
    try:
        html = render_html(env, doc.template, _context(project, doc, inputs, options.date))
        result = render_pdf(html, project.templates_dir, _readable(project, inputs, doc))
        write_atomic(target, result.pdf)
        if options.html:  # only beside a PDF that was written, so the pair always matches
            write_atomic(target.with_suffix(".html"), html.encode("utf-8"))
    except BriefgenError as e:
        return DocumentResult(
            doc.name, target, "failed", time.perf_counter() - started, error=str(e)
        )
    seconds = time.perf_counter() - started
    warnings = [f"weasyprint: {w}" for w in result.warnings] + _budget(doc, result.pages)
    return DocumentResult(
        doc.name, target, "built", seconds, result.pages, len(result.pdf), warnings
    )


def _budget(doc: DocumentDef, pages: int) -> list[str]:
    """Return a warning when the document is longer than its page budget."""
    if doc.page_budget is None or pages <= doc.page_budget:
        return []
    return [f"page budget: {pages} pages, over the budget of {doc.page_budget}"]


def _readable(project: Project, inputs: Inputs, doc: DocumentDef) -> list[Path]:
    """Return the folders WeasyPrint may read: templates, data, and the extra stylesheets'."""
    css_folders = [(project.root / css).parent for css in doc.extra_css]
    return [*search_path(project, inputs.reports), project.data_dir, *css_folders]


def _context(
    project: Project, doc: DocumentDef, inputs: Inputs, build_date: dt.date
) -> dict[str, Any]:
    """Return the template context: the document, its data, and the build's inputs."""
    return {
        "doc": doc,
        "stylesheets": [(project.root / css).resolve().as_uri() for css in doc.extra_css],
        "data": inputs.datasets[doc.data],
        "issuer": inputs.reports.issuer,
        "build_date": build_date,
        "locale": doc.locale,
        "generator": f"briefgen {__version__}",
    }
