"""Suggest what was meant: the valid names closest to a misspelt one, closest first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# How alike two names must be (difflib's ratio, 0 to 1) for one to be offered as the other.
CUTOFF = 0.6


def closest_first(word: str, choices: Iterable[str]) -> list[str]:
    """Return every choice, the most like `word` first (ties keep their order).

    A name that `word` begins is closest of all: `fact-sheet.en` means `fact-sheet.en-GB`, not
    `fact-sheet.es`, though a letter-by-letter count puts the latter nearer.
    """
    names = list(dict.fromkeys(choices))
    return sorted(names, key=lambda name: _likeness(word, name), reverse=True)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return "did you mean `x`?" for the choice closest to `word`, or "" when none is close."""
    best = closest(word, choices)
    return f"did you mean `{best}`?" if best else ""


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice `word` most likely meant, or None when none is close enough."""
    best = next(iter(closest_first(word, choices)), None)
    if best is None or best == word:
        return None
    begun, ratio = _likeness(word, best)
    return best if begun or ratio >= CUTOFF else None


def _likeness(word: str, name: str) -> tuple[bool, float]:
    word, name = word.lower(), name.lower()
    begun = len(word) >= 3 and name.startswith(word)  # one or two letters begin too much
    return begun, difflib.SequenceMatcher(None, word, name).ratio()
