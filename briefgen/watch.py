"""Unattended rebuilding: a watcher that rebuilds after saves, and an in-process scheduler.

Both run `once` (a build that reports its own problems) in this warm process, log each run, and
stop cleanly on SIGTERM or Ctrl-C after the run in progress.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import UsageError, display_path
from .project import Project

log = logging.getLogger("briefgen")
Timer = Callable[[dt.datetime], dt.datetime]
# Group a burst of saves; rebuild about half a second after the last one, a second and a half at most.
STEP_MS, DEBOUNCE_MS = 500, 1500


class StopFlag:
    """Set from a signal handler, so a plain attribute: threading.Event.set() takes a lock, and a
    handler that runs while the main thread holds that lock (inside Event.wait) deadlocks."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, waking early once set; return whether it is set."""
        deadline = time.monotonic() + timeout
        while not self._set and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
        return self._set


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[StopFlag]:
    """Yield a flag that SIGTERM or SIGINT sets, restoring the previous handlers afterwards."""
    stop = StopFlag()

    def handler(signum: int, frame: object) -> None:
        log.info("%s received: stopping after the current run", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def watched_folders(project: Project) -> list[Path]:
    """Return the input folders to watch: data, every template folder, extra stylesheets' folders.

    Never reports/: writing output must not trigger another build.
    """
    folders = {project.data_dir, project.templates_dir, *project.user_templates}
    with contextlib.suppress(Exception):  # a broken reports.yaml is reported by the build itself
        from .config import load_reports, search_path

        reports = load_reports(project)
        folders.update(search_path(project, reports))
        folders.update(
            (project.root / css).parent for d in reports.documents for css in d.extra_css
        )
    return sorted(f for f in folders if f.is_dir() and not f.is_relative_to(project.reports_dir))


def watch(project: Project, once: Callable[[], int]) -> int:
    """Build, then rebuild what changed after each burst of saves, until stopped."""
    from watchfiles import watch as changes

    once()
    with _stop_on_signals() as stop:
        while not stop.is_set():
            folders = watched_folders(project)
            log.info("watching %s (Ctrl-C stops)", ", ".join(display_path(f) for f in folders))
            for batch in changes(
                *folders, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop, raise_interrupt=False
            ):
                names = sorted({display_path(Path(p)) for _, p in batch})
                log.info("changed: %s", ", ".join(names))
                once()
                if watched_folders(project) != folders:  # e.g. a new extra_css folder: re-watch
                    break
    log.info("watch stopped")
    return 0


def make_timer(cron: str | None, every: str | None) -> Timer:
    """Return a function giving the next run time after a moment, from --cron or --every."""
    if cron and every:
        raise UsageError("give either --cron or --every, not both")
    if every:
        interval = _duration(every)
        return lambda now: now + interval
    from cronsim import CronSim, CronSimError

    try:
        CronSim(cron or "", dt.datetime(2000, 1, 1))
    except CronSimError as e:
        raise UsageError(f"--cron {cron!r}: {e}") from e
    return lambda now: next(CronSim(cron or "", now.replace(microsecond=0)))


def _duration(text: str) -> dt.timedelta:
    match = re.fullmatch(r"(\d+)(s|m|h)", text.strip())
    if not match or int(match[1]) == 0:
        raise UsageError(f"--every {text!r}: expected a duration such as 30s, 15m or 2h")
    unit = {"s": "seconds", "m": "minutes", "h": "hours"}[match[2]]
    return dt.timedelta(**{unit: int(match[1])})


def schedule(
    once: Callable[[], int], next_run: Timer, now: Callable[[], dt.datetime] = dt.datetime.now
) -> int:
    """Run `once` at every time `next_run` gives, until SIGTERM or Ctrl-C."""
    with _stop_on_signals() as stop:
        log.info("scheduler started")
        while not stop.is_set():
            when = next_run(now())
            log.info("next run at %s", when.isoformat(sep=" ", timespec="seconds"))
            if stop.wait(max(0.0, (when - now()).total_seconds())):
                break
            log.info("scheduled run started at %s", now().isoformat(sep=" ", timespec="seconds"))
            log.info("scheduled run finished: exit code %d", once())
    log.info("scheduler stopped")
    return 0
