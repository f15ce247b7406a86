"""The commands behind the CLI: each returns an exit code and reports through the briefgen logger.

Together with cli.py, this is the command line: the only code that prints to stdout.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, Interrupted, Problem, UsageError, display_path
from .project import BuildOptions, Project
from .results import EXIT_FAILED, EXIT_INPUT, EXIT_OK

if TYPE_CHECKING:
    from .results import DocumentResult
    from .run import RunResult
    from .stopping import Stop

log = logging.getLogger("briefgen")
OptionsFactory = Callable[[], BuildOptions]


def utc_now() -> str:
    """Return the current time for build.json: the one clock read of a run, kept out of the PDFs."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def build(
    project: Project,
    options: BuildOptions,
    strict: bool,
    lock_timeout: float,
    as_json: bool,
    stop: Stop | None = None,
) -> int:
    """Build what changed; report each document; with as_json, print build.json to stdout."""
    return _build(project, options, strict, lock_timeout, as_json, stop).exit_code


def _build(
    project: Project,
    options: BuildOptions,
    strict: bool,
    lock_timeout: float,
    as_json: bool,
    stop: Stop | None,
) -> RunResult:
    from .run import run
    from .stopping import NEVER

    summaries: list[str] = []
    try:
        result = run(
            project, options, strict, lock_timeout, utc_now, summaries.append, stop or NEVER
        )
    finally:  # a run stopped by bad input or the lock still has a summary to print
        if as_json and summaries:  # even if build.json could not be written
            sys.stdout.write(summaries[-1])
    report_run(result, strict)
    return result


def report_run(result: RunResult, strict: bool) -> None:
    """Log data warnings and errors, one line per document, the run's own errors, a summary."""
    report_warnings(result.problems)
    for problem in result.input_errors:  # once each, though several documents may need the data
        log.error("%s", problem)
    for document in result.documents:
        _report_document(document)
    for error in result.errors:
        log.error("%s", error)
    acknowledged = sum(p.acknowledged and not p.note for p in result.problems)
    log.info(
        "%s, %d warning(s)%s", _counts(result), result.warnings, _acknowledged(acknowledged, False)
    )
    failed = any(d.status == "failed" for d in result.documents)
    if strict and result.warnings and not failed:
        log.error("--strict: %d warning(s) count as failure", result.warnings)


def _counts(result: RunResult) -> str:
    """Return "2 built, 1 up to date, 1 failed" for the documents of a run."""
    statuses = ("built", "up to date", "failed")
    return ", ".join(f"{sum(d.status == s for d in result.documents)} {s}" for s in statuses)


def _report_document(result: DocumentResult) -> None:
    for message in result.warnings:
        log.warning("%s: %s", result.name, message)
    if result.status == "failed":
        log.error("%s: %s", result.name, result.error)
        return
    if not log.isEnabledFor(logging.INFO):  # -q: spare a large estate's paths their formatting
        return
    pages = f"{result.pages} page{'' if result.pages == 1 else 's'}"
    if result.status == "up to date":
        log.info(
            "up to date %s (%s, edition %d)", display_path(result.output), pages, result.edition
        )
    else:
        log.info(
            "built %s (%s, %d KB, %.1f s, edition %d)",
            display_path(result.output),
            pages,
            round(result.size / 1024),
            result.seconds,
            result.edition,
        )


def check(project: Project, options: BuildOptions, strict: bool) -> int:
    """Validate data and report definitions and compile the templates; write nothing."""
    from .compose import check_templates
    from .inputs import check as validate

    inputs = validate(project, options)
    if inputs.errors:  # a build would fail only the documents they concern; a check fails
        raise InputError(inputs.errors)
    report_warnings(inputs.problems)
    template_errors, template_warnings = check_templates(project, inputs, options.date)
    for message in template_warnings:
        log.warning("%s", message)
    for message in template_errors:
        log.error("%s", message)
    if template_errors:
        return EXIT_FAILED
    warnings = sum(not p.acknowledged for p in inputs.problems) + len(template_warnings)
    log.info(
        "check passed: %d document(s), %d data set(s), %d warning(s)%s",
        len(inputs.documents),
        len(inputs.datasets),
        warnings,
        _acknowledged(sum(p.acknowledged and not p.note for p in inputs.problems), True),
    )
    if strict and warnings:
        log.error("--strict: %d warning(s) count as failure", warnings)
        return EXIT_FAILED
    return EXIT_OK


def templates(project: Project, name: str | None) -> int:
    """List what each template name resolves to, or eject one default template."""
    from .config import search_path
    from .definitions import load_reports
    from .themes import eject, list_templates

    folders = search_path(project, load_reports(project))
    if name:
        if len(folders) < 2:
            raise UsageError(
                "no template folder of your own to eject into: pass --templates DIR "
                "or list one under templates: in data/reports.yaml"
            )
        log.info("ejected %s", display_path(eject(name, folders[-1], folders[0])))
        return EXIT_OK
    for item in list_templates(folders):
        hidden = ", ".join(display_path(f) for f in item.hidden)
        note = f"  (overrides {hidden})" if hidden else ""
        sys.stdout.write(f"{item.name:<44} {display_path(item.folder)}{note}\n")
    return EXIT_OK


