"""The manifest (reports/.briefgen/manifest.json): what earlier runs built, checked as it is read.

It lives in the output folder, where anyone may edit or damage it, and its entries name files that
a run hashes, reads and may delete. So every field is checked against what build writes; a bad
entry is dropped (its document is rebuilt) and a bad top level drops the whole manifest, with one
warning. Standard library only: the no-change path reads it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import display_path
from .output import write_atomic
from .project import Project

MANIFEST_VERSION = 2  # 2: one entry per variant (document × language × release)
log = logging.getLogger("briefgen")
Entry = dict[str, Any]
Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _changes(value: Any) -> bool:
    """A list of lines: a text, or {"text": …, "flag": "illustrative" | "unverified"}."""
    flagged = {"text", "flag"}
    return isinstance(value, list) and all(
        isinstance(v, str)
        or (
            isinstance(v, dict)
            and v.keys() == flagged
            and isinstance(v["text"], str)
            and v["flag"] in ("illustrative", "unverified")
        )
        for v in value
    )


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _edition(value: Any) -> bool:
    # Bounded: no document reaches a million editions, and a huge number is a tampered file.
    return type(value) is int and 1 <= value <= 10**6


def _date(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _inside(path: Any) -> bool:
    """True for a relative path that stays inside the project (checked without the disk)."""
    return isinstance(path, str) and _inside_text(path)


@functools.lru_cache(maxsize=4096)  # an estate's entries name the same templates again and again
def _inside_text(path: str) -> bool:
    if not path or "\0" in path or os.path.isabs(path):
        return False
    return os.path.normpath(path).split(os.sep)[0] != ".."


def _paths(value: Any) -> bool:
    return isinstance(value, list) and all(_inside(v) for v in value)


def _hashes(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _found(value: Any) -> bool:
    """Names looked up, each with the index of the search path folder that had it, or null."""
    return isinstance(value, dict) and all(
        v is None or (type(v) is int and v >= 0) for v in value.values()
    )


def _params(value: Any) -> bool:
    return isinstance(value, dict) and _texts(value.get("templates", []))


# The fields of a data warning (errors.Problem), as problem_from_dict needs them.
_PROBLEM = {"path": str, "line": int, "col": int, "message": str}
_PROBLEM_OPTIONAL = {
    "field": str,
    "warning": bool,
    "acknowledged": bool,
    "note": bool,
    "where": str,
}


def _problems(value: Any) -> bool:
    return isinstance(value, list) and all(_problem(item) for item in value)


def _problem(item: Any) -> bool:
    types = _PROBLEM | _PROBLEM_OPTIONAL
    return (
        isinstance(item, dict)
        and _PROBLEM.keys() <= item.keys() <= types.keys()
        and all(type(v) is types[k] for k, v in item.items())
    )


_OUTPUT = re.compile(r"reports/[A-Za-z0-9][A-Za-z0-9._-]*\.pdf")
FIELDS: dict[str, tuple[Check, str]] = {
    "folders": (_texts, "a list of folders"),
    "files": (_paths, "a list of relative paths inside the project"),
    "inputs": (_hashes, "an object of file hashes"),
    "search_path": (_texts, "a list of folders"),
    "found": (_found, "an object of names and folder numbers"),
    "fetched": (_texts, "a list of files"),
    "pdf_key": (_text, "a text"),
    "definition": (_text, "a text"),
    "fingerprint": (_text, "a text"),
    "params": (_params, "an object of build parameters"),
    "output": (lambda v: isinstance(v, str) and bool(_OUTPUT.fullmatch(v)), "reports/NAME.pdf"),
    "output_sha": (_text, "a text"),
    "pages": (_count, "a whole number"),
    "size": (_count, "a whole number"),
    "edition": (_edition, "a whole number from 1"),
    "edition_date": (_date, "a date, YYYY-MM-DD"),
    "changes": (_changes, "a list of change lines"),
    "snapshot_sha": (_text, "a text"),
    "warnings": (_texts, "a list of texts"),
    "data_warnings": (_problems, "a list of data warnings"),
}
# Older manifests of this version lack them; an entry without what its document used (found,
# search_path) is rebuilt, and one without pdf_key has its PDF made again.
OPTIONAL = {"inputs", "warnings", "data_warnings", "search_path", "found", "fetched", "pdf_key"}
TOP: dict[str, tuple[Check, str]] = {
    "reports_sha": (_text, "a text"),
    "order": (_texts, "a list of variant names"),
}


def entry_problem(entry: Any) -> str | None:
    """Return what is wrong with a manifest entry (".field: expected …"), or None."""
    if not isinstance(entry, dict):
        return ": expected an object"
    for key, (check, expected) in FIELDS.items():
        if (key in entry or key not in OPTIONAL) and not check(entry.get(key)):
            return f".{key}: expected {expected}, not {_show(entry.get(key))}"
    # Template folders outside the project are those of --templates, which the params record.
    allowed = entry["params"].get("templates", [])
    for key in ("folders", "search_path", "files", "fetched", "inputs"):
        outside = [f for f in entry.get(key, []) if not _inside(f) and not _below(f, allowed)]
        if outside:
            return (
                f".{key}: {_show(outside[0])} is outside the project and not in a --templates "
                "folder"
            )
    found, folders = entry.get("found", {}), entry.get("search_path", [])
    if any(v is not None and v >= len(folders) for v in found.values()):
        return ".found: a folder number beyond the search path"
    return None


def _below(path: str, folders: list[str]) -> bool:
    """True when `path` is one of `folders` or lies below one (compared as written)."""
    normal = os.path.normpath(path)
    return any(
        normal == os.path.normpath(f) or normal.startswith(os.path.normpath(f) + os.sep)
        for f in folders
    )


def valid_entry(entry: Any) -> bool:
    """True when a manifest entry has every field build writes, each of the right type and form."""
    return entry_problem(entry) is None


@dataclass
class Checked:
    """A manifest as read: its good parts, the parts dropped, or why all of it was dropped."""

    manifest: dict[str, Any]
    dropped: list[str] = field(default_factory=list)
    unusable: str | None = None


def read_manifest(project: Project) -> Checked:
    """Return the manifest without its bad parts (an empty one when it is missing or unusable)."""
    empty: dict[str, Any] = {"version": MANIFEST_VERSION, "documents": {}}
    if not project.manifest_file.exists():
        return Checked(empty)
    try:
        manifest = json.loads(project.manifest_file.read_text("utf-8"))
    except OSError as e:
        return Checked(empty, unusable=f"unreadable ({e.strerror or e})")
    except ValueError as e:  # not UTF-8, not JSON
        return Checked(empty, unusable=f"unreadable ({e})")
    except RecursionError:  # [[[[… nested deeper than Python's parser goes
        return Checked(empty, unusable="unreadable (nested too deeply)")
    if not (
        isinstance(manifest, dict)
        and manifest.get("version") == MANIFEST_VERSION
        and isinstance(manifest.get("documents"), dict)
    ):
        return Checked(empty, unusable=f"not a manifest of version {MANIFEST_VERSION}")
    dropped = []
    for key, (check, expected) in TOP.items():
        if key in manifest and not check(manifest[key]):
            dropped.append(f"{key}: expected {expected}, not {_show(manifest.pop(key))}")
    for name, entry in list(manifest["documents"].items()):
        if (problem := entry_problem(entry)) is not None:
            dropped.append(f"documents.{name}{problem}")
            del manifest["documents"][name]
    return Checked(manifest, dropped)


def load_manifest(project: Project) -> dict[str, Any]:
    """Return the manifest without its bad parts; warn once if it had any."""
    checked = read_manifest(project)
    where = display_path(project.manifest_file)
    if checked.unusable:
        log.warning(
            "%s is %s: every document is rebuilt and editions start again at 1",
            where,
            checked.unusable,
        )
    elif checked.dropped:
        first, more = checked.dropped[0], len(checked.dropped) - 1
        log.warning(
            "%s: %s%s; ignored (a document whose entry is ignored is rebuilt)",
            where,
            first,
            f" (and {more} more)" if more else "",
        )
    return checked.manifest


def save_manifest(project: Project, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    # Compact: with an indent, json uses its pure-Python encoder, slow for a large estate.
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    write_atomic(project.manifest_file, text.encode())


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"
