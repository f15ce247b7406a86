"""Narrative text: Markdown in data texts, rendered safely, and free sections of a data set."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from markupsafe import escape
from pypdf import PdfReader

from briefgen.prose import printed_text, refusals, render_block, render_inline
from tests.conftest import BUILD_DATE, Run
from tests.test_pdf import outline

Cli = Callable[..., Run]

NOTE = "reports/chile-russia-briefing-note.en-GB"
SHEET = "reports/chile-russia-fact-sheet.en-GB"
ANALYSIS = """\
sections:
  - id: outlook
    title: Outlook for the relationship
    source: embassy-bilateral
    as_of: 2026-11-01
    body: |
      The desk expects *slow* progress, and **no timetable**.

      - a first reason
      - a second reason, from [the embassy](https://chile.gob.cl/rusia/)
"""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def set_english(project: Path, file: str, key: str, text: str) -> None:
    """Replace the English form of a text given in three languages in a shipped data file."""
    path = project / "data/chile-russia" / file
    old = path.read_text("utf-8")
    new = re.sub(rf"{key}:\n  en: >-\n.*?\n  es:", f"{key}:\n  en: {text}\n  es:", old, flags=re.S)
    assert new != old
    path.write_text(new, "utf-8")


def set_characterisation(project: Path, text: str) -> None:
    """Replace the English characterisation of the relationship (printed inline)."""
    set_english(project, "relationship.yaml", "characterisation", text)


def list_sections(project: Path, sections: str) -> None:
    """Give the briefing note a `sections:` list."""
    edit(
        project / "data/reports.yaml",
        "    page_budget: 4\n",
        f"    page_budget: 4\n    sections: {sections}\n",
    )


def pdf_text(path: Path) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(re.sub(r"-\n", "", raw).split())


def web_links(path: Path) -> list[str]:
    """Return the URI of every link annotation in the PDF (internal links have none)."""
    found = []
    for page in PdfReader(path).pages:
        for annotation in cast(Any, page).get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def bookmarks(path: Path) -> list[tuple[str, int]]:
    return outline(PdfReader(path))


# The Markdown renderer, alone.


@pytest.mark.parametrize(
    "text",
    ["Plain text, as shipped: Chile's “line” & <no> tags.", 'A "quoted" word', "AT&T"],
)
def test_plain_text_renders_as_autoescape_prints_it(text: str) -> None:
    assert render_inline(text) == escape(text)
    assert render_block(text) == f"<p>{escape(text)}</p>"


def test_only_web_and_mail_links_are_made_and_nothing_is_fetched() -> None:
    html = render_block(
        "[a](https://a.org) [b](mailto:desk@example.org) [c](javascript:alert(1)) "
        "[d](file:///etc/passwd) [e](relative/page.html) ![f](https://a.org/f.png)\n\n# Heading"
    )
    assert re.findall(r'href="([^"]*)"', html) == [
        "https://a.org",
        "mailto:desk@example.org",
        "https://a.org/f.png",  # an image is only a link to it
    ]
    assert "<img" not in html and "<h1" not in html and "# Heading" in html
    assert "[c](javascript:alert(1))" in html and "[d](file:///etc/passwd)" in html


def test_printed_text_and_refusals() -> None:
    text = "A *b* [link](https://very.long/address) <i>x</i> [j](javascript:x)"
    assert " ".join(printed_text(text).split()) == "A b link <i>x</i> [j](javascript:x)"
    assert refusals(text) == [
        "raw HTML is printed as text",
        "the link to 'javascript:x' is printed as text: links go only to http, https and "
        "mailto addresses",
    ]
    assert refusals("Plain *Markdown* with [a link](https://a.org).") == []


# Markdown in the documents.


def test_markdown_renders_emphasis_lists_and_links(project: Path, cli: Cli) -> None:
    set_characterisation(project, "A *cordial* and [frank](https://example.org/dialogue) dialogue.")
    summary = (
        "|-\n    Five visits, *three* of them to **Moscow**:\n\n    - the first in 1993;\n"
        "    - the latest in 2012, see [the embassy](https://chile.gob.cl/rusia/)."
    )
    set_english(project, "visits.yaml", "summary", summary)
    run = cli(project, "--date", BUILD_DATE, "--html", "--strict", "--only", "briefing-note")
    assert run.code == 0, run.err
    html = (project / f"{NOTE}.html").read_text("utf-8")
    assert (
        "<strong>Relationship.</strong> A <em>cordial</em> and "
        '<a href="https://example.org/dialogue">frank</a> dialogue.'
    ) in html
    assert (
        "<p>Five visits, <em>three</em> of them to <strong>Moscow</strong>:</p>\n"
        "<ul>\n<li>the first in 1993;</li>"
    ) in html
    text = pdf_text(project / f"{NOTE}.pdf")
    assert "A cordial and frank dialogue." in text
    assert "Five visits, three of them to Moscow:" in text
    assert "the latest in 2012, see the embassy." in text
    assert "*" not in text and "](" not in text
    # The key points and the overview both print the characterisation.
    assert web_links(project / f"{NOTE}.pdf") == [
        "https://example.org/dialogue",
        "https://chile.gob.cl/rusia/",
    ]


def test_raw_html_in_a_data_text_is_shown_as_text(project: Path, cli: Cli) -> None:
    set_characterisation(project, "'Cordial <script>alert(1)</script> and <b>frank</b>.'")
    run = cli(project, "--date", BUILD_DATE, "--html", "--only", "fact-sheet")
    assert run.code == 0, run.err
    assert re.search(
        r"warning: data/chile-russia/relationship.yaml:\d+:\d+: characterisation › en: "
        "Markdown: raw HTML is printed as text",
        run.err,
    ), run.err
    html = (project / f"{SHEET}.html").read_text("utf-8")
    assert "<script" not in html and "<b>" not in html
    assert "Cordial &lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;frank&lt;/b&gt;." in html
    assert "Cordial <script>alert(1)</script> and <b>frank</b>." in pdf_text(
        project / f"{SHEET}.pdf"
    )


def test_a_javascript_link_is_not_a_link(project: Path, cli: Cli) -> None:
    set_characterisation(
        project, "'A [frank](javascript:alert(1)) and [open](file:///etc/passwd) one.'"
    )
    run = cli(project, "--date", BUILD_DATE, "--html", "--only", "fact-sheet")
    assert run.code == 0, run.err
    assert (
        "characterisation › en: Markdown: the link to 'javascript:alert(1)' is printed as text"
        in run.err
    )
    html = (project / f"{SHEET}.html").read_text("utf-8")
    assert (
        "javascript:alert(1)" in html
        and '<a href="javascript' not in html
        and '<a href="file' not in html
    )
    text = pdf_text(project / f"{SHEET}.pdf")
    assert "A [frank](javascript:alert(1)) and [open](file:///etc/passwd) one." in text
    assert web_links(project / f"{SHEET}.pdf") == []


# Free sections.


def test_a_free_section_has_its_title_contents_entry_bookmark_and_citation(
    project: Path, cli: Cli
) -> None:
    (project / "data/chile-russia/analysis.yaml").write_text(ANALYSIS, "utf-8")
    list_sections(project, "[overview, visits, free:outlook, milestones, sources]")
    run = cli(project, "--date", BUILD_DATE, "--html", "--strict")
    assert run.code == 0, run.err
    pdf = project / f"{NOTE}.pdf"
    marks = bookmarks(pdf)
    assert [title for title, _ in marks][3:] == [
        "1. Relationship overview",
        "2. High-level visits",
        "3. Outlook for the relationship",
        "4. Milestones, 2014–2019",
        "5. Sources",
    ]
    page = dict(marks)["3. Outlook for the relationship"]
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]
    contents = re.search(r"3\. Outlook for the relationship \.+ (\d+)", pages[0])
    assert contents and contents[1] == str(page), pages[0]  # the page the heading lands on
    body = pages[page - 1]
    assert re.search(
        r"3\. Outlook for the relationship The desk expects slow progress.*a second reason, "
        r"from the embassy Source: \[1\]",
        body,
    ), body
    # The sources list names it among the sections checked against its source, on its date.
    assert "Checked on 1 November 2026 for Outlook for the relationship." in pdf_text(pdf)
    # A document that does not list the free section does not show it.
    assert "Outlook" not in pdf_text(project / f"{SHEET}.pdf")


def test_a_free_section_marked_above_a_release_is_left_out_with_its_title(
    project: Path, cli: Cli
) -> None:
    (project / "data/chile-russia/analysis.yaml").write_text(ANALYSIS, "utf-8")
    list_sections(project, "[overview, free:outlook, sources]")
    edit(
        project / "data/reports.yaml",
        "    page_budget: 4\n",
        "    page_budget: 4\n    section_markings: {free:outlook: INTERNAL}\n    releasable_at: [PUBLIC]\n",
    )
    run = cli(project, "--date", BUILD_DATE, "--strict", "--only", "briefing-note")
    assert run.code == 0, run.err
    internal = pdf_text(project / f"{NOTE}.pdf")
    public = pdf_text(project / f"{NOTE}.releasable-public.pdf")
    assert "Outlook for the relationship" in internal and "INTERNAL" in internal
    assert "Outlook" not in public


def test_an_unknown_free_section_is_a_located_error(project: Path, cli: Cli) -> None:
    (project / "data/chile-russia/analysis.yaml").write_text(ANALYSIS, "utf-8")
    list_sections(project, "[overview, free:outlok, sources]")
    text = (project / "data/reports.yaml").read_text("utf-8")
    line = text[: text.index("free:outlok")].count("\n") + 1
    col = text.index("free:outlok") - text.rfind("\n", 0, text.index("free:outlok"))
    run = cli(project, "--date", BUILD_DATE, "--only", "briefing-note")
    assert run.code == 2
    assert (
        f"error: data/reports.yaml:{line}:{col}: documents #1 (briefing-note) › sections #2: no "
        "free section "
        "'outlok' in data/chile-russia/analysis.yaml; it defines outlook"
    ) in run.err, run.err
    assert not (project / f"{NOTE}.pdf").exists()
    # In a template's own list, it fails that document at the line that asks for it.
    edit(project / "data/reports.yaml", "free:outlok", "free:outlook")
    edit(project / "templates/briefing-note.html", '["visits",', '["visits", "free:nope",')
    edit(project / "data/reports.yaml", "    sections: [overview, free:outlook, sources]\n", "")
    run = cli(project, "check", "--only", "briefing-note")
    assert run.code == 1
    assert (
        "error: briefing-note.en-GB: templates/base.html:17: no free section 'nope' in the data "
        "set's analysis.yaml; it defines outlook"
    ) in run.err, run.err


def test_free_sections_are_validated_like_other_sections(project: Path, cli: Cli) -> None:
    doubled = ANALYSIS + ANALYSIS.removeprefix("sections:\n").replace(
        "source: embassy-bilateral", "source: embassy"
    )
    (project / "data/chile-russia/analysis.yaml").write_text(doubled, "utf-8")
    run = cli(project, "check")
    assert run.code == 2
    assert (
        "error: data/chile-russia/analysis.yaml:11:5: sections #2 (outlook) › id: id 'outlook' is "
        "already used by sections #1 (outlook)"
    ) in run.err, run.err
    assert (
        "error: data/chile-russia/analysis.yaml:13:5: sections #2 (outlook) › source: unknown "
        "source "
        "'embassy'; sources.yaml defines embassy-bilateral"
    ) in run.err, run.err


def test_the_scaffold_shows_a_free_section_that_checks(project: Path, cli: Cli) -> None:
    assert cli(project, "new", "chile-peru", "--date", BUILD_DATE).code == 0
    folder = project / "data/chile-peru"
    relationship = (folder / "relationship.yaml").read_text("utf-8")
    example = relationship[relationship.index("# analysis.yaml") :]
    lines = [line[4:] for line in example.splitlines() if line.startswith("#   ")]
    (folder / "analysis.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    reports = project / "data/reports.yaml"
    edit(
        reports, "    # sections: [overview, free:outlook", "    sections: [overview, free:outlook"
    )
    run = cli(project, "check", "--date", BUILD_DATE, "--only", "chile-peru-briefing-note")
    assert run.code == 0 and "warning:" not in run.err, run.err
