"""Say where in a YAML file a value is, as a person counts and names things.

`("visits", 4, "occasion")` reads `visits #5 (Sebastián Piñera) › occasion`: items are counted from
1 and named by their name, id or title when they have one. The dotted form (`visits.4.occasion`,
counted from 0) stays the machine path, kept in Problem.field and the build state.
"""

from __future__ import annotations

from typing import Any

Loc = tuple[str | int, ...]

SEPARATOR = " › "
LABEL_KEYS = ("name", "id", "title", "visitor")  # what names an item, in order of preference
LABEL_CHARS = 40


def describe(value: Any, loc: Loc) -> str:
    """Return `loc` inside the parsed YAML `value` in words: `documents #2 (fact-sheet) › title`."""
    parts: list[str] = []
    for part in loc:
        if is_tag(part):
            continue
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and 0 <= part < len(value) else None
            label = item_label(value)
            item = f"#{part + 1}" + (f" ({label})" if label else "")
            parts[-1:] = [f"{parts[-1]} {item}" if parts else item]
        else:
            value = value.get(part) if isinstance(value, dict) else None
            parts.append(part)
    return SEPARATOR.join(parts)


def dotted(loc: Loc) -> str:
    """Return the machine path of `loc`: `visits.4.occasion`."""
    return ".".join(str(part) for part in loc)


def is_tag(part: str | int) -> bool:
    """True for what pydantic adds to a location that is not in the file (`literal['a','b']`)."""
    return isinstance(part, str) and any(c in part for c in "[(")


def item_label(item: Any) -> str:
    """Return what names a list item (its name, id or title), shortened, or ""."""
    if not isinstance(item, dict):
        return ""
    for key in LABEL_KEYS:
        if text := _text(item.get(key)):
            return text if len(text) <= LABEL_CHARS else _shortened(text)
    return ""


def _shortened(text: str) -> str:
    """Return the words of `text` that fit in LABEL_CHARS, with an ellipsis."""
    cut = text[: LABEL_CHARS - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut[LABEL_CHARS // 2 :] else cut
    return words.rstrip(" ,;:") + "…"


def _text(value: Any) -> str:
    """Return a plain text, the first language of a text per language, or a person's name."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        if "name" in value:
            return _text(value["name"])
        return next((_text(v) for v in value.values() if isinstance(v, str)), "")
    return ""
