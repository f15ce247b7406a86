"""Markdown in data texts (Prose fields), rendered by markdown-it-py, a maintained CommonMark parser.

Raw HTML is off, so `<script>` in a data text is printed as text. Links may only lead to http,
https or mailto addresses; anything else (javascript:, file:, a relative path) stays text. Images
and headings are off: a data text must not make WeasyPrint fetch anything, nor add entries to the
document's outline. Plain text renders exactly as Jinja's autoescape would print it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_LINK = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
# Text with none of this is plain: the parser would print it as it is (most data texts are).
_SYNTAX = re.compile(r"[\\`*_\[\]<>&!#~|\t]|^\s*(?:[-+=>]|\d+[.)])|^ {4}| {2}$", re.MULTILINE)
# Syntax a data text may write that is printed as text: the parser with these on finds it.
_OFF = ["image", "heading", "lheading"]
_REFUSED = {
    "image": "an image is shown as a link to it: documents fetch nothing a data text names",
    "heading_open": "a heading is printed as text: a section's title is its only heading",
    "html_inline": "raw HTML is printed as text",
    "html_block": "raw HTML is printed as text",
}


def render_block(text: str) -> Markup:
    """Return `text` as HTML blocks (paragraphs, lists, quotes), for the body of a section."""
    return Markup(_parser().render(text).rstrip("\n"))


def render_inline(text: str) -> Markup:
    """Return `text` as inline HTML (emphasis, links, code; no <p>), for a sentence or a cell."""
    if plain(text):  # what the parser would give, without running it
        return escape(text)
    return Markup(_parser().renderInline(text))


def allowed_link(url: str) -> bool:
    """True for an address a data text may link to: http, https or mailto."""
    return bool(_LINK.match(url.strip()))


def printed_text(text: str) -> str:
    """Return the words a reader sees of `text`: without Markdown syntax or link addresses."""
    if plain(text):  # validation asks for every text: no parser (nor its import) for plain ones
        return " ".join(text.split())
    words: list[str] = []
    for token in _parser().parse(text):
        if token.type in ("code_block", "fence"):
            words.append(token.content)
        for child in token.children or []:
            breaks = child.type in ("softbreak", "hardbreak")
            words.append(" " if breaks else child.content)  # tags have no content
        words.append(" ")
    return "".join(words)


def refusals(text: str) -> list[str]:
    """Return what `text` writes that is not rendered: links elsewhere, images, raw HTML, headings."""
    if plain(text):
        return []
    found: list[str] = []
    for token in _walk(_permissive().parse(text)):
        href = token.attrGet("href") if token.type == "link_open" else None
        if isinstance(href, str) and not allowed_link(href):
            found.append(
                f"the link to {href!r} is printed as text: links go only to http, https and "
                "mailto addresses"
            )
        elif token.type in _REFUSED:
            found.append(_REFUSED[token.type])
    return list(dict.fromkeys(found))


def plain(text: str) -> bool:
    """True when `text` has no Markdown syntax at all, so it prints exactly as written."""
    return not _SYNTAX.search(text)


def _walk(tokens: list[Token]) -> list[Token]:
    return [t for token in tokens for t in [token, *(token.children or [])]]


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    class SafeMarkdown(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # markdown-it calls it by this name
            return allowed_link(url)

    md = SafeMarkdown("commonmark", {"html": False, "xhtmlOut": False})
    md.disable(_OFF)
    md.add_render_rule("text", _text)
    return md


@functools.cache
def _permissive() -> MarkdownIt:
    """Return a parser that recognises everything, so that validation can say what is refused."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _text(renderer: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    # markupsafe's escaping, not markdown-it's: plain text then gives the same bytes as before.
    return str(escape(tokens[idx].content))
