"""Errors that teach (issue 15, part 3): each message a new user met says what is wrong, in plain
words, where, and what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.data import read_yaml
from briefgen.errors import InputError, TemplateError
from briefgen.templating import load_template, make_environment
from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]
VISITS = "data/chile-russia/visits.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def yaml_error(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        read_yaml(Path("x.yaml"))
    [problem] = caught.value.problems
    return str(problem)


# YAML syntax errors: plain words first, what to do, and the parser's own words as a detail.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a:\n  b: 1\n\tc: 2\n",
            "x.yaml:3:1: a tab is used for indentation, and YAML allows only spaces there; indent "
            "with spaces. (YAML parser: while scanning for the next token found character '\\t' "
            "that cannot start any token)",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            "x.yaml:3:2: this key is indented by 1 space, but the lines above it by 2 (line 2) "
            "and 0 (line 1); indent it exactly like the keys it belongs with. (YAML parser: while "
            "parsing a block mapping expected <block end>, but found '<block mapping start>')",
        ),
        (  # found at the end of the file; reported where the quote opened
            'a: 1\nb: "unclosed\nc: 2\n',
            'x.yaml:2:4: the quote " that opens here is never closed; end the value with " (to put '
            'a " inside the value, write \\"). (YAML parser: while scanning a quoted scalar found '
            "unexpected end of stream)",
        ),
        (
            "a: [1, 2\nb: 2\n",
            "x.yaml:1:4: the [ that opens here is never closed; close it with ] after its last "
            "item. (YAML parser: while parsing a flow sequence expected ',' or ']', but got ':')",
        ),
        (  # the parser does not say where this one opened: the text is read for it
            "visits: [\n",
            "x.yaml:1:9: the [ that opens here is never closed; close it with ]. (YAML parser: "
            "while parsing a flow node expected the node content, but found '<stream end>')",
        ),
        (
            "a: 1\nb 2\nc: 3\n",
            "x.yaml:2:1: this line has no colon after its key; write `key: value`, with a space "
            "after the colon (or, in a list, begin the item with `- `). (YAML parser: while "
            "scanning a simple key could not find expected ':')",
        ),
        (
            "title: Note: this\n",
            "x.yaml:1:12: this value contains `: ` (a colon and a space), which YAML reads as the "
            'start of a key; put the whole value in quotes ("…"). (YAML parser: mapping values are '
            "not allowed here)",
        ),
        (
            "source: x\n  as_of: 2026-11-28\n",
            "x.yaml:2:3: `as_of` is indented more than line 1, so YAML reads it as part of that "
            "line's value; indent it like the keys it belongs with. (YAML parser: mapping values "
            "are not allowed here)",
        ),
        (
            "visits:\n  - date: 1993\n    place: x\n  country: y\n",
            "x.yaml:4:3: a key at the indentation of the list that begins on line 2, where YAML "
            "expects another item (`- …`); to give the item above this key, indent it like that "
            "item's first key; to begin a new item, write `- ` before it. (YAML parser: while "
            "parsing a block collection expected <block end>, but found '?')",
        ),
        (
            "title: 'it's'\n",
            "x.yaml:1:11: the quoted value ends at this ', before the end of the line; to put a ' "
            "inside a value, write it twice (''), or quote the value with the other kind of quote. "
            "(YAML parser: while parsing a block mapping expected <block end>, but found "
            "'<scalar>')",
        ),
        (  # a quoted value may span lines: this one runs on to the next quote
            'a: "x\nb: 1\nc: "y"\n',
            'x.yaml:1:4: the quote " that opens here is not closed on its line, so the value runs '
            'on to the " on line 3; end the value with " on this line. (YAML parser: while parsing '
            "a block mapping expected <block end>, but found '<scalar>')",
        ),
        (
            "a: 1\nb: 2\na: 3\n",
            "x.yaml:3:1: a: duplicate key (first set on line 1); keep one of the two",
        ),
    ],
)
def test_yaml_syntax_errors_say_what_is_wrong_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    assert yaml_error(tmp_path, text, monkeypatch) == expected


def test_a_yaml_syntax_error_in_a_data_set_reads_plainly_on_the_command_line(
    project: Path, cli: Cli
) -> None:
    edit(project / VISITS, "    place: {en: Moscow", "   place: {en: Moscow")
    result = cli(project, "check")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        f"error: {VISITS}:24:4: this key is indented by 3 spaces, but the lines above it by 6 "
        "(line 23) and 4 (line 20); indent it exactly like the keys it belongs with. (YAML "
        "parser: while parsing a block collection expected <block end>, but found '<block mapping "
        "start>')"
    )


# Unknown keys and fixed values suggest the valid ones; items are counted from 1, and named.
def test_an_unknown_key_names_the_closest_valid_one_and_the_item_as_a_person_counts(
    project: Path, cli: Cli
) -> None:
    edit(project / VISITS, "    occasion: {en: APEC", "    ocasion: {en: APEC")
    result = cli(project, "check")
    assert result.code == 2
    assert (
        f"error: {VISITS}:55:5: visits #5 (Sebastián Piñera) › ocasion: unknown key; did you "
        "mean `occasion`? (valid keys: occasion, visitor, country, illustrative, date, place, "
        "unverified)"
    ) in result.err.splitlines()


def test_report_definitions_suggest_keys_and_values_too(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    edit(reports, "    template: fact-sheet.html", "    tempalte: fact-sheet.html")
    edit(reports, "page_size: A4", "page_size: A3")
    edit(project / "data/chile-russia/milestones.yaml", "status: cancelled", "status: cancel")
    result = cli(project, "check")
    assert result.code == 2
    lines = result.err.splitlines()
    assert any(
        "documents #3 (fact-sheet) › tempalte: unknown key; did you mean `template`? (valid "
        "keys: template, " in line
        for line in lines
    ), result.err
    assert any(
        "documents #1 (briefing-note) › page_size: `A3` is not one of A4, Letter" in line
        for line in lines
    ), result.err
    assert any(
        "status: `cancel` is not one of held, cancelled; did you mean `cancelled`?" in line
        and line.startswith("error: data/chile-russia/milestones.yaml:")
        and "milestones #" in line
        for line in lines
    ), result.err


def test_the_machine_path_stays_dotted_and_counted_from_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text("people:\n  - name: Ana\n  - name: {en: Bo, es: Bo}\n")
    doc = read_yaml(Path("x.yaml"))
    problem = doc.problem(("people", 1, "name"), "odd")
    assert (problem.field, problem.where) == ("people.1.name", "people #2 (Bo) › name")
    assert str(problem) == "x.yaml:3:5: people #2 (Bo) › name: odd"


# Templates: an undefined attribute lists what the value has; an unclosed block points where it
# opened.
def test_an_undefined_attribute_names_the_valid_ones_closest_first(project: Path, cli: Cli) -> None:
    mine = project / "mine/sections"
    mine.mkdir(parents=True)
    (mine / "fast-facts.html").write_text(
        '{% set title = "x" %}\n{% set anchor = "x" %}\n{{ data.trade.partner_name }}\n'
    )
    result = cli(project, "check", "--only", "fact-sheet", "--templates", "mine")
    assert result.code == 1
    assert (
        "error: fact-sheet.en-GB: mine/sections/fast-facts.html:3: `TradeSection` has no "
        "`partner_name`; it has: partner, partner_description, partner_abbreviation, "
    ) in result.err, result.err
    assert "object' has no attribute" not in result.err


def test_an_undefined_variable_suggests_a_close_one(project: Path, cli: Cli) -> None:
    mine = project / "mine/sections"
    mine.mkdir(parents=True)
    (mine / "fast-facts.html").write_text('{% set title = "x" %}\n{{ dat.trade }}\n')
    result = cli(project, "check", "--only", "fact-sheet", "--templates", "mine")
    assert "mine/sections/fast-facts.html:2: 'dat' is undefined; did you mean `data`?" in result.err


def test_a_missing_key_of_a_mapping_lists_its_keys(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ extra.notes.titel }}")
    env = make_environment([tmp_path])
    template = load_template(env, "t.html")
    with pytest.raises(Exception, match="this mapping has no key `titel`; its keys, closest "):
        template.render(extra={"notes": {"body": "b", "title": "t"}})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "<ul>\n{% for x in items %}\n  <li>{{ x }}</li>\n</ul>\n",
            "t.html:2:1: {% for %} opened here is never closed; add {% endfor %}",
        ),
        (
            "{% block body %}\n<p>{% if a %}yes\n{% endblock %}\n",
            "t.html:2:4: {% if %} opened here is not closed before the {% endblock %} on line 3; "
            "add {% endif %} before it",
        ),
        (  # a block `set` needs its end; an assignment does not
            "{% set x = 1 %}{% set y %}\ny\n",
            "t.html:1:16: {% set %} opened here is never closed; add {% endset %}",
        ),
    ],
)
def test_an_unclosed_block_points_at_the_line_that_opened_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.html").write_text(source)
    with pytest.raises(TemplateError) as caught:
        load_template(make_environment([Path(".")]), "t.html")
    assert str(caught.value) == expected


# --only: the closest names first.
def test_an_unknown_only_suggests_the_closest_name(full_project: Path, cli: Cli) -> None:
    result = cli(full_project, "list", "--only", "fact-sheet.en")
    assert (result.code, result.err.strip()) == (
        2,
        "error: --only: fact-sheet has no variant `fact-sheet.en`; did you mean "
        "`fact-sheet.en-GB`? (its variants: fact-sheet.en-GB, fact-sheet.es, fact-sheet.ru)",
    )
    result = cli(full_project, "list", "--only", "factsheet")
    assert result.err.startswith(
        "error: --only: no document or variant named `factsheet`; did you mean `fact-sheet`? "
        "(all, closest first: fact-sheet, "
    )


# Acknowledged notes: counted in the summary, printed only with -v.
def test_an_acknowledged_note_is_shown_only_with_verbose(project: Path, cli: Cli) -> None:
    note = "note: data/chile-russia/ambassadors.yaml:23:5: ambassadors #5 (Mario Silberman"
    quiet = cli(project, "check")
    assert quiet.code == 0 and note not in quiet.err
    assert quiet.err.rstrip().endswith("0 warning(s), 1 acknowledged (-v shows them)")
    verbose = cli(project, "check", "-v")
    assert verbose.code == 0 and verbose.err.startswith(note)
    assert verbose.err.rstrip().endswith("0 warning(s), 1 acknowledged")
    built = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet")
    assert built.code == 0 and note not in built.err
    assert "1 built, 0 up to date, 0 failed, 0 warning(s), 1 acknowledged (-v" in built.err
    again = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet", "--verbose")
    assert again.err.startswith(note) and "0 built, 1 up to date" in again.err


def test_quiet_and_verbose_together_are_a_usage_error(project: Path, cli: Cli) -> None:
    with pytest.raises(SystemExit) as caught:
        cli(project, "check", "-q", "-v")
    assert caught.value.code == 2
