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
from .trust import byte_position

MAX_BYTES = 1_000_000
Loc = tuple[str | int, ...]
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
        """Return a Problem pointing at `loc` in this file."""
        line, col = self.locate(loc)
        dotted = ".".join(str(part) for part in loc)
        return Problem(self.path, line, col, message, dotted, warning, ack)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, timestamps or YAML 1.1 yes/no booleans."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
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
        raise InputError([_yaml_problem(path, e)]) from e
    except yaml.reader.ReaderError as e:  # control characters: not marked, but positioned
        line, col = _line_col(text, e.position)
        code = e.character if isinstance(e.character, int) else ord(e.character)
        message = f"control character U+{code:04X} is not allowed in YAML"
        raise InputError([Problem(path, line, col, message)]) from e
    except RecursionError as e:
        raise InputError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from e
    if root is None:
        raise InputError([Problem(path, 1, 1, "the file is empty; expected a mapping")])
    doc = Document(path, None)
    problems: list[Problem] = []
    doc.value = _to_python(root, (), doc, problems)
    if problems:
        raise InputError(problems)
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
        message = f"not valid UTF-8 (byte 0x{raw[e.start]:02x})"
        raise InputError([Problem(path, line, col, message)]) from e


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _yaml_problem(path: Path, e: yaml.MarkedYAMLError) -> Problem:
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = " ".join(part for part in (e.context, e.problem) if part) or "invalid YAML"
    return Problem(path, line, col, f"YAML syntax: {message}")


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _to_python(node: Node, loc: Loc, doc: Document, problems: list[Problem]) -> Any:
    doc.positions.setdefault(loc, _mark(node))
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        return _mapping(node, loc, doc, problems)
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return [_to_python(item, (*loc, i), doc, problems) for i, item in enumerate(node.value)]
    if isinstance(node, ScalarNode) and node.tag in _ALLOWED_TAGS:
        try:
            return yaml.constructor.SafeConstructor().construct_object(node)
        except (ValueError, KeyError, yaml.YAMLError):  # e.g. `!!int abc`, `!!bool maybe`
            problems.append(doc.problem(loc, f"{node.value!r} is not a valid {node.tag[18:]}"))
            return None
    problems.append(doc.problem(loc, f"unsupported YAML tag {node.tag}"))
    return None


def _mapping(node: MappingNode, loc: Loc, doc: Document, problems: list[Problem]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not (isinstance(key_node, ScalarNode) and key_node.tag.endswith(":str")):
            line, col = _mark(key_node)
            field = ".".join(str(part) for part in loc)
            problems.append(Problem(doc.path, line, col, "keys must be plain text", field))
            continue
        key = key_node.value
        if key in result:
            line, col = _mark(key_node)
            first = doc.positions[(*loc, key)][0]
            problems.append(
                Problem(
                    doc.path,
                    line,
                    col,
                    f"duplicate key (first defined on line {first})",
                    ".".join(str(p) for p in (*loc, key)),
                )
            )
            continue
        doc.positions[(*loc, key)] = _mark(key_node)
        result[key] = _to_python(value_node, (*loc, key), doc, problems)
    return result
