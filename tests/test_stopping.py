"""Stopping: SIGTERM and Ctrl-C end builds, schedulers and watchers promptly, at any moment, and
leave no process behind; runaway renders meet their limits in a watcher too.

No test here depends on a timing margin: runaway templates never end, every wait is a wait *until*
something happens (with a bound only a lost signal or a hang can reach), and the random moments
at which signals are sent only vary where they land.
"""

from __future__ import annotations

import json
import random
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import BUILD_DATE, HANG, Session, briefgen

# Work that never ends, in Jinja's sandbox too (which refuses a range of more than 100,000).
ENDLESS = (
    "<p>{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}</p>\n"
)


def _runaway(project: Path, template: str = "fact-sheet.html") -> None:
    (project / "templates" / template).write_text(ENDLESS)


def test_signals_at_random_moments_all_stop_schedule_and_watch(
    project: Path, tmp_path: Path
) -> None:
    # Four at a time on one project, so that signals also land while a run waits for the lock;
    # --force makes every run a real build, so they land in validation, rendering and writing.
    kinds = [
        (command, force, sig, group)
        # SIGTERM to the process (kill), or to its group (systemd's default); Ctrl-C to the group
        for sig, group in ((signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, True))
        for force in (True, False)
        for command in ("schedule", "watch")
    ]
    # Each kind twice, each trial at a random moment in a slice of the first 3 s of its own. The
    # moments cover the window evenly; every kind is stopped once in each half, and each command
    # with and without --force every 0.5 s.
    rng = random.Random(12)
    count = 2 * len(kinds)
    trials = [(i, *kinds[i % len(kinds)], (i + rng.random()) * 3 / count) for i in range(count)]

    def trial(i: int, command: str, force: bool, sig: int, group: bool, delay: float) -> str:
        args = [command, "--date", BUILD_DATE] + (
            ["--every", "1s"] if command == "schedule" else []
        )
        with briefgen(project, tmp_path / f"{i}.log", *args, *(["--force"] if force else [])) as s:
            s.wait_for(r"^(scheduler|watch) started")
            time.sleep(delay)
            code = s.stop(sig, group)
            s.assert_nothing_left()
            text = s.text()
        what = f"trial {i}: {command} {'--force ' if force else ''}{signal.Signals(sig).name}"
        assert code == 0, f"{what}: exit code {code}\n{text}"
        assert re.search(r"^(scheduler|watch) stopped", text, re.M), f"{what}:\n{text}"
        assert "Traceback" not in text and "bug in briefgen" not in text, f"{what}:\n{text}"
        return text

    with ThreadPoolExecutor(4) as pool:
        logs = list(pool.map(lambda t: trial(*t), trials))
    assert len(logs) == count
    # The random moments did land in the middle of runs, not only between them.
    assert any("interrupted by SIG" in text for text in logs)


def test_a_stop_request_ends_a_build_in_the_middle_and_loses_nothing(
    project_built: Path, tmp_path: Path
) -> None:
    project = project_built
    reports = project / "reports"
    before = {p.name: p.read_bytes() for p in reports.glob("*.pdf")}
    sheet = "chile-russia-fact-sheet.en-GB.pdf"
    _runaway(project)
    with briefgen(project, tmp_path / "stopped.log", "--date", "2026-12-01") as build:
        # The other two documents are rebuilt (a new date: new bytes); the fact sheet never ends.
        _wait_until(
            build,
            lambda: all(
                (reports / name).read_bytes() != old
                for name, old in before.items()
                if name != sheet
            ),
        )
        assert build.stop(signal.SIGTERM, group=False) == 130
        build.assert_nothing_left()
        assert "error: interrupted by SIGTERM" in build.text()
    assert (reports / sheet).read_bytes() == before[sheet]
    summary = json.loads((reports / "build.json").read_text())
    assert summary["exit_code"] == 130 and summary["errors"] == ["interrupted by SIGTERM"]
    statuses = {d["name"]: (d["status"], d["error"]) for d in summary["documents"]}
    assert statuses == {
        "briefing-note.en-GB": ("built", None),
        "eeu-brief.en-GB": ("built", None),
        "fact-sheet.en-GB": ("failed", "not built: interrupted by SIGTERM"),
    }
    manifest = json.loads((reports / ".briefgen/manifest.json").read_text())
    assert manifest["documents"]["briefing-note.en-GB"]["params"]["date"] == "2026-12-01"


def test_a_killed_build_leaves_no_worker_running(project: Path, tmp_path: Path) -> None:
    # kill -9 gives the command no chance to stop its workers: they must die with it, not go on
    # rendering (or writing) with nobody holding the lock.
    _runaway(project)
    with briefgen(project, tmp_path / "killed.log", "--date", BUILD_DATE) as build:
        _wait_for_worker(build)
        build.process.kill()
        build.process.wait()
        build.assert_nothing_left()


