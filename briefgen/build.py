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

from .config import ReportsFile, search_path
from .editions import keep_snapshot
from .errors import Interrupted, OutputError, Problem, problem_from_dict
from .filehashes import Hashes, load_hashes, save_hashes
from .incremental import (
    STALE,
    build_params,
    changed_inputs,
    is_current,
    remove_superseded,
    tracked,
    up_to_date,
)
from .inputs import Inputs
from .job import Files, Job, Outcome, Plan, crashed, failed, failure, run_job
from .manifest import Entry, load_manifest, read_manifest, save_manifest
from .output import write_atomic
from .project import BuildOptions, Project, matches
from .results import DocumentResult
from .stopping import NEVER, Stop
from .variants import Variant

SAVE_EVERY = 1.0  # seconds: the manifest is saved as documents finish, at most this often


def build(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    stop: Stop = NEVER,
    hashes: Hashes | None = None,
) -> tuple[list[DocumentResult], list[str]]:
    """Build every selected document whose inputs changed; one failure does not stop the others.

    A document that bad input stops (`inputs.rejected`) is failed without being rendered.
    `hashes` is the run's view of the files (one is made if not given): each is hashed once.

    Return a result per document and the errors of the run itself: the manifest could not be
    saved, or a superseded file removed. Those do not stop the run either (docs/scheduling.md).
    A stop request raises Interrupted; the documents finished by then are in the manifest.
    """
    from .workers import Limits, run_jobs

    if hashes is None:
        hashes = load_hashes(project.root, project.hashes_file, time.time_ns())
        hashes.seed(inputs.seen or {})  # data/ as it was before it was read
    run = _Run(project, options, inputs, load_manifest(project), hashes)
    reports_sha = hashes.digest(_relative(project, project.reports_file))
    _forget_stale(run.manifest, inputs)
    jobs = _order(run.plan_all(), options.first)
    limits = Limits(options.time_limit, options.memory_limit)
    try:
        run_jobs(
            run_job,
            _compiled(project, inputs, jobs),
            options.jobs,
            crashed,
            run.record,
            limits,
            stop,
        )
    except Interrupted as e:  # report every document: finished, or left as it was
        run.save()
        unfinished = [failed(j, f"not built: {e}") for j in jobs if j.doc.name not in run.results]
        run.results.update((r.name, r) for r in unfinished)
        raise Interrupted(str(e), [run.results[d.name] for d in inputs.documents]) from e
    run.manifest["reports_sha"] = reports_sha
    run.manifest["order"] = [v.name for v in inputs.variants]
    run.save()
    _noting(run.errors, save_hashes, hashes, project.hashes_file)
    return [run.results[d.name] for d in inputs.documents], run.errors


