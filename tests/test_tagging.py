"""The tagged (PDF/UA) editions read as the page does, and every PDF names its font subsets apart."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from briefgen.cli import main
from tests.conftest import BUILD_DATE, copy_project
from tests.test_pdf import outline

TAGGED = ("chile-russia-briefing-note.es.draft.pdf", "chile-russia-briefing-note.ru.draft.pdf")
Marks = dict[tuple[int, int | None], str]  # (page, MCID, or None for artifacts) -> text


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the Spanish and Russian briefing notes as PDF/UA-1; return the reports folder."""
    root = copy_project(tmp_path_factory.mktemp("tagged"))
    only = ("--only", "briefing-note.es", "--only", "briefing-note.ru")
    args = ["--date", BUILD_DATE, *only, "--pdf-variant", "pdf/ua-1", "--strict", "-q"]
    assert main(args, project_root=root) == 0
    return root / "reports"


def marked_texts(pdf: pikepdf.Pdf) -> Marks:
    """Return the text of every marked-content sequence, artifacts under the MCID None."""
    texts: Marks = {}
    for number, page in enumerate(pdf.pages):
        fonts = {str(name): _unicode_map(font) for name, font in page.Resources.Font.items()}
        font: dict[int, str] = {}
        marks: list[int | None] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, op = instruction.operands, str(instruction.operator)
            if op in ("BDC", "BMC"):
                marks.append(_mcid(operands[1]) if op == "BDC" else None)
            elif op == "EMC":
                marks.pop()
            elif op == "Tf":
                font = fonts[str(operands[0])]
            elif op in ("Tj", "TJ") and marks:
                shown = [operands[0]] if op == "Tj" else list(operands[0])
                key = (number, marks[-1])
                texts[key] = texts.get(key, "") + "".join(_decode(s, font) for s in shown)
    return texts


def _mcid(properties: object) -> int | None:
    """Return the MCID of a BDC property list; None for an artifact (or other mark)."""
    mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
    return None if mcid is None else int(mcid)


def _unicode_map(font: Any) -> dict[int, str]:
    cmap = font.ToUnicode.read_bytes().decode("ascii")
    pairs = re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", cmap)
    return {int(glyph, 16): bytes.fromhex(text).decode("utf-16-be") for glyph, text in pairs}


def _decode(shown: object, font: dict[int, str]) -> str:
    if not isinstance(shown, pikepdf.String):
        return ""  # a TJ position adjustment
    data = bytes(shown)
    return "".join(font.get(int.from_bytes(data[i : i + 2]), "") for i in range(0, len(data), 2))


def elements(node: Any) -> Iterator[Any]:
    """Yield every structure element below `node`, depth first, in reading order."""
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR":
            yield kid
            yield from elements(kid)


def mcids(element: Any) -> list[int]:
    return [int(kid) for kid in element.K if not isinstance(kid, pikepdf.Dictionary)]


def element_text(element: Any, page: int, texts: Marks) -> str:
    return " ".join(" ".join(texts[page, mcid] for mcid in mcids(element)).split())


@pytest.mark.parametrize("name", TAGGED)
def test_contents_is_a_toc_read_as_printed_without_leaders(tagged: Path, name: str) -> None:
    numbered = [(t, p) for t, p in outline(PdfReader(tagged / name)) if re.match(r"\d+\. ", t)]
    with pikepdf.open(tagged / name) as pdf:
        texts = marked_texts(pdf)
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        tree = list(elements(pdf.Root.StructTreeRoot))
        tocs = [e for e in tree if e.S == "/TOC"]  # one per page the contents is on
        assert tocs and all({kid.S for kid in toc.K} == {"/TOCI"} for toc in tocs)
        read = []
        for item in (kid for toc in tocs for kid in toc.K):
            (reference,) = item.K
            (link,) = reference.K
            assert (reference.S, link.S) == ("/Reference", "/Link")
            read.append(element_text(link, pages[link.Pg.objgen], texts))
        assert read == [f"{title} {page}" for title, page in numbered]  # "1. Visits … 2"
        assert not [e for e in tree if e.S == "/Link" and any(k.S == "/Link" for k in elements(e))]
    tagged_text = [text for (_, mcid), text in texts.items() if mcid is not None]
    assert not [text for text in tagged_text if ".." in text or text.strip() == "."]
    artifacts = "".join(text for (_, mcid), text in texts.items() if mcid is None)
    assert artifacts.count(".") > 500  # the leaders are still drawn, as artifacts


@pytest.mark.parametrize("name", TAGGED)
def test_every_mark_and_link_has_its_parent(tagged: Path, name: str) -> None:
    with pikepdf.open(tagged / name) as pdf:
        parents = dict(_number_tree(pdf.Root.StructTreeRoot.ParentTree))
        texts = marked_texts(pdf)
        for number, page in enumerate(pdf.pages):
            in_stream = {mcid for page_number, mcid in texts if page_number == number}
            marks = parents[int(page.StructParents)]
            for mcid in in_stream - {None}:
                assert mcid in mcids(marks[mcid]), (number, mcid)
            for annotation in page.get("/Annots", []):
                link = parents[int(annotation.StructParent)]
                assert link.S == "/Link"
                assert any(kid.get("/Obj") == annotation for kid in link.K if _is_objr(kid))


def _number_tree(tree: Any) -> Iterator[tuple[int, Any]]:
    nums = list(tree.Nums)
    yield from ((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2))


def _is_objr(kid: Any) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"


@pytest.mark.parametrize("name", TAGGED)
def test_links_are_described_in_the_edition_language(tagged: Path, name: str) -> None:
    bookmarks = [title for title, _ in outline(PdfReader(tagged / name))]
    headings = {re.sub(r"^\d+\. ", "", title) for title in bookmarks if re.match(r"\d+\. ", title)}
    with pikepdf.open(tagged / name) as pdf:
        dests = pdf.Root.Names.Dests.Names
        anchors = {str(dests[i]) for i in range(0, len(dests), 2)}  # "visits", "sources", …
        described = {str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])}
        entries = {
            str(kid.Obj.Contents)
            for item in elements(pdf.Root.StructTreeRoot)
            if item.S == "/TOCI"
            for link in elements(item)
            for kid in link.K
            if _is_objr(kid)
        }
    assert entries == headings  # each entry is described by the heading it leads to
    assert described > entries and not described & anchors, described & anchors
    if ".ru." in name:
        assert all(re.search("[а-яА-Я]", text) for text in described), described


def _font_subsets(path: Path) -> Iterator[tuple[str, str]]:
    """Yield each embedded font's name and a hash of the font program it embeds."""
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                (descendant,) = font.DescendantFonts
                program = descendant.FontDescriptor.FontFile2.read_bytes()
                yield str(descendant.BaseFont), hashlib.sha256(program).hexdigest()


def test_font_subsets_are_named_after_what_they_hold(built: Path, tagged: Path) -> None:
    pdfs = [*sorted((built / "reports").glob("*.pdf")), *(tagged / name for name in TAGGED)]
    subsets = {subset for pdf in pdfs for subset in _font_subsets(pdf)}
    names = {name for name, _ in subsets}
    programs = {program for _, program in subsets}
    # One name per subset, one subset per name: across PDFs as within one.
    assert len(names) == len(programs) == len(subsets), sorted(subsets)
    regular = {name for name in names if name.endswith("+Brief-Sans")}
    assert len(regular) > 1 and all(re.fullmatch(r"/[A-Z]{6}\+Brief-Sans", n) for n in regular)
