"""The serve command: a local preview of every variant, rebuilt as you save.

Three threads. The main one only waits for a stop (SIGTERM, Ctrl-C: the command line's handlers
record it) and then ends the others. One runs the web server (uvicorn, with an event loop of its
own; see preview.py). One builds, then rebuilds after each burst of saves, in this warm process
under the project lock and the build's limits, like `watch`; a variant that a page is looking at
is rebuilt first. A thread that ends for any reason asks the others to stop too.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .board import Board
from .errors import BriefgenError, Interrupted, UsageError
from .project import Project
from .stopping import Stop
from .watch import follow_saves, interrupted

if TYPE_CHECKING:
    from .commands import Attempt

log = logging.getLogger("briefgen")
Build = Callable[[tuple[str, ...]], "Attempt"]  # build these variants (none: every one selected)
# A save is built once the files have been quiet this long; a stream of saves waits at most GROUP.
QUIET_MS, GROUP_MS = 80, 1600
GRACE_SECONDS = 1  # how long the web server lets a response finish once stopping
JOIN_SECONDS = 10.0  # what a thread may take to end after a stop, beyond which it is left


def serve(
    project: Project,
    only: Sequence[str],
    build: Build,
    listener: socket.socket,
    host: str,
    stop: Stop,
) -> int:
    """Serve the preview on `listener` (see listen), rebuilding on saves, until stopped; return 0.

    `host` is the address asked for: the Host headers answered follow from it.
    """
    board = Board()
    show_variants(project, board, only)
    server = _web_server(project, board, host)
    web = _Thread("preview-web", lambda: server.run(sockets=[listener]), stop)
    builder = _Thread("preview-build", lambda: _rebuild(project, board, build, only, stop), stop)
    web.start()
    address = listener.getsockname()
    shown = f"[{address[0]}]" if ":" in address[0] else address[0]
    log.info("serving http://%s:%d/ (Ctrl-C stops)", shown, address[1])
    if not _is_local(host):
        log.warning(
            "--host %s: the preview is reachable from the network, by anyone who can reach this "
            "machine; it has no login",
            host,
        )
    builder.start()
    try:
        while not stop.wait(3600):
            pass
    finally:
        board.close()  # every page's stream ends, so the server need not wait for browsers
        server.should_exit = True
        _join(web, lambda: setattr(server, "force_exit", True))
        _join(builder, lambda: None)
        listener.close()
    log.info("serve stopped (%s)", stop.name)
    for thread in (web, builder):
        if thread.error is not None:
            raise thread.error
    return 0


def listen(host: str, port: int) -> socket.socket:
    """Return a socket listening on host:port; a port in use is a usage error, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once
        listener.bind((host.strip("[]"), port))
        listener.listen(128)
    except OSError as e:
        listener.close()
        hint = "; another program uses it: pass --port N" if e.errno == errno.EADDRINUSE else ""
        raise UsageError(f"cannot serve on {host} port {port}: {e.strerror or e}{hint}") from e
    return listener


def show_variants(project: Project, board: Board, only: Sequence[str]) -> None:
    """Show the variants the definitions now give; if they cannot be read, keep those shown."""
    from .variants import load_variants, select

    try:
        _, variants, _ = load_variants(project)
        board.set_variants(project, select(variants, tuple(only)))
    except BriefgenError:  # the build reports the problem, located; the pages show it
        pass


def hosts_for(host: str) -> tuple[str, ...]:
    """Return the Host headers to answer: this machine's names, and the address served on.

    Refusing other names stops a web page elsewhere from reaching the preview through a name
    that it points at this machine (DNS rebinding). Serving on every address, any name goes.
    """
    if host in ("", "0.0.0.0", "::"):
        return ("*",)
    from .preview import LOCAL_HOSTS

    return (*LOCAL_HOSTS, host.strip("[]"))


def _rebuild(project: Project, board: Board, build: Build, only: Sequence[str], stop: Stop) -> None:
    try:
        follow_saves(
            project, lambda _saved: _round(project, board, build, only), stop, QUIET_MS, GROUP_MS
        )
    except Interrupted as e:
        interrupted(e)


def _round(project: Project, board: Board, build: Build, only: Sequence[str]) -> None:
    """Build what a page is looking at, then the rest; show each outcome as soon as it is known."""
    show_variants(project, board, only)
    first = board.watched()
    if first:
        log.info("building first what the preview shows: %s", ", ".join(first))
        board.mark_busy(first)
        done = build(tuple(first))
        board.record(done)
        if done.result is None:  # bad definitions, or the lock: the rest would fail the same way
            return
    board.mark_busy([view.name for view in board.all_views()])
    board.record(build(()))


def _web_server(project: Project, board: Board, host: str) -> Any:
    import uvicorn

    from .preview import make_app

    config = uvicorn.Config(
        make_app(project, board, hosts_for(host)),
        log_config=None,  # our logger says what happens; uvicorn's only its warnings
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )
    return uvicorn.Server(config)


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Thread(threading.Thread):
    """A thread that asks every other to stop when it ends, and keeps its error for the caller."""

    def __init__(self, name: str, work: Callable[[], object], stop: Stop) -> None:
        super().__init__(name=name, daemon=True)  # one that never ends must not keep us alive
        self.work, self.stop = work, stop
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except SystemExit as e:  # uvicorn exits when it cannot start; the exit code is ours
            self.error = BriefgenError(f"the preview's web server stopped (exit status {e.code})")
        except BaseException as e:  # not handled here: the main thread re-raises it, after the stop
            self.error = e
        finally:
            self.stop.request()


def _join(thread: _Thread, hurry: Callable[[], None]) -> None:
    thread.join(GRACE_SECONDS + 1)
    if thread.is_alive():
        hurry()
        thread.join(JOIN_SECONDS)
