"""Templates are a trust boundary: the sandbox, the real paths of templates, assets, stylesheets
and catalogues, template names that stay relative, and located errors for text that is not UTF-8."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run

Cli = Callable[..., Run]
SHEET = "reports/chile-russia-fact-sheet.en-GB.pdf"


def append_block(project: Path, markup: str) -> int:
    """Give the fact sheet an annexes block holding `markup`; return the line it is on."""
    path = project / "templates/fact-sheet.html"
    text = path.read_text()
    path.write_text(text + "{% block annexes %}" + markup + "{% endblock %}\n")
    return text.count("\n") + 1


def add_to_first_document(project: Path, lines: str) -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text().replace("    page_budget: 4\n", f"    page_budget: 4\n{lines}\n", 1)
    reports.write_text(text)


def text_of(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)


def build_sheet(project: Path, cli: Cli, *args: str) -> Run:
    return cli(project, "--date", BUILD_DATE, "--only", "fact-sheet", *args)


def unsafe(attribute: str, kind: str) -> str:
    return f"refused: access to attribute '{attribute}' of '{kind}' object is unsafe."


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('lipsum.__globals__["os"].popen("id").read()', unsafe("__globals__", "function")),
        ('cycler.__init__.__globals__.os.popen("id").read()', unsafe("__init__", "type")),
        ("''.__class__.__mro__[1].__subclasses__()", unsafe("__class__", "str")),
        # pydantic's parse_file() reads any file, and unpickles one when asked to
        ('doc.parse_file("/etc/passwd")', unsafe("parse_file", "DocumentDef")),
        # asset() must not hand out the Path objects of its folders
        ('asset.args[0][0].joinpath("/etc/passwd").read_text()', "has no attribute 'args'"),
        # Folded when compiled, this would build 10 GB in the command itself (check, precompile)
        ('"x" * 10**10', "refused: a repeat of more than 10,000,000 items"),
        ("2 ** 10000000", "refused: a power of more than 100,000 bits"),
    ],
)
def test_templates_cannot_reach_python_internals_nor_exhaust_the_command(
    project: Path, cli: Cli, payload: str, message: str
) -> None:
    line = append_block(project, "<p>{{ " + payload + " }}</p>")
    result = build_sheet(project, cli)
    assert result.code == 1
    assert f"error: fact-sheet.en-GB: templates/fact-sheet.html:{line}: " in result.err
    assert message in result.err
    assert "SecurityError" not in result.err and "bug" not in result.err
    assert "uid=" not in result.out + result.err and "root:" not in result.out + result.err
    assert not (project / SHEET).exists()
    checked = cli(project, "check", "--date", BUILD_DATE)  # renders in the command itself
    assert checked.code != 0 and message in checked.err, checked.err


@pytest.mark.parametrize("name", ["partials/alias.html", "default:partials/alias.html"])
def test_a_template_leading_outside_its_folder_is_refused_one_inside_works(
    project: Path, cli: Cli, tmp_path: Path, name: str
) -> None:
    partials = project / "templates/partials"
    (partials / "note.html").write_text("<p>Inside the theme</p>\n")
    (partials / "alias.html").symlink_to("note.html")
    line = append_block(project, f'{{% include "{name}" %}}')
    assert build_sheet(project, cli).code == 0
    assert "Inside the theme" in text_of(project / SHEET)

    secret = tmp_path / "secret.html"
    secret.write_text("<p>Outside the project</p>\n")
    (partials / "alias.html").unlink()
    (partials / "alias.html").symlink_to(secret)
    result = build_sheet(project, cli)
    assert result.code == 1
    assert (
        f"error: fact-sheet.en-GB: templates/fact-sheet.html:{line}: refused: template "
        "'partials/alias.html' is templates/partials/alias.html, which leads to "
        f"{secret.resolve()}, outside templates"
    ) in result.err
    assert "Outside the project" not in text_of(project / SHEET)  # the last good PDF stays


def test_a_refused_template_does_not_fall_through_to_the_next_folder(
    project: Path, cli: Cli, tmp_path: Path
) -> None:
    outside = tmp_path / "fact-sheet.html"
    outside.write_text(
        '{% extends "default:fact-sheet.html" %}{% block annexes %}Outside{% endblock %}\n'
    )
    (project / "mine").mkdir()
    (project / "mine/fact-sheet.html").symlink_to(outside)
    result = build_sheet(project, cli, "--templates", "mine")
    assert result.code == 1
    assert (
        "error: fact-sheet.en-GB: refused: template 'fact-sheet.html' is mine/fact-sheet.html, "
        f"which leads to {outside.resolve()}, outside mine"
    ) in result.err
    assert not (project / SHEET).exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../data/reports.yaml", "linked.svg"])
def test_an_asset_outside_its_folder_is_refused_at_its_template_line(
    project: Path, cli: Cli, tmp_path: Path, name: str
) -> None:
    outside = tmp_path / "outside.svg"
    outside.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n')
    (project / "templates/linked.svg").symlink_to(outside)
    line = append_block(project, '<img src="{{ asset(' + repr(name) + ') }}" alt="">')
    result = build_sheet(project, cli)
    assert result.code == 1
    where = f"error: fact-sheet.en-GB: templates/fact-sheet.html:{line}: refused: asset {name!r}"
    assert where in result.err
    assert "refused to load" not in result.err  # refused by asset(), before WeasyPrint asks
    assert not (project / SHEET).exists()


@pytest.mark.parametrize("link", ["the stylesheet's folder", "the stylesheet", "a template folder"])
def test_stylesheets_and_template_folders_leading_outside_the_project_are_located_errors(
    project: Path, cli: Cli, tmp_path: Path, link: str
) -> None:
    outside = (tmp_path / "outside").resolve()
    outside.mkdir()
    (outside / "house.css").write_text(":root { --house: 1; }\n")
    if link == "a template folder":
        (project / "shared").symlink_to(outside)
        reports = project / "data/reports.yaml"
        text = reports.read_text().replace("documents:\n", "templates: [shared]\ndocuments:\n", 1)
        reports.write_text(text)
        expected = f"templates #1: shared leads to {outside}, outside the project"
    else:
        if link == "the stylesheet's folder":
            (project / "mine").symlink_to(outside)
        else:
            (project / "mine").mkdir()
            (project / "mine/house.css").symlink_to(outside / "house.css")
        add_to_first_document(project, "    extra_css: [mine/house.css]")
        expected = (
            f"documents #1 (briefing-note) › extra_css #1: mine/house.css leads to "
            f"{outside}/house.css, "
            "outside the project"
        )
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 2
    pattern = r"^error: data/reports\.yaml:\d+:\d+: " + re.escape(expected)
    assert re.search(pattern, result.err, re.M), result.err
    assert result.err.rstrip().endswith("problem(s) found; nothing was built")


@pytest.mark.parametrize("where", ["extra_css", "briefing.css of --templates"])
def test_a_stylesheet_that_is_not_utf8_is_a_located_error(
    project: Path, cli: Cli, where: str
) -> None:
    (project / "mine").mkdir()
    if where == "extra_css":
        (project / "mine/house.css").write_bytes(b"h2 { color: red; }\n/* caf\xe9 */\n")
        add_to_first_document(project, "    extra_css: [mine/house.css]")
        args: tuple[str, ...] = ()
        expected = "error: mine/house.css:2:7: not UTF-8 text: byte 0xe9"
    else:
        theme = (project / "templates/briefing.css").read_bytes()
        (project / "mine/briefing.css").write_bytes(b"/* caf\xe9 */\n" + theme)
        args = ("--templates", "mine")
        expected = "error: mine/briefing.css:1:7: not UTF-8 text: byte 0xe9"
    result = cli(project, "--date", BUILD_DATE, *args)
    assert result.code == 2
    assert expected in result.err
    assert "bug" not in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("path", "content", "expected"),
    [
        ("templates/partials/bad.html", b"<p>caf\xe9</p>\n", "templates/partials/bad.html:1:7"),
        (
            "templates/locale/en/LC_MESSAGES/messages.po",
            b'msgid "Key points"\nmsgstr "Key p\xe9ints"\n',
            "templates/locale/en/LC_MESSAGES/messages.po:2:14",
        ),
    ],
    ids=["template", "catalogue"],
)
def test_a_template_or_catalogue_that_is_not_utf8_is_a_located_error(
    project: Path, cli: Cli, path: str, content: bytes, expected: str
) -> None:
    (project / path).parent.mkdir(parents=True, exist_ok=True)
    (project / path).write_bytes(content)
    append_block(project, '{% include "partials/bad.html" ignore missing %}')
    result = build_sheet(project, cli)
    assert result.code == 1
    assert f"error: fact-sheet.en-GB: {expected}: not UTF-8 text: byte 0xe9" in result.err
    assert "UnicodeDecodeError" not in result.err and "bug" not in result.err


def test_a_catalogue_leading_outside_its_folder_is_refused(
    project: Path, cli: Cli, tmp_path: Path
) -> None:
    outside = tmp_path / "messages.po"
    outside.write_text('msgid "Key points"\nmsgstr "Read from outside"\n')
    folder = project / "templates/locale/en/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").symlink_to(outside)
    result = build_sheet(project, cli)
    assert result.code == 1
    assert (
        "error: fact-sheet.en-GB: refused: the en catalogue is "
        "templates/locale/en/LC_MESSAGES/messages.po, which leads to "
        f"{outside.resolve()}, outside templates"
    ) in result.err
    assert not (project / SHEET).exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../templates/fact-sheet.html"])
def test_a_template_name_must_stay_inside_the_template_folders(
    project: Path, cli: Cli, name: str
) -> None:
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace("template: fact-sheet.html", f"template: {name}")
    )
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 2
    assert re.search(
        r"^error: data/reports\.yaml:\d+:5: documents #3 \(fact-sheet\) › template: expected a "
        r"template name "
        rf"inside the template folders, like fact-sheet\.html, not '{re.escape(name)}'",
        result.err,
        re.M,
    )
    assert result.err.rstrip().endswith("problem(s) found; nothing was built")
