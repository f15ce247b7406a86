"""Skip documents whose inputs have not changed.

Each built document gets a manifest entry holding a fingerprint of everything that went into it:
every file of its template folders and data set, its extra stylesheets, its report definition, the
build date, and the briefgen and WeasyPrint versions. Standard library only, so that a run in which
nothing changed costs little more than starting Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from .errors import OutputError, Problem, problem_from_dict
from .manifest import Entry, read_manifest, valid_entry
from .project import Project, matches
from .results import DocumentResult


def digest(path: Path) -> str:
    """Return the SHA-256 of a regular file's bytes, or "missing".

    Opened without blocking and checked first: a FIFO or a device (/dev/zero) named by an
    edited manifest must not hang or exhaust the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return "missing"
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return "missing"
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return "missing"


def collect_inputs(root: Path, folders: list[str], files: list[str]) -> dict[str, str]:
    """Return {relative path: SHA-256} for every file under `folders` and each of `files`."""
    found: dict[str, str] = {}
    for folder in folders:
        base = root / folder
        paths = sorted(base.rglob("*")) if base.is_dir() else []
        for path in paths:
            if path.is_file() and not _ignored(path.relative_to(base).parts, path, root):
                found[path.relative_to(root).as_posix()] = digest(path)
    found.update({name: digest(root / name) for name in files})
    return found


def build_params(
    project: Project, date: dt.date, html: bool, variant: str | None = None
) -> dict[str, Any]:
    """Return the build parameters that are inputs of every document."""
    from importlib.metadata import version

    from . import __version__

    folders = [os.path.relpath(p, project.root) for p in project.user_templates]
    return {
        "date": date.isoformat(),
        "briefgen": __version__,
        "weasyprint": version("weasyprint"),
        "html": html,
        "templates": folders,
        "pdf_variant": variant,
    }


def _ignored(parts: tuple[str, ...], path: Path, root: Path) -> bool:
    """Skip what cannot change a document: hidden files, editor backups, the output folder."""
    if any(p.startswith((".", "__", "#")) for p in parts) or path.name.endswith(
        ("~", ".swp", ".bak")
    ):
        return True
    return path.is_relative_to(root / "reports")


def fingerprint(inputs: dict[str, str], params: dict[str, Any], definition: str) -> str:
    """Return one hash of a document's inputs, build parameters and definition."""
    text = json.dumps([inputs, params, definition], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def is_current(project: Project, entry: Entry, params: dict[str, Any]) -> bool:
    """True when a document's outputs are intact and none of its inputs changed."""
    if entry.get("params") != params or not outputs_intact(project, entry, params):
        return False
    inputs = collect_inputs(project.root, entry["folders"], entry["files"])
    return bool(fingerprint(inputs, params, entry["definition"]) == entry["fingerprint"])


def outputs_intact(project: Project, entry: Entry, params: dict[str, Any]) -> bool:
    """True when the PDF is the one the manifest recorded (and its HTML exists if asked for)."""
    pdf = project.root / entry["output"]
    html_ok = not params.get("html") or pdf.with_suffix(".html").is_file()
    return html_ok and digest(pdf) == str(entry["output_sha"])


def remove_superseded(project: Project, old: Entry | None, new: Entry) -> None:
    """Remove the PDF (and HTML) a variant had under its previous file name, once its new one is
    written: the draft of an edition that became final, or the final of one made draft again.
    Only a regular file in reports/ is removed, and only if it is unchanged since it was written;
    raise OutputError if it cannot be."""
    if not old or not valid_entry(old) or old["output"] == new["output"]:
        return
    pdf = project.root / old["output"]
    if not _removable(project, pdf) or digest(pdf) != old["output_sha"]:
        return
    html = pdf.with_suffix(".html")
    try:
        pdf.unlink()
        if old["params"].get("html") and _removable(project, html):  # build wrote it beside
            html.unlink()
    except OSError as e:
        raise OutputError(f"cannot remove {pdf}: {e.strerror or e}") from e


def _removable(project: Project, path: Path) -> bool:
    """True for a regular file directly in reports/, not a symbolic link."""
    reports = project.reports_dir.resolve()
    return not path.is_symlink() and path.is_file() and path.resolve().parent == reports


def up_to_date(project: Project, name: str, entry: Entry) -> DocumentResult:
    """Return the result of a document skipped because nothing it depends on changed."""
    return DocumentResult(
        name,
        project.root / entry["output"],
        "up to date",
        reason="inputs unchanged",
        pages=entry["pages"],
        size=entry["size"],
        edition=entry["edition"],
        warnings=list(entry.get("warnings", [])),  # the PDF still has them: --strict still counts
    )


def fast_path(
    project: Project, params: dict[str, Any], only: tuple[str, ...]
) -> tuple[list[DocumentResult], list[Problem]] | None:
    """Return results and warnings when every selected document is current, else None.

    Needs neither the schema nor the templates: it trusts the manifest as long as the report
    definitions file is byte-identical to the one the manifest was written for.
    """
    checked = read_manifest(project)
    manifest = checked.manifest
    if checked.dropped or checked.unusable:  # the full build warns, once, and rebuilds
        return None
    if manifest.get("reports_sha") != digest(project.reports_file):
        return None
    documents = manifest["documents"]
    order: list[str] = manifest.get("order", [])
    if not all(any(matches(n, p) for n in order) for p in only):
        return None  # the full check reports a pattern that picks nothing
    names = [n for n in order if not only or any(matches(n, p) for p in only)]
    current = (
        valid_entry(documents.get(n)) and is_current(project, documents[n], params) for n in names
    )
    if not names or not all(current):
        return None
    seen: dict[str, Problem] = {}
    for name in names:
        for stored in documents[name].get("data_warnings", []):
            problem = problem_from_dict(stored)
            seen.setdefault(str(problem), problem)
    return [up_to_date(project, n, documents[n]) for n in names], list(seen.values())