@dataclass
class _Run:
    """One build's state: the manifest as it grows, the results so far, the run's own errors."""

    project: Project
    options: BuildOptions
    inputs: Inputs
    manifest: dict[str, Any]
    hashes: Hashes
    results: dict[str, DocumentResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    saved: float = field(default_factory=time.monotonic)  # when the manifest was last saved

    def plan_all(self) -> list[Job]:
        """Skip the current documents and fail the rejected ones; return the jobs of the rest."""
        project, options, inputs = self.project, self.options, self.inputs
        params = build_params(project, options.date, options.html, options.pdf_variant)
        jobs = []
        for doc in inputs.documents:
            entry = self.manifest["documents"].get(doc.name)
            rejected = inputs.rejected.get(doc.name)
            fresh = not rejected and not options.force and entry is not None
            if fresh and is_current(project, entry, params, self.hashes):
                self.results[doc.name] = up_to_date(project, doc.name, entry)
                continue
            plan = _plan(project, inputs.reports, doc, params, self.hashes)
            reason = _reason(entry, plan, options.force, self.hashes)
            if rejected:  # bad input: its previous PDF and manifest entry stay, to retry next run
                self.results[doc.name] = failure(
                    project, doc, entry, reason, f"not built: {rejected}"
                )
                continue
            keep = None if options.force else _keepable(project, entry, doc, self.hashes)
            own = _own_inputs(project, inputs, doc)
            jobs.append(Job(project, options, own, doc, plan, entry, reason, keep))
        return jobs

    def record(self, outcome: Outcome) -> None:
        """Write what a worker made and note it in the manifest."""
        # Written here, not by the worker: a worker stopped at its limit or by a stop request has
        # written nothing.
        result, new_entry, files = outcome
        old = self.manifest["documents"].get(result.name)
        if files:
            try:
                _write(self.project, result.output, files)
            except OutputError as e:
                result, new_entry = _unwritten(result, old, str(e)), None
        self.results[result.name] = result
        if new_entry:
            self.manifest["documents"][result.name] = new_entry
            # e.g. the draft of a now final edition
            _noting(self.errors, remove_superseded, self.project, old, new_entry)
        if time.monotonic() - self.saved >= SAVE_EVERY:  # a run killed part-way keeps its work
            self.save()

    def save(self) -> None:
        _noting(self.errors, save_manifest, self.project, self.manifest)
        self.saved = time.monotonic()


def _noting(errors: list[str], action: Callable[..., None], *args: Any) -> None:
    """Call action(*args); add the message of an OutputError it raises to `errors`, once."""
    try:
        action(*args)
    except OutputError as e:
        message = f"{e} (the next run builds again what this one built)"
        if message not in errors:
            errors.append(message)


def _compiled(project: Project, inputs: Inputs, jobs: list[Job]) -> list[Job]:
    """Return the jobs with the templates compiled once, here, while the fork server may still be
    starting."""
    if not jobs:
        return jobs
    from .templating import precompile

    compiled = precompile(search_path(project, inputs.reports))
    return [replace(job, compiled=compiled) for job in jobs]


def _order(jobs: list[Job], first: tuple[str, ...]) -> list[Job]:
    """Return the jobs in the order to start them: those `first` picks (a previewed document), in
    its order, then the longest by the pages of their last build, so that the last to finish is a
    short one."""

    def rank(job: Job) -> tuple[int, int]:
        wanted = next((i for i, p in enumerate(first) if matches(job.doc.name, p)), len(first))
        return wanted, -(job.previous or {}).get("pages", 0)

    return sorted(jobs, key=rank)


def _write(project: Project, target: Path, files: Files) -> None:
    """Write a document's files; the PDF last, so it is replaced only if all went well."""
    keep_snapshot(project.state_dir, files.snapshot_name, files.snapshot, files.edition)
    if files.html is not None:
        write_atomic(target.with_suffix(".html"), files.html.encode("utf-8"))
    if files.pdf is not None:
        write_atomic(target, files.pdf)


def _unwritten(result: DocumentResult, old: Entry | None, message: str) -> DocumentResult:
    """The result of a document rendered but not written: its previous PDF is still in place."""
    before = old or {}
    pages, size, edition = before.get("pages", 0), before.get("size", 0), before.get("edition", 0)
    return replace(result, status="failed", pages=pages, size=size, edition=edition, error=message)


def _definition(reports: ReportsFile, variant: Variant) -> str:
    """Return a hash of everything of the definitions that shapes `variant`, to compare runs by
    (a hash, not the text: an estate's manifest holds one per variant)."""
    shared = reports.model_dump(mode="json", include={"issuer", "text_language", "markings"})
    own = variant.document.model_dump(mode="json")
    facets = [variant.name, variant.language, variant.release, variant.final, variant.output_name]
    text = json.dumps([shared, reports.templates, own, facets], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan(
    project: Project, reports: ReportsFile, variant: Variant, params: dict[str, Any], hashes: Hashes
) -> Plan:
    """Return what is known of a variant's inputs before rendering: its data set's files, its
    extra stylesheets and logo, its template search path, definition and build parameters."""
    doc = variant.document
    folders = [_relative(project, project.data_dir / doc.data)]
    files = [*doc.extra_css, *([doc.logo] if doc.logo else [])]
    names = [*hashes.listing(folders[0]), *files]
    found = [_relative(project, p) for p in search_path(project, reports)]
    inputs = {name: hashes.digest(name) for name in names}
    return Plan(folders, files, found, _definition(reports, variant), params, inputs)


def _relative(project: Project, path: Path) -> str:
    return os.path.relpath(path, project.root)


def _keepable(
    project: Project, entry: Entry | None, variant: Variant, hashes: Hashes
) -> str | None:
    """Return the key of the variant's PDF (job.pdf_key) if that PDF is intact under its current
    name and every file WeasyPrint read for it is unchanged: the PDF to keep if the HTML comes
    out the same. Else None."""
    if not entry or "pdf_key" not in entry or "fetched" not in entry:
        return None
    if entry["output"] != _relative(project, project.reports_dir / variant.output_name):
        return None
    if hashes.digest(entry["output"]) != entry["output_sha"]:
        return None
    if any(hashes.digest(p) != entry["inputs"].get(p) for p in entry["fetched"]):
        return None
    return str(entry["pdf_key"])


def _own_inputs(project: Project, inputs: Inputs, variant: Variant) -> Inputs:
    """Return the part of `inputs` a variant's worker needs: its data set and its warnings.

    A job carries no other document's data, so what each worker receives does not grow with
    the estate.
    """
    name = variant.document.data
    folder = project.data_dir / name
    reports = inputs.reports.model_copy(update={"documents": []})
    datasets = {name: inputs.datasets[name]} if name in inputs.datasets else {}
    problems = [p for p in inputs.problems if Path(p.path).is_relative_to(folder)]
    return Inputs(reports, [], [variant], datasets, problems)


def trusted_variants(
    project: Project, params: dict[str, Any], hashes: Hashes
) -> Callable[[ReportsFile, Variant], list[Problem] | None]:
    """Return a test of whether a variant is current: its definition as at its last build and
    nothing it used changed since (inputs.Trusted). Such a variant will not be rendered, so its
    data set need not be validated again."""
    documents = read_manifest(project).manifest["documents"]

    def stored(reports: ReportsFile, variant: Variant) -> list[Problem] | None:
        entry = documents.get(variant.name)
        if entry is None or entry["definition"] != _definition(reports, variant):
            return None
        if not is_current(project, entry, params, hashes):
            return None
        return [problem_from_dict(p) for p in entry.get("data_warnings", [])]

    return stored


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
            entry["fingerprint"] = STALE + "definition changed"


def _reason(entry: Entry | None, plan: Plan, force: bool, hashes: Hashes) -> str:
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
    if not tracked(entry):
        return "its manifest entry predates tracking what each document uses"
    files = changed_inputs(entry, hashes)
    if files:
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        return f"changed: {', '.join(files[:3])}{more}"
    return "the PDF was missing or modified"
