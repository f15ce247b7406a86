"""Checks of the handling markings and statuses in the report definitions, each located.

The rules: every marking is on the scale and the scale names each level once (also once as a file
name part); a section is never marked below its document, nor an edition released below it; a
release level is listed once; `status` names only languages the document has.
"""

from __future__ import annotations

import re

from .config import ReportsFile
from .data import Document
from .errors import Problem
from .localise import primary
from .places import Loc


def slug(marking: str) -> str:
    """Return a marking as a file-name part: "TOP SECRET" -> "top-secret"."""
    return re.sub(r"[^a-z0-9]+", "-", marking.lower())


def check_markings(reports: ReportsFile, doc: Document) -> list[Problem]:
    """Return a located problem for every misuse of the marking scale and of `status`."""
    scale = [m.name for m in reports.markings]
    slugs = [slug(name) for name in scale]
    found: list[tuple[Loc, str]] = [
        (("markings", i, "name"), f"{name!r} is already on the scale, or names the same file part")
        for i, name in enumerate(scale)
        if slugs[i] in slugs[:i]
    ]
    for i, d in enumerate(reports.documents):
        found += _check_document(i, d.marking, d.section_markings, d.releasable_at, scale)
        if isinstance(d.status, dict):
            found += [
                (
                    ("documents", i, "status", key),
                    f"{key!r} is not one of the document's languages ({', '.join(d.languages)}); "
                    "add it to languages, or remove it here",
                )
                for key in d.status
                if not any(key in (lang, primary(lang)) for lang in d.languages)
            ]
    return [doc.problem(loc, message) for loc, message in found]


def _check_document(
    i: int,
    marking: str | None,
    sections: dict[str, str],
    releases: list[str],
    scale: list[str],
) -> list[tuple[Loc, str]]:
    used: list[tuple[Loc, str]] = [(("documents", i, "marking"), marking)] if marking else []
    used += [(("documents", i, "section_markings", k), v) for k, v in sections.items()]
    used += [(("documents", i, "releasable_at", j), v) for j, v in enumerate(releases)]
    unknown = [(loc, v) for loc, v in used if v not in scale]
    found = [(loc, f"{v!r} is not on the marking scale ({', '.join(scale)})") for loc, v in unknown]
    if unknown:
        return found
    floor = scale.index(marking) if marking else 0
    for loc, value in used[1 if marking else 0 :]:
        if scale.index(value) < floor:
            what = "a section" if loc[2] == "section_markings" else "an edition"
            found.append(
                (
                    loc,
                    f"{value} is below the document's own marking {scale[floor]}: "
                    f"{what} cannot be marked lower than its document",
                )
            )
    found += [
        (("documents", i, "releasable_at", j), f"{v} is listed twice")
        for j, v in enumerate(releases)
        if v in releases[:j]
    ]
    return found
