"""One run, as a scheduler or a watcher sees it: take the lock, skip what is current, build the rest,
and leave a machine-readable summary (reports/build.json)."""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .errors import InputError, Interrupted, LockTimeout, OutputError, Problem, UsageError
from .filehashes import Hashes, load_hashes, save_hashes
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
    errors: list[str] = field(default_factory=list)  # of the run itself, e.g. state not saved
    # Located errors of data sets: they failed the documents that need them, not the run.
    input_errors: list[Problem] = field(default_factory=list)

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
    echo: Callable[[str], None] = lambda summary: None,
    stop: Stop = NEVER,
) -> RunResult:
    """Build under the project lock; write reports/build.json; raise InputError on bad definitions.

    Bad data fails only the documents that need it: they are reported failed, the others are
    built, and the exit code is 2 (EXIT_INPUT).

    Once the lock is held, build.json says "running" before anything else is written, and at the
    end it holds the summary, so a monitor never reads an old success. If it cannot be written,
    the run says so (an error, exit code 1); `echo` gets the final summary in any case. A stop
    request raises Interrupted once the workers are stopped and build.json says so (exit 130).
    """
    summary = _Summary(project, options.date.isoformat(), clock(), clock, echo)
    if options.force:  # something will be rendered: the server loads WeasyPrint meanwhile
        from .workers import start_server

        start_server()
    held = False
    try:
        with _locked(project, lock_timeout, stop):
            held = True
            return _run_locked(project, options, strict, summary, stop)
    except (LockTimeout, OutputError, Interrupted) as e:
        if not held:  # the lock is busy or reports/.briefgen unusable: nothing was built
            code = {LockTimeout: EXIT_LOCKED, Interrupted: EXIT_INTERRUPTED}.get(
                type(e), EXIT_FAILED
            )
            summary.stopped(code, [e])
        raise


def _run_locked(
    project: Project, options: BuildOptions, strict: bool, summary: _Summary, stop: Stop
) -> RunResult:
    summary.start()
    try:
        return _outcome(project, options, strict, summary, stop)
    finally:  # a bug, say: build.json must not say "running" for ever
        if not summary.ended:
            summary.stopped(EXIT_FAILED, ["the run ended unexpectedly; see its error on stderr"])


def _outcome(
    project: Project, options: BuildOptions, strict: bool, summary: _Summary, stop: Stop
) -> RunResult:
    _remove_debris(project)
    try:
        result = _run_unlocked(project, options, stop)
    except Interrupted as e:
        summary.stopped(EXIT_INTERRUPTED, [e], e.documents)
        raise
    except InputError as e:
        summary.stopped(EXIT_INPUT, e.problems)
        raise
    except (UsageError, OutputError) as e:
        summary.stopped(EXIT_INPUT if isinstance(e, UsageError) else EXIT_FAILED, [e])
        raise
    failed = any(r.status == "failed" for r in result.documents) or result.errors
    result.exit_code = EXIT_FAILED if failed or (strict and result.warnings) else EXIT_OK
    if result.input_errors:  # bad input failed its documents only; the code still says so first
        result.exit_code = EXIT_INPUT
    summary.finish(result)
    return result


