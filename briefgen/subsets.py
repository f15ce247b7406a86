"""Name each embedded font subset after what it holds.

WeasyPrint 70 makes the six-letter subset tag from the font's description alone (an MD5 of
"Brief Sans …"), so the regular face is TDHJWY+Brief-Sans in every PDF, whatever glyphs its
subset keeps. A tool that merges PDFs and matches fonts by name then keeps one subset for all
and loses the glyphs of the others. Here the tag is a hash of the name and the embedded font
file: different subsets get different tags, identical subsets the same (and the same inputs
still give the same bytes). Only names change; the content streams use resource keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from .pdfobjects import resolve

FONT_FILES = ("FontFile", "FontFile2", "FontFile3")


def name_subsets(pdf: Any) -> None:
    """Give every embedded composite font of `pdf` a subset tag derived from its content."""
    for font, descendant, descriptor, data in _embedded_fonts(pdf):
        name = font["BaseFont"].removeprefix(b"/").split(b"+", 1)[-1]
        tagged = b"/" + subset_tag(name, data) + b"+" + name
        font["BaseFont"] = descendant["BaseFont"] = descriptor["FontName"] = tagged


def subset_tag(name: bytes, data: bytes) -> bytes:
    """Return six capital letters that hash the font `name` and its file `data`."""
    digest = hashlib.sha256(name + b"\0" + data).digest()
    return bytes(65 + byte % 26 for byte in digest[:6])


def _embedded_fonts(pdf: Any) -> Iterator[tuple[Any, Any, Any, bytes]]:
    """Yield each Type0 font with its CIDFont, font descriptor and embedded font file."""
    for font in pdf.objects:
        if not (isinstance(font, dict) and font.get("Subtype") == "/Type0"):
            continue
        descendant = resolve(pdf, font["DescendantFonts"][0])
        descriptor = resolve(pdf, descendant["FontDescriptor"])
        files = [resolve(pdf, descriptor[key]) for key in FONT_FILES if key in descriptor]
        if files:
            yield font, descendant, descriptor, b"".join(files[0].stream)
