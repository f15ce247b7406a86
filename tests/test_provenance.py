"""Provenance travels with the fact: an illustrative or unverified fact is labelled wherever shown."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tinyhtml5  # type: ignore[import-untyped]  # WeasyPrint's HTML parser: the tree it lays out
import yaml
from pydantic import ValidationError

from briefgen.changes import Change, Snapshot, changes
from briefgen.cli import main
from briefgen.editions import snapshot_digest
from briefgen.models import MilestonesSection, TradeSection
from briefgen.wording import Wording
from tests.conftest import BUILD_DATE, Run, copy_project
from tests.test_model import pdf_text

Cli = Callable[..., Run]
LABELS = {"illustrative": "Illustrative", "unverified": "Unverified"}
# The innermost of these around a fact's text is the place its label must be in.
UNITS = {"li", "tr", "g", "title", "figcaption"}
CONTAINERS = ("p", "li", "td", "dd", "dt", "text", "title", "figcaption", "h1", "h2", "h3")
ITEM_LISTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "visits": ("visits", lambda v: v["visitor"]["name"]),
    "ambassadors": ("ambassadors", lambda a: a["name"]),
    "mechanisms": ("mechanisms", lambda m: m["name"]),
    "milestones": ("milestones", lambda m: m["title"]),
}
SECTION_TEXTS = {
    "relationship": ("diplomatic_relations", "characterisation"),
    "trade": ("objective", "goal", "goal_short", "advocacy", "partner_description"),
    "ambassadors": ("post",),
    "visits": ("summary",),
}


def english(text: Any) -> str:
    value = text["en"] if isinstance(text, dict) else text
    return " ".join(str(value).split())


def facts(data: Path) -> tuple[set[str], set[str]]:
    """Return the texts that name one fact each (a visit, a milestone …) and the sections' texts."""
    files = {p.stem: yaml.safe_load(p.read_text("utf-8")) for p in data.glob("*.yaml")}
    parties = {english(v) for v in files["relationship"]["parties"].values()}
    items = {
        english(name(item)) for file, (key, name) in ITEM_LISTS.items() for item in files[file][key]
    }
    # A member state named like a party ("Russian Federation") is named by other facts too.
    items |= {english(m["name"]) for m in files["trade"]["members"]} - parties
    texts = {english(files[f][k]) for f, keys in SECTION_TEXTS.items() for k in keys}
    lists = [*files["relationship"]["cooperation"], *files["relationship"]["other_ties"]]
    return items, texts | {english(c) for c in lists}


def flag_every_section(data: Path, flag: str) -> None:
    for path in data.glob("*.yaml"):
        if path.stem != "sources":
            text = path.read_text("utf-8")
            text = re.sub(r"^as_of: .*$", rf"\g<0>\n{flag}: true", text, count=1, flags=re.M)
            path.write_text(text, "utf-8")


class Page:
    """A rendered document's HTML, as a tree in which each element knows its parent."""

    def __init__(self, path: Path) -> None:
        self.root = tinyhtml5.parse(path.read_bytes())
        self.parents = {child: parent for parent in self.root.iter() for child in parent}

    def ancestors(self, element: ET.Element) -> list[ET.Element]:
        """Return `element` and its ancestors, innermost first."""
        chain = [element]
        while chain[-1] in self.parents:
            chain.append(self.parents[chain[-1]])
        return chain

    def block(self, element: ET.Element) -> ET.Element:
        """Return the element that holds one fact's line: a list item, a table row, a box …

        Outside those, the paragraph, cell or heading itself.
        """
        for ancestor in self.ancestors(element):
            parent = self.parents.get(ancestor)
            in_list = tag(ancestor) == "div" and parent is not None and tag(parent) == "dl"
            if tag(ancestor) in UNITS or "fact" in classes(ancestor) or in_list:
                return ancestor
        return element

    def own_section_labelled(self, element: ET.Element, label: str) -> bool:
        """True when the section around `element` carries the label on its own source line."""
        section = next((a for a in self.ancestors(element) if tag(a) == "section"), None)
        lines = (
            [e for e in section.iter() if "source-line" in classes(e)]
            if section is not None
            else []
        )
        return any(label.casefold() in plain(line) for line in lines)


def tag(element: ET.Element) -> str:
    return element.tag.split("}")[-1]


def classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def plain(element: ET.Element) -> str:
    text = "".join(element.itertext()).replace("\u00a0", " ")
    return " ".join(text.split()).casefold()


