"""WeasyPrint's PDF as pydyf objects, between layout and writing (its `finisher` hook)."""

from __future__ import annotations

from typing import Any


def resolve(pdf: Any, reference: Any) -> Any:
    """Return the object of `pdf` that `reference` names (pydyf writes b"12 0 R")."""
    return pdf.objects[int(reference.split()[0])]
