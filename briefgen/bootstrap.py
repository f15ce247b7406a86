"""Prepare a fresh machine for briefgen: system libraries, a virtualenv, the Python packages.

Standard library only: this runs under whatever `python3` the user has, before anything is installed.
generate.py and tests/run.py call `ensure_environment`, which returns when the current interpreter
is ready and otherwise sets up `.venv` and re-executes the same command inside it.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .libraries import find_library

EXIT_SETUP = 3
# The shared libraries WeasyPrint loads, and the Debian/Ubuntu packages that provide them.
SYSTEM_LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz-subset": "libharfbuzz-subset0",
}
MODULES = {
    (): [
        "weasyprint",
        "jinja2",
        "yaml",
        "pydantic",
        "babel",
        "markdown_it",
        "starlette",
        "uvicorn",
    ],
    ("test",): ["pytest", "pypdf", "playwright", "httpx2"],
}
# Programs an extra's tests drive, and the Debian packages that provide them. Building needs none
# of them; a test whose program could not be installed is skipped and says why.
SYSTEM_PROGRAMS = {
    # The preview's browser test drives Chromium through Playwright, whose own browser download
    # may be out of reach (no network but the package registries): Debian's build is used.
    # Playwright's own Node.js needs libatomic, which a bare Debian lacks ("lib:" names a library).
    "test": {"/usr/bin/chromium": "chromium", "lib:atomic": "libatomic1"},
}


def ensure_environment(root: Path, extras: Sequence[str]) -> None:
    """Return when this interpreter can run briefgen; otherwise set up .venv and re-exec in it."""
    if os.environ.get("BRIEFGEN_NO_BOOTSTRAP") == "1":
        return
    venv = root / ".venv"
    _install_programs(extras)
    missing_libraries = _missing_libraries()
    if not missing_libraries and _ready(venv, root, extras):
        return
    _install_system_packages(missing_libraries)
    python = _venv_python(venv)
    if not python.exists():
        _say(f"creating {venv} (first run only)")
        _run([sys.executable, "-m", "venv", str(venv)])
    _install_packages(python, root, extras)
    os.execv(python, [str(python), *sys.argv])


def _ready(venv: Path, root: Path, extras: Sequence[str]) -> bool:
    """True when running inside an up-to-date .venv, or in any env that has every module."""
    if Path(sys.prefix).resolve() == venv.resolve():
        fingerprint, installed = _installed(venv)
        return fingerprint == _fingerprint(root) and set(extras) <= installed
    in_some_venv = sys.prefix != sys.base_prefix
    modules = [m for key, names in MODULES.items() if set(key) <= set(extras) for m in names]
    return in_some_venv and all(importlib.util.find_spec(m) for m in modules)


def _missing_libraries() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []  # elsewhere WeasyPrint's own install notes apply; we cannot apt-get
    return [package for lib, package in SYSTEM_LIBRARIES.items() if not _found(lib)]


def _found(library: str) -> bool:
    """True when `library` can be loaded: the linker cache first (fast), then the full search."""
    return bool(find_library(library) or ctypes.util.find_library(library))


def _install_system_packages(libraries: list[str]) -> None:
    packages = list(libraries)
    if importlib.util.find_spec("ensurepip") is None:
        packages.insert(0, "python3-venv")  # Debian splits venv's pip bootstrap into this package
    if not packages:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if not shutil.which("apt-get"):
        _fail(
            f"missing system packages {', '.join(packages)}; install them with your package "
            "manager (see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html)"
        )
    if os.geteuid() != 0:
        _fail(
            "missing system packages; run this, then rerun the command:\n"
            f"    sudo apt-get update && sudo {' '.join(command)}"
        )
    _say(f"installing system packages: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-q"], env)
    _run(command, env)


def _present(thing: str) -> bool:
    """True when a program's path exists, or a library ("lib:atomic") can be loaded."""
    if thing.startswith("lib:"):
        return _found(thing.removeprefix("lib:"))
    return Path(thing).exists()


def _install_programs(extras: Sequence[str]) -> None:
    """Install the programs the extras' tests drive, if possible; otherwise say how, and go on."""
    wanted = {
        path: package
        for extra in extras
        for path, package in SYSTEM_PROGRAMS.get(extra, {}).items()
    }
    packages = sorted({package for path, package in wanted.items() if not _present(path)})
    if not packages or not sys.platform.startswith("linux"):
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    skipped = "the tests that need it are skipped"
    if not shutil.which("apt-get") or os.geteuid() != 0:
        _say(
            f"{', '.join(packages)} is not installed, so {skipped}; to run them too:\n"
            f"    sudo apt-get update && sudo {' '.join(command)}"
        )
        return
    _say(f"installing system packages for the tests: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(command, check=True, env=env)
    except (OSError, subprocess.CalledProcessError) as e:  # e.g. no such package on this release
        _say(f"could not install {', '.join(packages)} ({e}), so {skipped}")


def _install_packages(python: Path, root: Path, extras: Sequence[str]) -> None:
    venv = python.parent.parent
    fingerprint, installed = _installed(venv)
    if fingerprint == _fingerprint(root) and set(extras) <= installed:
        return
    wanted = sorted(set(extras) | installed) if fingerprint == _fingerprint(root) else list(extras)
    _say("installing Python packages into .venv (first run, or the pins changed)")
    spec = f"{root}[{','.join(wanted)}]" if wanted else str(root)
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*command, "-c", str(root / "constraints.txt"), "-e", spec])
    _stamp(venv).write_text(f"{_fingerprint(root)}\n{','.join(wanted)}\n")


def _installed(venv: Path) -> tuple[str, set[str]]:
    """Return the fingerprint and extras recorded by the last install into `venv`."""
    try:
        fingerprint, extras = _stamp(venv).read_text().splitlines()
    except (OSError, ValueError):
        return "", set()
    return fingerprint, set(filter(None, extras.split(",")))


def _fingerprint(root: Path) -> str:
    """Return a hash of what decides the packages: the project's metadata and the pins."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def _stamp(venv: Path) -> Path:
    return venv / ".briefgen-installed"


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        subprocess.run(command, check=True, env=env)
    except (OSError, subprocess.CalledProcessError) as e:
        _fail(f"set-up step failed: {' '.join(command)}\n    {e}")


def _say(message: str) -> None:
    print(f"briefgen set-up: {message}", file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    print(f"briefgen set-up: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_SETUP)
