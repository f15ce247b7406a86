"""The changes box: what changed between two editions, as a reader would say it.

An entry (a visit, a milestone, a line to take …) is new or removed only when it is new to, or
gone from, the whole data set, and it is listed only when the edition showing it is the one
compared: a fact that an edition merely starts or stops showing (a milestone that is no longer
the latest) is not a change. An entry in both editions is "revised" when its data differs in a
part that either edition shows. The wording (wording.py) is in the edition's language and never
names a field of the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .wording import FLAGS, Kind, Wording

# Not changes of content: when a section was checked, how documents name visits and their kinds.
IGNORED_KEYS = {"as_of", "review_by", "described_as", "legend"}
# Fields added by later versions, at their default: no change, since older snapshots lack them.
ADDED_FIELDS = {"unverified": False, "analysis": None}


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
class Snapshot:
    """An edition's data: all of it (`data`) and the part the edition shows (`shown`)."""

    data: dict[str, Any]
    shown: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"format": 2, "data": self.data, "shown": self.shown}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Snapshot:
        """Read a kept snapshot; one from before format 2 held only what was shown."""
        if value.get("format") == 2 and isinstance(value.get("data"), dict):
            shown = value.get("shown")
            return cls(value["data"], shown if isinstance(shown, dict) else {})
        return cls(value, value)


def changes(old: Snapshot, new: Snapshot, words: Wording) -> list[Change]:
    """Return the lines of the changes box from the previous edition `old` to `new`."""
    lines: list[Change] = []
    for section in _sections(old, new):
        lines += _section_changes(section, old, new, words)
    if not lines and not _differs(old.data, new.data, set()):
        return [Change(words.reshown())]  # more or less of the same data (a template changed)
    return lines


def _sections(old: Snapshot, new: Snapshot) -> list[str]:
    names = [*new.data, *(s for s in old.data if s not in new.data)]
    return [s for s in names if s in old.shown or s in new.shown]


def _section_changes(section: str, old: Snapshot, new: Snapshot, words: Wording) -> list[Change]:
    before, after = _dict(old.data.get(section)), _dict(new.data.get(section))
    seen_before, seen_after = _dict(old.shown.get(section)), _dict(new.shown.get(section))
    flag = _flag(after) or _flag(before)
    lines: list[Change] = []
    if section == "analysis":
        return _entries("sections", before, after, seen_before, seen_after, words)
    if _revised(before, after, seen_before | seen_after, skip_lists=True):
        lines.append(Change(words.section_revised(section, after or before), flag))
    for key in _list_keys(before, after):
        lines += _entries(key, before, after, seen_before, seen_after, words)
    return lines


def _entries(
    key: str,
    before: dict[str, Any],
    after: dict[str, Any],
    seen_before: dict[str, Any],
    seen_after: dict[str, Any],
    words: Wording,
) -> list[Change]:
    """Return the new, revised and removed entries of the list `key` of one section."""
    old_items, new_items = _keyed(before.get(key)), _keyed(after.get(key))
    shown_before, shown_after = _names(seen_before.get(key)), _names(seen_after.get(key))
    ignored = set(FLAGS) if _flag(before) != _flag(after) else set()  # the section's flag says it
    new = [n for n in new_items if n not in old_items and _name(new_items[n]) in shown_after]
    gone = [n for n in old_items if n not in new_items and _name(old_items[n]) in shown_before]
    reworded = _reworded(before.get(key), after.get(key), new, gone)
    lines = []
    for name, item in new_items.items():
        if name in reworded or name in new:
            kind: Kind = "revised" if name in reworded else "new"
            lines.append(Change(words.entry(kind, key, item), _flag(item)))
        elif name in old_items and _name(item) in shown_after | shown_before:
            revised = _differs(old_items[name], item, ignored)
            lines += [Change(words.entry("revised", key, item), _flag(item))] if revised else []
    for name in (n for n in gone if n not in reworded.values()):
        lines.append(Change(words.entry("removed", key, old_items[name]), _flag(old_items[name])))
    return lines


def _reworded(old: Any, new: Any, added: list[str], gone: list[str]) -> dict[str, str]:
    """Pair texts of a list of texts (a line to take) that took the place of one another.

    A text is named by its words, so an edited text is a new one and an old one gone; when the
    new one stands where the old one stood, it is the same point, revised.
    """
    if not (isinstance(old, list) and isinstance(new, list)):
        return {}
    pairs = {}
    for index, text in enumerate(new):
        if isinstance(text, str) and _name(text) in added and index < len(old):
            was = old[index]
            if isinstance(was, str) and _name(was) in gone:
                pairs[_name(text)] = _name(was)
    return pairs


def _revised(
    before: dict[str, Any], after: dict[str, Any], seen: dict[str, Any], skip_lists: bool
) -> bool:
    """True when a field that either edition shows (or a flag) differs, lists aside."""
    keys = (before.keys() | after.keys()) - IGNORED_KEYS
    for key in keys:
        if skip_lists and (isinstance(before.get(key), list) or isinstance(after.get(key), list)):
            continue
        shown = key in seen or key in FLAGS
        if shown and _clean(before.get(key), key) != _clean(after.get(key), key):
            return True
    return False


def _differs(old: Any, new: Any, ignored: set[str]) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = (old.keys() | new.keys()) - IGNORED_KEYS - ignored
        return any(_differs(_clean(old.get(k), k), _clean(new.get(k), k), ignored) for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) != len(new) or any(
            _differs(a, b, ignored) for a, b in zip(old, new, strict=True)
        )
    return bool(old != new)


def _clean(value: Any, key: str) -> Any:
    """A field a later version added, at its default, is the same as the field missing."""
    return None if key in ADDED_FIELDS and value == ADDED_FIELDS[key] else value


def _list_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = [*after, *(k for k in before if k not in after)]
    return [k for k in keys if isinstance(after.get(k, before.get(k)), list)]


def _keyed(items: Any) -> dict[str, Any]:
    """Return a list's entries by what identifies them: their id, name or title (and date)."""
    if not isinstance(items, list):
        return {}
    names = [_name(item) for item in items]
    keyed: dict[str, Any] = {}
    for item, name in zip(items, names, strict=True):
        if names.count(name) > 1 and isinstance(item, dict):  # two visits by one person
            name = f"{name} ({item.get('date') or item.get('start')})"
        keyed.setdefault(name, item)
    return keyed


def _names(items: Any) -> set[str]:
    return {_name(item) for item in items} if isinstance(items, list) else set()


def _name(item: Any) -> str:
    """Name an entry by what a reader would call it: its id, name, title or visitor's name."""
    if isinstance(item, str):
        return " ".join(item.split())
    if not isinstance(item, dict):
        return repr(item)
    visitor = _dict(item.get("visitor"))
    candidates = (item.get("id"), item.get("name"), item.get("title"), visitor.get("name"))
    return next((v for v in candidates if isinstance(v, str)), repr(sorted(item.items())))


def _flag(value: Any) -> str | None:
    return next((f for f in FLAGS if _dict(value).get(f) is True), None)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def unreadable(words: Wording) -> Change:
    """Return the line that stands for the changes when the previous snapshot cannot be read."""
    return Change(words.unreadable())


def sample_changes(words: Wording) -> Iterator[Change]:
    """Yield one line of each kind the box can hold, to check their translations."""
    yield from (Change(text) for text in words.samples())
