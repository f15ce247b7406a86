"""A releasable edition names nothing it leaves out: metadata, bookmarks, identifier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, Run
from tests.test_model import bookmarks, pdf_text

Cli = Callable[..., Run]
FULL = "reports/chile-eeu-free-trade-brief.en-GB.pdf"
PUBLIC = "reports/chile-eeu-free-trade-brief.en-GB.releasable-public.pdf"
OMITTED = ("line to take", "Line to take")


def everything_named(pdf: Path) -> str:
    """Return the PDF's text, metadata (Info and XMP) and bookmarks, as one text."""
    info: dict[str, object] = dict(PdfReader(pdf).metadata or {})
    with pikepdf.open(pdf) as doc:
        xmp = str(doc.open_metadata())
    return " | ".join([pdf_text(pdf), *map(str, info.values()), xmp, *bookmarks(pdf)])


def test_the_public_edition_names_nothing_it_omits(full_project: Path, cli: Cli) -> None:
    only = ("--only", "eeu-brief.en-GB*", "--pdf-variant", "pdf/ua-1")
    run = cli(full_project, "--date", BUILD_DATE, *only)
    assert run.code == 0, run.err
    full, public = full_project / FULL, full_project / PUBLIC
    assert all(word in everything_named(full) for word in OMITTED)
    named = everything_named(public)
    assert not [word for word in OMITTED if word in named], named
    info: dict[str, object] = dict(PdfReader(public).metadata or {})
    assert "the union at a glance and the state of play" in str(info.get("/Subject"))
    assert "DOCUMENT BG-CLRU-02-PUBLIC · v1.0 EDITION" in pdf_text(public)
    assert "DOCUMENT BG-CLRU-02 · v1.0 EDITION" in pdf_text(full)
