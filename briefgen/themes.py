"""The template search path seen from outside: which file each template name resolves to, and ejecting."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError, display_path

# Templates and the assets they use: everything `templates` lists can be ejected.
TEMPLATE_SUFFIXES = (".html", ".css", ".svg", ".png", ".jpg", ".ttf", ".otf", ".woff", ".woff2")


@dataclass(frozen=True)
class Resolved:
    """A template name, the folder it is read from, and the folders it hides."""

    name: str
    folder: Path
    hidden: tuple[Path, ...]


def list_templates(search_path: list[Path]) -> list[Resolved]:
    """Return every template name on the search path with the folder that wins for it."""
    found: dict[str, list[Path]] = {}
    for folder in search_path:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                found.setdefault(path.relative_to(folder).as_posix(), []).append(folder)
    return [
        Resolved(name, folders[0], tuple(folders[1:])) for name, folders in sorted(found.items())
    ]


def eject(name: str, default: Path, target: Path) -> Path:
    """Copy the default theme's `name` into `target` for editing; refuse to overwrite."""
    source = default / name
    if not source.is_file() or Path(name).is_absolute() or ".." in Path(name).parts:
        raise UsageError(
            f"{name!r} is not a template of the default theme; see the templates command"
        )
    destination = target / name
    if destination.exists():
        raise UsageError(f"{display_path(destination)} already exists; remove it to eject again")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return destination
