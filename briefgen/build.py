"""The pipeline: validate everything first, then render each document in isolation and write it."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .changes import Snapshot
from .compose import environment, html_and_edition
from .config import ReportsFile, search_path
from .editions import (
    Edition,
    keep_snapshot,
    snapshot_digest,
)
from .errors import BriefgenError, Interrupted, OutputError, problem_to_dict
from .incremental import (
    build_params,
    collect_inputs,
    digest,
    fingerprint,
    outputs_intact,
    remove_superseded,
    up_to_date,
)
from .inputs import Inputs
from .manifest import Entry, load_manifest, save_manifest
from .output import write_atomic
from .project import BuildOptions, Project
from .results import DocumentResult
from .stopping import NEVER, Stop
from .trust import within
from .variants import Variant


@dataclass(frozen=True)
class Plan:
    """What one document depends on, as recorded in the manifest."""

    folders: list[str]
    files: list[str]
    definition: str
    fingerprint: str
    params: dict[str, Any]
    inputs: dict[str, str]


def build(
    project: Project, options: BuildOptions, inputs: Inputs, stop: Stop = NEVER
) -> tuple[list[DocumentResult], list[str]]:
    """Build every selected document whose inputs changed; one failure does not stop the others.

    A document that bad input stops (`inputs.rejected`) is failed without being rendered.

    Return a result per document and the errors of the run itself: the manifest could not be
    saved, or a superseded file removed. Those do not stop the run either (docs/scheduling.md).
    A stop request raises Interrupted; the documents finished by then are in the manifest.
    """
    from .workers import Limits, run_jobs

    manifest = load_manifest(project)
    params = build_params(project, options.date, options.html, options.pdf_variant)
    _forget_stale(manifest, inputs)
    results: dict[str, DocumentResult] = {}
    errors: list[str] = []
    jobs: list[Job] = []
    for doc in inputs.documents:
        plan = _plan(project, inputs, doc, params)
        entry = manifest["documents"].get(doc.name)
        rejected = inputs.rejected.get(doc.name)
        if not rejected and not options.force and _current(project, entry, plan, params):
            results[doc.name] = up_to_date(project, doc.name, entry)
            continue
        reason = _reason(project, entry, plan, options.force)
        if rejected:  # bad input: its previous PDF and manifest entry stay, to retry next run
            results[doc.name] = _failure(project, doc, entry, reason, f"not built: {rejected}")
        else:
            jobs.append(Job(project, options, inputs, doc, plan, entry, reason))

    def record(outcome: Outcome) -> None:
        # Written here, not by the worker: a worker stopped at its limit or by a stop request has
        # written nothing. Saved after every document, so a run killed part-way keeps its work.
        result, new_entry, files = outcome
        old = manifest["documents"].get(result.name)
        if files:
            try:
                _write(project, result.output, files)
            except OutputError as e:
                result, new_entry = _unwritten(result, old, str(e)), None
        results[result.name] = result
        if new_entry:
            manifest["documents"][result.name] = new_entry
            # e.g. the draft of a now final edition
            _noting(errors, remove_superseded, project, old, new_entry)
        _noting(errors, save_manifest, project, manifest)

    if jobs:  # compiled here, once, while the fork server may still be starting
        from .templating import precompile

        compiled = precompile(search_path(project, inputs.reports))
        jobs = [replace(job, compiled=compiled) for job in jobs]
    limits = Limits(options.time_limit, options.memory_limit)
    try:
        run_jobs(_run_job, jobs, options.jobs, _crashed, record, limits, stop)
    except Interrupted as e:  # report every document: finished, or left as it was
        unfinished = [_failed(j, f"not built: {e}") for j in jobs if j.doc.name not in results]
        results.update((r.name, r) for r in unfinished)
        raise Interrupted(str(e), [results[d.name] for d in inputs.documents]) from e
    reports = _relative(project, project.reports_file)  # as it was when read (see Inputs.seen)
    manifest["reports_sha"] = (inputs.seen or {}).get(reports) or digest(project.reports_file)
    manifest["order"] = [v.name for v in inputs.variants]
    _noting(errors, save_manifest, project, manifest)
    return [results[d.name] for d in inputs.documents], errors


def _noting(errors: list[str], action: Callable[..., None], *args: Any) -> None:
    """Call action(*args); add the message of an OutputError it raises to `errors`, once."""
    try:
        action(*args)
    except OutputError as e:
        message = f"{e} (the next run builds again what this one built)"
        if message not in errors:
            errors.append(message)


@dataclass(frozen=True)
class Files:
    """What a worker made of one document, for the parent to write."""

    pdf: bytes
    html: str | None  # only with --html
    snapshot: Snapshot
    edition: Edition
    snapshot_name: str  # the variant's name


Outcome = tuple[DocumentResult, Entry | None, Files | None]


def _write(project: Project, target: Path, files: Files) -> None:
    """Write a document's files; the PDF last, so it is replaced only if all went well."""
    keep_snapshot(project.state_dir, files.snapshot_name, files.snapshot, files.edition)
    if files.html is not None:
        write_atomic(target.with_suffix(".html"), files.html.encode("utf-8"))
    write_atomic(target, files.pdf)


