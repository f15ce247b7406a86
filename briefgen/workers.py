"""Render several documents at once: a pool of processes, one per core.

Documents are independent jobs, so a pool is all it takes. WeasyPrint (the slow import) is loaded
once in the parent before the pool forks, so every worker starts warm.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    failed: Callable[[Job, str], Result],
    done: Callable[[Result], None],
) -> None:
    """Call done(work(job)) for every job, in order, using up to `workers` processes.

    A job whose worker raises or dies gets failed(job, message) instead: one document never
    stops the others.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            done(_guarded(work, job, failed))
        return
    import weasyprint  # noqa: F401  # loaded before forking, so workers do not each import it

    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=_context()) as pool:
        futures = [pool.submit(work, job) for job in jobs]
        for future, job in zip(futures, jobs, strict=True):
            done(_outcome(future, job, failed))


def _context() -> Any:
    # fork shares the warm interpreter; elsewhere (macOS, Windows) spawn is the safe default.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _guarded(
    work: Callable[[Job], Result], job: Job, failed: Callable[[Job, str], Result]
) -> Result:
    try:
        return work(job)
    except Exception as e:  # a bug in one document's build must not stop the others
        return failed(job, f"{type(e).__name__}: {e}")


def _outcome(future: Future[Result], job: Job, failed: Callable[[Job, str], Result]) -> Result:
    try:
        return future.result()
    except BrokenProcessPool:
        return failed(job, "the worker process died (out of memory, or killed)")
    except Exception as e:  # same as _guarded, across the process boundary
        return failed(job, f"{type(e).__name__}: {e}")
