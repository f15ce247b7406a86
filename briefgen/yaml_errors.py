"""Say in plain words why PyYAML cannot read a file, and what to do about it.

PyYAML speaks parser ("while parsing a block mapping expected <block end>, but found '<block
mapping start>'"). Each rule here recognises one cause a person meets (a tab, a line indented
differently, an unclosed quote or bracket, a missing colon …) from the parser's words and the text
of the file, and points at where the cause is: an unclosed quote where it opened, a misindented
key at its first character. The parser's own words follow as a detail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from .yaml_text import indent, last_open_bracket, opening_quote

ALIASES = "aliases (*name) are not allowed"  # our own refusal (data.py), not the parser's

Found = tuple[int, int, str] | None  # line, column (from 1) and the plain words, if a rule knows


@dataclass(frozen=True)
class _Failure:
    """A parser error with the lines of the file it was reading; marks counted from 1."""

    lines: list[str]
    context: str
    problem: str
    at: tuple[int, int]  # where the parser gave up
    opened: tuple[int, int] | None  # where what it was reading began (a quote, a bracket, a list)

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def above(self, number: int) -> list[tuple[int, str]]:
        """Return the lines above line `number` that hold YAML (not blank, not a comment), nearest first."""
        found = [(n, self.line(n)) for n in range(number - 1, 0, -1)]
        return [
            (n, text) for n, text in found if text.strip() and not text.lstrip().startswith("#")
        ]


def explain(text: str, error: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Return where to point (line, column, from 1) and what to say about a YAML syntax error."""
    failure = _failure(text, error)
    if failure.problem == ALIASES:
        return *failure.at, f"{ALIASES}: write the value out in full where it is needed"
    detail = " ".join(part for part in (failure.context, failure.problem) if part)
    for rule in RULES:
        if found := rule(failure):
            line, col, words = found
            return line, col, f"{words}. (YAML parser: {detail})"
    words = (
        "YAML cannot read this line; check its indentation (spaces only, the same for keys "
        "that belong together), its colons (`key: value`, with a space) and its quotes"
    )
    return *failure.at, f"{words}. (YAML parser: {detail or 'invalid YAML'})"


def _failure(text: str, error: yaml.MarkedYAMLError) -> _Failure:
    def position(mark: yaml.Mark | None) -> tuple[int, int] | None:
        return (mark.line + 1, mark.column + 1) if mark else None

    at = position(error.problem_mark) or position(error.context_mark) or (1, 1)
    return _Failure(
        text.splitlines(),
        error.context or "",
        error.problem or "",
        at,
        position(error.context_mark),
    )


def _tab(f: _Failure) -> Found:
    if "'\\t'" not in f.problem and "tab" not in f.problem:
        return None
    line = f.at[0]
    leading = re.match(r"[ \t]*", f.line(line))
    if leading and "\t" in leading.group():
        return (
            line,
            leading.group().index("\t") + 1,
            "a tab is used for indentation, and YAML allows only spaces there; indent with spaces",
        )
    return (
        *f.at,
        "a tab separates the parts of this line, and YAML allows only spaces there; use a space "
        "(or put the value in quotes if the tab belongs to it)",
    )


def _unclosed_quote(f: _Failure) -> Found:
    if "quoted scalar" not in f.context or f.opened is None:
        return None
    line, col = f.opened
    quote = f.line(line)[col - 1 : col] or '"'
    if "escape" in f.problem:
        return (
            *f.at,
            "inside double quotes a backslash starts an escape such as \\n; write \\\\ for a "
            "backslash, or put the value in single quotes",
        )
    inside = "write it twice ('')" if quote == "'" else 'write \\"'
    return (
        line,
        col,
        f"the quote {quote} that opens here is never closed; end the value with {quote} "
        f"(to put a {quote} inside the value, {inside})",
    )


def _unclosed_bracket(f: _Failure) -> Found:
    match = re.search(r"flow (mapping|sequence)", f.context)
    if "flow node" in f.context and "<stream end>" in f.problem:  # the parser lost the opening
        unclosed = last_open_bracket(f.lines)
        if unclosed is None:
            return None
        line, col, opening = unclosed
        closing = "}" if opening == "{" else "]"
        return line, col, f"the {opening} that opens here is never closed; close it with {closing}"
    if not match or f.opened is None:
        return None
    opening, closing = ("{", "}") if match.group(1) == "mapping" else ("[", "]")
    if f.at[0] > f.opened[0]:
        return (
            *f.opened,
            f"the {opening} that opens here is never closed; close it with {closing} "
            "after its last item",
        )
    return (
        *f.at,
        f"expected a comma or {closing} here, inside the {opening} at column {f.opened[1]}; "
        f"separate its items with commas (`a, b`) and close it with {closing}",
    )


