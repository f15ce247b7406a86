"""Command line: parse flags, set up logging, run the pipeline, map errors to exit codes.

This is the only module that prints or exits.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import commands
from .errors import BriefgenError, InputError, Interrupted, LockTimeout, UsageError
from .flags import parser
from .project import BuildOptions, Project
from .results import EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK
from .stopping import Stop

log = logging.getLogger("briefgen")


def _default_date() -> dt.date:
    """Return the build date when --date is not given: $SOURCE_DATE_EPOCH, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    except (ValueError, OverflowError, OSError) as e:
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a usable Unix timestamp") from e


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = {"WARNING": "warning: ", "ERROR": "error: "}.get(record.levelname, "")
        return prefix + text


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


def main(argv: Sequence[str] | None = None, project_root: Path | None = None) -> int:
    """Run the command line and return its exit code."""
    args = parser().parse_args(argv)
    _setup_logging(args.quiet, args.verbose)
    try:
        return _run(args, args.project or project_root or Path.cwd())
    except UsageError as e:
        log.error("%s", e)
        return EXIT_INPUT
    except InputError as e:
        commands.report_problems(e.problems)
        return EXIT_INPUT
    except LockTimeout as e:
        log.error("%s", e)
        return EXIT_LOCKED
    except Interrupted as e:
        log.error("%s", e)
        return EXIT_INTERRUPTED
    except BriefgenError as e:
        log.error("%s", e)
        return EXIT_FAILED
    except BrokenPipeError:  # `generate.py templates | head`: the reader left; nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        log.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as e:  # the one catch-all: a clear line, a traceback only with --debug
        log.error("%s: %s", type(e).__name__, e, exc_info=args.debug)
        if not args.debug:
            log.error("this is a bug in briefgen; rerun with --debug for the traceback")
        return EXIT_FAILED


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once the exit functions have run (the fork server stopped,
    the logs flushed), without the interpreter's teardown: freeing every module and object of a
    run costs 0.05 s, and nothing of it is written anywhere. For generate.py, not in-process use.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken pipe: nothing more to say
            stream.flush()
    os._exit(code)


def _run(args: argparse.Namespace, root: Path) -> int:
    command = args.check_flag or args.command
    if command == "schema":
        return commands.schema(root, args.name, args.write)
    if args.name and command != "new":
        raise UsageError(f"unexpected argument {args.name!r}")
    if not (root / "data/reports.yaml").is_file():
        raise UsageError(
            f"{root} is not a briefgen project: it has no data/reports.yaml "
            "(run from the project folder, or pass --project DIR)"
        )
    if command == "new":
        return commands.new(root, args.name, args.date or _default_date())
    project = Project(root.resolve(), tuple(_folders(args.template_dirs)))
    if command == "templates":
        return commands.templates(project, args.eject)
    if command == "list":
        return commands.list_variants(project, tuple(args.only))

    def options() -> BuildOptions:  # called per run, so a long-running scheduler follows the days
        return BuildOptions(
            args.date or _default_date(),
            tuple(args.only),
            args.html,
            args.force,
            args.jobs,
            args.time_limit,
            args.memory_limit,
            args.pdf_variant,
        )

    if command == "check":
        return commands.check(project, options(), args.strict)
    from .stopping import stop_on_signals

    listener = None
    if command == "serve":
        from .serve import listen

        listener = listen(args.host, args.port)  # a port in use: say so before starting anything
        # Its log and its pages name files as data/x.yaml, as a build run from the project does.
        os.chdir(project.root)  # before the fork server starts: workers inherit it
    if command in ("watch", "schedule", "serve"):
        from .workers import start_server

        # Before the signal handlers: starting the server ignores Ctrl-C for a moment, and a
        # Ctrl-C then, taken by another thread of this process, would be lost (see workers.py).
        start_server()
    with stop_on_signals() as stop:  # SIGTERM and Ctrl-C stop a run promptly, losing nothing
        if listener is not None:
            return _serve(project, options, args, listener, stop)
        if command in ("watch", "schedule"):
            return _loop(command, project, options, args, stop)
        build_options = options()
        return commands.build(
            project, build_options, args.strict, args.lock_timeout, args.json, stop
        )


def _loop(
    command: str,
    project: Project,
    options: commands.OptionsFactory,
    args: argparse.Namespace,
    stop: Stop,
) -> int:
    from . import watch

    if command == "schedule" and not (args.cron or args.every):
        raise UsageError("schedule needs --cron EXPRESSION (or --every DURATION)")

    def once(first: Sequence[str] = ()) -> tuple[int, str]:
        return commands.build_and_survive(
            project, options, args.strict, args.lock_timeout, stop, first
        )

    if command == "watch":
        return watch.watch(project, once, stop)
    return watch.schedule(once, watch.make_timer(args.cron, args.every), stop)


def _serve(
    project: Project,
    options: commands.OptionsFactory,
    args: argparse.Namespace,
    listener: socket.socket,
    stop: Stop,
) -> int:
    from dataclasses import replace

    from .serve import serve

    def build(names: tuple[str, ...]) -> commands.Attempt:
        def make() -> BuildOptions:  # with the HTML for the page's second pane, as --html does
            return replace(options(), html=True, only=names or tuple(args.only))

        return commands.attempt(project, make, args.strict, args.lock_timeout, stop)

    return serve(project, args.only, build, listener, args.host, stop)


def _folders(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        raise UsageError(f"--templates: no such folder: {', '.join(missing)}")
    return [p.resolve() for p in paths]
