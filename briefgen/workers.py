"""Render documents in worker processes, several at once, each with a time and a memory limit.

Documents are independent jobs. Each runs in a process of its own, forked from a fork server that
has WeasyPrint loaded and warmed (warm.py), so every worker starts warm, and forks come from a
process with one thread: forking the command line itself, which may have other threads (a test
harness, a library's helper), could copy a lock some thread held into the worker, which then hangs.
The server starts, and imports WeasyPrint, while the command line validates the data.

A runaway document (an endless template loop, a huge image) is stopped at its limit and fails
alone; the others are built. A stop request (SIGTERM, Ctrl-C) stops every worker at once.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import gc
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from .stopping import NEVER, Stop

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


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["briefgen.warm"])
    return context


def start_server() -> None:
    """Start the fork server now, so that it loads WeasyPrint while this process does other work.

    It is stopped, and waited for, when this process exits: a watcher or scheduler keeps it warm
    between runs, and no process outlives the command.
    """
    _context()
    from multiprocessing import forkserver

    _stop_server_at_exit()

    # Ctrl-C reaches the whole process group. The server and its resource tracker ignore SIGINT
    # once running, but not while Python starts in them: a Ctrl-C then would kill the server and
    # fail the run. An ignored signal stays ignored across exec, so they start with SIGINT ignored;
    # it is blocked here meanwhile (Linux keeps a blocked signal pending even while ignored), so
    # a Ctrl-C that comes meanwhile reaches this process once its handler is back.
    # SIGINT is process-wide: while it is ignored here, a Ctrl-C that the kernel hands to another
    # thread is lost. So it is done only when the server really starts (once per process), and
    # watch and schedule start it before they install their handlers.
    if _server_alive():
        return
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, handler)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _server_alive() -> bool:
    """True when the fork server is running (checked without reaping it: ensure_running does)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return False
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


@functools.cache
def _stop_server_at_exit() -> None:
    atexit.register(_stop_server)


def _stop_server() -> None:
    """Kill the fork server (it holds no state) and reap it, so its workers' use is counted."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return
    # Not interruptible: a signal now would only print noise from inside an atexit function.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    failed: Callable[[Job, str], Result],
    done: Callable[[Result], None],
    limits: Limits,
    stop: Stop = NEVER,
) -> None:
    """Call done(work(job)) for every job as it finishes, starting them in order, using up to
    `workers` processes.

    A job that raises, dies, or goes over its limits gets failed(job, message) instead. A stop
    request kills the running workers and raises Interrupted; jobs already done were reported.
    """
    if jobs:
        _Pool(work, failed, done, max(1, workers), limits, stop).run(jobs)


class _Pool(Generic[Job, Result]):
    def __init__(
        self,
        work: Callable[[Job], Result],
        failed: Callable[[Job, str], Result],
        done: Callable[[Result], None],
        workers: int,
        limits: Limits,
        stop: Stop,
    ) -> None:
        self.work, self.failed, self.done = work, failed, done
        self.workers, self.limits, self.stop = workers, limits, stop
        self.context = _context()

    def run(self, jobs: Sequence[Job]) -> None:
        waiting = list(enumerate(jobs))
        running: list[_Running[Job]] = []
        try:
            while waiting or running:
                self.stop.check()
                while waiting and len(running) < self.workers:
                    self._start(*waiting.pop(0), running)
                if running:
                    self._wait(running)
        finally:  # interrupted, or a bug: no worker outlives the run
            for item in running:
                _end(item, kill=True)

    def _wait(self, running: list[_Running[Job]]) -> None:
        soonest = min(r.deadline for r in running)
        wanted: list[Any] = [r.connection for r in running] + [self.stop]
        ready = wait(wanted, timeout=min(max(0.0, soonest - time.monotonic()), 3600.0))
        stopping = self.stop.requested()
        for item in list(running):
            if item.connection in ready or (time.monotonic() >= item.deadline and not stopping):
                running.remove(item)
                self.done(self._finish(item, item.connection in ready))
        self.stop.check()

    def _start(self, index: int, job: Job, running: list[_Running[Job]]) -> None:
        """Start a worker for `job`; if none can be started, the job fails with the reason."""
        for attempt in (1, 2):
            receiver, sender = self.context.Pipe(duplex=False)
            process = self.context.Process(
                target=_child, args=(self.work, job, sender, self.limits.megabytes), daemon=True
            )
            try:
                process.start()
            except (OSError, EOFError) as e:  # the fork server died: start another, once
                receiver.close()
                if attempt == 2:
                    self.done(self.failed(job, f"could not start a worker: {e}"))
                    return
                start_server()
                continue
            finally:
                sender.close()
            deadline = time.monotonic() + self.limits.seconds
            running.append(_Running(index, job, process, receiver, deadline))
            return

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
        _end(item, kill=not ready)
        return self.failed(item.job, message) if message else result


def _end(item: _Running[Any], kill: bool) -> None:
    """Reap a worker. One that has answered is exiting: it is only killed if it lingers, as a pid
    the fork server has already reaped could by then belong to another process."""
    if not kill:
        item.process.join(30)
    if item.process.exitcode is None:
        item.process.kill()
        item.process.join()
    item.connection.close()


def _child(work: Callable[[Any], Any], job: Any, sender: Connection, megabytes: int) -> None:
    """Run one job in a worker: limit its memory, send back the result or the error."""
    # Ctrl-C reaches the whole terminal's process group: the parent decides, and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _release_server()
    _die_with_parent()
    _limit_memory(megabytes)
    # A layout makes millions of short-lived objects: collecting the young ones every 10,000
    # allocations rather than every 700 takes 0.02 s off a document and keeps memory in bounds.
    gc.set_threshold(10_000, 20, 20)
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


def _release_server() -> None:
    """Close this worker's copy of the fork server's "alive" pipe (multiprocessing hands every
    child one). The server exits when the command's end closes the last copy; were workers to keep
    theirs, a killed command would leave the server, and so its workers, running for ever."""
    from multiprocessing import forkserver

    server: Any = forkserver._forkserver
    with contextlib.suppress(OSError, TypeError):
        os.close(server._forkserver_alive_fd)
    server._forkserver_alive_fd = None


def _die_with_parent() -> None:
    # If the run is killed (kill -9), the fork server sees its end and exits; its workers must not
    # go on writing files unsupervised.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    from .warm import SERVER_PID

    if os.getppid() != SERVER_PID:  # the server was gone before the line above took effect
        sys.exit(1)


def _limit_memory(megabytes: int) -> None:
    # Address space now (the warm interpreter, WeasyPrint included) plus the allowance.
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    current = pages * resource.getpagesize()
    limit = current + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