def _missing_colon(f: _Failure) -> Found:
    if "could not find expected ':'" not in f.problem:
        return None
    return (
        *(f.opened or f.at),
        "this line has no colon after its key; write `key: value`, with a space after the colon "
        "(or, in a list, begin the item with `- `)",
    )


def _another_document(f: _Failure) -> Found:
    if "another document" not in f.problem:
        return None
    return (*f.at, "a second document begins here (`---`), and a file holds one; remove the line")


def _mapping_value(f: _Failure) -> Found:
    if "mapping values are not allowed" not in f.problem:
        return None
    line, col = f.at
    text = f.line(line)
    key = re.match(r"\s*(?:-\s+)*[^\s#'\"][^:]*:\s", text)
    if key and key.end() < col:
        return (
            *f.at,
            "this value contains `: ` (a colon and a space), which YAML reads as the start of a "
            'key; put the whole value in quotes ("…")',
        )
    above = f.above(line)
    if above and indent(text) > indent(above[0][1]):
        name = text.strip().split(":")[0]
        return (
            line,
            indent(text) + 1,
            f"`{name}` is indented more than line {above[0][0]}, so YAML reads it as part of that "
            "line's value; indent it like the keys it belongs with",
        )
    if above and re.search(r":\S", above[0][1]) and ": " not in above[0][1]:
        return (
            above[0][0],
            indent(above[0][1]) + 1,
            "this line has no space after its colon, so YAML reads it as text, not `key: value`; "
            "put a space after the colon",
        )
    return None


def _block_end(f: _Failure) -> Found:
    found = re.search(r"expected <block end>, but found '(.*)'", f.problem)
    if not found:
        return None
    if "block collection" in f.context and found.group(1) == "?" and f.opened:
        return (
            *f.at,
            f"a key at the indentation of the list that begins on line {f.opened[0]}, where YAML "
            "expects another item (`- …`); to give the item above this key, indent it like that "
            "item's first key; to begin a new item, write `- ` before it",
        )
    if found.group(1) == "-":
        return (
            *f.at,
            "a list item (`- `) among keys; put the list under its own key (`key:` alone on the "
            "line above) and indent its items more than that key",
        )
    return _misindented(f)


def _early_quote(f: _Failure) -> Found:
    """A quoted value ends before its line does: a quote inside it, or one left open above."""
    line, col = f.at
    before = f.line(line)[: col - 1].rstrip()
    if "found '<scalar>'" not in f.problem or not before.endswith(("'", '"')):
        return None
    quote = before[-1]
    start = opening_quote(f.lines, line, len(before), quote)
    if start and start[0] < line:  # a quoted value may span lines: this one ran on
        return (
            *start,
            f"the quote {quote} that opens here is not closed on its line, so the value runs on "
            f"to the {quote} on line {line}; end the value with {quote} on this line",
        )
    inside = "write it twice ('')" if quote == "'" else 'write \\"'
    return (
        line,
        len(before),
        f"the quoted value ends at this {quote}, before the end of the line; to put a {quote} "
        f"inside a value, {inside}, or quote the value with the other kind of quote",
    )


def _misindented(f: _Failure) -> Found:
    line, _ = f.at
    text = f.line(line)
    spaces_here, item = indent(text), text.lstrip().startswith("- ")
    levels: list[tuple[int, int]] = []  # (indentation, line) of each enclosing level above
    for number, above in f.above(line):
        key = re.match(r" *(?:- +)*", above)  # `  - key:` has its key at 4, its item at 2
        found = {indent(above)} if item or not key else {indent(above), key.end()}
        for spaces in sorted(found, reverse=True):
            if not levels or spaces < levels[-1][0]:
                levels.append((spaces, number))
    if not levels or spaces_here in (level for level, _ in levels):
        return None
    what = "list item" if item else "key" if ":" in text else "line"
    shown = " and ".join(f"{spaces} (line {number})" for spaces, number in levels[:2])
    return (
        line,
        spaces_here + 1,
        f"this {what} is indented by {spaces_here} space{'s' * (spaces_here != 1)}, but the "
        f"lines above it by {shown}; indent it exactly like the {what}s it belongs with",
    )


def _cannot_start(f: _Failure) -> Found:
    found = re.search(r"found character '(.+)' that cannot start any token", f.problem)
    if not found:
        return None
    return (*f.at, f"a value cannot begin with {found.group(1)}; put the value in quotes")


def _alias(f: _Failure) -> Found:
    if not re.search(r"scanning an? (alias|anchor)", f.context):
        return None
    return (
        *(f.opened or f.at),
        "* and & begin aliases and anchors, which briefgen does not allow; to begin a value "
        "with one of them, put the value in quotes",
    )


RULES: list[Callable[[_Failure], Found]] = [
    _tab,
    _unclosed_quote,
    _unclosed_bracket,
    _missing_colon,
    _another_document,
    _mapping_value,
    _early_quote,
    _block_end,
    _cannot_start,
    _alias,
]