@dataclass(frozen=True)
class _Summary:
    """Writes reports/build.json for one run: "running" first, then its outcome."""

    project: Project
    date: str
    started: str
    clock: Callable[[], str]
    echo: Callable[[str], None]
    ended: list[bool] = field(default_factory=list)  # set once the outcome is written

    def start(self) -> None:
        """Mark the run as running; raise OutputError (before anything is built) if impossible."""
        failure = self._write(summary_json([], self.date, [], None, (self.started, None)))
        if failure:
            message = f"{failure}; stopped before building anything"
            self.echo(self._json(RunResult([], [], EXIT_FAILED, [message]), self.clock()))
            raise OutputError(message)

    def finish(self, result: RunResult) -> str | None:
        """Write the outcome; return why it could not be, also added to the result's errors."""
        self.ended.append(True)
        finished = self.clock()
        text = self._json(result, finished)
        failure = self._write(text)
        if failure:
            result.errors.append(failure)
            result.exit_code = result.exit_code or EXIT_FAILED
            text = self._json(result, finished)
        self.echo(text)
        return failure

    def stopped(
        self, code: int, errors: Sequence[object], documents: Sequence[DocumentResult] = ()
    ) -> None:
        """Write the outcome of a run that stopped early; log it if it cannot be."""
        failure = self.finish(RunResult(list(documents), [], code, [str(e) for e in errors]))
        if failure:  # the caller reports `errors` (it raises them), but not this
            log.error("%s", failure)

    def _json(self, result: RunResult, finished: str) -> str:
        warnings = [str(p) for p in result.problems]
        times = (self.started, finished)
        errors = [str(p) for p in result.input_errors] + result.errors
        return summary_json(result.documents, self.date, warnings, result.exit_code, times, errors)

    def _write(self, text: str) -> str | None:
        """Write build.json; return why it could not be, after removing any older one."""
        path = self.project.summary_file
        try:
            write_atomic(path, text.encode())
        except OutputError as e:
            with contextlib.suppress(OSError):  # an older summary must not pass for this run's
                path.unlink()
            return f"{e} (monitors reading it cannot see this run's outcome)"
        return None


def _run_unlocked(project: Project, options: BuildOptions, stop: Stop) -> RunResult:
    # The clock is read only to know which files' times can be trusted (filehashes.py).
    hashes = load_hashes(project.root, project.hashes_file, time.time_ns())
    params = build_params(project, options.date, options.html, options.pdf_variant)
    if not options.force:
        skipped = fast_path(project, params, options.only, hashes)
        if skipped:  # nothing changed: no schema, templates or WeasyPrint loaded
            return RunResult(*skipped, errors=_saved(hashes, project))
    from .workers import start_server

    start_server()  # it loads WeasyPrint on the other core while this one validates
    from .build import build, trusted_variants
    from .inputs import check

    # Only the data sets of documents to render are validated again.
    trusted = None if options.force else trusted_variants(project, params, hashes)
    inputs = check(project, options, stop, trusted, hashes)
    stop.check()
    documents, errors = build(project, options, inputs, stop, hashes)
    return RunResult(documents, inputs.problems, errors=errors, input_errors=inputs.errors)


def _saved(hashes: Hashes, project: Project) -> list[str]:
    """Save what this run hashed; return the error if that failed (the next run reads again)."""
    try:
        save_hashes(hashes, project.hashes_file)
    except OutputError as e:
        return [f"{e} (the next run reads every input again)"]
    return []


@contextlib.contextmanager
def _locked(project: Project, timeout: float, stop: Stop) -> Iterator[None]:
    """Hold reports/.briefgen/lock: one build at a time; the kernel frees it if we are killed.

    An flock(2) on the file, as the filelock package takes it on Unix (the file stays, so that
    waiters share one inode), without its import: a no-change run is short.
    """
    try:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(project.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:  # reports/ is a file, read-only, full...
        raise OutputError(f"cannot use {project.state_dir}: {e.strerror or e}") from e
    try:
        _acquire(fd, project, timeout, stop)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, project: Project, timeout: float, stop: Stop) -> None:
    """Take the lock, waiting up to `timeout` seconds, in short steps so a stop request is heard."""
    deadline = time.monotonic() + timeout
    for attempt in itertools.count():
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
        except OSError as e:
            raise OutputError(f"cannot use {project.state_dir}: {e.strerror or e}") from e
        if left <= 0:
            raise LockTimeout(
                f"another build holds {project.lock_file} and did not finish within "
                f"{timeout:g} s; try again later or pass a longer --lock-timeout"
            )
        if attempt == 0:
            log.info("another build is running; waiting up to %g s for it", timeout)
        if stop.wait(min(left, 0.1)):
            raise Interrupted(f"interrupted by {stop.name} while waiting for the lock")


def _remove_debris(project: Project) -> None:
    """Delete temporary files a killed run left behind; safe because we hold the lock."""
    for folder in (project.reports_dir, project.state_dir, project.state_dir / "snapshots"):
        for temp in folder.glob(".*.tmp") if folder.is_dir() else []:
            with contextlib.suppress(OSError):  # not ours to judge (a folder); it is only clutter
                temp.unlink(missing_ok=True)
