"""Narrative text: Markdown in data texts, rendered safely."""

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

Cli = Callable[..., Run]

NOTE = "reports/chile-russia-briefing-note.en-GB"
SHEET = "reports/chile-russia-fact-sheet.en-GB"


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
        "<strong>Character of the relationship.</strong> A <em>cordial</em> and "
        '<a href="https://example.org/dialogue">frank</a> dialogue.</p>'
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
        "https://example.org/dialogue",
        "https://chile.gob.cl/rusia/",
    ]


def test_raw_html_in_a_data_text_is_shown_as_text(project: Path, cli: Cli) -> None:
    set_characterisation(project, "'Cordial <script>alert(1)</script> and <b>frank</b>.'")
    run = cli(project, "--date", BUILD_DATE, "--html", "--only", "fact-sheet")
    assert run.code == 0, run.err
    assert re.search(
        r"warning: data/chile-russia/relationship.yaml:\d+:\d+: characterisation.en: "
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
        "characterisation.en: Markdown: the link to 'javascript:alert(1)' is printed as text"
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
