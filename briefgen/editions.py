"""Editions: what changed in a document's data since its previous edition, fact by fact."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import html as htmllib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from .localise import Prose, Text
from .output import write_atomic

# Not changes of content: when a section was checked, how documents name visits and their kinds.
IGNORED_KEYS = {"as_of", "review_by", "described_as", "legend"}
FLAGS = ("illustrative", "unverified")  # a fact's provenance, labelled wherever it is shown
# Fields added by later versions, at their default: no change, since older snapshots lack them.
ADDED_FIELDS = {"unverified": False, "analysis": None}
Path_ = tuple[str, ...]


def shown(data: BaseModel, html: str) -> dict[str, Any]:
    """Return the snapshot (JSON data) of what a rendered document shows of its data set.

    A text is kept when the document's text contains it; a list item (a visit, a milestone) when
    its name or title is shown, and then with its dates, statuses, numbers and flags; a list with
    a shown item also keeps its length, which documents print as counts. So the changes box of an
    edition never lists a fact the edition does not show, such as the text of a section that a
    releasable edition omits, and an edition advances only when what it shows changes.
    """
    kept = _model(data, _plain(html))
    return kept or {}


def _plain(html: str) -> str:
    words = htmllib.unescape(re.sub(r"<[^>]*>", " ", html)).replace("\u00ad", "")
    return " ".join(words.replace("\u00a0", " ").split()).casefold()


def _model(model: BaseModel, text: str) -> dict[str, Any] | None:
    """Return the shown part of one model as JSON data, or None when it shows nothing."""
    dumped = model.model_dump(mode="json")
    kept: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if _is_text(info.annotation):
            items = value if isinstance(value, list) else [value]
            markdown = _is_text(info.annotation, Prose)
            shown_items = [v for v in items if isinstance(v, str) and _shown(v, text, markdown)]
            if shown_items:
                kept[name] = shown_items if isinstance(value, list) else shown_items[0]
        elif isinstance(value, BaseModel):
            if (child := _model(value, text)) is not None:
                kept[name] = child
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            children = [_model(v, text) for v in value if _label_shown(v, text)]
            if children := [c for c in children if c is not None]:
                kept[name] = children
                kept[f"{name} (count)"] = len(value)
        elif isinstance(value, dict):  # extra data: no schema, so every text is judged alone
            if (extra := _json(dumped[name], text)) is not None:
                kept[name] = extra
        else:
            attributes[name] = dumped[name]  # dates, statuses, numbers, flags, ids
    return kept | attributes if kept else None


def _label_shown(item: BaseModel, text: str) -> bool:
    """True when a list item's name (or title, or visitor's name) is shown, or it has none."""
    visitor = getattr(item, "visitor", None)
    labels = [getattr(item, "name", None), getattr(item, "title", None)]
    labels.append(getattr(visitor, "name", None))
    names = [label for label in labels if isinstance(label, str)]
    return not names or _in(names[0], text)


def _is_text(annotation: Any, kind: type[Text] = Text) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    return any(_is_text(arg, kind) for arg in get_args(annotation))


def _shown(value: str, text: str, markdown: bool) -> bool:
    """True when the document's text contains `value`, or for Markdown, the words it prints."""
    if _in(value, text):
        return True
    from .prose import printed_text

    return markdown and _in(printed_text(value), text)


def _json(value: Any, text: str) -> Any:
    """Return free-form JSON `value` with the texts the document does not show removed."""
    if isinstance(value, dict):
        kept = {k: _json(v, text) for k, v in value.items()}
        kept = {k: v for k, v in kept.items() if v is not None}
        return kept or None
    if isinstance(value, list):
        return [item for item in (_json(v, text) for v in value) if item is not None] or None
    return value if isinstance(value, str) and _in(value, text) else None


def _in(value: str, text: str) -> bool:
    return " ".join(value.split()).casefold() in text