def list_variants(project: Project, only: tuple[str, ...]) -> int:
    """Print every variant the definitions expand to: name, status, handling, file."""
    from .variants import load_variants, select

    _, variants, _ = load_variants(project)
    for v in select(variants, only):
        status = "draft" if v.draft else "final"
        release = f"releasable at {v.release}" if v.release else "complete"
        path = display_path(project.reports_dir / v.output_name)
        sys.stdout.write(f"{v.name:<36} {status:<6} {release:<24} {path}\n")
    return EXIT_OK


def schema(root: Path, name: str | None, write: bool) -> int:
    """Print one JSON Schema, or rewrite schemas/ and the context reference in docs/templates.md."""
    from .output import write_atomic
    from .schema import json_schemas, schema_path, schema_text, with_context_reference

    schemas = json_schemas()
    if write:
        for key, body in schemas.items():
            write_atomic(schema_path(root / "schemas", key), schema_text(body).encode())
        docs = root / "docs/templates.md"
        if docs.is_file():
            write_atomic(docs, with_context_reference(docs.read_text("utf-8")).encode())
        log.info(
            "wrote %d schemas to %s and the context reference in %s",
            len(schemas),
            display_path(root / "schemas"),
            display_path(docs),
        )
        return EXIT_OK
    key = name or "reports"
    if key not in schemas:
        raise UsageError(f"unknown schema {key!r}; choose from {', '.join(schemas)}")
    sys.stdout.write(schema_text(schemas[key]))
    return EXIT_OK


def new(root: Path, name: str | None, date: dt.date) -> int:
    """Start data set `name`: placeholder data and its document entries, then say what next."""
    from .scaffold import new_dataset

    for path in new_dataset(root / "data", name, date):
        log.info("wrote %s", display_path(path))
    log.info(
        "replace the placeholders (every text marked illustrative), then run: generate.py check"
    )
    return EXIT_OK


@dataclass(frozen=True)
class Attempt:
    """One build that a watcher, scheduler or preview survived: what it did, or what stopped it."""

    code: int
    outcome: str  # what the run did, in a few words, for the scheduler's log
    result: RunResult | None = None  # None when the run stopped before building anything
    problems: tuple[Problem, ...] = ()  # the bad input that stopped it (data/reports.yaml, say)
    failure: str = ""  # or what else stopped it


def attempt(
    project: Project,
    make_options: OptionsFactory,
    strict: bool,
    lock_timeout: float,
    stop: Stop,
    first: Sequence[str] = (),
) -> Attempt:
    """Build once for a watcher, scheduler or preview, rendering `first` (variant names or
    patterns: what the user is working on) before the others; report bad input and carry on.

    A run whose bad data failed some documents built the others, and says so. A stop request
    is not survived: Interrupted reaches the loop, which ends.
    """
    try:
        options = replace(make_options(), first=tuple(first))
        result = _build(project, options, strict, lock_timeout, False, stop)
    except Interrupted:
        raise
    except InputError as e:
        report_problems(e.problems)
        return Attempt(EXIT_INPUT, "bad input; nothing was built", problems=tuple(e.problems))
    except Exception as e:  # an unattended loop must outlive any one run; say what happened
        log.error("run failed: %s: %s", type(e).__name__, e)
        failure = f"the run failed: {type(e).__name__}: {e}"
        return Attempt(EXIT_FAILED, "the run failed; see the error above", failure=failure)
    bad = f"; bad input in {len(result.input_errors)} place(s)" if result.input_errors else ""
    return Attempt(result.exit_code, _counts(result) + bad, result)


def build_and_survive(
    project: Project,
    make_options: OptionsFactory,
    strict: bool,
    lock_timeout: float,
    stop: Stop,
    first: Sequence[str] = (),
) -> tuple[int, str]:
    """Build once for a watcher or scheduler; return the exit code and what the run did."""
    done = attempt(project, make_options, strict, lock_timeout, stop, first)
    return done.code, done.outcome


def report_warnings(problems: Sequence[Problem]) -> None:
    """Log data warnings; those the data acknowledges are notes, shown only with -v: they were
    checked once, and a note repeated on every run teaches readers to skip the lines."""
    for problem in problems:
        if problem.note:  # a note the definitions cannot acknowledge: always shown
            log.info("note: %s", problem)
        elif problem.acknowledged:
            log.debug("note: %s", problem)
        else:
            log.warning("%s", problem)


def _acknowledged(count: int, always: bool) -> str:
    """Return ", 1 acknowledged" for the summary, saying how to see them unless -v does."""
    if not count and not always:
        return ""
    hint = "" if not count or log.isEnabledFor(logging.DEBUG) else " (-v shows them)"
    return f", {count} acknowledged{hint}"


def report_problems(problems: Sequence[Problem]) -> None:
    """Log every problem of bad input, then say that nothing was built."""
    for problem in problems:
        log.error("%s", problem)
    log.error("%d problem(s) found; nothing was built", len(problems))
