"""The trust boundary of template folders: what a template, stylesheet or catalogue may reach.

A folder's files are read only when their real path (symlinks resolved) stays inside the folder's
own real path, names stay relative (no absolute path, no ".."), and text is UTF-8 or a located
error. Standard library only: the report definitions use it while they are validated.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import InputError, Problem, TemplateError, display_path


def within(path: Path, folder: Path) -> bool:
    """True when the real path of `path` lies inside the real path of `folder`."""
    return path.resolve().is_relative_to(folder.resolve())


def confined(path: Path, folder: Path, what: str) -> Path:
    """Return the real path of `path`, found in `folder`; refuse one that leads outside it."""
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        raise TemplateError(
            f"refused: {what} is {display_path(path)}, which leads to {real}, "
            f"outside {display_path(folder)}"
        )
    return real


def is_relative_name(name: str) -> bool:
    """True when `name` names a file below a folder: not absolute, no "..", no drive or "\\"."""
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def read_utf8(path: Path) -> str:
    """Return the text of `path`; raise InputError located at its first byte that is not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError([Problem(path, 1, 1, f"cannot read file: {e.strerror or e}")]) from e
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError([not_utf8(path, raw, e)]) from e


def not_utf8(path: Path, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """Return the Problem of `raw`, the bytes of `path`, failing to decode at `error`."""
    line, col = byte_position(raw, error.start)
    message = f"not UTF-8 text: byte 0x{raw[error.start]:02x} (save the file as UTF-8)"
    return Problem(path, line, col, message)


def byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Return the line and column (both from 1) of byte `offset` in `raw`."""
    return raw.count(b"\n", 0, offset) + 1, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
