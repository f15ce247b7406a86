"""Render documents in worker processes, several at once, each with a time and a memory limit.

Documents are independent jobs. Each runs in a process of its own, forked after WeasyPrint is
loaded, so every worker starts warm. A runaway document (an endless template loop, a huge image)
is stopped at its limit and fails alone; the others are built.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import resource
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Limits:
    """What one document may use: wall-clock seconds, and memory beyond the warm interpreter."""

    seconds: float = 300.0
    megabytes: int = 2048


@dataclass
class _Running(Generic[Job]):
    index: int
    job: Job
    process: Any
    connection: Connection
    deadline: float


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    failed: Callable[[Job, str], Result],
    done: Callable[[Result], None],
    limits: Limits | None = None,
) -> None:
    """Call done(work(job)) for every job, in order, using up to `workers` processes.

    Without limits (the watcher's warm, interactive process), jobs run in this process.
    A job that raises, dies, or goes over its limits gets failed(job, message) instead.
    """
    if limits is None:
        for job in jobs:
            done(_guarded(work, job, failed))
        return
    import weasyprint  # loaded before forking, so workers do not each import it

    # One tiny layout warms Pango and fontconfig here, once, instead of in every worker.
    weasyprint.HTML(string="<p>warm</p>").render()
    _Pool(work, failed, done, max(1, workers), limits).run(jobs)


class _Pool(Generic[Job, Result]):
    def __init__(
        self,
        work: Callable[[Job], Result],
        failed: Callable[[Job, str], Result],
        done: Callable[[Result], None],
        workers: int,
        limits: Limits,
    ) -> None:
        self.work, self.failed, self.done = work, failed, done
        self.workers, self.limits = workers, limits
        self.context = multiprocessing.get_context("fork")
        self.finished: dict[int, Result] = {}
        self.reported = 0

    def run(self, jobs: Sequence[Job]) -> None:
        waiting = list(enumerate(jobs))
        running: list[_Running[Job]] = []
        while waiting or running:
            while waiting and len(running) < self.workers:
                running.append(self._start(*waiting.pop(0)))
            soonest = min(r.deadline for r in running)
            ready = wait(
                [r.connection for r in running], timeout=max(0.0, soonest - time.monotonic())
            )
            for item in list(running):
                if item.connection in ready or time.monotonic() >= item.deadline:
                    self.finished[item.index] = self._finish(item, item.connection in ready)
                    running.remove(item)
            self._report_in_order()

    def _start(self, index: int, job: Job) -> _Running[Job]:
        receiver, sender = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_child, args=(self.work, job, sender, self.limits.megabytes), daemon=True
        )
        process.start()
        sender.close()
        return _Running(index, job, process, receiver, time.monotonic() + self.limits.seconds)

    def _finish(self, item: _Running[Job], ready: bool) -> Result:
        message = None
        if ready:
            try:
                kind, value = item.connection.recv()
            except EOFError:  # the worker died without a word: killed, or out of memory
                kind, value = "error", None
            if kind == "ok":
                message, result = None, value
            else:
                message = value or "the worker process died (out of memory, or killed)"
        else:
            message = f"took longer than the time limit of {self.limits.seconds:g} s; stopped"
        item.process.kill()
        item.process.join()
        item.connection.close()
        return self.failed(item.job, message) if message else result

    def _report_in_order(self) -> None:
        while self.reported in self.finished:
            self.done(self.finished.pop(self.reported))
            self.reported += 1


def _child(work: Callable[[Any], Any], job: Any, sender: Connection, megabytes: int) -> None:
    """Run one job in a worker: limit its memory, send back the result or the error."""
    _die_with_parent()
    _limit_memory(megabytes)
    sys.unraisablehook = _drop_memory_errors
    try:
        sender.send(("ok", work(job)))
    except MemoryError:
        sender.send(("error", f"ran out of memory (limit: {megabytes} MB beyond the interpreter)"))
    except Exception as e:  # a bug in one document's build must not stop the others
        sender.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        sender.close()


def _drop_memory_errors(unraisable: sys.UnraisableHookArgs) -> None:
    # Out of memory, finalisers fail too, each printing "Exception ignored in ..."; the job
    # reports running out of memory once. Anything else is printed as usual.
    if not isinstance(unraisable.exc_value, MemoryError):
        sys.__unraisablehook__(unraisable)


def _die_with_parent() -> None:
    # If the run is killed (kill -9), its workers must not go on writing files unsupervised.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit_memory(megabytes: int) -> None:
    # Address space now (the warm interpreter, WeasyPrint included) plus the allowance.
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    current = pages * resource.getpagesize()
    limit = current + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _guarded(
    work: Callable[[Job], Result], job: Job, failed: Callable[[Job, str], Result]
) -> Result:
    try:
        return work(job)
    except Exception as e:  # a bug in one document's build must not stop the others
        return failed(job, f"{type(e).__name__}: {e}")
