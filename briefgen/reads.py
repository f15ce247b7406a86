"""What rendering one document used: the names it looked up on the template search path, and the
files it read, each with the hash of the bytes it got.

The worker records them while it renders (the Jinja loader, `asset()`, `outlined()`, the message
catalogues, WeasyPrint's URL fetcher), the manifest keeps them, and the next run checks them without
rendering anything (incremental.py): a document depends only on what it used. A lookup is kept with
the folder that answered it, or None, so that a file added later in an earlier folder (an override
that shadows the default theme's) or where nothing was found before is a change too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Reads:
    """The names looked up on a search path (with the index of the folder that had each) and the
    files read (absolute path -> SHA-256, or "missing")."""

    found: dict[str, int | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def looked_up(self, key: str, index: int | None) -> None:
        """Record that `key` ("NAME", or "default:NAME" for the last folder only) was found in
        folder `index` of the search path, or nowhere."""
        self.found.setdefault(key, index)

    def read(self, path: Path, data: bytes | None) -> None:
        """Record the bytes read from `path`, or None when it could not be read."""
        self.files[str(path)] = hashlib.sha256(data).hexdigest() if data is not None else "missing"

    def read_file(self, path: Path) -> None:
        """Record file `path` as it is now (for a reader whose bytes are out of reach)."""
        try:
            self.read(path, path.read_bytes())
        except OSError:
            self.read(path, None)


def first_having(search_path: list[Path], name: str) -> int | None:
    """Return the index of the first folder of `search_path` that has file `name`, or None."""
    return next((i for i, folder in enumerate(search_path) if (folder / name).is_file()), None)
