"""Skip documents whose inputs have not changed.

Each built document gets a manifest entry holding a fingerprint of everything that went into it:
the files of its data set and its extra stylesheets, every template, asset, catalogue and file that
rendering it used (reads.py: what the Jinja loader served, what WeasyPrint fetched), each name it
looked up with the folder that answered it, its report definition, the build date, and the briefgen
and WeasyPrint versions. A document is current when the same names still lead to the same folders
and the same files still have the same hashes: a change to a template that a document did not use
does not touch it. Standard library only, so that a run in which nothing changed costs little
more than starting Python; and each file is hashed at most once a run (filehashes.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from .errors import OutputError, Problem, problem_from_dict
from .filehashes import Hashes, digest
from .manifest import Entry, read_manifest, valid_entry
from .project import Project, matches
from .results import DocumentResult

STALE = "stale: "  # a fingerprint so marked is never current (see build._forget_stale)


def build_params(
    project: Project, date: dt.date, html: bool, variant: str | None = None
) -> dict[str, Any]:
    """Return the build parameters that are inputs of every document."""
    from . import __version__

    folders = [os.path.relpath(p, project.root) for p in project.user_templates]
    return {
        "date": date.isoformat(),
        "briefgen": __version__,
        "weasyprint": installed_version("weasyprint"),
        "html": html,
        "templates": folders,
        "pdf_variant": variant,
    }


def installed_version(name: str) -> str:
    """Return the version of installed package `name`, read from the name of its .dist-info
    folder on sys.path, as importlib.metadata finds it, without importing importlib.metadata
    (a sixth of a no-change run)."""
    prefix = name.lower().replace("-", "_") + "-"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for found in names:
            if found.lower().startswith(prefix) and found.endswith(".dist-info"):
                return found[len(prefix) : -len(".dist-info")]
    from importlib.metadata import version

    return version(name)


def fingerprint(
    inputs: dict[str, str], found: dict[str, int | None], params: dict[str, Any], definition: str
) -> str:
    """Return one hash of a document's input files, lookups, build parameters and definition."""
    text = json.dumps([inputs, found, params, definition], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def tracked(entry: Entry) -> bool:
    """True for an entry that says what its document used (older ones are simply rebuilt)."""
    return "found" in entry and "search_path" in entry


def current_inputs(entry: Entry, hashes: Hashes) -> dict[str, str]:
    """Return the entry's input files as they are now: those it used, and every file of its folders."""
    folders = entry["folders"]
    inside = tuple(folder.rstrip(os.sep) + os.sep for folder in folders)
    names = [name for folder in folders for name in hashes.listing(folder)]
    names += [p for p in entry["inputs"] if not p.startswith(inside)]
    return {name: hashes.digest(name) for name in [*names, *entry["files"]]}


def current_found(entry: Entry, hashes: Hashes) -> dict[str, int | None]:
    """Return where each name the entry's document looked up is found now."""
    folders = tuple(entry["search_path"])
    return {key: hashes.found(folders, key) for key in entry["found"]}


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def is_current(project: Project, entry: Entry, params: dict[str, Any], hashes: Hashes) -> bool:
    """True when a document's outputs are intact and none of its inputs changed."""
    if not tracked(entry) or entry["params"] != params or entry["fingerprint"].startswith(STALE):
        return False
    if not outputs_intact(project, entry, params, hashes):
        return False
    return bool(
        current_inputs(entry, hashes) == entry["inputs"]
        and current_found(entry, hashes) == entry["found"]
    )


def changed_inputs(entry: Entry, hashes: Hashes) -> list[str]:
    """Return the input files of an entry that changed, appeared or went, then the file of each
    name now found in another folder (an override added or removed)."""
    now, before = current_inputs(entry, hashes), entry["inputs"]
    files = sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))
    for key, index in sorted(current_found(entry, hashes).items()):
        was = entry["found"][key]
        if index != was:
            folder = entry["search_path"][was if index is None else index]
            moved = os.path.normpath(os.path.join(folder, key.removeprefix("default:")))
            files += [] if moved in files else [moved]
    return files


def outputs_intact(project: Project, entry: Entry, params: dict[str, Any], hashes: Hashes) -> bool:
    """True when the PDF is the one the manifest recorded (and its HTML exists if asked for)."""
    pdf = project.root / entry["output"]
    html_ok = not params.get("html") or pdf.with_suffix(".html").is_file()
    return html_ok and hashes.digest(entry["output"]) == str(entry["output_sha"])


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
    project: Project, params: dict[str, Any], only: tuple[str, ...], hashes: Hashes
) -> tuple[list[DocumentResult], list[Problem]] | None:
    """Return results and warnings when every selected document is current, else None.

    Needs neither the schema nor the templates: it trusts the manifest as long as the report
    definitions file is byte-identical to the one the manifest was written for.
    """
    checked = read_manifest(project)
    manifest = checked.manifest
    if checked.dropped or checked.unusable:  # the full build warns, once, and rebuilds
        return None
    reports = os.path.relpath(project.reports_file, project.root)
    if manifest.get("reports_sha") != hashes.digest(reports):
        return None
    documents = manifest["documents"]
    order: list[str] = manifest.get("order", [])
    if not all(any(matches(n, p) for n in order) for p in only):
        return None  # the full check reports a pattern that picks nothing
    names = [n for n in order if not only or any(matches(n, p) for p in only)]
    # Every entry read_manifest kept is valid.
    current = (n in documents and is_current(project, documents[n], params, hashes) for n in names)
    if not names or not all(current):
        return None
    seen: dict[str, Problem] = {}
    for name in names:
        for stored in documents[name].get("data_warnings", []):
            problem = problem_from_dict(stored)
            seen.setdefault(str(problem), problem)
    return [up_to_date(project, n, documents[n]) for n in names], list(seen.values())


def saved_for(project: Project, saved: list[Path], recent: list[str], keep: int = 8) -> list[str]:
    """Return the variants that used one of the `saved` files in their last build, then those of
    `recent` (the earlier saves'), at most `keep`: what the user is working on, to render first.

    A save that more than `keep` variants used (base.html, say) says nothing of that: `recent`
    stays first."""
    names = {os.path.relpath(path, project.root) for path in saved}
    documents = read_manifest(project).manifest["documents"]
    hit = [
        name
        for name, entry in documents.items()
        if names & entry.get("inputs", {}).keys()
        or any(_under(n, f) for n in names for f in entry["folders"])
    ]
    specific = hit if len(hit) <= keep else []
    return list(dict.fromkeys([*specific, *recent]))[:keep]
