"""What a run reports: one result per document and the machine-readable summary (build.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

Status = Literal["built", "up to date", "failed"]

# The exit codes, defined once (bootstrap.py, which runs before the package is usable, repeats 3).
EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_SETUP, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


@dataclass
class DocumentResult:
    """The outcome of one document in one run."""

    name: str
    output: Path
    status: Status
    reason: str = ""
    seconds: float = 0.0
    pages: int = 0
    size: int = 0
    edition: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def summary_json(
    results: list[DocumentResult],
    date: str,
    warnings: list[str],
    exit_code: int | None,
    times: tuple[str, str | None],
    errors: list[str] | None = None,
) -> str:
    """Return the run summary as JSON: what a monitor reads from --json or reports/build.json.

    `times` is when the run started and when it finished; a run still going has neither a finish
    time nor an exit code, and its status is "running".
    """
    counts = {s: sum(r.status == s for r in results) for s in ("built", "up to date", "failed")}
    body: dict[str, Any] = {
        "status": "running" if exit_code is None else "finished",
        "started": times[0],
        "finished": times[1],
        "build_date": date,
        "exit_code": exit_code,
        "counts": counts,
        "errors": errors or [],
        "data_warnings": warnings,
        "documents": [],
    }
    # One line per document: readable, and quick to write for a large estate (json's indenting
    # encoder is pure Python).
    lines = [json.dumps(_document(r), ensure_ascii=False) for r in results]
    text = json.dumps(body, indent=2, ensure_ascii=False)
    if lines:
        text = text.removesuffix("[]\n}") + "[\n    " + ",\n    ".join(lines) + "\n  ]\n}"
    return text + "\n"


def _document(result: DocumentResult) -> dict[str, Any]:
    # Not dataclasses.asdict, which deep-copies: a large estate's summary has many documents.
    entry = {f.name: getattr(result, f.name) for f in fields(result)}
    entry["warnings"] = list(result.warnings)
    entry["output"] = str(result.output)
    entry["seconds"] = round(result.seconds, 3)
    return entry
