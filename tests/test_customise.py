"""Customising without Python: search path, block overrides, sections, theming, eject, docs example."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader

from briefgen.schema import context_reference, with_context_reference
from tests.conftest import BUILD_DATE, REPO, Run

Cli = Callable[..., Run]
NOTE = "reports/chile-russia-briefing-note.en-GB.pdf"
DOCS = REPO / "docs/templates.md"


def pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def add_to_reports(project: Path, top_level: str = "", document_extra: str = "") -> None:
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    if top_level:
        text = text.replace("documents:\n", f"{top_level}\ndocuments:\n", 1)
    if document_extra:  # appended to the first document (the briefing note)
        text = text.replace("    page_budget: 4\n", f"    page_budget: 4\n{document_extra}\n", 1)
    reports.write_text(text)


def test_overriding_one_block_changes_only_that_block(project: Path, cli: Cli) -> None:
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--html").code == 0
    before = (project / NOTE).with_suffix(".html").read_text()
    # Only the key points print the trade goal (data.trade.goal): without them the note shows
    # less of its data, which rightly starts a new edition. Compare two first editions.
    shutil.rmtree(project / "reports/.briefgen")
    mine = project / "mine"
    mine.mkdir()
    (mine / "briefing-note.html").write_text(
        '{% extends "default:briefing-note.html" %}\n'
        '{% block key_points %}<aside class="key-points"><p>Our own summary.</p></aside>{% endblock %}\n'
    )
    args = ("--date", BUILD_DATE, "--only", "briefing-note", "--templates", "mine", "--html")
    assert cli(project, *args).code == 0
    after = (project / NOTE).with_suffix(".html").read_text()

    def without_key_points(html: str) -> str:
        start = html.index('<aside class="key-points"')
        rest = html[html.index("</aside>", start) :]
        return re.sub(
            r">\s+<", "><", html[:start] + rest
        )  # whitespace between tags is layout-neutral

    assert without_key_points(after) == without_key_points(before)
    first_page = pages(project / NOTE)[0]
    assert "Our own summary." in first_page and "Key points" not in first_page


def test_an_ejected_unedited_template_renders_byte_identically(
    project_built: Path, cli: Cli
) -> None:
    project = project_built
    original = {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}
    (project / "mine").mkdir()
    add_to_reports(project, top_level="templates: [mine]")
    for name in ("base.html", "sections/visits.html", "briefing.css"):
        result = cli(project, "templates", "--eject", name)
        assert result.code == 0 and f"ejected mine/{name}" in result.err
    listing = cli(project, "templates").out
    assert re.search(r"^sections/visits.html +mine  \(overrides templates\)$", listing, re.M)
    assert re.search(r"^sections/trade.html +templates$", listing, re.M)
    assert cli(project, "--date", BUILD_DATE).code == 0
    assert {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")} == original
    again = cli(project, "templates", "--eject", "base.html")
    assert again.code == 2 and "mine/base.html already exists" in again.err


def test_eject_needs_a_folder_of_your_own(project: Path, cli: Cli) -> None:
    result = cli(project, "templates", "--eject", "base.html")
    assert result.code == 2 and "no template folder of your own" in result.err
    assert (
        cli(project, "templates", "--eject", "../data/reports.yaml", "--templates", "data").code
        == 2
    )


def test_sections_can_be_reordered_and_dropped(project: Path, cli: Cli) -> None:
    add_to_reports(project, document_extra="    sections: [trade, visits, sources]")
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 0
    outline = cast(list[Any], PdfReader(project / NOTE).outline)
    titles = [item.title for item in outline if not isinstance(item, list)]
    flat = [i.title for group in outline if isinstance(group, list) for i in group]
    assert flat == [
        "Key points",
        "Contents",
        "1. Economic relationship and the EEU free-trade objective",
        "2. High-level visits",
        "3. Sources",
    ]
    assert titles[0].startswith("Chile–Russia")
    text = " ".join(pages(project / NOTE))
    assert "Bilateral mechanisms" not in text and "Milestones, 2014" not in text


def test_unknown_section_is_reported_by_check(project: Path, cli: Cli) -> None:
    add_to_reports(project, document_extra="    sections: [overview, no-such-section]")
    result = cli(project, "check")
    assert result.code == 2
    assert re.search(
        r"data/reports.yaml:\d+:\d+: documents #1 \(briefing-note\) › sections #2: template "
        "'sections/no-such-section.html' not found; searched templates",
        result.err,
    )


def test_style_and_extra_css_theme_a_document(project: Path, cli: Cli) -> None:
    (project / "mine").mkdir()
    (project / "mine/house.css").write_text("h2 { text-transform: uppercase; }\n")
    add_to_reports(
        project,
        document_extra='    style: {accent: "#5b2a86", page-margin: "30mm"}\n'
        "    extra_css: [mine/house.css]",
    )
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--html").code == 0
    html = (project / NOTE).with_suffix(".html").read_text()
    assert "--accent: #5b2a86; --page-margin: 30mm;" in html
    assert (project / "mine/house.css").resolve().as_uri() in html
    assert "HIGH-LEVEL VISITS" in " ".join(pages(project / NOTE))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '    style: {accent: "red; } body { display: none"}',
            "style › accent: expected a plain CSS",
        ),
        ("    style: {accent: url(x)}", "style › accent: expected a plain CSS"),
        ("    extra_css: [../outside.css]", "extra_css #1: expected a relative path"),
        ("    extra_css: [mine/missing.css]", "extra_css #1: mine/missing.css does not exist"),
    ],
)
def test_unsafe_theming_is_refused_with_location(
    project: Path, cli: Cli, extra: str, message: str
) -> None:
    add_to_reports(project, document_extra=extra)
    result = cli(project, "check")
    assert result.code == 2
    place = re.escape(f"documents #1 (briefing-note) › {message}")
    assert re.search(rf"data/reports.yaml:\d+:\d+: {place}", result.err)


def test_missing_template_names_the_search_path(project: Path, cli: Cli) -> None:
    (project / "mine").mkdir()
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace("template: fact-sheet.html", "template: memo.html")
    )
    result = cli(project, "--date", BUILD_DATE, "--templates", "mine")
    assert result.code == 2
    assert re.search(
        r"error: data/reports.yaml:\d+:5: documents #3 \(fact-sheet\) › template: template "
        "'memo.html' "
        "not found; searched mine, templates",
        result.err,
    )


def docs_example() -> tuple[dict[str, str], str]:
    """Return the worked example's files and its report-definition snippet, from the docs."""
    text = DOCS.read_text()
    files = dict(re.findall(r"<!-- example-file: (\S+) -->\n```\w+\n(.*?)```", text, re.S))
    reports = re.search(r"<!-- example-reports -->\n```yaml\n(.*?)```", text, re.S)
    assert files and reports
    return files, reports[1]


