"""Honest state when the disk says no, a manifest that cannot be trusted, and user mistakes that
must not read as bugs: the lock timeout, running out of memory, words no line can hold."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BUILD_DATE, REPO, Run

Cli = Callable[..., Run]
NOTE = "reports/chile-russia-briefing-note.en-GB.pdf"
VISITS = "data/chile-russia/visits.yaml"
LATER = "2026-11-29"  # a new build date: every document is rebuilt, with different bytes
ENV = {**os.environ, "BRIEFGEN_NO_BOOTSTRAP": "1"}


@pytest.fixture
def built(built_english: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built English-only project, with its PDFs, manifest and build.json."""
    return Path(shutil.copytree(built_english, tmp_path / "built", symlinks=True))


def summary(project: Path) -> dict[str, Any]:
    return dict(json.loads((project / "reports/build.json").read_text()))


def pdfs(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Return a function that makes new files under a folder fail with ENOSPC (disk full)."""
    real = tempfile.mkstemp

    def fill(folder: Path) -> None:
        def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
            if kwargs.get("dir") and Path(kwargs["dir"]).is_relative_to(folder):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)  # write_atomic's first step

    return fill


# 4. Honest state: build.json never shows an old success, and nothing is written unreported.


def test_build_json_says_running_before_anything_is_written(
    built: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefgen.build

    seen: list[dict[str, Any]] = []
    real = briefgen.build.build

    def spy(*args: Any) -> Any:
        seen.append(summary(built))
        return real(*args)

    monkeypatch.setattr(briefgen.build, "build", spy)
    assert cli(built, "--date", LATER).code == 0
    assert len(seen) == 1
    running = seen[0]
    assert running.get("status") == "running" and running["exit_code"] is None
    assert running["build_date"] == LATER and running["started"] and running["finished"] is None
    assert running["documents"] == []
    done = summary(built)
    assert done["status"] == "finished" and done["exit_code"] == 0
    assert done["started"] == running["started"] and done["counts"]["built"] == 3


def test_a_save_while_a_run_reads_the_data_is_built_by_the_next_run(
    built: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A watcher or a preview saves during a run. If the manifest recorded the file as saved
    # rather than as read, the next run would call the document up to date, saved text unseen.
    import briefgen.validate as validate

    data = built / "data/chile-russia/relationship.yaml"
    html = built / "reports/chile-russia-fact-sheet.en-GB.html"
    read = validate.read_dataset

    def read_then_save(*args: Any, **kwargs: Any) -> Any:
        dataset = read(*args, **kwargs)
        monkeypatch.setattr(validate, "read_dataset", read)
        data.write_text(data.read_text("utf-8").replace("early 1990s", "spring of 1992"), "utf-8")
        return dataset

    monkeypatch.setattr(validate, "read_dataset", read_then_save)
    first = cli(built, "--date", LATER, "--only", "fact-sheet", "--html")
    assert "built reports/chile-russia-fact-sheet.en-GB.pdf" in first.err
    assert "spring of 1992" not in html.read_text("utf-8")  # it was read before the save
    second = cli(built, "--date", LATER, "--only", "fact-sheet", "--html")
    assert "built reports/chile-russia-fact-sheet.en-GB.pdf" in second.err, second.err
    assert "spring of 1992" in html.read_text("utf-8")


def test_an_unwritable_state_folder_fails_every_document_and_replaces_no_pdf(
    built: Path, cli: Cli
) -> None:
    # Real file-system failures, not a patched function: documents are written by workers forked
    # from a fork server, which a monkeypatch in this process does not reach. Root ignores
    # permissions, so a file stands where a folder must be, and a folder where a file must be.
    state = built / "reports/.briefgen"
    shutil.rmtree(state / "snapshots")
    (state / "snapshots").write_text("not a folder")
    (state / "manifest.json").unlink()
    (state / "manifest.json").mkdir()
    before = pdfs(built)
    result = cli(built, "--date", LATER)
    assert result.code == 1
    assert pdfs(built) == before  # every snapshot failed before its PDF was written
    done = summary(built)
    assert done["status"] == "finished" and done["exit_code"] == 1 and done["build_date"] == LATER
    assert done["counts"] == {"built": 0, "up to date": 0, "failed": 3}
    for document in done["documents"]:
        assert "snapshots" in document["error"] and "File exists" in document["error"]
    assert len(done["errors"]) == 1 and "manifest.json: Is a directory" in done["errors"][0]
    assert "error: cannot write" in result.err and "manifest.json: Is a directory" in result.err
    assert "this is a bug" not in result.err


def test_an_unwritable_manifest_is_reported_and_the_run_goes_on(built: Path, cli: Cli) -> None:
    manifest = built / "reports/.briefgen/manifest.json"
    manifest.unlink()
    manifest.mkdir()  # root ignores permissions; a folder in its place cannot be replaced
    result = cli(built, "--date", LATER, "--json")
    assert result.code == 1
    printed = json.loads(result.out)
    assert printed == summary(built) and printed["exit_code"] == 1
    assert printed["counts"] == {"built": 3, "up to date": 0, "failed": 0}
    assert printed["build_date"] == LATER and printed["status"] == "finished"
    (error,) = printed["errors"]
    assert "manifest.json: Is a directory" in error and "next run builds again" in error
    assert f"error: {error}" in result.err and "3 built, 0 up to date, 0 failed" in result.err


def test_an_unusable_state_folder_is_reported_in_build_json(built: Path, cli: Cli) -> None:
    shutil.rmtree(built / "reports/.briefgen")
    (built / "reports/.briefgen").write_text("not a folder")
    before = pdfs(built)
    result = cli(built, "--date", LATER)
    assert result.code == 1 and "error: cannot use" in result.err
    done = summary(built)
    assert done["exit_code"] == 1 and done["build_date"] == LATER and done["documents"] == []
    assert "reports/.briefgen: File exists" in done["errors"][0]
    assert pdfs(built) == before


def test_a_full_disk_stops_the_run_before_anything_is_written(
    built: Path, cli: Cli, full_disk: Callable[[Path], None]
) -> None:
    before = pdfs(built)
    full_disk(built / "reports")
    result = cli(built, "--date", LATER, "--json")
    assert result.code == 1
    assert "build.json: No space left on device" in result.err
    assert "stopped before building anything" in result.err
    printed = json.loads(result.out)  # what build.json would have said
    assert printed["exit_code"] == 1 and "stopped before building" in printed["errors"][0]
    assert not (built / "reports/build.json").exists()  # the old success is gone
    assert pdfs(built) == before


def test_build_json_that_cannot_be_finished_is_removed_and_reported(
    built: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tempfile.mkstemp
    calls: list[str] = []

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if kwargs.get("prefix") == ".build.json.":
            calls.append("build.json")
            if len(calls) > 1:  # "running" is written; the outcome is not
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = cli(built, "--date", LATER, "--json")
    assert result.code == 1
    assert not (built / "reports/build.json").exists()  # neither "running" nor an old success
    printed = json.loads(result.out)  # --json still tells the whole story
    assert printed["exit_code"] == 1 and printed["counts"]["built"] == 3
    assert "build.json: No space left on device" in printed["errors"][0]
    assert "error: cannot write" in result.err and "build.json: No space left" in result.err


# 4. The manifest is checked as it is read.

TAMPERED: dict[str, tuple[str, Any]] = {
    "output-outside-the-project": ("output", "../precious.txt"),
    "output-outside-reports": ("output", "data/chile-russia/visits.yaml"),
    "folder-outside": ("folders", ["/etc"]),
    "file-outside": ("files", ["../precious.txt"]),
    "inputs-not-texts": ("inputs", {"data/chile-russia/visits.yaml": 5}),
    "data-warning-misshapen": ("data_warnings", [{"path": "x.yaml", "line": 1}]),
    "data-warning-unknown-key": (
        "data_warnings",
        [{"path": "x.yaml", "line": 1, "col": 1, "message": "m", "colour": "red"}],
    ),
    "edition-date-not-a-date": ("edition_date", "yesterday"),
    "edition-zero": ("edition", 0),
    "edition-absurd": ("edition", 10**12),  # would make keeping snapshots loop for ever
    "pages-a-flag": ("pages", True),
    "changes-not-texts": ("changes", [1, 2]),
    "params-templates-not-texts": ("params", {"templates": "x"}),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_a_tampered_manifest_entry_is_one_warning_and_a_rebuild(
    built: Path, cli: Cli, case: str
) -> None:
    precious = built.parent / "precious.txt"
    precious.write_text("keep me")
    manifest_file = built / "reports/.briefgen/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    key, value = TAMPERED[case]
    entry = manifest["documents"]["briefing-note.en-GB"]
    entry[key] = value
    if key == "output":  # the recorded hash matches, so only the check can refuse it
        entry["output_sha"] = sha(built / value)
    manifest_file.write_text(json.dumps(manifest))
    visits = (built / VISITS).read_bytes()
    # --force: supersede the old output; the other documents have nothing to do with it.
    result = cli(built, "--date", BUILD_DATE, "--force", "--only", "briefing-note")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.err
    assert f"manifest.json: documents.briefing-note.en-GB.{key}: " in warnings[0]
    assert "ignored (a document whose entry is ignored is rebuilt)" in warnings[0]
    assert precious.read_text() == "keep me" and (built / VISITS).read_bytes() == visits
    assert "this is a bug" not in result.err
    assert cli(built, "--date", BUILD_DATE).err.count("warning:") == 0  # rewritten, whole


@pytest.mark.parametrize(("key", "value"), [("order", 5), ("order", [1]), ("reports_sha", ["x"])])
def test_a_bad_top_level_field_turns_off_the_fast_path_only(
    built: Path, cli: Cli, key: str, value: Any
) -> None:
    manifest_file = built / "reports/.briefgen/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest[key] = value
    manifest_file.write_text(json.dumps(manifest))
    result = cli(built, "--date", BUILD_DATE)
    assert result.code == 0, result.err
    assert f"warning: reports/.briefgen/manifest.json: {key}: expected" in result.err
    assert "0 built, 3 up to date" in result.err and "edition 1" in result.err
    assert "this is a bug" not in result.err


def test_a_manifest_nested_too_deeply_is_one_warning_and_a_rebuild(built: Path, cli: Cli) -> None:
    (built / "reports/.briefgen/manifest.json").write_text("[" * 100_000)
    result = cli(built, "--date", BUILD_DATE)
    assert result.code == 0, result.err
    assert "manifest.json is unreadable (nested too deeply)" in result.err
    assert "3 built" in result.err and "this is a bug" not in result.err


def test_a_manifest_naming_a_fifo_or_a_device_does_not_hang_the_no_change_path(
    built: Path, cli: Cli
) -> None:
    os.mkfifo(built / "data/pipe")
    (built / "data/zero").symlink_to("/dev/zero")
    manifest_file = built / "reports/.briefgen/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["documents"]["briefing-note.en-GB"]["files"] = ["data/pipe", "data/zero"]
    manifest_file.write_text(json.dumps(manifest))
    result = cli(built, "--date", BUILD_DATE)  # it would block on the FIFO, or read for ever
    assert result.code == 0, result.err
    assert "this is a bug" not in result.err


def test_a_superseded_file_is_removed_only_if_it_is_a_regular_file_in_reports(
    built: Path,
) -> None:
    from briefgen.incremental import remove_superseded
    from briefgen.project import Project

    project = Project(built)
    manifest = json.loads((built / "reports/.briefgen/manifest.json").read_text())
    new = manifest["documents"]["briefing-note.en-GB"]
    precious = built / "precious.pdf"
    precious.write_text("keep me")
    link = built / "reports/link.pdf"
    link.symlink_to(precious)
    old = {**new, "output": "reports/link.pdf", "output_sha": sha(precious)}
    remove_superseded(project, old, new)
    assert link.is_symlink() and precious.read_text() == "keep me"
    draft = built / "reports/old.draft.pdf"
    draft.write_text("superseded")
    remove_superseded(
        project, {**old, "output": "reports/old.draft.pdf", "output_sha": sha(draft)}, new
    )
    assert not draft.exists()


# 5. A user's mistake is a clear message, never "this is a bug".


def test_a_lock_timeout_must_be_a_finite_number_of_seconds(
    project: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("nan", "-5", "inf", "soon"):
        with pytest.raises(SystemExit) as caught:
            cli(project, "check", "--lock-timeout", value)
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert f"--lock-timeout: expected a number of seconds, 0 or more, not {value!r}" in err
    assert cli(project, "check", "--lock-timeout", "0").code == 0


def test_running_out_of_memory_in_layout_names_the_limit_quietly(project: Path) -> None:
    from PIL import Image

    # 81 million pixels: under Pillow's decompression-bomb limit, so no warning; decoding it
    # needs more than the limit, and the template itself (one <img>) needs almost nothing.
    Image.new("1", (9000, 9000)).save(project / "templates/huge.png", optimize=True)
    (project / "templates/fact-sheet.html").write_text('<p>A plan:</p><img src="huge.png">\n')
    command = [sys.executable, str(REPO / "generate.py"), "--project", str(project)]
    args = ["--date", BUILD_DATE, "--only", "fact-sheet", "--memory-limit", "50", "-q"]
    done = subprocess.run([*command, *args], env=ENV, capture_output=True, text=True)
    assert done.returncode == 1
    assert "error: fact-sheet.en-GB: WeasyPrint ran out of memory (limit 50 MB" in done.stderr
    assert "huge.png" in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_a_worker_drops_the_noise_of_memory_errors_in_finalisers_only(tmp_path: Path) -> None:
    # Workers are forked from a fork server, which imports the job's function by name: a module.
    (tmp_path / "finalisers.py").write_text(
        "class Finaliser:\n"
        "    def __init__(self, error): self.error = error\n"
        "    def __del__(self): raise self.error('in a finaliser')\n"
        "def work(error):\n"
        "    Finaliser(error)\n"
        "    return error.__name__\n"
    )
    probe = (
        "from briefgen.workers import Limits, run_jobs\n"
        "from finalisers import work\n"
        "run_jobs(work, [MemoryError, KeyError], 1, lambda j, m: m, print, Limits(300, 500))\n"
    )
    env = {**ENV, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["MemoryError", "KeyError"], done.stderr
    assert done.stderr.count("Exception ignored") == 1 and "KeyError" in done.stderr
    assert "MemoryError" not in done.stderr


def _set_place(project: Path, place: str) -> None:
    visits = project / VISITS
    text = visits.read_text().replace("place: {en: Moscow,", f"place: {{en: {place},", 1)
    visits.write_text(text)


def _line_of(project: Path, needle: str) -> int:
    lines = (project / VISITS).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_a_word_longer_than_a_line_is_a_located_warning(project: Path, cli: Cli) -> None:
    _set_place(project, "x" * 100)
    line = _line_of(project, "x" * 100)
    result = cli(project, "check")
    assert result.code == 0
    assert (
        f"warning: {VISITS}:{line}:" in result.err
        and "visits #1 (Patricio Aylwin) › place › en: 100 characters without a space" in result.err
        and "more than a printed line holds (about 80)" in result.err
    )
    assert cli(project, "check", "--strict").code == 1


def test_a_word_no_layout_can_afford_is_an_error_and_nothing_is_rendered(
    project: Path, cli: Cli
) -> None:
    _set_place(project, "x" * 5000)  # took 70 s to lay out in a table cell
    line = _line_of(project, "x" * 5000)
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 2
    assert (
        f"error: {VISITS}:{line}:" in result.err
        and "visits #1 (Patricio Aylwin) › place › en: 5000 characters without a space"
        in result.err
        and "the limit is 300" in result.err
    )
    assert not (project / NOTE).exists()


def test_long_urls_break_at_the_margin_without_a_warning_but_are_capped(
    project: Path, cli: Cli
) -> None:
    from pypdf import PdfReader

    sources = project / "data/chile-russia/sources.yaml"
    url = "https://example.org/" + "a" * 180  # 200 characters, breakable only at "/"
    sources.write_text(sources.read_text() + f"    url: {url}\n")
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 0
    text = PdfReader(project / NOTE).pages[-1].extract_text()
    assert url in text.replace("\n", "") and "a" * 180 not in text  # broken: on the page
    sources.write_text(sources.read_text().replace(url, url + "b" * 101))
    result = cli(project, "check")
    assert (
        result.code == 2
        and "sources #1 (embassy-bilateral) › url: 301 characters without a space" in result.err
    )


def test_extra_data_is_checked_too(project: Path, cli: Cli) -> None:
    (project / "data/chile-russia/extra").mkdir()
    (project / "data/chile-russia/extra/analysis.yaml").write_text(
        "paragraphs:\n  - " + "y" * 400 + "\n"
    )
    result = cli(project, "check")
    assert result.code == 2
    assert "extra/analysis.yaml:2:5: paragraphs #1: 400 characters without a space" in result.err
