"""Command line: parse flags, set up logging, run the pipeline, map errors to exit codes.

This is the only module that prints or exits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import BriefgenError, InputError, Problem, UsageError, display_path

if TYPE_CHECKING:
    from .build import DocumentResult, Inputs
    from .config import Project

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_SETUP, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
log = logging.getLogger("briefgen")

EPILOG = """\
commands:
  build           build every document (the default)
  check           validate data and report definitions only; write nothing
  schema [NAME]   print the JSON Schema of a data file (NAME: reports, sources,
                  visits, ...); with --write, refresh every file in schemas/
  templates       list every template and the folder it is read from; with
                  --eject NAME, copy a default template into your folder to edit

exit codes:
  0    every document was built (or the check passed)
  1    a document failed to build, or --strict and there were warnings
  2    usage, data or configuration error: nothing was built
  3    set-up failed (generate.py could not prepare its environment)
  130  interrupted
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=None,  # generate.py or briefgen, whichever the user ran
        description="Build PDF briefing documents from the YAML data in data/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command", nargs="?", default="build", choices=["build", "check", "schema", "templates"]
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="schema name (schema command only)")
    parser.add_argument(
        "--check",
        action="store_const",
        const="check",
        dest="check_flag",
        help="same as the check command: validate only",
    )
    parser.add_argument(
        "--date",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="build date printed in the documents (default: $SOURCE_DATE_EPOCH "
        "or today); the same inputs and date give byte-identical PDFs",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this document (repeatable)",
    )
    parser.add_argument(
        "--html", action="store_true", help="also write the intermediate HTML beside each PDF"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 at the end if there was any warning"
    )
    parser.add_argument("--write", action="store_true", help="schema: rewrite schemas/*.json")
    parser.add_argument(
        "--templates",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        dest="template_dirs",
        help="a folder of templates searched before those in data/reports.yaml and the default "
        "theme (repeatable; the first given is searched first, and --eject copies into it)",
    )
    parser.add_argument(
        "--eject",
        metavar="NAME",
        help="templates: copy this default template "
        "(e.g. sections/visits.html) into your first template folder",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="project folder holding data/, templates/ and reports/",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    return parser


def _iso_date(text: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from e


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


def _setup_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def main(argv: Sequence[str] | None = None, project_root: Path | None = None) -> int:
    """Run the command line and return its exit code."""
    args = _parser().parse_args(argv)
    _setup_logging(args.quiet)
    try:
        return _run(args, args.project or project_root or Path.cwd())
    except UsageError as e:
        log.error("%s", e)
        return EXIT_INPUT
    except InputError as e:
        for problem in e.problems:
            log.error("%s", problem)
        log.error("%d problem(s) found; nothing was built", len(e.problems))
        return EXIT_INPUT
    except BriefgenError as e:
        log.error("%s", e)
        return EXIT_FAILED
    except KeyboardInterrupt:
        log.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as e:  # the one catch-all: a clear line, a traceback only with --debug
        log.error("%s: %s", type(e).__name__, e, exc_info=args.debug)
        if not args.debug:
            log.error("this is a bug in briefgen; rerun with --debug for the traceback")
        return EXIT_FAILED


def _run(args: argparse.Namespace, root: Path) -> int:
    command = args.check_flag or args.command
    if command == "schema":
        return _schema(args, root)
    if args.name:
        raise UsageError(f"unexpected argument {args.name!r}")
    from .build import BuildOptions, build, check, check_templates
    from .config import Project

    project = Project(root.resolve(), tuple(_folders(args.template_dirs)))
    if command == "templates":
        return _templates(project, args.eject)
    options = BuildOptions(args.date or _default_date(), tuple(args.only), args.html)
    inputs = check(project, options)
    warnings = _report_problems(inputs.problems)
    if command == "check":
        return _report_check(check_templates(project, inputs), inputs, warnings, args.strict)
    acknowledged = len(inputs.problems) - warnings
    return _report_build(build(project, options, inputs), warnings, acknowledged, args)


def _folders(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        raise UsageError(f"--templates: no such folder: {', '.join(missing)}")
    return [p.resolve() for p in paths]


def _templates(project: Project, name: str | None) -> int:
    from .config import load_reports, search_path
    from .themes import eject, list_templates

    folders = search_path(project, load_reports(project))
    if name:
        if len(folders) < 2:
            raise UsageError(
                "no template folder of your own to eject into: pass --templates DIR "
                "or list one under templates: in data/reports.yaml"
            )
        log.info("ejected %s", display_path(eject(name, folders[-1], folders[0])))
        return EXIT_OK
    for item in list_templates(folders):
        hides = (
            f"  (overrides {', '.join(display_path(f) for f in item.hidden)})"
            if item.hidden
            else ""
        )
        sys.stdout.write(f"{item.name:<44} {display_path(item.folder)}{hides}\n")
    return EXIT_OK


def _report_check(template_errors: list[str], inputs: Inputs, warnings: int, strict: bool) -> int:
    for message in template_errors:
        log.error("%s", message)
    if template_errors:
        return EXIT_FAILED
    acknowledged = len(inputs.problems) - warnings
    log.info(
        "check passed: %d document(s), %d data set(s), %d warning(s), %d acknowledged",
        len(inputs.documents),
        len(inputs.datasets),
        warnings,
        acknowledged,
    )
    return _strict_result(strict, warnings)


def _strict_result(strict: bool, warnings: int) -> int:
    if strict and warnings:
        log.error("--strict: %d warning(s) count as failure", warnings)
        return EXIT_FAILED
    return EXIT_OK


def _report_problems(problems: Sequence[Problem]) -> int:
    """Log data warnings; return how many count against --strict."""
    counted = 0
    for problem in problems:
        log.warning("%s", problem)
        counted += not problem.acknowledged
    return counted


def _report_build(
    results: list[DocumentResult], warnings: int, acknowledged: int, args: argparse.Namespace
) -> int:
    failed = 0
    for result in results:
        for message in result.warnings:
            log.warning("%s: %s", result.name, message)
        warnings += len(result.warnings)
        if result.status == "failed":
            failed += 1
            log.error("%s: %s", result.name, result.error)
        else:
            log.info(
                "built %s (%d page%s, %d KB, %.1f s)",
                display_path(result.output),
                result.pages,
                "" if result.pages == 1 else "s",
                round(result.size / 1024),
                result.seconds,
            )
    built = len(results) - failed
    log.info(
        "%d built, %d failed, %d warning(s)%s",
        built,
        failed,
        warnings,
        f", {acknowledged} acknowledged" if acknowledged else "",
    )
    if failed:
        return EXIT_FAILED
    return _strict_result(args.strict, warnings)


def _schema(args: argparse.Namespace, root: Path) -> int:
    from .output import write_atomic
    from .schema import json_schemas, schema_path, schema_text, with_context_reference

    schemas = json_schemas()
    if args.write:
        for name, schema in schemas.items():
            write_atomic(schema_path(root / "schemas", name), schema_text(schema).encode())
        docs = root / "docs/templates.md"
        if docs.is_file():
            write_atomic(docs, with_context_reference(docs.read_text("utf-8")).encode())
        log.info(
            "wrote %d schemas to %s and the context reference in %s",
            len(schemas),
            display_path(root / "schemas"),
            display_path(docs),
        )
        return EXIT_OK
    name = args.name or "reports"
    if name not in schemas:
        raise UsageError(f"unknown schema {name!r}; choose from {', '.join(schemas)}")
    sys.stdout.write(schema_text(schemas[name]))
    return EXIT_OK
