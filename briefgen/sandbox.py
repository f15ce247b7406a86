"""Jinja's sandbox, tightened: what a template may call, reach and compute."""

from __future__ import annotations

from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

# The most a template's `*` may repeat a text or list, and the most bits a `**` may make.
MAX_REPEAT = 10_000_000
MAX_POWER_BITS = 100_000


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing pydantic's own model API on the data and definitions: its
    (deprecated) parse_file() reads any file, and can unpickle it.

    `*` and `**` are checked when they run, never folded when a template is compiled: compiling
    {{ "x" * 10**10 }} would otherwise build 10 GB in whichever process compiles it.
    """

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            return left * right
        if operator == "**":
            _check_power(left, right)
            return left**right
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, BaseModel) and _model_api(obj, attr):
            return False
        return super().is_safe_attribute(obj, attr, value)


def _check_repeat(left: Any, right: Any) -> None:
    sequence, times = (left, right) if isinstance(right, int) else (right, left)
    repeats = isinstance(sequence, (str, list, tuple)) and isinstance(times, int)
    if repeats and len(sequence) * times > MAX_REPEAT:
        raise SecurityError(f"a repeat of more than {MAX_REPEAT:,} items")


def _check_power(base: Any, exponent: Any) -> None:
    whole = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if whole and abs(base).bit_length() * exponent > MAX_POWER_BITS:
        raise SecurityError(f"a power of more than {MAX_POWER_BITS:,} bits")


def _model_api(model: BaseModel, attr: str) -> bool:
    """True when `attr` is pydantic's (model_dump, parse_file …), not a field of the same name."""
    return hasattr(BaseModel, attr) and attr not in type(model).model_fields