def unlabelled(path: Path, items: set[str], texts: set[str], label: str) -> list[str]:
    """Return where a document shows one of the facts without the label beside it."""
    page = Page(path)
    wanted = label.casefold()
    misses = []
    body = next(e for e in page.root.iter() if tag(e) == "body")
    for element in (e for e in body.iter() if tag(e) in CONTAINERS):
        seen = plain(element)
        for fact in (f for f in items | texts if f.casefold() in seen):
            where = plain(page.block(element))
            # A fact's name inside a section's text ("political consultations and …") is that text.
            within = [t for t in texts if fact.casefold() in t.casefold() in seen]
            if wanted in where or (within and page.own_section_labelled(element, label)):
                continue
            misses.append(f"{path.name}: {fact!r} in {where[:140]!r}")
    return misses


@pytest.fixture(scope="module")
def english_editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project in English, with the EEU brief's PUBLIC edition as well, built once
    with --html."""
    project = copy_project(tmp_path_factory.mktemp("provenance") / "project")
    reports = project / "data/reports.yaml"
    text = re.sub(r"languages: \[[^]]*\]", "languages: [en-GB]", reports.read_text("utf-8"))
    reports.write_text(re.sub(r"status: \{[^}]*\}", "status: final", text), "utf-8")
    assert main(["--date", BUILD_DATE, "--html", "-q"], project_root=project) == 0
    return project


@pytest.mark.parametrize("flag", LABELS)
def test_every_document_labels_every_flagged_fact_wherever_it_shows_it(
    english_editions: Path, cli: Cli, tmp_path: Path, flag: str
) -> None:
    project = Path(shutil.copytree(english_editions, tmp_path / "project", symlinks=True))
    data = project / "data/chile-russia"
    items, texts = facts(data)
    pages = sorted(project.glob("reports/*.html"))
    assert len(pages) == 4
    for page in pages:  # nothing is flagged in the shipped data, so nothing is labelled
        assert not re.search(r'class="(illustrative|unverified)"', page.read_text("utf-8"))
    flag_every_section(data, flag)
    second = cli(project, "--date", BUILD_DATE, "--html")
    assert second.code == 0, second.err
    label = LABELS[flag]
    misses = [miss for page in pages for miss in unlabelled(page, items, texts, label)]
    assert not misses, "\n".join(misses)
    shown = " ".join(plain(Page(p).root) for p in pages)
    assert not [fact for fact in items | texts if fact.casefold() not in shown]
    for page in pages:
        html = page.read_text("utf-8")
        assert "Changes since the previous edition" in html  # the flags are a change: edition 2
        changes = next(e for e in Page(page).root.iter() if "changes" in classes(e))
        items_ = [li for li in changes.iter() if tag(li) == "li"]
        lines = [plain(li) for li in items_ if "more." not in plain(li)]
        assert lines and all(label.casefold() in line for line in lines), lines
        text = pdf_text(page.with_suffix(".pdf"))
        assert text.count(label.upper()) >= 3, page.name


def test_a_flagged_section_flags_its_facts_unless_a_fact_says_otherwise() -> None:
    milestone = {"date": 2019, "title": "A meeting"}
    section = MilestonesSection.model_validate(
        {
            "source": "s",
            "as_of": "2026-11-01",
            "unverified": True,
            "milestones": [milestone, {**milestone, "illustrative": True}],
        }
    )
    assert [(m.illustrative, m.unverified) for m in section.milestones] == [
        (False, True),
        (True, False),
    ]


def test_a_fact_cannot_be_both_illustrative_and_unverified() -> None:
    with pytest.raises(ValidationError, match="either illustrative or unverified"):
        TradeSection.model_validate(
            {
                "source": "s",
                "as_of": "2026-11-01",
                "objective": "o",
                "horizon": "h",
                "partner": "p",
                "partner_abbreviation": "P",
                "partner_description": "d",
                "advocacy": "a",
                "members": [{"name": "X", "illustrative": True, "unverified": True}],
            }
        )


def test_fields_a_later_version_adds_do_not_advance_an_edition() -> None:
    old = {"visits": {"illustrative": False, "visits": [{"name": "A", "illustrative": False}]}}
    new: dict[str, Any] = {
        "visits": {
            "illustrative": False,
            "unverified": False,
            "visits": [{"name": "A", "illustrative": False, "unverified": False}],
        },
        "analysis": None,
    }
    assert snapshot_digest(Snapshot(old, old)) == snapshot_digest(Snapshot(new, new))
    assert changes(Snapshot(old, old), Snapshot(new, new), Wording()) == [
        Change("Contents revised: the document now shows more or fewer of the same facts.")
    ]
    flagged = {**new, "visits": {**new["visits"], "unverified": True}}
    lines = changes(Snapshot(old, old), Snapshot(flagged, flagged), Wording())
    assert lines == [Change("Section revised: “High-level visits”", "unverified")]
