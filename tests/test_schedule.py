"""Unattended regeneration: incremental runs, the lock, kills, editions, freshness, watch, schedule."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import filelock
import pytest
from pypdf import PdfReader

from briefgen.errors import UsageError
from briefgen.watch import make_timer
from tests.conftest import BUILD_DATE, REPO, Run, briefgen

Cli = Callable[..., Run]
NOTE = "reports/chile-russia-briefing-note.en-GB.pdf"
ENV = {**os.environ, "BRIEFGEN_NO_BOOTSTRAP": "1"}


def generate(project: Path, *args: str) -> list[str]:
    return [sys.executable, str(REPO / "generate.py"), "--project", str(project), *args]


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def statuses(project: Path) -> dict[str, str]:
    summary = json.loads((project / "reports/build.json").read_text())
    return {d["name"]: d["status"] for d in summary["documents"]}


def test_unchanged_run_builds_nothing_and_loads_no_heavy_library(
    project_built: Path, cli: Cli
) -> None:
    project = project_built
    probe = (
        "import sys; from pathlib import Path; from briefgen.cli import main; "
        f"code = main(['--date', '{BUILD_DATE}'], project_root=Path({str(project)!r})); "
        "heavy = sorted(m for m in ('weasyprint', 'pydantic', 'jinja2', 'yaml') if m in sys.modules); "
        "print(code, heavy)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip() == "0 []", done.stderr
    assert "0 built, 3 up to date, 0 failed" in done.stderr
    assert set(statuses(project).values()) == {"up to date"}
    forced = cli(project, "--date", BUILD_DATE, "--force")
    assert "3 built, 0 up to date" in forced.err


def test_editing_one_data_set_rebuilds_only_its_documents(project_built: Path, cli: Cli) -> None:
    project = project_built
    shutil.copytree(project / "data/chile-russia", project / "data/copy")
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    start = text.index("  - name: fact-sheet")
    copy = (
        text[start:]
        .replace("name: fact-sheet", "name: copy-sheet")
        .replace("data: chile-russia", "data: copy")
        .replace("chile-russia-fact-sheet.pdf", "copy-sheet.pdf")
    )
    reports.write_text(text + "\n" + copy)
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert [n for n, s in statuses(project).items() if s == "built"] == ["copy-sheet.en-GB"]
    visits = project / "data/copy/visits.yaml"
    visits.write_text(visits.read_text().replace("place: {en: Santiago", "place: {en: Valparaíso"))
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert statuses(project) == {
        "briefing-note.en-GB": "up to date",
        "eeu-brief.en-GB": "up to date",
        "fact-sheet.en-GB": "up to date",
        "copy-sheet.en-GB": "built",
    }
    # A change to one document's definition rebuilds that document only.
    reports.write_text(
        reports.read_text().replace(
            'version: "1.0"\n    template: eeu-brief.html',
            'version: "1.1"\n    template: eeu-brief.html',
        )
    )
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert [n for n, s in statuses(project).items() if s == "built"] == ["eeu-brief.en-GB"]
    # A template is an input of every document.
    css = project / "templates/briefing.css"
    css.write_text(css.read_text() + "\n/* touched */\n")
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert set(statuses(project).values()) == {"built"}


def test_build_json_and_json_flag_describe_each_document(project: Path, cli: Cli) -> None:
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert result.code == 0
    summary = json.loads(result.out)
    assert summary == json.loads((project / "reports/build.json").read_text())
    assert summary["exit_code"] == 0 and summary["build_date"] == BUILD_DATE
    assert summary["counts"] == {"built": 3, "up to date": 0, "failed": 0}
    note = summary["documents"][0]
    assert note["name"] == "briefing-note.en-GB" and note["status"] == "built"
    assert note["reason"] == "first build" and note["edition"] == 1
    assert note["pages"] == len(PdfReader(project / NOTE).pages)
    assert note["size"] == (project / NOTE).stat().st_size and note["seconds"] > 0
    (project / "templates/fact-sheet.html").write_text("<p>{{ nope }}</p>")
    failed = json.loads(cli(project, "--date", BUILD_DATE, "--json").out)
    assert failed["exit_code"] == 1
    sheet = failed["documents"][2]
    assert (
        sheet["status"] == "failed"
        and "templates/fact-sheet.html:1: 'nope' is undefined" in sheet["error"]
    )


def test_a_second_run_waits_for_the_lock_then_gives_up_with_code_4(project: Path, cli: Cli) -> None:
    lock = filelock.FileLock(project / "reports/.briefgen/lock")
    (project / "reports/.briefgen").mkdir(parents=True)
    with lock:
        started = time.monotonic()
        result = cli(project, "--date", BUILD_DATE, "--lock-timeout", "0.5")
        assert time.monotonic() - started >= 0.5
    assert result.code == 4
    assert "another build holds" in result.err and "--lock-timeout" in result.err
    assert not (project / NOTE).exists()


def test_concurrent_runs_take_turns(project: Path) -> None:
    runs = [
        subprocess.Popen(
            generate(project, "--date", BUILD_DATE, "--force", "-q"),
            env=ENV,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    assert [run.wait(timeout=240) for run in runs] == [0, 0]
    manifest = json.loads((project / "reports/.briefgen/manifest.json").read_text())
    for entry in manifest["documents"].values():  # the manifest describes exactly the files on disk
        pdf = project / entry["output"]
        assert entry["output_sha"] == __import__("hashlib").sha256(pdf.read_bytes()).hexdigest()
    assert not list((project / "reports").glob(".*.tmp"))


def test_a_killed_build_loses_nothing(project: Path, cli: Cli, tmp_path: Path) -> None:
    assert cli(project, "--date", BUILD_DATE, "--html").code == 0
    before = {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        args = ("--date", "2026-12-01", "--force", "-q")
        with briefgen(project, tmp_path / f"{delay}.log", *args) as run:
            time.sleep(delay)  # only varies the moment of the kill
            run.process.kill()
            run.process.wait()
            run.assert_nothing_left()  # the fork server and workers die with it
        for name, old in before.items():
            now = (project / "reports" / name).read_bytes()
            assert now == old or now.rstrip().endswith(b"%%EOF"), f"{name} is damaged"
            PdfReader(project / "reports" / name)  # parses
    result = cli(project, "--date", BUILD_DATE, "--force")
    assert result.code == 0, result.err
    assert not list((project / "reports").glob(".*.tmp"))
    assert not list((project / "reports/.briefgen").rglob(".*.tmp"))


def test_changed_data_makes_a_new_edition_with_a_changes_box(project_built: Path, cli: Cli) -> None:
    project = project_built
    assert "Changes since the previous edition" not in text_of(project / NOTE)
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(
        visits.read_text().replace("occasion: {en: APEC summit", "occasion: {en: APEC Leaders")
    )
    result = cli(project, "--date", "2026-11-29", "--only", "briefing-note")
    assert result.code == 0 and "edition 2" in result.err
    text = text_of(project / NOTE)
    assert "Changes since the previous edition" in text and "EDITION 2" in text
    assert "Visit revised: Sebastián Piñera (2012)" in text
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in PdfReader(project / NOTE).pages
        for f in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert all("Brief-Sans" in name for name in fonts), fonts  # the box needs no fallback font
    # Re-checking a source (as_of) is not a change of content; the box stays with its edition.
    visits.write_text(visits.read_text().replace("as_of: 2026-11-28", "as_of: 2026-11-30"))
    assert cli(project, "--date", "2026-11-30", "--only", "briefing-note").code == 0
    again = text_of(project / NOTE)
    assert "EDITION 2 of 29 Nov 2026 CURRENT" in again  # the edition keeps its number and date
    assert "Visit revised: Sebastián Piñera (2012)" in again


def test_sections_past_their_review_date_warn(project: Path, cli: Cli) -> None:
    result = cli(project, "--date", "2027-06-01", "--only", "fact-sheet")
    assert result.code == 0
    assert re.search(
        r"warning: data/chile-russia/visits.yaml:4:1: review_by: past its review date "
        r"\(2027-05-28\)",
        result.err,
    )
    assert cli(project, "--date", "2027-06-01", "--only", "fact-sheet", "--strict").code == 1


def test_cron_and_interval_timers() -> None:
    saturday = dt.datetime(2026, 11, 28, 10, 0)
    assert make_timer("0 6 * * 1-5", None)(saturday) == dt.datetime(2026, 11, 30, 6, 0)
    assert make_timer(None, "15m")(saturday) == dt.datetime(2026, 11, 28, 10, 15)
    for cron, every in (("61 * * * *", None), (None, "soon"), ("* * * * *", "1m")):
        with pytest.raises(UsageError):
            make_timer(cron, every)


class Lines:
    """Collect a running process's stderr lines so a test can wait for one."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stderr is not None
        threading.Thread(target=self._read, args=(process.stderr,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 240) -> str:  # only a hang reaches it
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.seen)}")


