"""The self-set-up of generate.py and tests/run.py, as far as it can be tested without apt-get."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from briefgen import bootstrap
from tests.conftest import REPO


def test_non_root_without_libraries_gets_the_exact_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as caught:
        bootstrap._install_system_packages(["libpango-1.0-0", "libpangoft2-1.0-0"])
    assert caught.value.code == bootstrap.EXIT_SETUP
    assert "sudo apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0" in (
        capsys.readouterr().err
    )


def test_the_test_browser_is_installed_as_root_and_otherwise_explained_not_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    absent = str(tmp_path / "chromium")
    monkeypatch.setattr(bootstrap, "SYSTEM_PROGRAMS", {"test": {absent: "chromium"}})
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    ran: list[list[str]] = []
    monkeypatch.setattr("subprocess.run", lambda command, **_: ran.append(command))
    bootstrap._install_programs(())  # building needs no browser
    assert ran == []

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    bootstrap._install_programs(("test",))  # not root: say how, and go on (the test is skipped)
    assert ran == []
    assert "sudo apt-get install -y --no-install-recommends chromium" in capsys.readouterr().err

    monkeypatch.setattr("os.geteuid", lambda: 0)
    bootstrap._install_programs(("test",))
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    assert ran == [["apt-get", "update", "-q"], install]

    def missing(command: list[str], **_: object) -> None:
        raise subprocess.CalledProcessError(100, command)

    monkeypatch.setattr("subprocess.run", missing)  # a release without the package
    bootstrap._install_programs(("test",))
    assert "could not install chromium" in capsys.readouterr().err


def test_stamp_records_fingerprint_and_extras(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("x")
    (tmp_path / "constraints.txt").write_text("y")
    assert bootstrap._installed(tmp_path) == ("", set())
    bootstrap._stamp(tmp_path).write_text(f"{bootstrap._fingerprint(tmp_path)}\ntest\n")
    assert bootstrap._installed(tmp_path) == (bootstrap._fingerprint(tmp_path), {"test"})
    (tmp_path / "constraints.txt").write_text("z")
    assert bootstrap._installed(tmp_path)[0] != bootstrap._fingerprint(tmp_path)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text()
    first_block = re.search(r"```(?:sh|bash|shell)\n(.*?)```", readme, re.S)
    assert first_block
    commands = first_block[1].strip().splitlines()
    assert commands == ["python3 generate.py", "python3 tests/run.py"]
    ci = (REPO / ".ci/run").read_text()
    assert f"exec {commands[1]}" in ci


def test_a_library_the_tests_need_is_found_by_name(tmp_path: Path) -> None:
    assert bootstrap._present("lib:c")  # the C library is always there
    assert not bootstrap._present("lib:briefgen-no-such-library")
    assert not bootstrap._present(str(tmp_path / "no-such-program"))
