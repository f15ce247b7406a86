"""Words drawn as outlines: an SVG of glyph shapes, for marks that are not text (a watermark).

A PDF viewer's text extraction, search and screen readers see no outlined word, so a DRAFT
watermark does not interleave with the text of the page beneath it.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

from .errors import TemplateError


def data_uri(text: str, font: Path, colour: str) -> str:
    """Return a data: URL of an SVG drawing `text` in `font` as filled outlines of `colour`."""
    svg = outlined_svg(text, font, colour)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


@functools.lru_cache(maxsize=16)
def outlined_svg(text: str, font: Path, colour: str) -> str:
    """Return an SVG document of `text` set in `font` (no kerning), its box the line's height."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.ttLib import TTFont, TTLibError

    try:
        face = TTFont(font, lazy=True)
        cmap, glyphs = face.getBestCmap(), face.getGlyphSet()
        ascent, descent = face["hhea"].ascent, face["hhea"].descent
    except (OSError, TTLibError, KeyError) as e:
        raise TemplateError(f"outlined: cannot read font {font.name}: {e}") from e
    pen, x = SVGPathPen(glyphs), 0
    for char in text:
        glyph = glyphs[cmap.get(ord(char), ".notdef")]
        glyph.draw(TransformPen(pen, (1, 0, 0, -1, x, 0)))  # SVG's y axis points down
        x += glyph.width
    box = f"0 {-ascent} {max(x, 1)} {ascent - descent}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">'
        f'<path fill="{colour}" d="{pen.getCommands()}"/></svg>'
    )