def test_scheduler_fires_and_stops_cleanly_on_sigterm(project: Path) -> None:
    process = subprocess.Popen(
        generate(project, "schedule", "--every", "1s", "--date", BUILD_DATE),
        env=ENV,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = Lines(process)
    try:
        lines.wait_for("scheduler started")
        lines.wait_for(r"scheduled run finished: exit code 0")
        lines.wait_for(r"scheduled run finished: exit code 0")  # and again, from the manifest
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=240) == 0
    finally:  # a failed test must not leave a scheduler running for ever
        process.kill()
        process.wait()
    lines.wait_for("scheduler stopped")
    assert (project / NOTE).exists()


def test_watch_rebuilds_after_a_save_and_survives_errors(project_built: Path) -> None:
    project = project_built  # so the watcher's first run has nothing to build
    process = subprocess.Popen(
        generate(project, "watch", "--date", BUILD_DATE), env=ENV, stderr=subprocess.PIPE, text=True
    )
    lines = Lines(process)
    try:
        lines.wait_for(r"^watching .*data")  # said once the watches are in place
        visits = project / "data/chile-russia/visits.yaml"
        original = visits.read_text()
        visits.write_text(original.replace("place: {en: Santiago", "place: {en: Valparaíso"))
        lines.wait_for(r"changed: .*visits.yaml")
        # The EEU brief shows no visit: its HTML comes out the same, and its PDF is kept.
        lines.wait_for(r"2 built, 1 up to date, 0 failed")
        visits.write_text("visits: [\n")
        lines.wait_for(
            r"^error: .*data/chile-russia/visits.yaml:1:9: the \[ that opens here is never"
        )
        lines.wait_for(r"0 built, 0 up to date, 3 failed")  # every document of the data set
        visits.write_text(original)
        lines.wait_for(r"2 built, 1 up to date, 0 failed")
        assert "Santiago, Chile" in text_of(project / NOTE)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=240) == 0
        finally:
            process.kill()
            process.wait()
    lines.wait_for("watch stopped")