def _unwritten(result: DocumentResult, old: Entry | None, message: str) -> DocumentResult:
    """The result of a document rendered but not written: its previous PDF is still in place."""
    before = old or {}
    pages, size, edition = before.get("pages", 0), before.get("size", 0), before.get("edition", 0)
    return replace(result, status="failed", pages=pages, size=size, edition=edition, error=message)


@dataclass(frozen=True)
class Job:
    """One document to render, with everything a worker process needs."""

    project: Project
    options: BuildOptions
    inputs: Inputs
    doc: Variant
    plan: Plan
    previous: Entry | None
    reason: str
    compiled: dict[str, bytes] = field(default_factory=dict)  # the templates, compiled


def _run_job(job: Job) -> Outcome:
    from .templating import seed

    seed(job.compiled)
    try:
        env = environment(job.project, job.inputs, job.doc.language)
    except BriefgenError as e:  # an unreadable label catalogue fails this document only
        return _failed(job, str(e)), None, None
    return _build_one(job, env)


def _crashed(job: Job, message: str) -> Outcome:
    return _failed(job, message), None, None


def _failed(job: Job, message: str) -> DocumentResult:
    return _failure(job.project, job.doc, job.previous, job.reason, message)


def _failure(
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


def _definition(reports: ReportsFile, variant: Variant) -> str:
    """Return everything of the definitions that shapes `variant`, as text to compare runs by."""
    shared = reports.model_dump(mode="json", include={"issuer", "text_language", "markings"})
    own = variant.document.model_dump(mode="json")
    facets = [variant.name, variant.language, variant.release, variant.final, variant.output_name]
    return json.dumps([shared, reports.templates, own, facets], ensure_ascii=False)


def _plan(project: Project, given: Inputs, variant: Variant, params: dict[str, Any]) -> Plan:
    """Return the inputs of a variant: every file of its template folders and data set, and more.

    Its data set's files count as they were before the run read them (Inputs.seen).
    """
    reports, doc = given.reports, variant.document
    data = _relative(project, project.data_dir / doc.data)
    folders = [*(_relative(project, p) for p in search_path(project, reports)), data]
    # The whole folder of an extra stylesheet: its @imports and fonts are inputs too.
    folders += sorted({_relative(project, (project.root / css).parent) for css in doc.extra_css})
    files = [*doc.extra_css, *([doc.logo] if doc.logo else [])]
    definition = _definition(reports, variant)
    inputs = collect_inputs(project.root, folders, files)
    if given.seen is not None:
        inputs = {k: v for k, v in inputs.items() if not k.startswith(data + "/")}
        inputs |= {k: v for k, v in given.seen.items() if k.startswith(data + "/")}
    return Plan(folders, files, definition, fingerprint(inputs, params, definition), params, inputs)


def _relative(project: Project, path: Path) -> str:
    return os.path.relpath(path, project.root)


def _current(project: Project, entry: Entry | None, plan: Plan, params: dict[str, Any]) -> bool:
    if entry is None or entry["fingerprint"] != plan.fingerprint:
        return False
    return outputs_intact(project, entry, params)


def _forget_stale(manifest: dict[str, Any], inputs: Inputs) -> None:
    """Make entries whose definition changed untrusted (keeping their edition); drop vanished ones.

    Otherwise a later no-change run, which trusts the manifest while reports.yaml is unchanged,
    could take an entry made under an older definition for current.
    """
    definitions = {v.name: _definition(inputs.reports, v) for v in inputs.variants}
    for name, entry in list(manifest["documents"].items()):
        if name not in definitions:
            del manifest["documents"][name]
        elif definitions[name] != entry["definition"]:
            entry["fingerprint"] = "stale: definition changed"


def _build_one(job: Job, env: Any) -> Outcome:
    """Render one document (the parent writes it); on failure the previous PDF stays as it was."""
    from .render import render_pdf

    project, options, inputs, doc = job.project, job.options, job.inputs, job.doc
    target = project.reports_dir / doc.output_name
    started = time.perf_counter()
    try:
        html, edition, snapshot = html_and_edition(project, options, inputs, doc, job.previous, env)
        variant = options.pdf_variant or doc.document.pdf_variant
        readable = _readable(project, inputs, doc)
        result = render_pdf(html, project.templates_dir, readable, variant, options.memory_limit)
    except BriefgenError as e:
        return replace(_failed(job, str(e)), seconds=time.perf_counter() - started), None, None
    from .templating import template_warnings

    warnings = [f"weasyprint: {w}" for w in result.warnings] + _budget(doc, result.pages)
    warnings += template_warnings(env)
    built = DocumentResult(
        doc.name,
        target,
        "built",
        job.reason,
        time.perf_counter() - started,
        result.pages,
        len(result.pdf),
        edition.number,
        warnings,
    )
    entry = _entry(project, job.plan, built, edition, snapshot, inputs, doc, result.pdf)
    files = Files(result.pdf, html if options.html else None, snapshot, edition, doc.name)
    return built, entry, files


def _reason(project: Project, entry: Entry | None, plan: Plan, force: bool) -> str:
    """Say why a document is being rebuilt, as precisely as the manifest allows."""
    if force:
        return "--force"
    if entry is None:
        return "first build"
    changed = [k for k in plan.params if plan.params[k] != entry["params"].get(k)]
    if changed:
        return "changed: " + ", ".join(
            f"{k} {entry['params'].get(k)} → {plan.params[k]}" for k in changed
        )
    if plan.definition != entry["definition"]:
        return "changed: its definition in data/reports.yaml"
    before = entry.get("inputs", {})
    files = sorted(
        k for k in plan.inputs.keys() | before.keys() if plan.inputs.get(k) != before.get(k)
    )
    if files:
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        return f"changed: {', '.join(files[:3])}{more}"
    return "the PDF was missing or modified"


def _entry(
    project: Project,
    plan: Plan,
    result: DocumentResult,
    edition: Edition,
    snapshot: Snapshot,
    inputs: Inputs,
    doc: Variant,
    pdf: bytes,
) -> Entry:
    folder = project.data_dir / doc.document.data
    warnings = [p for p in inputs.problems if Path(p.path).is_relative_to(folder)]
    return {
        "folders": plan.folders,
        "inputs": plan.inputs,
        "files": plan.files,
        "definition": plan.definition,
        "fingerprint": plan.fingerprint,
        "params": plan.params,
        "output": _relative(project, result.output),
        "output_sha": hashlib.sha256(pdf).hexdigest(),
        "pages": result.pages,
        "warnings": result.warnings,
        "size": result.size,
        "edition": edition.number,
        "edition_date": edition.date.isoformat(),
        "changes": [c.to_json() for c in edition.changes],
        "snapshot_sha": snapshot_digest(snapshot),
        "data_warnings": [problem_to_dict(p) for p in warnings],
    }


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
