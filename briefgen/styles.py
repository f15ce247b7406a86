"""Checks of the stylesheets in the report definitions: each `style:` name is a custom property
that the document's stylesheets define, and each stylesheet is UTF-8 text inside its folder."""

from __future__ import annotations

import re
from pathlib import Path

from .config import ReportsFile, search_path
from .data import Document
from .errors import InputError, Problem, display_path
from .places import Loc
from .project import Project
from .suggest import closest_first, did_you_mean
from .trust import read_utf8, within


def check_style(reports: ReportsFile, doc: Document, project: Project) -> list[Problem]:
    """Check that every style: name is a custom property the stylesheets define (typos do nothing).

    The defaults' names must be defined by the theme or the defaults' stylesheets; a document's
    also by its own stylesheets.
    """
    theme, problems = _theme(search_path(project, reports))
    house = theme + [project.root / css for css in reports.defaults.extra_css]
    sheets = [house + [project.root / css for css in d.extra_css] for d in reports.documents]
    properties, unreadable = _custom_properties(
        sorted({s for paths in [house, *sheets] for s in paths})
    )
    if problems or unreadable:
        return problems + unreadable
    owners: list[tuple[Loc, dict[str, str], list[Path]]] = [
        (("defaults",), reports.defaults.style, house)
    ]
    owners += [(("documents", i), d.style, sheets[i]) for i, d in enumerate(reports.documents)]
    for loc, style, stylesheets in owners:
        known = {"page-size"}.union(*(properties[s] for s in stylesheets))
        for name in sorted(set(style) - known):
            hint = did_you_mean(name, known)
            listed = ", ".join(closest_first(name, sorted(known)))
            message = (
                f"the stylesheets define no --{name}; {hint + ' ' if hint else ''}(known: {listed})"
            )
            problems.append(doc.problem((*loc, "style", name), message))
    return problems


def _theme(folders: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Return the briefing.css that asset() finds, if any; one leading outside is a problem."""
    for folder in folders:
        path = folder / "briefing.css"
        if path.is_file() and not within(path, folder):
            message = f"leads to {path.resolve()}, outside {display_path(folder)}"
            return [], [Problem(path, 1, 1, message)]
        if path.is_file():
            return [path], []
    return [], []


def _custom_properties(stylesheets: list[Path]) -> tuple[dict[Path, set[str]], list[Problem]]:
    """Return the custom properties each stylesheet defines, and problems of those unreadable."""
    found: dict[Path, set[str]] = {}
    problems: list[Problem] = []
    for path in stylesheets:
        try:
            found[path] = set(re.findall(r"--([a-z][a-z0-9-]*)\s*:", read_utf8(path)))
        except InputError as e:
            problems += e.problems
    return found, problems
