"""What a rendered document shows of its data set: the part its changes box may speak of."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any, get_args

from pydantic import BaseModel

from .localise import Prose, Text


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
