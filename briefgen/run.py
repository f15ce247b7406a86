"""One run, as a scheduler or a watcher sees it: take the lock, skip what is current, build the rest,
and leave a machine-readable summary (reports/build.json)."""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InputError, Interrupted, LockTimeout, OutputError, Problem, UsageError
from .incremental import build_params, fast_path
from .output import write_atomic
from .project import BuildOptions, Project
from .results import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    DocumentResult,
    summary_json,
)
from .stopping import NEVER, Stop

log = logging.getLogger("briefgen")


@dataclass
class RunResult:
    """What a run did: per-document results and the data warnings, and the exit code they imply."""

    documents: list[DocumentResult]
    problems: list[Problem]
    exit_code: int = EXIT_OK

    @property
    def warnings(self) -> int:
        """Warnings that count against --strict: unacknowledged data warnings and render warnings."""
        data = sum(not p.acknowledged for p in self.problems)
        return data + sum(len(r.warnings) for r in self.documents)


def run(
    project: Project,
    options: BuildOptions,
    strict: bool,
    lock_timeout: float,
    clock: Callable[[], str],
    stop: Stop = NEVER,
) -> RunResult:
    """Build under the project lock; write reports/build.json; raise InputError on bad input.

    build.json is written whatever happens, so a monitor never reads an old success. A stop
    request raises Interrupted once the workers are stopped and build.json says so.
    """
    try:
        with _locked(project, lock_timeout, stop):
            _remove_debris(project)
            try:
                result = _run_unlocked(project, options, stop)
            except Interrupted as e:
                _summarise(project, options, RunResult([], [], EXIT_INTERRUPTED), clock, [e])
                raise
            except InputError as e:
                _summarise(project, options, RunResult([], [], EXIT_INPUT), clock, e.problems)
                raise
            except UsageError as e:
                _summarise(project, options, RunResult([], [], EXIT_INPUT), clock, [e])
                raise
            failed = any(r.status == "failed" for r in result.documents)
            result.exit_code = EXIT_FAILED if failed or (strict and result.warnings) else EXIT_OK
            _summarise(project, options, result, clock)
            return result
    except LockTimeout as e:
        _summarise(project, options, RunResult([], [], EXIT_LOCKED), clock, [e])
        raise


def _summarise(
    project: Project,
    options: BuildOptions,
    result: RunResult,
    clock: Callable[[], str],
    errors: Sequence[object] = (),
) -> None:
    warnings = [str(p) for p in result.problems]
    summary = summary_json(
        result.documents,
        options.date.isoformat(),
        warnings,
        result.exit_code,
        clock(),
        [str(e) for e in errors],
    )
    write_atomic(project.summary_file, summary.encode())


def _run_unlocked(project: Project, options: BuildOptions, stop: Stop) -> RunResult:
    if not options.force:
        params = build_params(project, options.date, options.html, options.pdf_variant)
        skipped = fast_path(project, params, options.only)
        if skipped:  # nothing changed: no schema, templates or WeasyPrint loaded
            return RunResult(*skipped)
    from .workers import start_server

    start_server()  # it loads WeasyPrint on the other core while this one validates
    from .build import build
    from .inputs import check

    inputs = check(project, options)
    stop.check()
    return RunResult(build(project, options, inputs, stop), inputs.problems)


@contextlib.contextmanager
def _locked(project: Project, timeout: float, stop: Stop) -> Iterator[None]:
    """Hold reports/.briefgen/lock: one build at a time; the kernel frees it if we are killed."""
    import filelock

    lock = filelock.FileLock(project.lock_file)
    try:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        _acquire(lock, timeout, stop)
    except filelock.Timeout as e:
        raise LockTimeout(
            f"another build holds {project.lock_file} and did not finish within {timeout:g} s; "
            "try again later or pass a longer --lock-timeout"
        ) from e
    except OSError as e:  # reports/ is a file, read-only, full... (filelock.Timeout is one too)
        raise OutputError(f"cannot use {project.state_dir}: {e.strerror or e}") from e
    try:
        yield
    finally:
        lock.release()


def _acquire(lock: Any, timeout: float, stop: Stop) -> None:
    """Take the lock, waiting up to `timeout` seconds, in short steps so a stop request is heard."""
    import filelock

    deadline = time.monotonic() + timeout
    for attempt in itertools.count():
        try:
            lock.acquire(timeout=0)
            return
        except filelock.Timeout:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            if attempt == 0:
                log.info("another build is running; waiting up to %g s for it", timeout)
            if stop.wait(min(left, 0.1)):
                raise Interrupted(
                    f"interrupted by {stop.name} while waiting for the lock"
                ) from None


def _remove_debris(project: Project) -> None:
    """Delete temporary files a killed run left behind; safe because we hold the lock."""
    for folder in (project.reports_dir, project.state_dir, project.state_dir / "snapshots"):
        for temp in folder.glob(".*.tmp") if folder.is_dir() else []:
            temp.unlink(missing_ok=True)
