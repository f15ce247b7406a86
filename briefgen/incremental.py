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
import logging
import os
from pathlib import Path
from typing import Any

from .errors import Problem, problem_from_dict
from .output import write_atomic
from .project import Project, matches
from .results import DocumentResult

MANIFEST_VERSION = 2  # 2: one entry per variant (document × language × release)
log = logging.getLogger("briefgen")
Entry = dict[str, Any]


def digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, or "missing"."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
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


REQUIRED = {
    "folders": list,
    "files": list,
    "definition": str,
    "fingerprint": str,
    "params": dict,
    "output": str,
    "output_sha": str,
    "pages": int,
    "size": int,
    "edition": int,
    "edition_date": str,
    "changes": list,
    "snapshot_sha": str,
}


def load_manifest(project: Project) -> dict[str, Any]:
    """Return the manifest, or an empty one when it is missing, unreadable or of another version."""
    empty: dict[str, Any] = {"version": MANIFEST_VERSION, "documents": {}}
    if not project.manifest_file.exists():
        return empty
    try:
        manifest = json.loads(project.manifest_file.read_text("utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not (
        isinstance(manifest, dict)
        and manifest.get("version") == MANIFEST_VERSION
        and isinstance(manifest.get("documents"), dict)
    ):
        log.warning(
            "%s is unreadable or from another version: every document is rebuilt and "
            "editions start again at 1",
            project.manifest_file,
        )
        return empty
    return manifest


def valid_entry(entry: Any) -> bool:
    """True when a manifest entry has every field, of the right type (it may have been edited)."""
    return isinstance(entry, dict) and all(isinstance(entry.get(k), t) for k, t in REQUIRED.items())


def save_manifest(project: Project, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(project.manifest_file, text.encode())


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
    A file changed since it was written is left alone."""
    if not old or not valid_entry(old) or old["output"] == new["output"]:
        return
    pdf = project.root / old["output"]
    if pdf.is_file() and digest(pdf) == old["output_sha"]:
        pdf.unlink()
        if old["params"].get("html"):  # only an HTML file that build wrote beside it
            pdf.with_suffix(".html").unlink(missing_ok=True)


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
    manifest = load_manifest(project)
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
