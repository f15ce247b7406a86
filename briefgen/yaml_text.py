"""Read the text of a YAML file as a person would, to explain what the parser could not read:
indentation, the bracket still open at the end, the quote that a closing quote belongs to."""

from __future__ import annotations

import re


def indent(text: str) -> int:
    """Return how many spaces begin `text`."""
    return len(text) - len(text.lstrip(" "))


def last_open_bracket(lines: list[str]) -> tuple[int, int, str] | None:
    """Return where the innermost bracket still open at the end of the file opened, and which."""
    opened: list[tuple[int, int, str]] = []
    for number, text in enumerate(lines, start=1):
        # Quoted texts and comments hold no brackets (a quote does not span lines here: an
        # unclosed one is another error, found first).
        plain = re.sub(
            r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|(?:^|\s)#.*", lambda m: " " * len(m[0]), text
        )
        for col, char in enumerate(plain, start=1):
            if char in "[{":
                opened.append((number, col, char))
            elif char in "]}" and opened:
                opened.pop()
    return opened[-1] if opened else None


def opening_quote(lines: list[str], line: int, col: int, quote: str) -> tuple[int, int] | None:
    """Return where the quoted value that the `quote` at (line, col) closes was opened."""
    text = "\n".join([*lines[: line - 1], lines[line - 1][: col - 1]])
    index = len(text)
    while (index := text.rfind(quote, 0, index)) >= 0:
        if quote == '"' and text[:index].endswith("\\"):
            continue  # \" inside double quotes
        if quote == "'" and text[index - 1 : index] == "'":
            index -= 1  # '' inside single quotes
            continue
        return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
    return None
