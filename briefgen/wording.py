"""The words of the changes box, in the edition's language ("New milestone: … (October 2019)").

The phrases are marked with N_() so that babel.cfg extracts them into the theme's catalogue; a
missing translation fails the build, as for the templates' own labels. Section names reuse the
headings the templates print, so the box and the document call a section the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

FLAGS = ("illustrative", "unverified")  # a fact's provenance, labelled wherever it is shown
Kind = Literal["new", "revised", "removed"]


def N_(message: str) -> str:  # the name gettext tools look for
    """Mark `message` for extraction; it is translated where it is used."""
    return message


# Per kind of entry: the phrases for a new, a revised and a removed one.
ENTRIES: dict[str, tuple[str, str, str]] = {
    "visits": (
        N_("New visit: %(what)s"),
        N_("Visit revised: %(what)s"),
        N_("Visit removed: %(what)s"),
    ),
    "ambassadors": (
        N_("New ambassador: %(what)s"),
        N_("Ambassador's entry revised: %(what)s"),
        N_("Ambassador's entry removed: %(what)s"),
    ),
    "mechanisms": (
        N_("New mechanism: %(what)s"),
        N_("Mechanism revised: %(what)s"),
        N_("Mechanism removed: %(what)s"),
    ),
    "milestones": (
        N_("New milestone: %(what)s"),
        N_("Milestone revised: %(what)s"),
        N_("Milestone removed: %(what)s"),
    ),
    "members": (
        N_("New member state: %(what)s"),
        N_("Member state's entry revised: %(what)s"),
        N_("Member state removed: %(what)s"),
    ),
    "sources": (
        N_("New source: %(what)s"),
        N_("Source's entry revised: %(what)s"),
        N_("Source removed: %(what)s"),
    ),
    "sections": (
        N_("New section: %(what)s"),
        N_("Section revised: %(what)s"),
        N_("Section removed: %(what)s"),
    ),
    "cooperation": (
        N_("New field of cooperation: %(what)s"),
        N_("Field of cooperation reworded: %(what)s"),
        N_("Field of cooperation removed: %(what)s"),
    ),
    "other_ties": (
        N_("New tie: %(what)s"),
        N_("Tie reworded: %(what)s"),
        N_("Tie removed: %(what)s"),
    ),
    "lines_to_take": (
        N_("New point in the line to take: %(what)s"),
        N_("Point of the line to take reworded: %(what)s"),
        N_("Point removed from the line to take: %(what)s"),
    ),
}
OTHER = (N_("New entry: %(what)s"), N_("Entry revised: %(what)s"), N_("Entry removed: %(what)s"))
SECTIONS = {
    "relationship": N_("Relationship overview"),
    "visits": N_("High-level visits"),
    "ambassadors": N_("Ambassadors"),
    "mechanisms": N_("Bilateral mechanisms"),
    "milestones": N_("Milestones"),
    "sources": N_("Sources"),
}
TRADE = N_("Economic relationship and the %(abbr)s free-trade objective")
OTHER_SECTION = N_("Other information")
SECTION_REVISED = N_("Section revised: “%(section)s”")
RESHOWN = N_("Contents revised: the document now shows more or fewer of the same facts.")
UNREADABLE = N_(
    "The data of the previous edition could not be read, so its changes cannot be listed."
)


@dataclass(frozen=True)
class Wording:
    """Says changes in one language: its catalogue's gettext and its locale, for dates."""

    gettext: Callable[[str], str] = str
    locale: str = "en_GB"

    def entry(self, kind: Kind, key: str, item: Any) -> str:
        """Return the line for an entry of the list `key` that is new, revised or removed."""
        new, revised, removed = ENTRIES.get(key, OTHER)
        phrase = {"new": new, "revised": revised, "removed": removed}[kind]
        return self.gettext(phrase) % {"what": self.describe(key, item)}

    def describe(self, key: str, item: Any) -> str:
        """Name an entry as the document does: "Vladimir Putin (November 2004)"."""
        if isinstance(item, str):
            return " ".join(item.split())
        item = item if isinstance(item, dict) else {}
        visitor = item.get("visitor") if isinstance(item.get("visitor"), dict) else {}
        name = next(
            (
                v
                for v in (item.get("title"), item.get("name"), visitor.get("name"), item.get("id"))
                if isinstance(v, str)
            ),
            "",
        )
        when = item.get("date") if key in {"visits", "milestones"} else None
        return f"{name} ({self._date(when)})" if when else name

    def section_revised(self, section: str, data: dict[str, Any]) -> str:
        """Return the line for a section whose own texts (not its entries) were revised."""
        return self.gettext(SECTION_REVISED) % {"section": self.section(section, data)}

    def section(self, section: str, data: dict[str, Any]) -> str:
        if section == "trade" and isinstance(data.get("partner_abbreviation"), str):
            return self.gettext(TRADE) % {"abbr": data["partner_abbreviation"]}
        return self.gettext(SECTIONS.get(section, OTHER_SECTION))

    def reshown(self) -> str:
        return self.gettext(RESHOWN)

    def unreadable(self) -> str:
        return self.gettext(UNREADABLE)

    def samples(self) -> Iterator[str]:
        """Yield every phrase, filled in, so that a check finds a missing translation."""
        for phrases in (*ENTRIES.values(), OTHER):
            yield from (self.gettext(p) % {"what": "…"} for p in phrases)
        yield from (self.section(s, {}) for s in (*SECTIONS, "extra"))
        yield self.gettext(TRADE) % {"abbr": "…"}
        yield self.gettext(SECTION_REVISED) % {"section": "…"}
        yield self.reshown()
        yield self.unreadable()

    def _date(self, value: Any) -> str:
        from .filters import format_date

        try:
            return format_date(str(value), self.locale)
        except ValueError:  # not a date of the schema's form: print it as the data has it
            return str(value)
