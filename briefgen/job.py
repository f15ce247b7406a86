"""One document in a worker process: its HTML, then its PDF unless the PDF it has is still right.

The worker renders and returns; it writes nothing (build.py writes what it returns). What the
templates, assets and WeasyPrint used (reads.py) goes into the manifest entry it returns, so that
the next run can tell whether anything the document used has changed.

Early cutoff: when a document's inputs changed but its HTML, its PDF settings and every file
WeasyPrint read for it are the same as when its PDF was made, WeasyPrint is not run and the PDF
is kept (a comment in a template, a section another document type uses).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .changes import Snapshot
from .compose import environment, html_and_edition
from .editions import Edition, snapshot_digest
from .errors import BriefgenError, problem_to_dict
from .incremental import fingerprint
from .inputs import Inputs
from .manifest import Entry
from .project import BuildOptions, Project
from .reads import Reads
from .results import DocumentResult, Status
from .trust import within
from .variants import Variant

RENDER_WARNING = "weasyprint: "  # the prefix of what the PDF itself was warned about


@dataclass(frozen=True)
class Plan:
    """What the parent knows of a document's inputs before it is rendered."""

    folders: list[str]  # every file of these is an input: the data set's folder
    files: list[str]  # extra stylesheets and the logo
    search_path: list[str]  # the template folders, in lookup order
    definition: str
    params: dict[str, Any]
    inputs: dict[str, str]  # the files of `folders` and `files`, with their hashes


@dataclass(frozen=True)
class Job:
    """One document to render, with everything a worker process needs (and no other document's)."""

    project: Project
    options: BuildOptions
    inputs: Inputs  # this document's data set and warnings only
    doc: Variant
    plan: Plan
    previous: Entry | None
    reason: str
    keep: str | None = None  # the previous PDF's key, if that PDF may be kept (see pdf_key)
    compiled: dict[str, bytes] = field(default_factory=dict)  # the templates, compiled


@dataclass(frozen=True)
class Files:
    """What a worker made of one document, for the parent to write."""

    pdf: bytes | None  # None: the PDF in place is kept
    html: str | None  # only with --html
    snapshot: Snapshot
    edition: Edition
    snapshot_name: str  # the variant's name


Outcome = tuple[DocumentResult, Entry | None, Files | None]


def run_job(job: Job) -> Outcome:
    """Render one document (in a worker); on failure the previous PDF stays as it was."""
    from .templating import seed

    seed(job.compiled)
    try:
        env = environment(job.project, job.inputs, job.doc.language)
    except BriefgenError as e:  # an unreadable label catalogue fails this document only
        return failed(job, str(e)), None, None
    return _build_one(job, env)


def crashed(job: Job, message: str) -> Outcome:
    """The outcome of a job whose worker failed (its limit, a crash)."""
    return failed(job, message), None, None


def failed(job: Job, message: str) -> DocumentResult:
    return failure(job.project, job.doc, job.previous, job.reason, message)


def failure(
    project: Project, variant: Variant, previous: Entry | None, reason: str, message: str
) -> DocumentResult:
    """A failed result that still describes the PDF left in place, if any."""
    before = previous or {}
    return DocumentResult(
        variant.name,
        project.reports_dir / variant.output_name,
        "failed",
        reason,
        pages=before.get("pages", 0),
        size=before.get("size", 0),
        edition=before.get("edition", 0),
        error=message,
    )