def snapshot_digest(data: dict[str, Any]) -> str:
    """Return a hash of the content of a data set, ignoring when sections were checked."""
    flat, _, _ = _flatten(data)
    text = json.dumps(sorted((list(k), repr(v)) for k, v in flat.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def changes(
    old: dict[str, Any], new: dict[str, Any], gettext: Callable[[str], str] = str
) -> list[Change]:
    """Return one line per fact added, removed or changed between two snapshots of a data set.

    `gettext` translates the line formats (babel.cfg extracts them into the theme's catalogue);
    the paths name the data's fields by their keys. Each line carries the flag (illustrative,
    unverified) of the fact it is about, so the box labels it as every other part does.
    """
    old_flat, old_items, old_flags = _flatten(old)
    new_flat, new_items, new_flags = _flatten(new)
    flags = old_flags | new_flags
    added = _outermost(new_items - old_items)
    removed = _outermost(old_items - new_items)
    lines = [
        Change(gettext("Added: %(path)s") % {"path": _path(p)}, _flag(p, new_flags))
        for p in sorted(added)
    ]
    lines += [
        Change(gettext("Removed: %(path)s") % {"path": _path(p)}, _flag(p, old_flags))
        for p in sorted(removed)
    ]
    for key in sorted(old_flat.keys() | new_flat.keys()):
        if _under(key, added | removed) or old_flat.get(key) == new_flat.get(key):
            continue
        before, after = _value(old_flat.get(key)), _value(new_flat.get(key))
        # Words, not an arrow: the shipped font has no "→", and a fallback font is not allowed.
        line = gettext("Changed: %(path)s: now %(now)s, was %(was)s")
        text = line % {"path": _path(key), "now": after, "was": before}
        lines.append(Change(text, _flag(key, flags)))
    return lines


def _flatten(value: Any) -> tuple[dict[Path_, Any], set[Path_], dict[Path_, str]]:
    flat: dict[Path_, Any] = {}
    items: set[Path_] = set()
    flags: dict[Path_, str] = {}
    _walk(value, (), flat, items, flags)
    return flat, items, flags


def _walk(
    value: Any, path: Path_, flat: dict[Path_, Any], items: set[Path_], flags: dict[Path_, str]
) -> None:
    if isinstance(value, dict):
        if flag := next((f for f in FLAGS if value.get(f) is True), None):
            flags[path] = flag
        for key in sorted(value):
            added = key in ADDED_FIELDS and value[key] == ADDED_FIELDS[key]
            if key not in IGNORED_KEYS and not added:
                _walk(value[key], (*path, key), flat, items, flags)
    elif isinstance(value, list):
        labels = [_label(item, index) for index, item in enumerate(value)]
        for index, item in enumerate(value):
            label = labels[index]
            if labels.count(label) > 1:  # the same name twice (two visits by one person): add dates
                label = _label(item, index, dated=True)
            item_path = (*path, label)
            items.add(item_path)
            _walk(item, item_path, flat, items, flags)
    else:
        flat[path] = value


def _flag(path: Path_, flags: dict[Path_, str]) -> str | None:
    """Return the flag of the innermost fact (item or section) that `path` lies in."""
    return next((flags[path[:i]] for i in range(len(path), -1, -1) if path[:i] in flags), None)


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


def _outermost(paths: set[Path_]) -> set[Path_]:
    return {p for p in paths if not any(p[:i] in paths for i in range(1, len(p)))}


def _under(key: Path_, prefixes: set[Path_]) -> bool:
    return any(key[: len(p)] == p for p in prefixes)


def _path(path: Path_) -> str:
    # "visits › visits › X" reads better as "visits › X": a section file and its list share a name.
    parts = [p for i, p in enumerate(path) if i == 0 or p != path[i - 1]]
    return " › ".join(p.replace("_", " ") for p in parts)


def _value(value: Any) -> str:
    return "—" if value is None else f"“{value}”"


@dataclass(frozen=True)
class Change:
    """One line of the changes box, with the flag of the fact it is about."""

    text: str
    flag: str | None = None  # "illustrative" or "unverified"

    @property
    def illustrative(self) -> bool:
        return self.flag == "illustrative"

    @property
    def unverified(self) -> bool:
        return self.flag == "unverified"

    def to_json(self) -> str | dict[str, str]:
        """Return the manifest form: the text, or the text and its flag."""
        return {"text": self.text, "flag": self.flag} if self.flag else self.text

    @classmethod
    def from_json(cls, value: str | dict[str, str]) -> Change:
        """Return a Change from its manifest form (see manifest.py, which checks it)."""
        return cls(value) if isinstance(value, str) else cls(value["text"], value["flag"])


@dataclass(frozen=True)
class Edition:
    """A document's edition: it advances when the document's data changes."""

    number: int
    date: dt.date
    changes: list[Change] = field(default_factory=list)


def sample_changes(gettext: Callable[[str], str]) -> list[Change]:
    """Return one line of each kind the changes box can hold, to check their translations."""
    path = {"path": "visits › place"}
    return [
        Change(gettext("Added: %(path)s") % path, "illustrative"),
        Change(gettext("Removed: %(path)s") % path, "unverified"),
        Change(
            gettext("Changed: %(path)s: now %(now)s, was %(was)s")
            % {**path, "now": "…", "was": "…"}
        ),
        Change(unreadable(gettext)),
    ]


def unreadable(gettext: Callable[[str], str] = str) -> str:
    """Return the line that stands for the changes when the previous snapshot cannot be read."""
    return gettext(
        "The data of the previous edition could not be read, so its changes cannot be listed."
    )


def next_edition(
    state: Path,
    name: str,
    snapshot: dict[str, Any],
    previous: dict[str, Any] | None,
    today: dt.date,
    gettext: Callable[[str], str] = str,
) -> Edition:
    """Return this build's edition: the previous one if the data is the same, else the next."""
    if not previous:
        return Edition(1, today)
    if previous["snapshot_sha"] == snapshot_digest(snapshot):
        date = dt.date.fromisoformat(previous["edition_date"])
        lines = [Change.from_json(c) for c in previous["changes"]]
        return Edition(previous["edition"], date, lines)
    old = _load(snapshot_path(state, name, previous["edition"]))
    lines = changes(old, snapshot, gettext) if old is not None else [Change(unreadable(gettext))]
    return Edition(previous["edition"] + 1, today, lines)


def snapshot_path(state: Path, name: str, number: int) -> Path:
    """Return where the data of edition `number` of document `name` is kept."""
    return state / "snapshots" / f"{name}.edition-{number}.json"


def keep_snapshot(state: Path, name: str, snapshot: dict[str, Any], edition: Edition) -> None:
    """Keep this edition's data, to list the next edition's changes; drop older editions'."""
    # Always written: a snapshot left by a lost manifest's editions must not stand for this one.
    text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False)
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
