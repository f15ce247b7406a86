"""Read data/reports.yaml and check what the schema cannot: unique names, markings, folders,
files inside the project, templates on the search path, logos, and the names in `style:` (defaults and documents)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from .config import Defaults, DocumentDef, ReportsFile, search_path
from .data import Document, read_yaml
from .errors import InputError, Problem, display_path
from .markings import check_markings
from .models import section_template
from .places import Loc
from .project import Project
from .schema_errors import pydantic_problems
from .styles import check_style
from .trust import within


def load_reports(project: Project) -> ReportsFile:
    """Read and validate the report definitions, raising InputError with every problem."""
    return read_reports(project)[0]


def read_reports(project: Project) -> tuple[ReportsFile, Document]:
    """Return the validated report definitions and the YAML they came from (for locations)."""
    doc = read_yaml(project.reports_file)
    try:
        reports = ReportsFile.model_validate(doc.value)
    except ValidationError as e:
        raise InputError(pydantic_problems(doc, e, ReportsFile)) from e
    problems = (
        _check_unique(reports, doc)
        + check_markings(reports, doc)
        + _check_data_folders(reports, doc, project)
        + _check_paths(reports, doc, project)
    )
    if not problems:  # the search path is only known once its folders are
        problems = _check_templates(reports, doc, project) + check_style(reports, doc, project)
    if problems:
        raise InputError(problems)
    return reports, doc


def _check_unique(reports: ReportsFile, doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for i, d in enumerate(reports.documents):
        for key, value in (("name", d.name), ("output", d.output_name.removesuffix(".pdf"))):
            if (key, value) in seen:
                message = f"{key} {value!r} is already used by {seen[key, value]}"
                problems.append(doc.problem(("documents", i, key), message))
            seen.setdefault((key, value), doc.where(("documents", i)))
    return problems


def _check_data_folders(reports: ReportsFile, doc: Document, project: Project) -> list[Problem]:
    return [
        doc.problem(("documents", i, "data"), f"no data set folder data/{d.data}/")
        for i, d in enumerate(reports.documents)
        if not (project.data_dir / d.data).is_dir()
    ]


def _check_paths(reports: ReportsFile, doc: Document, project: Project) -> list[Problem]:
    """Check that template folders, stylesheets and logos exist and really lie in the project."""
    wanted: list[tuple[Loc, str, Callable[[Path], bool]]] = [
        (("templates", i), p, Path.is_dir) for i, p in enumerate(reports.templates)
    ]
    owners: list[tuple[Loc, DocumentDef | Defaults]] = [(("defaults",), reports.defaults)]
    owners += [(("documents", i), d) for i, d in enumerate(reports.documents)]
    for loc, owner in owners:
        wanted += [((*loc, "extra_css", j), p, Path.is_file) for j, p in enumerate(owner.extra_css)]
        wanted += [((*loc, "logo"), owner.logo, Path.is_file)] if owner.logo else []
    problems = []
    for loc, path, exists in wanted:
        if not exists(project.root / path):
            problems.append(doc.problem(loc, f"{path} does not exist in the project"))
        elif message := _leaves_project(project, path):
            problems.append(doc.problem(loc, message))
    return problems


def _leaves_project(project: Project, path: str) -> str:
    """Return why `path` (or, for a file, its folder) leads outside the project, or ""."""
    # A stylesheet's folder is read by WeasyPrint (fonts, images), so it must stay inside too.
    for name in dict.fromkeys([path, str(Path(path).parent)]):
        if not within(project.root / name, project.root):
            real = (project.root / name).resolve()
            return f"{name} leads to {real}, outside the project (a symbolic link?)"
    return ""


def _check_templates(reports: ReportsFile, doc: Document, project: Project) -> list[Problem]:
    """Check that each document's template and listed sections exist on the search path."""
    folders = search_path(project, reports)
    searched = ", ".join(display_path(f) for f in folders)
    problems = []
    for i, d in enumerate(reports.documents):
        wanted: list[tuple[Loc, str]] = [(("documents", i, "template"), d.template)]
        wanted += [
            (("documents", i, "sections", j), section_template(s))
            for j, s in enumerate(d.sections or [])
        ]
        for key in d.section_markings:
            parts = (section_template(key), f"partials/{key}.html")
            if not any((folder / part).is_file() for folder in folders for part in parts):
                message = f"no section or part {key!r}: found no {' or '.join(parts)}"
                problems.append(doc.problem(("documents", i, "section_markings", key), message))
        for loc, name in wanted:
            if not any((folder / name).is_file() for folder in folders):
                problems.append(
                    doc.problem(loc, f"template {name!r} not found; searched {searched}")
                )
    return problems