def pdf_key(
    root: Path, html: str, variant: str | None, params: dict[str, Any], readable: list[Path]
) -> str:
    """Return a hash of what a PDF is made from, apart from the files WeasyPrint reads.

    Paths count relative to the project `root`: a project copied or moved elsewhere (a CI
    checkout, a restored backup) keeps the PDFs whose HTML comes out the same.
    """
    pdf_params = {k: v for k, v in params.items() if k != "html"}  # --html changes no PDF
    html = html.replace(root.as_uri() + "/", "file:///./")
    folders = [os.path.relpath(p, root) for p in readable]
    text = json.dumps([html, variant, pdf_params, folders], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _build_one(job: Job, env: Any) -> Outcome:
    from .render import render_pdf

    project, options, inputs, doc = job.project, job.options, job.inputs, job.doc
    started = time.perf_counter()
    try:
        html, edition, snapshot = html_and_edition(project, options, inputs, doc, job.previous, env)
        variant = options.pdf_variant or doc.document.pdf_variant
        readable = _readable(project, inputs, doc)
        key = pdf_key(project.root, html, variant, job.plan.params, readable)
        if job.previous and key == job.keep:
            made = _kept(job.previous, key)
        else:
            result = render_pdf(
                html, project.templates_dir, readable, variant, options.memory_limit
            )
            made = _made(project, result, key)
    except BriefgenError as e:
        return replace(failed(job, str(e)), seconds=time.perf_counter() - started), None, None
    return _outcome(job, env, (html, edition, snapshot), made, started)


@dataclass(frozen=True)
class _Made:
    """A document's PDF: made now, or (pdf None) the one in place, kept."""

    pdf: bytes | None
    key: str  # see pdf_key
    sha: str
    pages: int
    size: int
    warnings: list[str]  # WeasyPrint's and the PDF finisher's
    fetched: dict[str, str]  # the files WeasyPrint read, relative to the project, with hashes


def _made(project: Project, result: Any, key: str) -> _Made:
    """Describe a PDF just rendered (a render.RenderResult)."""
    fetched = {_relative(project, Path(p)): sha for p, sha in result.fetched.items()}
    warnings = [RENDER_WARNING + w for w in result.warnings]
    sha = hashlib.sha256(result.pdf).hexdigest()
    return _Made(result.pdf, key, sha, result.pages, len(result.pdf), warnings, fetched)


def _kept(before: Entry, key: str) -> _Made:
    """Describe the PDF in place, kept: as its manifest entry does."""
    warnings = [w for w in before["warnings"] if w.startswith(RENDER_WARNING)]
    fetched = {p: before["inputs"][p] for p in before["fetched"]}
    return _Made(
        None, key, before["output_sha"], before["pages"], before["size"], warnings, fetched
    )


def _outcome(
    job: Job, env: Any, rendered: tuple[str, Edition, Snapshot], made: _Made, started: float
) -> Outcome:
    from .templating import reads_of, template_warnings

    html, edition, snapshot = rendered
    warnings = made.warnings + _budget(job.doc, made.pages) + template_warnings(env)
    status: Status = "built" if made.pdf is not None else "up to date"
    reason = job.reason
    if made.pdf is None:
        reason += "; its HTML came out the same, so its PDF was kept"
    result = DocumentResult(
        job.doc.name,
        job.project.reports_dir / job.doc.output_name,
        status,
        reason,
        time.perf_counter() - started,
        made.pages,
        made.size,
        edition.number,
        warnings,
    )
    entry = _entry(job, reads_of(env), result, (edition, snapshot), made)
    html_file = html if job.options.html else None
    return result, entry, Files(made.pdf, html_file, snapshot, edition, job.doc.name)


def _entry(
    job: Job, reads: Reads, result: DocumentResult, edition: tuple[Edition, Snapshot], made: _Made
) -> Entry:
    """Return the manifest entry of a document: what it used, and what was made of it."""
    project, plan, doc = job.project, job.plan, job.doc
    used = {_relative(project, Path(p)): sha for p, sha in reads.files.items()}
    inputs = {**plan.inputs, **used, **made.fetched}
    folder = project.data_dir / doc.document.data
    warnings = [p for p in job.inputs.problems if Path(p.path).is_relative_to(folder)]
    return {
        "folders": plan.folders,
        "files": plan.files,
        "search_path": plan.search_path,
        "found": reads.found,
        "inputs": inputs,
        "fetched": sorted(made.fetched),
        "pdf_key": made.key,
        "definition": plan.definition,
        "fingerprint": fingerprint(inputs, reads.found, plan.params, plan.definition),
        "params": plan.params,
        "output": _relative(project, result.output),
        "output_sha": made.sha,
        "pages": result.pages,
        "warnings": result.warnings,
        "size": result.size,
        "edition": edition[0].number,
        "edition_date": edition[0].date.isoformat(),
        "changes": [c.to_json() for c in edition[0].changes],
        "snapshot_sha": snapshot_digest(edition[1]),
        "data_warnings": [problem_to_dict(p) for p in warnings],
    }


def _relative(project: Project, path: Path) -> str:
    return os.path.relpath(path, project.root)


def _budget(variant: Variant, pages: int) -> list[str]:
    """Return a warning when the document is longer than its page budget."""
    budget = variant.document.page_budget
    if budget is None or pages <= budget:
        return []
    return [f"page budget: {pages} pages, over the budget of {budget}"]


def _readable(project: Project, inputs: Inputs, variant: Variant) -> list[Path]:
    """Return the folders WeasyPrint may read: templates, data, the extra stylesheets' and the logo's.

    A folder named in data/reports.yaml counts only while its real path lies in the project
    (validation refuses one that does not): a symbolic link must not let outside files in.
    """
    doc = variant.document
    css_folders = [(project.root / css).parent for css in doc.extra_css]
    css_folders += [(project.root / doc.logo).parent] if doc.logo else []
    named = [project.root / folder for folder in inputs.reports.templates] + css_folders
    accepted = [folder for folder in named if within(folder, project.root)]
    return [*project.user_templates, *accepted, project.templates_dir, project.data_dir]
