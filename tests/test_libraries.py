"""WeasyPrint's shared libraries, looked up from one read of the linker cache (libraries.py)."""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

import pytest

from briefgen import libraries

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig is Linux's")


@pytest.mark.parametrize("name", ["pango-1.0", "pangoft2-1.0", "harfbuzz-subset", "gobject-2.0"])
def test_a_library_is_found_as_the_standard_lookup_finds_it(name: str) -> None:
    standard = ctypes.util.find_library(name)
    assert standard is not None
    assert libraries.find_library(name) == standard


def test_names_that_are_not_libraries_are_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    # WeasyPrint tries these first; the standard lookup runs gcc and ld for each before failing
    for name in ("libgobject-2.0-0", "gobject-2.0-0", "no-such-library-here"):
        assert libraries.find_library(name) is None


def test_a_library_on_ld_library_path_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "libbriefgen-test.so.3").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", f"/no/such/folder:{tmp_path}")
    assert libraries.find_library("briefgen-test") == str(tmp_path / "libbriefgen-test.so.3")


def test_without_a_linker_cache_the_standard_lookup_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(libraries, "_linker_cache", lambda: "")
    monkeypatch.setattr(libraries, "_STANDARD", lambda name: f"standard:{name}")
    assert libraries.find_library("pango-1.0") == "standard:pango-1.0"


def test_weasyprint_is_imported_again_with_the_standard_lookup_if_the_fast_one_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stand-in for WeasyPrint whose library only the standard lookup finds (gcc's search path);
    # like WeasyPrint, it prints its advice before it fails.
    (tmp_path / "weasyprint.py").write_text(
        "import ctypes.util\n"
        "from briefgen import libraries\n"
        "if ctypes.util.find_library is not libraries._STANDARD:\n"
        "    print('WeasyPrint could not import some external libraries.')\n"
        "    raise OSError('cannot load library pango-1.0')\n"
        "lookup = 'standard'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)  # restored after the test
    module = libraries.import_weasyprint()
    assert module.lookup == "standard"
    assert ctypes.util.find_library is libraries._STANDARD  # put back for everyone else
    assert capsys.readouterr().out == ""  # the advice of an attempt that did not count


def test_weasyprint_loads_with_the_fast_lookup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "weasyprint.py").write_text(
        "import ctypes.util\n"
        "from briefgen import libraries\n"
        "lookup = 'fast' if ctypes.util.find_library is libraries.find_library else 'standard'\n"
        "pango = ctypes.util.find_library('pango-1.0')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    standard = ctypes.util.find_library("pango-1.0")
    module = libraries.import_weasyprint()
    assert module.lookup == "fast"
    assert module.pango == standard
    assert ctypes.util.find_library is libraries._STANDARD