def test_the_documented_meeting_brief_builds(project: Path, cli: Cli) -> None:
    files, snippet = docs_example()
    for name, content in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(content)
    top, _, entry = snippet.partition("documents:\n")
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace("documents:\n", f"{top}documents:\n", 1) + "\n" + entry
    )
    result = cli(project, "--date", BUILD_DATE, "--only", "meeting-brief", "--strict")
    assert result.code == 0, result.err
    [page] = pages(project / "reports/meeting-brief.en-GB.draft.pdf")
    for text in (
        "Courtesy call by the Ambassador of the Russian Federation",
        "3 December 2026",
        "ILLUSTRATIVE",
        "Line to take",
        "Recent contacts",
        "INTERNAL",
        "(draft)",
    ):
        assert text in page, text


def test_template_context_reference_is_current_and_complete() -> None:
    text = DOCS.read_text()
    assert with_context_reference(text) == text, "run python3 generate.py schema --write"
    undocumented = [line for line in context_reference().splitlines() if line.endswith("|  |")]
    assert not undocumented, "give these fields a description in the model"


def test_every_theme_variable_is_documented() -> None:
    css = (REPO / "templates/briefing.css").read_text()
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    names = re.findall(r"(--[a-z-]+):", root)
    assert names
    documented = DOCS.read_text()
    assert [n for n in [*names, "--page-size"] if f"`{n}`" not in documented] == []


def test_users_can_ship_their_own_fonts(project: Path, cli: Cli) -> None:
    fonts = project / "mine/fonts"
    fonts.mkdir(parents=True)
    (fonts / "House.ttf").write_bytes((REPO / "templates/fonts/NotoSans-Italic.ttf").read_bytes())
    (project / "mine/house.css").write_text(
        '@font-face { font-family: "House Sans"; src: url(fonts/House.ttf); }\n'
    )
    add_to_reports(
        project,
        document_extra='    style: {font-body: "House Sans"}\n    extra_css: [mine/house.css]',
    )
    assert cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--strict").code == 0
    reader = PdfReader(project / NOTE)
    names = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("House-Sans" in name for name in names), names


def test_check_renders_default_sections_and_catches_self_extension(project: Path, cli: Cli) -> None:
    mine = project / "mine/sections"
    mine.mkdir(parents=True)
    (mine / "fast-facts.html").write_text(
        '{% set title = "x" %}\n{% set anchor = "x" %}\n{{ nope }}\n'
    )
    result = cli(project, "check", "--templates", "mine")
    assert result.code == 1
    assert (
        "error: fact-sheet.en-GB: mine/sections/fast-facts.html:3: 'nope' is undefined"
        in result.err
    )
    (mine / "fast-facts.html").unlink()
    (project / "mine/briefing-note.html").write_text('{% extends "briefing-note.html" %}\n')
    result = cli(project, "check", "--templates", "mine")
    assert result.code == 1 and "RecursionError" not in result.err
    assert (
        'to extend the default theme\'s own file, write {% extends "default:NAME" %}' in result.err
    )


def test_an_empty_section_list_is_refused(project: Path, cli: Cli) -> None:
    add_to_reports(project, document_extra="    sections: []")
    result = cli(project, "check")
    assert (
        result.code == 2
        and "documents #1 (briefing-note) › sections: List should have at least 1 item"
        in result.err
    )


def test_a_misspelt_style_name_is_a_located_error(project: Path, cli: Cli) -> None:
    add_to_reports(project, document_extra='    style: {acent: "#005a9c"}')
    result = cli(project, "check")
    assert result.code == 2
    assert re.search(
        r"data/reports.yaml:\d+:\d+: documents #1 \(briefing-note\) › style › acent: the "
        r"stylesheets define no --acent; did you mean `accent`\? \(known: accent, ",
        result.err,
    )
