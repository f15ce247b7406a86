"""Content hashes of input files: each read at most once per run, and an unchanged one not at all.

As make and ninja do, a file whose size and modification time (in nanoseconds) are those it had
when it was last hashed is taken as unchanged without being read; unlike them, when either differs
the content hash decides, so a file saved again unchanged rebuilds nothing. Like make's, the check
trusts modification times: a tool that puts back an older time on a same-sized file with other
content (`touch -d`, `cp -p` of another version) goes unnoticed; `--force` rebuilds anyway.

The record (reports/.briefgen/hashes.json) keeps only files last modified at least TICK_NS before
the run that hashed them: a file saved again within the same tick of the file system's clock could
have a new content under the same size and time (git's "racily clean" files). A damaged record is
ignored, entry by entry: it only ever saves reading a file. Standard library only: the no-change
path uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from .output import write_atomic

TICK_NS = 2_000_000_000  # coarser than any file system's timestamps (FAT: 2 s)
_VERSION = 1
Stat = tuple[int, int, str]  # size, modification time in ns, SHA-256


def digest(path: Path) -> str:
    """Return the SHA-256 of a regular file's bytes, or "missing".

    Opened without blocking and checked first: a FIFO or a device (/dev/zero) named by an
    edited manifest must not hang or exhaust the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return "missing"
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return "missing"
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return "missing"


class Hashes:
    """What this run found on disk: file hashes, folder listings and template lookups, each once.

    Names are paths relative to the project root, as the manifest writes them.
    """

    def __init__(self, root: Path, recorded: dict[str, Stat], trusted_before_ns: int) -> None:
        self.root = root
        self.recorded = recorded
        self.trusted_before_ns = trusted_before_ns  # a file modified since may change unseen
        self.changed = False  # whether the record needs saving
        self._digests: dict[str, str] = {}
        self._listings: dict[str, list[str]] = {}
        self._found: dict[tuple[tuple[str, ...], str], int | None] = {}

    def digest(self, name: str) -> str:
        """Return the SHA-256 of file `name`, or "missing"; read it only if its stat changed."""
        if (known := self._digests.get(name)) is None:
            known = self._digests[name] = self._hash(name)
        return known

    def seed(self, digests: dict[str, str]) -> None:
        """Take `digests` as this run's hashes of those files (taken earlier in the run)."""
        self._digests.update(digests)

    def _hash(self, name: str) -> str:
        path = self.root / name
        try:
            info = os.stat(path)
        except OSError:
            return self._forget(name)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device is never opened
            return self._forget(name)
        recorded = self.recorded.get(name)
        if recorded and recorded[:2] == (info.st_size, info.st_mtime_ns):
            return recorded[2]
        sha = digest(path)
        if sha != "missing" and info.st_mtime_ns < self.trusted_before_ns:
            self.recorded[name] = (info.st_size, info.st_mtime_ns, sha)
            self.changed = True
        else:
            self._forget(name)
        return sha

    def _forget(self, name: str) -> str:
        if self.recorded.pop(name, None) is not None:
            self.changed = True
        return "missing"

    def listing(self, folder: str) -> list[str]:
        """Return the files under `folder`, sorted, leaving out what cannot change a document."""
        if (known := self._listings.get(folder)) is None:
            known = self._listings[folder] = _list_files(self.root, folder)
        return known

    def found(self, folders: tuple[str, ...], key: str) -> int | None:
        """Return the index of the first of `folders` that has file `key` (see reads.py), or None.

        A key "default:NAME" looks in the last folder only, as the template loader does.
        """
        if (folders, key) not in self._found:
            self._found[folders, key] = _first_having(self.root, folders, key)
        return self._found[folders, key]


def _first_having(root: Path, folders: tuple[str, ...], key: str) -> int | None:
    name, start = key, 0
    if key.startswith("default:"):
        name, start = key.removeprefix("default:"), len(folders) - 1
    for index in range(max(start, 0), len(folders)):
        if os.path.isfile(os.path.join(root, folders[index], name)):
            return index
    return None


def _list_files(root: Path, folder: str) -> list[str]:
    found = []
    reports = os.path.join(root, "reports")
    for top, dirs, files in os.walk(root / folder):
        dirs[:] = sorted(d for d in dirs if not _ignored(d) and os.path.join(top, d) != reports)
        for name in files:
            path = os.path.join(top, name)
            if not _ignored(name) and os.path.isfile(path):
                found.append(os.path.relpath(path, root))
    return sorted(found)


def _ignored(name: str) -> bool:
    """Skip what cannot change a document: hidden files, editor backups and lock files."""
    return name.startswith((".", "__", "#")) or name.endswith(("~", ".swp", ".bak"))


def load_hashes(root: Path, record: Path, now_ns: int) -> Hashes:
    """Return this run's Hashes, trusting the recorded stats of `record` that are well formed."""
    data = _read_record(record)
    files = data.get("files") if isinstance(data, dict) and data.get("version") == _VERSION else {}
    if not isinstance(files, dict):
        files = {}
    recorded: dict[str, Stat] = {k: (v[0], v[1], v[2]) for k, v in files.items() if _well_formed(v)}
    return Hashes(root, recorded, now_ns - TICK_NS)


def _read_record(path: Path) -> Any:
    """Return the JSON of `path`, or None; a FIFO or a device in its place is not read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        try:
            return json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return None


def _well_formed(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and all(type(v) is int and v >= 0 for v in value[:2])
        and isinstance(value[2], str)
    )


def save_hashes(hashes: Hashes, record: Path) -> None:
    """Write the record atomically if this run changed it; raise OutputError if it cannot be."""
    if not hashes.changed:
        return
    body = {"version": _VERSION, "files": {k: list(v) for k, v in sorted(hashes.recorded.items())}}
    write_atomic(record, json.dumps(body, separators=(",", ":")).encode())
    hashes.changed = False
