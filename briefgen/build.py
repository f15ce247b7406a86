"""The pipeline: validate everything first, then render each document in isolation and write it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .compose import environment, html_and_edition
from .config import ReportsFile, search_path
from .editions import (
    Edition,
    keep_snapshot,
    snapshot_digest,
)
from .errors import BriefgenError, OutputError, problem_to_dict
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
        plan = _plan(project, inputs.reports, doc, params)
        entry = manifest["documents"].get(doc.name)
        if not options.force and _current(project, entry, plan, params):
            results[doc.name] = up_to_date(project, doc.name, entry)
        else:
            reason = _reason(project, entry, plan, options.force)
            jobs.append(Job(project, options, inputs, doc, plan, entry, reason))

    def record(outcome: tuple[DocumentResult, Entry | None]) -> None:
        # Saved after every document, so a run killed part-way keeps what it finished.
        result, new_entry = outcome
        results[result.name] = result
        if new_entry:
            old = manifest["documents"].get(result.name)
            manifest["documents"][result.name] = new_entry
            # e.g. the draft of a now final edition
            _noting(errors, remove_superseded, project, old, new_entry)
        _noting(errors, save_manifest, project, manifest)

    limits = Limits(options.time_limit, options.memory_limit)
    run_jobs(_run_job, jobs, options.jobs, _crashed, record, limits, stop)
    manifest["reports_sha"] = digest(project.reports_file)
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
class Job:
    """One document to render, with everything a worker process needs."""

    project: Project
    options: BuildOptions
    inputs: Inputs
    doc: Variant
    plan: Plan
    previous: Entry | None
    reason: str


def _run_job(job: Job) -> tuple[DocumentResult, Entry | None]:
    try:
        env = environment(job.project, job.inputs, job.doc.language)
    except BriefgenError as e:  # an unreadable label catalogue fails this document only
        return _failed(job, str(e)), None
    return _build_one(job, env)


def _crashed(job: Job, message: str) -> tuple[DocumentResult, Entry | None]:
    return _failed(job, message), None


def _failed(job: Job, message: str) -> DocumentResult:
    """A failed result that still describes the PDF left in place, if any."""
    target = job.project.reports_dir / job.doc.output_name
    before = job.previous or {}
    return DocumentResult(
        job.doc.name,
        target,
        "failed",
        job.reason,
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


def _plan(project: Project, reports: ReportsFile, variant: Variant, params: dict[str, Any]) -> Plan:
    """Return the inputs of a variant: every file of its template folders and data set, and more."""
    doc = variant.document
    folders = [_relative(project, p) for p in search_path(project, reports)]
    folders.append(_relative(project, project.data_dir / doc.data))
    # The whole folder of an extra stylesheet: its @imports and fonts are inputs too.
    folders += sorted({_relative(project, (project.root / css).parent) for css in doc.extra_css})
    files = list(doc.extra_css)
    definition = _definition(reports, variant)
    inputs = collect_inputs(project.root, folders, files)
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


def _build_one(job: Job, env: Any) -> tuple[DocumentResult, Entry | None]:
    """Render one document and write it; on failure the previous PDF is left as it was."""
    from .render import render_pdf

    project, options, inputs, doc = job.project, job.options, job.inputs, job.doc
    target = project.reports_dir / doc.output_name
    started = time.perf_counter()
    try:
        html, edition, snapshot = html_and_edition(project, options, inputs, doc, job.previous, env)
        variant = options.pdf_variant or doc.document.pdf_variant
        readable = _readable(project, inputs, doc)
        result = render_pdf(html, project.templates_dir, readable, variant, options.memory_limit)
        # The PDF last: it is replaced only if the document is reported built. A snapshot or an
        # HTML file left by a later failure is rewritten when the document is next built.
        keep_snapshot(project.state_dir, doc.name, snapshot, edition)
        if options.html:
            write_atomic(target.with_suffix(".html"), html.encode("utf-8"))
        write_atomic(target, result.pdf)
    except BriefgenError as e:
        return replace(_failed(job, str(e)), seconds=time.perf_counter() - started), None
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
    return built, _entry(project, job.plan, built, edition, snapshot, inputs, doc)


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
    snapshot: dict[str, Any],
    inputs: Inputs,
    doc: Variant,
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
        "output_sha": digest(result.output),
        "pages": result.pages,
        "warnings": result.warnings,
        "size": result.size,
        "edition": edition.number,
        "edition_date": edition.date.isoformat(),
        "changes": edition.changes,
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
    """Return the folders WeasyPrint may read: templates, data, and the extra stylesheets'.

    A folder named in data/reports.yaml counts only while its real path lies in the project
    (validation refuses one that does not): a symbolic link must not let outside files in.
    """
    css_folders = [(project.root / css).parent for css in variant.document.extra_css]
    named = [project.root / folder for folder in inputs.reports.templates] + css_folders
    accepted = [folder for folder in named if within(folder, project.root)]
    return [*project.user_templates, *accepted, project.templates_dir, project.data_dir]
