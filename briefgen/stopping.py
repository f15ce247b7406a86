"""Stop requests: SIGTERM and SIGINT only record that a stop was asked for; the code that waits acts.

A signal handler that logs, takes a lock or does I/O can deadlock or raise inside whatever the main
thread was doing (a write to stderr, say), and the stop is lost. So the handler sets a flag, and
Python's wake-up file descriptor (signal.set_wakeup_fd) makes every wait in a run (for the lock,
for a worker, for the next scheduled time) return at once. The waiter then raises Interrupted.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Iterator

from .errors import Interrupted

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stop:
    """Whether a stop was requested, and a file descriptor that is readable once one was."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._asked = False  # by request(), not by a signal
        self._read, self._write = os.pipe()
        for fd in (self._read, self._write):
            os.set_blocking(fd, False)
            os.set_inheritable(fd, False)

    def fileno(self) -> int:
        """Return a descriptor to wait on beside others: readable once a signal has arrived."""
        return self._read

    def wake_fd(self) -> int:
        """Return the descriptor signal.set_wakeup_fd writes to."""
        return self._write

    def record(self, signum: int) -> None:
        """Note that `signum` asked us to stop (all a signal handler does)."""
        self.signal = signum

    def request(self) -> None:
        """Ask for a stop from code, as a signal would (the preview's web server ended, say)."""
        self._asked = True
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write, b"\0")

    def requested(self) -> bool:
        """Return whether a stop was requested; drain the wake-up bytes until one says so.

        Once a stop is known the descriptor stays readable, so that every thread waiting on it
        (a preview's rebuild thread beside its main thread) wakes, whichever of them read it first.
        """
        if self.signal is None and not self._asked:
            with contextlib.suppress(BlockingIOError, OSError):
                # The bytes are signal numbers: they record the stop even if the Python-level
                # handler has not run yet when the wait returns.
                for byte in os.read(self._read, 512):
                    if byte in SIGNALS and self.signal is None:
                        self.signal = byte
                # Put one back: the others waiting must wake too. That includes a request() whose
                # byte this thread read while another one was already in select().
                if self.signal is not None or self._asked:
                    os.write(self._write, bytes([self.signal or 0]))
        return self.signal is not None or self._asked

    def check(self) -> None:
        """Raise Interrupted if a stop was requested."""
        if self.requested():
            raise Interrupted(f"interrupted by {self.name}")

    @property
    def name(self) -> str:
        return signal.Signals(self.signal).name if self.signal else "a stop request"

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, waking as soon as a stop is requested; return whether it was."""
        deadline = time.monotonic() + timeout
        while not self.requested() and (left := deadline - time.monotonic()) > 0:
            select.select([self._read], [], [], left)
        return self.requested()

    def is_set(self) -> bool:
        """The threading.Event spelling of requested(), for watchfiles' stop_event."""
        return self.requested()

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


NEVER = Stop()  # for callers that install no handlers: no signal reaches it


@contextlib.contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """Yield a Stop that SIGTERM and SIGINT set; restore the previous handlers afterwards."""
    stop = Stop()

    def handler(signum: int, frame: object) -> None:
        stop.record(signum)  # nothing else: see the module docstring

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    old_fd = signal.set_wakeup_fd(stop.wake_fd(), warn_on_full_buffer=False)
    try:
        yield stop
    finally:
        signal.set_wakeup_fd(old_fd)
        for sig, old in previous.items():
            signal.signal(sig, old)
        stop.close()
