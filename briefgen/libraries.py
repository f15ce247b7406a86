"""Import WeasyPrint with its shared-library lookups answered from one read of the linker cache.

Standard library only (bootstrap.py uses `find_library` before anything is installed).

WeasyPrint loads seven libraries through cffi, trying up to six names for each (`libgobject-2.0-0`,
`gobject-2.0-0`, `gobject-2.0`, ...). Every name that is not a file goes to
`ctypes.util.find_library`, which on Linux runs `ldconfig -p` and, when that finds nothing, gcc and
ld: about twenty programs and 0.13 s of a 0.35 s import, on the critical path of every cold build.
Here `ldconfig -p` runs once, and each name is looked up in its output with the regular expression
`ctypes.util` uses, then in the folders of LD_LIBRARY_PATH. Should WeasyPrint still fail to load a
library that way (one only gcc's own search path holds), it is imported again with the standard
lookup, so nothing that loaded before fails to load now. (An optional one, HarfBuzz's subsetter,
would be missed there without a failure: that takes a linker cache older than the library, which
`ldconfig` refreshes, as installing a Debian package does.)
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import importlib
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

_STANDARD = ctypes.util.find_library
# The C library ABI ldconfig names beside each entry, as ctypes.util reads it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def import_weasyprint() -> ModuleType:
    """Import WeasyPrint (once per process), looking its libraries up quickly where possible."""
    if "weasyprint" not in sys.modules and sys.platform.startswith("linux"):
        # A library outside the linker cache fails this import, which unloads what it loaded
        # (WeasyPrint's own advice, printed first, is kept for the attempt that counts); the
        # import below then uses the standard lookup.
        with contextlib.suppress(OSError), _fast_lookups(), contextlib.redirect_stdout(None):
            importlib.import_module("weasyprint")
    return importlib.import_module("weasyprint")


def find_library(name: str) -> str | None:
    """Return the file name of library `name` ("pango-1.0"), or None if it is not installed."""
    if not sys.platform.startswith("linux") or not _linker_cache():  # no glibc ldconfig
        return _STANDARD(name)
    return _from_cache(name) or _from_library_path(name)


@contextlib.contextmanager
def _fast_lookups() -> Iterator[None]:
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = _STANDARD


def _from_cache(name: str) -> str | None:
    abi = _ABI.get(f"{os.uname().machine}-{struct.calcsize('l') * 8}", "libc6")
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}", _linker_cache())
    return found.group(1) if found else None


def _from_library_path(name: str) -> str | None:
    for folder in filter(None, os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)):
        for candidate in sorted(Path(folder).glob(f"lib{name}.so*")):
            return str(candidate)
    return None


@functools.cache
def _linker_cache() -> str:
    """The output of `ldconfig -p` (empty if it cannot run), read once per process."""
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            check=False,
        ).stdout.decode(errors="replace")
    except OSError:
        return ""
