"""Editions: a document's edition advances when what it shows of its data changes.

Each edition keeps a snapshot of its data (changes.Snapshot) beside the manifest, so that the
next edition can list its changes (changes.py) in the changes box.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .changes import ADDED_FIELDS, IGNORED_KEYS, Change, Snapshot, changes, unreadable
from .output import write_atomic
from .wording import Wording

Path_ = tuple[str, ...]


def snapshot_digest(snapshot: Snapshot) -> str:
    """Return a hash of what an edition shows, ignoring when sections were checked."""
    flat: dict[Path_, Any] = {}
    _walk(snapshot.shown, (), flat)
    text = json.dumps(sorted((list(k), repr(v)) for k, v in flat.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _walk(value: Any, path: Path_, flat: dict[Path_, Any]) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            added = key in ADDED_FIELDS and value[key] == ADDED_FIELDS[key]
            if key not in IGNORED_KEYS and not added:
                _walk(value[key], (*path, key), flat)
    elif isinstance(value, list):
        labels = [_label(item, index) for index, item in enumerate(value)]
        for index, item in enumerate(value):
            label = labels[index]
            if labels.count(label) > 1:  # the same name twice (two visits by one person): add dates
                label = _label(item, index, dated=True)
            _walk(item, (*path, label), flat)
    else:
        flat[path] = value


def _label(item: Any, index: int, dated: bool = False) -> str:
    """Name a list item by what a reader would call it: its id, name or title (and its date)."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return f"item {index + 1}"
    visitor = item["visitor"] if isinstance(item.get("visitor"), dict) else {}
    name = next(
        (
            v
            for v in (item.get("id"), item.get("name"), item.get("title"), visitor.get("name"))
            if isinstance(v, str)
        ),
        f"item {index + 1}",
    )
    when = item.get("date") or item.get("start")
    return f"{name} ({when})" if when and dated else name


@dataclass(frozen=True)
class Edition:
    """A document's edition: it advances when the document's data changes."""

    number: int
    date: dt.date
    changes: list[Change] = field(default_factory=list)


def next_edition(
    state: Path,
    name: str,
    snapshot: Snapshot,
    previous: dict[str, Any] | None,
    today: dt.date,
    words: Wording,
) -> Edition:
    """Return this build's edition: the previous one if the data is the same, else the next."""
    if not previous:
        return Edition(1, today)
    if previous["snapshot_sha"] == snapshot_digest(snapshot):
        date = dt.date.fromisoformat(previous["edition_date"])
        lines = [Change.from_json(c) for c in previous["changes"]]
        return Edition(previous["edition"], date, lines)
    old = _load(snapshot_path(state, name, previous["edition"]))
    lines = changes(Snapshot.from_json(old), snapshot, words) if old else [unreadable(words)]
    return Edition(previous["edition"] + 1, today, lines)


def snapshot_path(state: Path, name: str, number: int) -> Path:
    """Return where the data of edition `number` of document `name` is kept."""
    return state / "snapshots" / f"{name}.edition-{number}.json"


def keep_snapshot(state: Path, name: str, snapshot: Snapshot, edition: Edition) -> None:
    """Keep this edition's data, to list the next edition's changes; drop older editions'."""
    # Always written: a snapshot left by a lost manifest's editions must not stand for this one.
    text = json.dumps(snapshot.to_json(), indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(snapshot_path(state, name, edition.number), text.encode())
    keep = {snapshot_path(state, name, n) for n in (edition.number, edition.number - 1)}
    for old in (state / "snapshots").glob(f"{glob.escape(name)}.edition-*.json"):
        if old not in keep and not old.is_symlink():
            with contextlib.suppress(OSError):  # an old snapshot left behind is only clutter
                old.unlink()


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: [[[[… nested too deeply
        return None
    return data if isinstance(data, dict) else None
