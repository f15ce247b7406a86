"""Template errors that say what to do: the names a value does have, the tag a block lacks.

Jinja says "'briefgen.models.TradeSection object' has no attribute 'partner_name'"; we say
"`TradeSection` has no `partner_name`; it has: partner, partner_abbreviation, …", closest first.
Jinja reports an unclosed {% for %} at the end of the template; we point at the line that opened it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from .errors import display_path
from .suggest import closest_first, did_you_mean

# The tags that open a block to be closed by end<tag>; `set` only in its block form.
BLOCK_TAGS = {"for", "if", "block", "macro", "call", "filter", "with", "autoescape", "trans", "set"}


class Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose message lists what a model, dataclass or mapping does have."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        if self._undefined_hint is None and isinstance(name, str):  # not a list's index
            return missing_name(self._undefined_obj, name) or str(super()._undefined_message)
        return str(super()._undefined_message)


def missing_name(obj: Any, name: str) -> str | None:
    """Return "`Type` has no `name`; it has: …" for a value of ours, or None for anything else."""
    if isinstance(obj, Mapping):
        keys = [str(key) for key in obj]
        listed = ", ".join(closest_first(name, keys)) or "none"
        return f"this mapping has no key `{name}`; its keys, closest first: {listed}"
    if isinstance(obj, BaseModel) or (dataclasses.is_dataclass(obj) and not isinstance(obj, type)):
        listed = ", ".join(closest_first(name, _names(obj)))
        return f"`{type(obj).__name__}` has no `{name}`; it has: {listed}"
    return None


def _names(obj: Any) -> list[str]:
    """Return what a template may read of a model or dataclass: its fields, then its properties
    and methods (not pydantic's own API, which the sandbox refuses)."""
    if isinstance(obj, BaseModel):
        fields: Iterable[str] = type(obj).model_fields
    else:
        fields = (f.name for f in dataclasses.fields(obj))
    own = (
        name
        for name in dir(type(obj))
        if not name.startswith("_") and not hasattr(BaseModel, name) and not hasattr(object, name)
    )
    return list(dict.fromkeys([*fields, *own]))


def undefined_hint(message: str, names: Iterable[str]) -> str:
    """Return "; did you mean `x`?" for "'y' is undefined" when a name in `names` is close."""
    undefined = re.fullmatch(r"'(\w+)' is undefined", message)
    hint = did_you_mean(undefined.group(1), names) if undefined else ""
    return f"; {hint}" if hint else ""


def syntax_message(env: jinja2.Environment, error: jinja2.TemplateSyntaxError, name: str) -> str:
    """Return a template syntax error located at template-path:line (an unclosed block where
    it opened, with its column)."""
    path = display_path(Path(error.filename)) if error.filename else name
    if unclosed := unclosed_block(env, error):  # "LINE:COL: {% for %} opened here is …"
        return f"{path}:{unclosed}"
    return (
        f"{path}:{error.lineno}: {error.message}" if error.filename else f"{name}: {error.message}"
    )


def unclosed_block(env: jinja2.Environment, error: jinja2.TemplateSyntaxError) -> str | None:
    """Return "LINE:COL: {% for %} opened here is never closed; add {% endfor %}", or None.

    For Jinja's "Unexpected end of template" (or an end tag that closes an outer block first),
    find the block that is still open by reading the template's tags up to the error.
    """
    innermost = re.search(
        r"innermost block that needs to be closed is '(\w+)'", error.message or ""
    )
    if not innermost or error.source is None:
        return None
    try:
        opened = _open_blocks(env, error.source, error.lineno)
    except jinja2.TemplateSyntaxError:
        return None
    if not opened or opened[-1][0] != innermost.group(1):
        return None
    tag, line, col = opened[-1]
    closing = f"{{% end{tag} %}}"
    ended = re.search(r"unknown tag '(\w+)'", error.message or "")
    if ended and error.lineno != line:
        return (
            f"{line}:{col}: {{% {tag} %}} opened here is not closed before the "
            f"{{% {ended.group(1)} %}} on line {error.lineno}; add {closing} before it"
        )
    return f"{line}:{col}: {{% {tag} %}} opened here is never closed; add {closing}"


def _open_blocks(env: jinja2.Environment, source: str, stop: int) -> list[tuple[str, int, int]]:
    """Return the blocks still open (tag, line, column) where the tags stop nesting, or at `stop`."""
    lines = source.splitlines()
    opened: list[tuple[str, int, int]] = []
    seen: dict[int, int] = {}  # line -> tags begun on it so far
    for line, tag, assigns in _tags(env, source):
        if line > stop:
            break
        nth = seen[line] = seen.get(line, 0) + 1
        if tag.startswith("end"):
            if not opened or opened[-1][0] != tag[3:]:
                break
            opened.pop()
        elif tag in BLOCK_TAGS and not (tag == "set" and assigns):
            opened.append((tag, line, _column(env, lines[line - 1], nth)))
    return opened


def _tags(env: jinja2.Environment, source: str) -> Iterator[tuple[int, str, bool]]:
    """Yield each {% tag %}: its line, its name, and whether it assigns (`set x = …`)."""
    tokens = [(line, kind, value) for line, kind, value in env.lex(source) if kind != "whitespace"]
    for i, (line, kind, _) in enumerate(tokens):
        if kind != "block_begin" or i + 1 >= len(tokens) or tokens[i + 1][1] != "name":
            continue
        end = next((j for j in range(i, len(tokens)) if tokens[j][1] == "block_end"), len(tokens))
        assigns = any(kind == "operator" and value == "=" for _, kind, value in tokens[i:end])
        yield line, tokens[i + 1][2], assigns


def _column(env: jinja2.Environment, text: str, nth: int) -> int:
    """Return the column (from 1) where the `nth` tag of a line begins."""
    starts = [m.start() + 1 for m in re.finditer(re.escape(env.block_start_string), text)]
    return starts[nth - 1] if nth <= len(starts) else 1