def test_generate_py_ends_with_its_exit_code_its_whole_output_and_no_process_left(
    project: Path, tmp_path: Path
) -> None:
    # generate.py skips the interpreter's teardown (cli.exit_now); the exit functions still run.
    out = tmp_path / "summary.json"
    only = ("--date", BUILD_DATE, "--only", "fact-sheet.en-GB")
    with briefgen(project, tmp_path / "built.log", *only, "--json", stdout=out) as build:
        assert build.process.wait(timeout=HANG) == 0, build.text()
        build.assert_nothing_left()  # the fork server was stopped
        assert "1 built, 0 up to date, 0 failed" in build.text()
    summary = json.loads(out.read_text("utf-8"))  # the whole of it, flushed before the end
    assert (summary["exit_code"], summary["counts"]["built"]) == (0, 1)
    with briefgen(project, tmp_path / "usage.log", "--only", "no-such-document") as usage:
        assert usage.process.wait(timeout=HANG) == 2
        assert "no-such-document" in usage.text()


def _wait_until(session: Session, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + HANG
    while not done():
        assert session.process.poll() is None, session.text()
        assert time.monotonic() < deadline, session.text()
        time.sleep(0.05)


def test_a_watcher_stops_runaway_renders_at_their_limits_and_on_request(
    project: Path, tmp_path: Path
) -> None:
    _runaway(project)
    log = tmp_path / "watch.log"
    with briefgen(project, log, "watch", "--date", BUILD_DATE, "--time-limit", "2") as watch:
        watch.wait_for(r"fact-sheet\.en-GB: took longer than the time limit of 2 s; stopped")
        watch.wait_for(r"^watching ")
        assert watch.stop(signal.SIGTERM, group=False) == 0
        watch.assert_nothing_left()
    # With the default limit, the runaway is still rendering when the stop request comes.
    with briefgen(project, tmp_path / "stop.log", "watch", "--date", BUILD_DATE) as watch:
        _wait_for_worker(watch)
        assert watch.stop(signal.SIGTERM, group=False) == 0
        watch.assert_nothing_left()
        assert "watch stopped (SIGTERM)" in watch.text()
    summary = json.loads((project / "reports/build.json").read_text())
    assert summary["exit_code"] == 130


def _wait_for_worker(session: Session) -> None:
    """Wait until a worker renders: the command line, the fork server, its resource tracker and
    the worker are four processes."""
    deadline = time.monotonic() + HANG
    while len(session.processes()) < 4:
        assert session.process.poll() is None, session.text()
        assert time.monotonic() < deadline, session.text()
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_run_waiting_for_the_lock_stops_on_request(
    project: Path, tmp_path: Path, sig: int
) -> None:
    import filelock

    (project / "reports/.briefgen").mkdir(parents=True)
    log = tmp_path / "wait.log"
    lock = filelock.FileLock(project / "reports/.briefgen/lock")
    with lock, briefgen(project, log, "--date", BUILD_DATE) as build:
        build.wait_for("another build is running; waiting up to 300 s")
        assert build.stop(sig, group=True) == 130
        build.assert_nothing_left()
        name = signal.Signals(sig).name
        assert f"interrupted by {name} while waiting for the lock" in build.text()


def test_the_signal_handler_only_records_the_signal() -> None:
    # The old handler logged first: a signal arriving while the main thread was inside a write to
    # stderr made the handler's own write fail (a re-entrant call), so the flag was never set.
    import logging

    from briefgen.stopping import stop_on_signals

    records: list[logging.LogRecord] = []

    class Catcher(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    catcher = Catcher()
    logging.getLogger().addHandler(catcher)
    logging.getLogger("briefgen").addHandler(catcher)
    try:
        with stop_on_signals() as stop:
            assert not stop.requested()
            handler = signal.getsignal(signal.SIGTERM)
            assert callable(handler)
            handler(signal.SIGTERM, None)
            assert stop.requested() and stop.name == "SIGTERM"
            assert records == []
    finally:
        logging.getLogger().removeHandler(catcher)
        logging.getLogger("briefgen").removeHandler(catcher)


def test_validation_hears_a_stop_between_data_sets(project: Path) -> None:
    import datetime as dt

    from briefgen.errors import Interrupted
    from briefgen.inputs import check
    from briefgen.project import BuildOptions, Project
    from briefgen.stopping import Stop

    stop = Stop()
    stop.record(signal.SIGTERM)
    with pytest.raises(Interrupted, match="interrupted by SIGTERM"):
        check(Project(project), BuildOptions(dt.date(2026, 11, 28)), stop)
    stop.close()