def test_the_documented_cron_line_and_systemd_units_are_valid(tmp_path: Path) -> None:
    text = (REPO / "docs/scheduling.md").read_text()
    cron = re.search(r"<!-- crontab -->\n```cron\n(.*?)\n```", text, re.S)
    assert cron
    make_timer(" ".join(cron[1].split()[:5]), None)
    units = dict(re.findall(r"<!-- unit: (\S+) -->\n```ini\n(.*?)```", text, re.S))
    assert sorted(units) == ["briefgen.service", "briefgen.timer"]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name, body in units.items():
        body = body.replace("/srv/briefgen", str(REPO)).replace("/usr/bin/python3", sys.executable)
        (tmp_path / name).write_text(body.replace("User=briefgen", "User=root"))
    done = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in units)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    calendar = re.search(r"OnCalendar=(.*)", units["briefgen.timer"])
    assert calendar
    done = subprocess.run([analyze, "calendar", calendar[1]], capture_output=True, text=True)
    assert done.returncode == 0 and "Next elapse:" in done.stdout, done.stderr


def test_editions_survive_definition_edits_and_damaged_state(project_built: Path, cli: Cli) -> None:
    project = project_built
    visits = project / "data/chile-russia/visits.yaml"
    visits.write_text(visits.read_text().replace("place: {en: Santiago", "place: {en: Valparaíso"))
    assert cli(project, "--date", BUILD_DATE).code == 0  # edition 2
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace("  en: Chile–Russia bilateral desk", "  en: Chile–Russia desk")
    )
    result = cli(project, "--date", BUILD_DATE, "--json")
    summary = json.loads(result.out)
    # The EEU brief shows no visit, so the new place did not make it a new edition.
    assert [(d["edition"], d["reason"]) for d in summary["documents"]] == [
        (2, "changed: its definition in data/reports.yaml"),
        (1, "changed: its definition in data/reports.yaml"),
        (2, "changed: its definition in data/reports.yaml"),
    ]
    # The snapshot of edition 2 is damaged: the next edition says so instead of failing.
    for snapshot in (project / "reports/.briefgen/snapshots").glob("*.edition-2.json"):
        snapshot.write_text("garbage")
    visits.write_text(visits.read_text().replace("place: {en: Valparaíso", "place: {en: Santiago"))
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert "could not be read, so its changes cannot be listed" in text_of(project / NOTE)
    # A manifest that is not JSON: a warning, and everything is rebuilt.
    (project / "reports/.briefgen/manifest.json").write_text("{broken")
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 0 and "manifest.json is unreadable" in result.err
    assert "3 built, 0 up to date" in result.err


