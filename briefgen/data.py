"""Read YAML safely and keep where every value came from.

The loader refuses what plain `yaml.safe_load` lets through: aliases (and so alias bombs), duplicate
keys, non-string keys, unusual tags, files over a size cap and bytes that are not UTF-8. Dates stay
strings (pydantic parses them, so a bad date is a located validation error) and only `true`/`false`
are booleans, so `no` or `on` stay text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem
from .places import Loc, describe, dotted, is_tag
from .trust import byte_position
from .yaml_errors import ALIASES, explain

MAX_BYTES = 1_000_000
_ALLOWED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}


@dataclass
class Document:
    """A parsed YAML file: its value and the (line, column) of every key and item in it."""

    path: Path
    value: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc) -> tuple[int, int]:
        """Return the position of the deepest part of `loc` the file actually contains."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return (1, 1)

    def problem(self, loc: Loc, message: str, warning: bool = False, ack: bool = False) -> Problem:
        """Return a Problem pointing at `loc` in this file (pydantic's union tags left out)."""
        loc = tuple(part for part in loc if not is_tag(part))
        return self.problem_at(self.locate(loc), loc, message, warning, ack)

    def problem_at(
        self,
        position: tuple[int, int],
        loc: Loc,
        message: str,
        warning: bool = False,
        ack: bool = False,
    ) -> Problem:
        """Return a Problem about `loc`, pointing at `position` (line, column) in this file."""
        where = self.where(loc)
        return Problem(self.path, *position, message, dotted(loc), warning, ack, where=where)

    def where(self, loc: Loc) -> str:
        """Return `loc` in words, items counted from 1: `visits #5 (Sebastián Piñera) › date`."""
        return describe(self.value, loc)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, timestamps or YAML 1.1 yes/no booleans."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, ALIASES, event.start_mark)
        return super().compose_node(parent, index)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag.endswith(":null")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
):
    _StrictLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


def read_yaml(path: Path) -> Document:
    """Read one YAML file into a Document, or raise InputError listing every problem found."""
    text = _read_text(path)
    try:
        root = yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as e:
        raise InputError([Problem(path, *explain(text, e))]) from e
    except yaml.reader.ReaderError as e:  # control characters: not marked, but positioned
        line, col = _line_col(text, e.position)
        code = e.character if isinstance(e.character, int) else ord(e.character)
        message = f"control character U+{code:04X} is not allowed in YAML; delete it"
        raise InputError([Problem(path, line, col, message)]) from e
    except RecursionError as e:
        raise InputError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from e
    if root is None:
        raise InputError([Problem(path, 1, 1, "the file is empty; expected a mapping")])
    doc = Document(path, None)
    found: list[_Found] = []
    doc.value = _to_python(root, (), doc, found)
    if found:  # located once the whole value is known, so that items can be named
        raise InputError(
            [doc.problem_at(position, loc, message) for position, loc, message in found]
        )
    return doc


def _read_text(path: Path) -> str:
    try:
        if path.exists() and not path.is_file():
            raise InputError([Problem(path, 1, 1, "not a regular file")])
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                [Problem(path, 1, 1, f"file is {size} bytes; the limit is {MAX_BYTES}")]
            )
        raw = path.read_bytes()
    except OSError as e:
        raise InputError([Problem(path, 1, 1, f"cannot read file: {e.strerror or e}")]) from e
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = byte_position(raw, e.start)
        message = f"not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8"
        raise InputError([Problem(path, line, col, message)]) from e


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_Found = tuple[tuple[int, int], Loc, str]  # a problem found while reading: position, place, words


def _to_python(node: Node, loc: Loc, doc: Document, found: list[_Found]) -> Any:
    doc.positions.setdefault(loc, _mark(node))
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        return _mapping(node, loc, doc, found)
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return [_to_python(item, (*loc, i), doc, found) for i, item in enumerate(node.value)]
    if isinstance(node, ScalarNode) and node.tag in _ALLOWED_TAGS:
        try:
            return yaml.constructor.SafeConstructor().construct_object(node)
        except (ValueError, KeyError, yaml.YAMLError):  # e.g. `!!int abc`, `!!bool maybe`
            kind = node.tag[18:]
            message = (
                f"{node.value!r} is not a valid {kind}; remove the !!{kind} tag or fix the value"
            )
            found.append((doc.locate(loc), loc, message))
            return None
    message = f"unsupported YAML tag {node.tag}; remove it (briefgen reads plain values only)"
    found.append((doc.locate(loc), loc, message))
    return None


def _mapping(node: MappingNode, loc: Loc, doc: Document, found: list[_Found]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not (isinstance(key_node, ScalarNode) and key_node.tag.endswith(":str")):
            found.append((_mark(key_node), loc, "keys must be plain text; write the key as a word"))
            continue
        key = key_node.value
        if key in result:
            first = doc.positions[(*loc, key)][0]
            message = f"duplicate key (first set on line {first}); keep one of the two"
            found.append((_mark(key_node), (*loc, key), message))
            continue
        doc.positions[(*loc, key)] = _mark(key_node)
        result[key] = _to_python(value_node, (*loc, key), doc, found)
    return result
