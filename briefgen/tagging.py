"""Make a tagged PDF read as the page does: the contents as TOC/TOCI, leaders as artifacts.

WeasyPrint 70 tags by element name alone: a `<ol>` is a list (L/LI/LBody), and the `a::before`,
`a::after` and the leader inside a contents link each become a Link nested in the entry's Link,
every leader dot a marked text of its own, so a screen reader reads out rows of dots. No markup
maps to TOC or TOCI, and a leader is always drawn as text. So the structure WeasyPrint built is
corrected here, in its pydyf objects before they are written:

- each link of `<nav role="doc-toc">` becomes one Link holding the entry's number, title and page
  (and every link annotation of the entry), in a Reference, in a TOCI, in a TOC;
- the leader dots become artifacts in the page's content stream and leave the structure tree;
- internal links are described (/Contents) by the heading, or else the text, of their target:
  the document's own words in its own language, where WeasyPrint writes the English anchor id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes

from .pdfobjects import resolve

CONTENTS_ROLE = "doc-toc"  # the DPUB-ARIA role of a table of contents
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
ENTRY_BODIES = frozenset({"/LBody", "/Reference"})  # the second once an earlier fragment is done


@dataclass
class _Entry:
    """A contents link's tagged subtree, flattened: what its Link keeps and what goes."""

    kids: list[Any] = field(default_factory=list)  # OBJR references and MCIDs, in reading order
    texts: list[int] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    nested: list[Any] = field(default_factory=list)  # structure elements folded into the Link
    annotations: list[Any] = field(default_factory=list)


def retag(document: Any, pdf: Any, root: Any) -> list[str]:
    """Correct the tags of `pdf` (written from `document`, parsed from `root`); return problems.

    A problem is a contents entry left as WeasyPrint tagged it, its shape not the expected one.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return []
    parents = _ParentTree(pdf)
    targets = {element.get("id"): element for element in root.iter() if element.get("id")}
    entries = {a for nav in root.iter("nav") if _is_contents(nav) for a in nav.iter("a")}
    problems = []
    for box in _link_boxes(document):
        _describe(box.link_annotation, targets)
        if box.element_tag == "a" and box.element in entries:
            problems += _retag_entry(pdf, parents, box)
    return problems


def _is_contents(nav: Any) -> bool:
    return CONTENTS_ROLE in (nav.get("role") or "").split()


def _link_boxes(document: Any) -> Iterator[Any]:
    """Yield every box that WeasyPrint gave a link annotation, page by page."""
    for page in document.pages:
        for *_, box in page.links:
            if box.link_annotation is not None:
                yield box


def _describe(annotation: Any, targets: dict[str, Any]) -> None:
    """Describe an internal link by its target's heading, or else its target's text."""
    destination = annotation.get("Dest")
    target = targets.get(destination.string) if destination is not None else None
    if target is None:
        return
    heading = next((e for e in target.iter() if e.tag in HEADINGS), target)
    if text := _text(heading):
        annotation["Contents"] = pydyf.String(text)


def _text(element: Any) -> str:
    """Return the text of an HTML element, its white space collapsed."""
    return " ".join("".join(element.itertext()).split())


def _retag_entry(pdf: Any, parents: _ParentTree, box: Any) -> list[str]:
    """Flatten a contents link's Link, its leaders made artifacts, and tag its list as a TOC."""
    link = resolve(pdf, parents[box.link_annotation["StructParent"]])
    page = resolve(pdf, link["Pg"])
    entry = _Entry()
    title = _text(box.element)
    if not _flatten(pdf, box, link, entry, leader=False):
        return [f"PDF/UA tags: contents entry {title!r} is not shaped as expected; left as is"]
    if not _mark_artifacts(resolve(pdf, page["Contents"]), set(entry.leaders)):
        return [f"PDF/UA tags: the leader of contents entry {title!r} is left as text"]
    link["K"] = pydyf.Array(entry.kids)
    marks = parents[page["StructParents"]]
    for mcid in entry.texts:
        marks[mcid] = link.reference
    for mcid in entry.leaders:
        marks[mcid] = b"null"  # an artifact has no parent; MCIDs keep their numbers
    for annotation in entry.annotations:
        parents[annotation["StructParent"]] = link.reference
    for element in entry.nested:
        element.clear()  # no longer in the tree; an empty dictionary is all that is written
    if not _tag_contents(pdf, link):
        return [f"PDF/UA tags: contents entry {title!r} is not in a list item, so not a TOCI"]
    return []


def _flatten(pdf: Any, box: Any, element: Any, entry: _Entry, leader: bool) -> bool:
    """Gather `element` (tagged from `box`) into `entry`; False if its kids do not match the box's.

    WeasyPrint appends one kid per child box, in order (after the element's own link
    annotations): an MCID for text directly in a Link, else a structure element.
    """
    children = iter(getattr(box, "children", ()))
    for kid in element["K"]:
        kid_object = None if isinstance(kid, int) else resolve(pdf, kid)
        if kid_object is not None and kid_object.get("Type") == "/OBJR":
            entry.kids.append(kid)
            entry.annotations.append(resolve(pdf, kid_object["Obj"]))
            continue
        child = next(children, None)
        if child is None:
            return False
        if kid_object is not None:
            entry.nested.append(kid_object)
        if isinstance(child, boxes.TextBox):
            mcids = [kid] if kid_object is None else list(kid_object["K"])
            if not all(isinstance(mcid, int) for mcid in mcids):
                return False
            (entry.leaders if leader else entry.texts).extend(mcids)
            entry.kids.extend([] if leader else mcids)
        elif kid_object is None or not _flatten(
            pdf, child, kid_object, entry, leader or child.is_leader
        ):
            return False
    return next(children, None) is None


def _mark_artifacts(stream: Any, mcids: set[int]) -> bool:
    """Make the marked texts `mcids` of a page's content stream artifacts; False if one is missing.

    WeasyPrint marks each text as three operations: "/Span", <</MCID n>>, "BDC".
    """
    operations = stream.stream
    found = [
        i
        for i, operation in enumerate(operations[1:-1], start=1)
        if isinstance(operation, dict)
        and operation.get("MCID") in mcids
        and operations[i + 1] == b"BDC"
    ]
    if len(found) != len(mcids):
        return False
    for i in reversed(found):
        operations[i - 1 : i + 2] = ["/Artifact", b"BMC"]
    return True


def _tag_contents(pdf: Any, link: Any) -> bool:
    """Tag the list item holding a contents Link as TOCI, its body Reference, its list TOC."""
    item = resolve(pdf, link["P"])
    while item.get("S") in ENTRY_BODIES:
        item["S"] = "/Reference"
        item = resolve(pdf, item["P"])
    if item.get("S") not in ("/LI", "/TOCI"):
        return False
    item["S"] = "/TOCI"
    contents = resolve(pdf, item["P"])
    if contents.get("S") in ("/L", "/TOC"):
        contents["S"] = "/TOC"
    return True


class _ParentTree:
    """The structure tree's ParentTree, a flat number tree as WeasyPrint writes it."""

    def __init__(self, pdf: Any) -> None:
        root = resolve(pdf, pdf.catalog["StructTreeRoot"])
        self.nums = resolve(pdf, root["ParentTree"])["Nums"]
        self.index = {self.nums[i]: i + 1 for i in range(0, len(self.nums), 2)}

    def __getitem__(self, key: int) -> Any:
        return self.nums[self.index[key]]

    def __setitem__(self, key: int, value: Any) -> None:
        self.nums[self.index[key]] = value
