"""Shared fixtures: every test builds its inputs in a temporary project and calls the CLI in-process."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

REPO = Path(__file__).resolve().parent.parent
BUILD_DATE = "2026-11-28"


@dataclass
class Run:
    code: int
    out: str
    err: str


def copy_project(target: Path) -> Path:
    """Copy the shipped templates and data into `target`, a fresh project with no reports."""
    for folder in ("templates", "data"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def english_only(root: Path) -> Path:
    """Make each shipped document a single final English edition: one PDF per document.

    Most tests are about building, not languages; they run on this smaller matrix (3 PDFs, not 12).
    """
    reports = root / "data/reports.yaml"
    text = re.sub(r"languages: \[[^]]*\]", "languages: [en-GB]", reports.read_text("utf-8"))
    text = re.sub(r"status: \{[^}]*\}", "status: final", text)
    text = re.sub(r"\n    releasable_at: \[[^]]*\]", "", text)
    reports.write_text(text, "utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The shipped project, in English only: chile-russia-briefing-note.en-GB.pdf and two more."""
    return english_only(copy_project(tmp_path / "project"))


@pytest.fixture
def full_project(tmp_path: Path) -> Path:
    """The shipped project as it is: every document in every language, 12 PDFs."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Return a function that runs the CLI in-process from a project's folder, capturing output."""

    def run(root: Path, *args: str) -> Run:
        monkeypatch.chdir(root)  # as a user would; messages name files relative to it
        code = main([*args], project_root=root)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the shipped documents once per session; return the project folder."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    assert main(["--date", BUILD_DATE, "--html", "--strict", "-q"], project_root=root) == 0
    return root


@pytest.fixture
def built_copy(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of `built`, with its PDFs, HTML and state, for a test that changes it."""
    return Path(shutil.copytree(built, tmp_path / "copy", symlinks=True))


@pytest.fixture(scope="session")
def built_english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the English-only project once per session, as `--date BUILD_DATE` does."""
    root = english_only(copy_project(tmp_path_factory.mktemp("english") / "project"))
    assert main(["--date", BUILD_DATE, "-q"], project_root=root) == 0
    return root


@pytest.fixture
def project_built(built_english: Path, tmp_path: Path) -> Path:
    """`project` after `cli(project, "--date", BUILD_DATE)`: a fresh copy of `built_english`,
    with its PDFs, manifest, snapshots and build.json (whose paths name the original folder)."""
    return Path(shutil.copytree(built_english, tmp_path / "project", symlinks=True))


def figure_alts(pdf: Path) -> list[str]:
    """Return the /Alt text of every Figure in a tagged PDF's structure tree, in order."""
    import pikepdf

    figures: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(pdf) as document:
        walk(document.Root.StructTreeRoot)
    return figures


HANG = 240  # seconds: reached only when a stop is lost or something hangs, never by load


@dataclass
class Session:
    """A briefgen process in a session of its own, tagged so that every process it starts is found."""

    process: subprocess.Popen[bytes]
    log: Path
    tag: str

    def text(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def wait_for(self, pattern: str) -> None:
        """Wait until the log has a line matching `pattern` (or the process ended)."""
        deadline = time.monotonic() + HANG
        while not re.search(pattern, self.text(), re.M):
            assert self.process.poll() is None, f"ended before {pattern!r}:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.text()}"
            time.sleep(0.02)

    def processes(self) -> list[int]:
        """Return the pids of every live process carrying this session's tag."""
        return [pid for pid in _pids() if _tagged(pid, self.tag)]

    def stop(self, sig: int, group: bool) -> int:
        """Send `sig` (to the whole process group, as a terminal's Ctrl-C does, if `group`)."""
        if group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"did not stop:\n{self.describe()}\n{self.text()}") from None

    def describe(self) -> str:
        """Say what each live process of the session is and where it waits (for a failure)."""
        lines = []
        for pid in [self.process.pid, *self.processes()]:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
                where = Path(f"/proc/{pid}/wchan").read_text()
            except OSError:
                continue
            lines.append(f"{pid} waits in {where}: {command.decode(errors='replace')}")
        return "\n".join(lines)

    def assert_nothing_left(self) -> None:
        """Every process of the session (fork server, workers) ends with it."""
        deadline = time.monotonic() + HANG
        while self.processes():
            assert time.monotonic() < deadline, f"left running:\n{self.describe()}\n{self.text()}"
            time.sleep(0.05)


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _tagged(pid: int, tag: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or not ours
        return False
    return f"BRIEFGEN_TEST_TAG={tag}".encode() in environ.split(b"\0")


@contextlib.contextmanager
def briefgen(project: Path, log: Path, *args: str, stdout: Path | None = None) -> Iterator[Session]:
    """Run generate.py with `args` (stderr to `log`, stdout to `stdout` if given); whatever
    happens, kill what is left of it afterwards."""
    tag = uuid.uuid4().hex
    env = {**os.environ, "BRIEFGEN_NO_BOOTSTRAP": "1", "BRIEFGEN_TEST_TAG": tag}
    command = [sys.executable, str(REPO / "generate.py"), "--project", str(project), *args]
    with log.open("wb") as err, (stdout or Path(os.devnull)).open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out if stdout else None, stderr=err, start_new_session=True
        )
    session = Session(process, log, tag)
    try:
        yield session
    finally:
        for pid in [process.pid, *session.processes()]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        process.wait()
