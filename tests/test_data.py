"""The YAML loader: safe, strict, and every value located."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.data import MAX_BYTES, read_yaml
from briefgen.errors import InputError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # problems name files relative to the working directory


def load_error(tmp_path: Path, content: str | bytes) -> list[str]:
    path = tmp_path / "x.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    return [str(p) for p in caught.value.problems]


def test_positions_point_at_keys_and_items(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  - b: 1\n    c: two\n")
    doc = read_yaml(path)
    assert doc.value == {"a": [{"b": 1, "c": "two"}]}
    assert doc.locate(("a", 0, "c")) == (3, 5)
    assert doc.locate(("a", 0, "missing")) == (2, 5)


def test_dates_and_yes_no_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("d: 2019-09-26\nm: 2014-04\ncountry: NO\nflag: true\ny: 1993\nt: 10:30\n")
    assert read_yaml(path).value == {
        "d": "2019-09-26",
        "m": "2014-04",
        "country": "NO",
        "flag": True,
        "y": 1993,
        "t": "10:30",
    }


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    problems = load_error(tmp_path, "a: 1\nb: 2\na: 3\nc:\n  d: 1\n  d: 2\n")
    assert problems == [
        "x.yaml:3:1: a: duplicate key (first set on line 1); keep one of the two",
        "x.yaml:6:3: c › d: duplicate key (first set on line 5); keep one of the two",
    ]


def test_aliases_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert load_error(tmp_path, bomb) == [
        "x.yaml:2:8: aliases (*name) are not allowed: write the value out in full where it is "
        "needed"
    ]


def test_syntax_error_is_located(tmp_path: Path) -> None:
    # An unclosed quote is found at the end of the file; it is reported where it opened.
    assert load_error(tmp_path, 'a: "unclosed\nb: 2\n')[0].startswith("x.yaml:1:4: the quote ")
    assert load_error(tmp_path, "a:\n\t- b\n")[0].startswith("x.yaml:2:1: a tab is used for ")


def test_empty_oversized_and_non_utf8_files(tmp_path: Path) -> None:
    assert load_error(tmp_path, "") == ["x.yaml:1:1: the file is empty; expected a mapping"]
    assert load_error(tmp_path, "a: b\n" + "# pad\n" * (MAX_BYTES // 6 + 1))[0].startswith(
        "x.yaml:1:1: file is "
    )
    assert load_error(tmp_path, b"a: ok\nb: caf\xe9\n") == [
        "x.yaml:2:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_python_tags_and_complex_keys_are_refused(tmp_path: Path) -> None:
    assert load_error(tmp_path, "a: !!python/object:os.system x\n") == [
        "x.yaml:1:1: a: unsupported YAML tag tag:yaml.org,2002:python/object:os.system; remove "
        "it (briefgen reads plain values only)"
    ]
    assert load_error(tmp_path, "? [1, 2]\n: x\n") == [
        "x.yaml:1:3: keys must be plain text; write the key as a word"
    ]


def test_control_characters_bad_tagged_values_and_deep_nesting(tmp_path: Path) -> None:
    assert load_error(tmp_path, "a: ok\nb: x\x07y\n") == [
        "x.yaml:2:5: control character U+0007 is not allowed in YAML; delete it"
    ]
    assert load_error(tmp_path, "a: !!int abc\nb: !!bool maybe\n") == [
        "x.yaml:1:1: a: 'abc' is not a valid int; remove the !!int tag or fix the value",
        "x.yaml:2:1: b: 'maybe' is not a valid bool; remove the !!bool tag or fix the value",
    ]
    assert load_error(tmp_path, "x: " + "[" * 20000) == [
        "x.yaml:1:1: the YAML is nested too deeply"
    ]
