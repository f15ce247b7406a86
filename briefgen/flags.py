"""The command line's flags: the parser, its help text and the types of its arguments."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
from pathlib import Path

from . import __version__

EPILOG = """\
commands:
  build           build every document (the default)
  check           validate data and report definitions only; write nothing
  list            list every variant (document × language × release level),
                  whether it is draft or final, and its file in reports/
  schema [NAME]   print the JSON Schema of a data file (NAME: reports, sources,
                  visits, ...); with --write, refresh every file in schemas/
  templates       list every template and the folder it is read from; with
                  --eject NAME, copy a default template into your folder to edit
  watch           rebuild what changed 50 ms after the last save,
                  under the same limits as a build; Ctrl-C or SIGTERM stops
  serve           preview in a browser: serve an index of every variant and a
                  page per variant (its PDF and HTML) on http://127.0.0.1:8000/,
                  rebuilding after each save, the variant a page shows first;
                  a save that does not build shows its problems there. Serves
                  reports/ only; Ctrl-C or SIGTERM stops
  schedule        rebuild on a schedule (--cron "0 6 * * 1-5", or --every 15m)
                  until SIGTERM or Ctrl-C
  new NAME        start a data set: write data/NAME/ with placeholder data (a
                  relationship overview, one visit, one ambassador, a source) and
                  add its draft briefing note and fact sheet to data/reports.yaml

Each document is built once per language and release level: a variant is named
DOCUMENT.LANGUAGE[.releasable-LEVEL], e.g. eeu-brief.es.releasable-public, and
written to OUTPUT.LANGUAGE[.releasable-LEVEL][.draft].pdf. --only takes a
document name (all its variants), a variant name, or a pattern: --only '*.ru'.

Builds are incremental: a document whose inputs (its data, the templates,
stylesheets and fonts it used, its definition, the build date, the briefgen and
WeasyPrint versions) did not change is reported "up to date" and not rebuilt;
one whose HTML comes out the same keeps its PDF; --force rebuilds. Every run
writes reports/build.json; --json also prints it.

exit codes:
  0    every document was built or up to date (or the check passed)
  1    a document failed to build, or --strict and there were warnings, or the
       build state or reports/build.json could not be written
  2    usage, data or configuration error. Bad data fails only the documents
       (or, for a missing translation, the languages) that need it; the others
       are built. Bad usage (for serve, also a port in use) or report
       definitions: nothing was built
  3    set-up failed (generate.py could not prepare its environment)
  4    another build held the lock for longer than --lock-timeout
  130  interrupted by SIGTERM or Ctrl-C: workers stopped, finished PDFs kept,
       reports/build.json says so (watch, schedule and serve then exit 0)
"""


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=None,  # generate.py or briefgen, whichever the user ran
        description="Build PDF briefing documents from the YAML data in data/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="build",
        choices=[
            "build",
            "check",
            "list",
            "schema",
            "templates",
            "watch",
            "serve",
            "schedule",
            "new",
        ],
    )
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="schema name (schema), data set name (new)"
    )
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
        help="build only this document, variant or pattern, e.g. fact-sheet, fact-sheet.es, "
        "'*.ru' (repeatable)",
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
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every selected document even if nothing changed",
    )
    parser.add_argument(
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="render up to N documents at once (default: one per core)",
    )
    parser.add_argument(
        "--pdf-variant",
        choices=["pdf/a-3u", "pdf/ua-1"],
        default=None,
        help="write every document as PDF/A-3u (archival) or PDF/UA-1 (tagged, accessible); "
        "otherwise each document's pdf_variant in data/reports.yaml, if any",
    )
    parser.add_argument(
        "--time-limit",
        type=_positive,
        default=300,
        metavar="SECONDS",
        help="stop a document that renders for longer than this (default 300)",
    )
    parser.add_argument(
        "--memory-limit",
        type=_positive,
        default=2048,
        metavar="MB",
        help="stop a document that needs more memory than this (default 2048)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the run summary (reports/build.json) on stdout"
    )
    parser.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=300,
        metavar="SECONDS",
        help="how long to wait for another build to finish (default 300)",
    )
    parser.add_argument(
        "--cron",
        metavar="EXPRESSION",
        help='schedule: a cron expression, e.g. "0 6 * * 1-5" (local time)',
    )
    parser.add_argument(
        "--every",
        metavar="DURATION",
        help="schedule: an interval instead of --cron, e.g. 30s, 15m, 1h",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="serve: the address to listen on (default 127.0.0.1, this machine only; "
        "0.0.0.0 makes the preview reachable from the network)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8000,
        metavar="N",
        help="serve: the port to listen on (default 8000; 0 picks a free one, which it prints)",
    )
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print the notes: data warnings the data acknowledges (counted in the summary)",
    )
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


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, not {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:  # nan, inf and -5 would wait forever or crash
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, not {text!r}")
    return value
