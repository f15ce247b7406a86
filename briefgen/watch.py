"""Unattended rebuilding: a watcher that rebuilds after saves, and an in-process scheduler.

Both run `once` (a build that reports its own problems) in this warm process and log each run.
SIGTERM or Ctrl-C (the `stop` the command line installs) ends them within moments, in the middle
of a run too: the run's workers are stopped and build.json says it was interrupted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import Interrupted, UsageError, display_path
from .project import Project
from .stopping import Stop

log = logging.getLogger("briefgen")
Timer = Callable[[dt.datetime], dt.datetime]
Once = Callable[[], tuple[int, str]]  # one build: its exit code and what it did, in a few words
Rebuild = Callable[[Sequence[str]], tuple[int, str]]  # one build, rendering these variants first
# Group a burst of saves: an editor finishes a save in milliseconds, so rebuild 50 ms after the
# last change (a burst that goes on is cut at a second and a half).
STEP_MS, DEBOUNCE_MS = 50, 1500


def watched_folders(project: Project) -> list[Path]:
    """Return the input folders to watch: data, every template folder, extra stylesheets' folders.

    Never reports/: writing output must not trigger another build.
    """
    folders = {project.data_dir, project.templates_dir, *project.user_templates}
    with contextlib.suppress(Exception):  # a broken reports.yaml is reported by the build itself
        from .config import search_path
        from .definitions import load_reports

        reports = load_reports(project)
        folders.update(search_path(project, reports))
        documents = [reports.inherited(d) for d in reports.documents]
        assets = [(*d.extra_css, *([d.logo] if d.logo else [])) for d in documents]
        folders.update((project.root / path).parent for paths in assets for path in paths)
    return sorted(f for f in folders if f.is_dir() and not f.is_relative_to(project.reports_dir))


def watch(project: Project, once: Rebuild, stop: Stop) -> int:
    """Build, then rebuild what changed after each burst of saves, until stopped; the variants
    that used the files just saved (what the user is working on) are rendered first."""
    from .incremental import saved_for

    recent: list[str] = []

    def rebuild(saved: list[Path]) -> None:
        nonlocal recent
        recent = saved_for(project, saved, recent) if saved else recent
        once(recent)

    log.info("watch started")
    try:
        follow_saves(project, rebuild, stop)
    except Interrupted as e:
        interrupted(e)
    log.info("watch stopped (%s)", stop.name)
    return 0


def follow_saves(
    project: Project,
    once: Callable[[list[Path]], object],
    stop: Stop,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
) -> None:
    """Run `once([])`, then `once(saved files)` after each burst of saves (quiet for
    `step_ms`), until stopped."""
    from watchfiles import watch as changes

    once([])
    while not stop.requested():
        folders, ready = watched_folders(project), False
        for batch in changes(
            *folders,
            step=step_ms,
            debounce=debounce_ms,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=2 * step_ms,
            yield_on_timeout=True,  # the first (empty) batch says the watches are in place
        ):
            if not ready:  # say so only now: a save before this point would go unseen
                log.info("watching %s (Ctrl-C stops)", ", ".join(display_path(f) for f in folders))
                ready = True
            if not batch:
                continue
            names = sorted({display_path(Path(p)) for _, p in batch})
            log.info("changed: %s", ", ".join(names))
            once(sorted({Path(p) for _, p in batch}))
            if watched_folders(project) != folders:  # e.g. a new extra_css folder: re-watch
                break


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
    once: Once,
    next_run: Timer,
    stop: Stop,
    now: Callable[[], dt.datetime] = dt.datetime.now,
) -> int:
    """Run `once` at every time `next_run` gives, until SIGTERM or Ctrl-C."""
    log.info("scheduler started")
    try:
        while not stop.requested():
            when = next_run(now())
            log.info("next run at %s", when.isoformat(sep=" ", timespec="seconds"))
            if stop.wait(max(0.0, (when - now()).total_seconds())):
                break
            log.info("scheduled run started at %s", now().isoformat(sep=" ", timespec="seconds"))
            code, outcome = once()  # exit code 2 may still have built every other document
            log.info("scheduled run finished: exit code %d (%s)", code, outcome)
    except Interrupted as e:
        interrupted(e)
    log.info("scheduler stopped (%s)", stop.name)
    return 0


def interrupted(error: Interrupted) -> None:
    """Log that a stop request ended the run in progress."""
    log.info(
        "%s: the run in progress was stopped (build.json says so); what it finished is kept", error
    )
