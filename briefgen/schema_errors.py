"""Turn pydantic's validation errors into located problems that say what to do.

An unknown key names the closest valid one and lists the keys valid in its place; a value outside
a fixed set (a Literal) lists the set. Of the errors pydantic gives for each branch of a union
(`status: draft` or `status: {en-GB: final}`), only the branch the value was meant for is kept.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .data import Document
from .errors import Problem
from .places import Loc, is_tag
from .suggest import closest_first, did_you_mean


def pydantic_problems(
    doc: Document, error: ValidationError, model: type[BaseModel]
) -> list[Problem]:
    """Turn a ValidationError of `model` into located Problems, one per error, in file order."""
    problems = [
        doc.problem(tuple(e["loc"]), _message(e, model)) for e in _one_branch(error.errors())
    ]
    return sorted(problems, key=lambda p: (p.line, p.col))


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        return unknown_key(str(error["loc"][-1]), keys_at(model, tuple(error["loc"])[:-1]))
    if error["type"] == "missing":
        return "missing; add it (the key is required)"
    if error["type"] == "literal_error":
        expected = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
        given = str(error["input"])
        hint = did_you_mean(given, expected)
        return f"`{given}` is not one of {', '.join(expected)}" + (f"; {hint}" if hint else "")
    return error["msg"].removeprefix("Value error, ")


def unknown_key(key: str, valid: list[str]) -> str:
    """Return the message for unknown key `key` where the keys `valid` are allowed."""
    if not valid:
        return "unknown key (not in the schema; check its spelling)"
    hint = did_you_mean(key, valid)
    listed = ", ".join(closest_first(key, valid))
    return (
        f"unknown key; {hint} (valid keys: {listed})"
        if hint
        else f"unknown key; valid keys here: {listed}"
    )


def keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Return the keys (field names and aliases) of the model found at `loc` inside `model`."""
    found: list[Any] = [model]
    for part in (p for p in loc if not is_tag(p)):
        found = [inner for outer in found for inner in _step(outer, part)]
    models = [m for outer in found for m in _members(outer) if _is_model(m)]
    if not models:
        return []
    fields = models[0].model_fields
    return [*fields, *(f.alias for f in fields.values() if f.alias)]


def _step(annotation: Any, part: str | int) -> list[Any]:
    """Return the annotations that `part` (a key or an index) reaches inside `annotation`."""
    reached = []
    for member in _members(annotation):
        origin = get_origin(member)
        if isinstance(part, str) and _is_model(member):
            field = member.model_fields.get(part)
            reached += [field.annotation] if field else []
        elif isinstance(part, int) and origin in (list, tuple):
            reached.append(get_args(member)[0])
        elif isinstance(part, str) and origin is dict:
            reached.append(get_args(member)[1])
    return reached


def _members(annotation: Any) -> list[Any]:
    """Return the types an annotation allows: Annotated unwrapped, a union split."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _one_branch(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Keep, of a union's errors, those of the branch that got furthest into the value.

    Pydantic reports every branch (`status` is neither 'draft' nor 'final', nor a mapping); the
    branch that reached deeper, or failed on more than the value's type, is the one meant.
    """
    branches: dict[Loc, dict[str, list[ErrorDetails]]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        tag = next((i for i, part in enumerate(loc) if is_tag(part)), None)
        if tag is not None:
            branches.setdefault(loc[:tag], {}).setdefault(str(loc[tag]), []).append(error)
    dropped: set[int] = set()
    for found in branches.values():
        best = max(found, key=lambda tag: max(_reach(e) for e in found[tag]))
        dropped |= {id(e) for tag, errs in found.items() if tag != best for e in errs}
    return [e for e in errors if id(e) not in dropped]


def _reach(error: ErrorDetails) -> tuple[int, bool]:
    return len(error["loc"]), not error["type"].endswith("_type")