def test_fonts_and_imports_beside_extra_css_are_inputs(project: Path, cli: Cli) -> None:
    (project / "house").mkdir()
    (project / "house/house.css").write_text('@import "more.css";\n')
    (project / "house/more.css").write_text("h2 { color: #123456; }\n")
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace(
            "    page_budget: 1\n", "    page_budget: 1\n    extra_css: [house/house.css]\n"
        )
    )
    assert cli(project, "--date", BUILD_DATE).code == 0
    (project / "house/more.css").write_text("h2 { color: #654321; }\n")
    result = cli(project, "--date", BUILD_DATE, "--json")
    assert statuses(project) == {
        "briefing-note.en-GB": "up to date",
        "eeu-brief.en-GB": "up to date",
        "fact-sheet.en-GB": "built",
    }
    assert json.loads(result.out)["documents"][2]["reason"] == "changed: house/more.css"


def test_build_json_reports_bad_input_too(project_built: Path, cli: Cli) -> None:
    project = project_built
    (project / "data/chile-russia/visits.yaml").write_text("visits: [\n")
    assert cli(project, "--date", BUILD_DATE).code == 2
    summary = json.loads((project / "reports/build.json").read_text())
    assert summary["exit_code"] == 2 and summary["counts"]["failed"] == 3
    assert "visits.yaml" in summary["errors"][0]
    printed = cli(project, "--date", BUILD_DATE, "--json")
    assert printed.code == 2 and json.loads(printed.out)["exit_code"] == 2
    # Broken definitions stop the whole run: no document can be known.
    (project / "data/reports.yaml").write_text("documents: [\n")
    assert cli(project, "--date", BUILD_DATE).code == 2
    summary = json.loads((project / "reports/build.json").read_text())
    assert summary["exit_code"] == 2 and summary["documents"] == []
    assert "reports.yaml" in summary["errors"][0]
