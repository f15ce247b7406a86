"""The data schema: one pydantic model per section file of a data set, and the JSON Schemas from them.

Every model forbids unknown keys, so a typo is an error with a location rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from .errors import TemplateError
from .localise import Name, Prose, Text

Plain = Annotated[str, Field(min_length=1)]
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG)]
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Model(BaseModel):
    """Base of every schema model: unknown keys are errors and validated data is read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day, as sources give them ("April 2014")."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Return a PartialDate from 2019, "2019", "2019-11" or "2019-09-26"; raise ValueError."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls._checked(value, None, None)
        match = _PARTIAL.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise ValueError("expected a year (2019), a month (2019-11) or a day (2019-09-26)")
        year, month, day = (int(part) if part else None for part in match.groups())
        return cls._checked(year or 0, month, day)

    @classmethod
    def _checked(cls, year: int, month: int | None, day: int | None) -> PartialDate:
        if not 1800 <= year <= 2200:
            raise ValueError(f"year {year} is outside 1800-2200")
        # Raises ValueError for month 0 or 13, or 30 February.
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
        return cls(year, month, day)

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        """Return how precisely the date is known."""
        return "day" if self.day else "month" if self.month else "year"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Return a key that orders dates chronologically, coarse dates first."""
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        parts = [
            f"{self.year:04d}",
            f"{self.month:02d}" if self.month else "",
            f"{self.day or 0:02d}",
        ]
        return "-".join(parts[: {"year": 1, "month": 2, "day": 3}[self.precision]])

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "description": "A year (2019), a month (2019-11) or a day (2019-09-26).",
            "anyOf": [
                {"type": "integer", "minimum": 1800, "maximum": 2200},
                {"type": "string", "pattern": _PARTIAL.pattern},
            ],
        }


class Fact(Model):
    """Anything a document may show, with how far it can be relied on.

    Documents label a flagged fact wherever they show it (templates/partials/provenance.html).
    """

    illustrative: bool = Field(
        False, description="True for anything not taken from a source; labelled Illustrative."
    )
    unverified: bool = Field(
        False,
        description="True for a fact not yet checked against its source; labelled Unverified.",
    )

    @model_validator(mode="after")
    def _one_flag(self) -> Self:
        if self.illustrative and self.unverified:
            raise ValueError("a fact is either illustrative or unverified, not both")
        return self


class Section(Fact):
    """What every section file carries: the source it is drawn from and when it was current.

    A section flagged illustrative or unverified passes the flag to each of its facts.
    """

    source: Slug = Field(description="The id of an entry in sources.yaml.")
    as_of: dt.date = Field(description="The date the section was last checked against its source.")
    review_by: dt.date | None = Field(
        None, description="When to check the section again; a run after this date warns."
    )

    @model_validator(mode="before")
    @classmethod
    def _flag_facts(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        flags = {k: True for k in ("illustrative", "unverified") if data.get(k) is True}
        for name, info in cls.model_fields.items():
            if flags and _holds_facts(info.annotation) and isinstance(data.get(name), list):
                data = {**data, name: [_flagged(item, flags) for item in data[name]]}
        return data

    @field_validator("review_by")
    @classmethod
    def _review_after_check(cls, review_by: dt.date | None, info: ValidationInfo) -> dt.date | None:
        as_of = info.data.get("as_of")
        if review_by and as_of and review_by < as_of:
            raise ValueError(f"review_by {review_by} is before as_of {as_of}")
        return review_by


def _holds_facts(annotation: Any) -> bool:
    return any(isinstance(a, type) and issubclass(a, Fact) for a in get_args(annotation))


def _flagged(item: Any, flags: dict[str, bool]) -> Any:
    """Return a fact's raw data with the section's flag, unless the fact sets a flag itself."""
    if not isinstance(item, dict) or any(k in item for k in ("illustrative", "unverified")):
        return item
    return {**item, **flags}


class Source(Model):
    id: Slug = Field(description="Short id that sections cite in their `source:`.")
    title: Name = Field(description="Title of the source document, as cited (not translated).")
    publisher: Text = Field(description="Who published it.")
    language: Text = Field(description="Language or version of the source, as cited.")
    note: Text | None = Field(
        None, description="Anything a reader should know about the source (capture, date)."
    )
    url: Plain | None = Field(None, description="Where to find it, if it has an address.")
    published: PartialDate | None = Field(
        None, description="The source's own date, as precise as it gives it; omit if undated."
    )
    accessed: dt.date | None = Field(
        None, description="When the desk read (captured) it, for the citation."
    )


class SourcesSection(Model):
    """sources.yaml: the documents the data set is drawn from."""

    sources: list[Source] = Field(description="The sources, numbered [1], [2], … in this order.")


class Person(Model):
    name: Name = Field(
        description='Name, or a description such as "a high Russian authority" (then per language).'
    )
    role: Text | None = Field(
        None, description='Office held at the time, e.g. "Minister of Foreign Affairs".'
    )
    country: Text = Field(description="Country the person represents.")


class Visit(Fact):
    visitor: Person = Field(description="Who visited.")
    place: Text = Field(description="City visited.")
    country: Text = Field(description="Country visited.")
    date: PartialDate = Field(description="When, as precisely as the source says.")
    occasion: Text | None = Field(None, description="Omit when the source does not state it.")


class VisitKinds(Model):
    """The timeline legend's words for each kind of visit, as whole phrases."""

    outbound: Text = Field(
        description='Visits by the home side, e.g. "visit by a President of Chile".'
    )
    inbound: Text = Field(description='Visits to the home country, e.g. "visit to Chile".')


class VisitsSection(Section):
    """visits.yaml: high-level visits between the two countries."""

    described_as: Literal["high-level visits", "presidential visits"] = Field(
        "high-level visits",
        description="How documents name the visits: presidential visits when every one is a "
        "head of state's visit.",
    )
    summary: Prose | None = Field(
        None, description="One paragraph introducing the visits (Markdown: emphasis, links, lists)."
    )
    visits: list[Visit] = Field(
        default_factory=list,
        description="The visits, in any order (documents sort them by date).",
    )
    legend: VisitKinds | None = Field(
        None,
        description="How the timeline's legend names each kind of visit, in whole phrases, so "
        'that each language can decline the country\'s name ("визит президента Чили", "визит в '
        'Чили"); without it, a set phrase names the home country as it is written.',
    )


class Ambassador(Fact):
    name: Name = Field(description="Full name.")
    start: PartialDate = Field(description="Start of the term.")
    end: PartialDate | None = Field(None, description="Omit while the ambassador is serving.")
    note: Prose | None = Field(
        None, description="A remark printed under the name (Markdown: emphasis, links)."
    )
    acknowledged: list[Literal["term-overlap"]] = Field(
        default_factory=list,
        description="Data-quality warnings checked against the source and kept on purpose.",
    )

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: PartialDate | None, info: ValidationInfo) -> PartialDate | None:
        start = info.data.get("start")
        if end and start and end.sort_key < start.sort_key:
            raise ValueError(f"term ends ({end}) before it starts ({start})")
        return end


class AmbassadorsSection(Section):
    """ambassadors.yaml: the heads of mission, oldest first; the serving one has no end."""

    post: Text = Field(
        description='The post, e.g. "Ambassador of Chile to the Russian Federation".'
    )
    ambassadors: list[Ambassador] = Field(
        default_factory=list, description="Holders of the post, oldest first."
    )


class Mechanism(Fact):
    name: Text = Field(description="Name of the mechanism.")
    level: Text | None = Field(None, description="Omit when the source does not state it.")
    cadence: Text = Field(
        description='How often it meets, e.g. "Expected to be convened annually".'
    )
    venue: Text = Field(
        description='Where it meets, e.g. "Alternately in Chile and in the Russian Federation".'
    )


class MechanismsSection(Section):
    """mechanisms.yaml: the standing bilateral mechanisms."""

    summary: Prose | None = Field(
        None,
        description='How the source presents them, e.g. "among the main mechanisms in force"; '
        "printed above the table.",
    )
    mechanisms: list[Mechanism] = Field(
        default_factory=list, description="The mechanisms, as the source lists them."
    )


class Parties(Model):
    home: Text = Field(description="The country whose desk issues the documents, e.g. Chile.")
    counterpart: Text = Field(description='The other country, e.g. "Russian Federation".')


class RelationshipSection(Section):
    """relationship.yaml: the overview of the relationship and its fields of cooperation."""

    diplomatic_relations: Text = Field(
        description="One sentence on the state of diplomatic relations."
    )
    characterisation: Prose = Field(
        description="How the source characterises the relationship (Markdown: emphasis, links)."
    )
    parties: Parties = Field(description="The two countries of the relationship.")
    cooperation: list[Text] = Field(
        default_factory=list, description="Fields of cooperation, lower case unless a proper noun."
    )
    other_ties: list[Text] = Field(
        default_factory=list, description="Other ways the relationship is reflected, lower case."
    )


class Milestone(Fact):
    date: PartialDate = Field(description="When, as precisely as the source says.")
    title: Text = Field(description="What happened, without the place.")
    place: Text | None = Field(None, description="Omit when the source does not state it.")
    participants: list[Person] = Field(
        default_factory=list, description="Who took part, headed it, or was expected."
    )
    participation: Literal["took part", "headed", "contemplated"] = Field(
        "took part", description="How the participants are involved, as the source puts it."
    )
    status: Literal["held", "cancelled"] = Field("held", description="Whether it took place.")
    organiser: Text | None = Field(None, description="Who organised the event, if the source says.")
    note: Prose | None = Field(
        None, description="A remark printed under the entry (Markdown: emphasis, links)."
    )


class MilestonesSection(Section):
    """milestones.yaml: dated events of recent years, including cancelled ones."""

    milestones: list[Milestone] = Field(
        default_factory=list,
        description="The milestones, in any order (documents sort them by date).",
    )


class Member(Fact):
    name: Text = Field(description="Member state.")
    role: Text | None = Field(None, description="Its role in the union, if the source gives one.")


class TradeSection(Section):
    """trade.yaml: the economic relationship and the free-trade objective."""

    objective: Text = Field(description="The economic objective, as the source puts it.")
    horizon: Text = Field(description='When it is to be reached, e.g. "Medium term".')
    partner: Text = Field(description="The partner of the agreement, in full.")
    partner_abbreviation: Text = Field(description='Its abbreviation, e.g. "EEU".')
    partner_description: Text = Field(description="What the partner is, in one sentence.")
    members: list[Member] = Field(
        default_factory=list, description="The partner's member states, if it is a union."
    )
    advocacy: Prose = Field(
        description="What the home country does to advance the objective (Markdown: emphasis, links)."
    )
    lines_to_take: list[Text] = Field(
        default_factory=list, description="The line to take, each line grounded in the source."
    )
    goal: Text | None = Field(
        None, description="The goal in one sentence, for the key points; omit to leave it out."
    )
    goal_short: Text | None = Field(
        None, description="The goal in a few words, for the fact sheet; omit to leave it out."
    )
    next_steps: Prose | None = Field(
        None,
        description="What comes next, as far as the source says; omit when it says nothing "
        "(Markdown: emphasis, links).",
    )


FREE = "free:"  # a document lists free section ID as "free:ID"


def free_id(section_name: str) -> str | None:
    """Return ID for a section name "free:ID" (a free section of analysis.yaml), else None."""
    return section_name.removeprefix(FREE) if section_name.startswith(FREE) else None


def section_template(name: str) -> str:
    """Return the template of a section name: sections/NAME.html, or sections/free.html for free:ID."""
    return "sections/free.html" if free_id(name) else f"sections/{name}.html"


class FreeSection(Section):
    """A section the desk writes itself: a title and a body in Markdown, with its own source."""

    id: Slug = Field(description='Short id; a document lists the section as "free:ID".')
    title: Text = Field(description="Its heading, also in the contents and the PDF bookmarks.")
    body: Prose = Field(description="The text, in Markdown: paragraphs, emphasis, lists, links.")


class Analysis(Model):
    """analysis.yaml: free sections of the desk's own analysis, each included by documents by id."""

    sections: list[FreeSection] = Field(
        default_factory=list,
        description='The free sections; a document shows those its list names, as "free:ID".',
    )


class Briefing(Model):
    """A whole data set: one folder under data/, one YAML file per field below.

    sources.yaml and relationship.yaml are required; every other section is optional (None when
    its file is absent), and documents leave out what the data set does not have.
    """

    sources: SourcesSection = Field(description="sources.yaml")
    relationship: RelationshipSection = Field(description="relationship.yaml")
    visits: VisitsSection | None = Field(None, description="visits.yaml (optional)")
    ambassadors: AmbassadorsSection | None = Field(None, description="ambassadors.yaml (optional)")
    mechanisms: MechanismsSection | None = Field(None, description="mechanisms.yaml (optional)")
    milestones: MilestonesSection | None = Field(None, description="milestones.yaml (optional)")
    trade: TradeSection | None = Field(None, description="trade.yaml (optional)")
    analysis: Analysis | None = Field(
        None, description="analysis.yaml (optional): free sections, listed as free:ID"
    )
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Free-form data for your own sections: extra/NAME.yaml is extra.NAME. "
        "Read with the same safe YAML rules, but not checked against a schema.",
    )

    def source(self, source_id: str) -> Source:
        """Return the source with id `source_id`."""
        return next(s for s in self.sources.sources if s.id == source_id)

    @property
    def as_of(self) -> dt.date:
        """Return the oldest `as_of` of the sections: the data is at least this current."""
        return min(section.as_of for section in self._sections())

    @property
    def current_to(self) -> PartialDate | None:
        """Return how current the information is: the latest source's date when every source is
        dated, else the latest dated fact the data reports (None when nothing is dated)."""
        published = [s.published for s in self.sources.sources]
        dates = [d for d in published if d] if all(published) else self._fact_dates()
        return max(dates, key=lambda d: d.sort_key) if dates else None

    @property
    def sources_dated(self) -> bool:
        """True when every source gives its own date (else current_to is a fact's date)."""
        return all(s.published for s in self.sources.sources)

    def _fact_dates(self) -> list[PartialDate]:
        """Return the dates of the facts the sources report: an illustrative fact is not one."""
        dates = [v.date for v in self.visits.visits if not v.illustrative] if self.visits else []
        milestones = self.milestones.milestones if self.milestones else []
        dates += [m.date for m in milestones if not m.illustrative]
        for a in self.ambassadors.ambassadors if self.ambassadors else []:
            dates += [] if a.illustrative else [a.start, *([a.end] if a.end else [])]
        dates += [s.published for s in self.sources.sources if s.published]
        return dates

    def checked(self, source_id: str) -> list[dt.date]:
        """Return the distinct dates on which sections citing `source_id` were checked, oldest first."""
        return sorted({s.as_of for s in self._sections() if s.source == source_id})

    def free_section(self, name: str) -> FreeSection | None:
        """Return the free section that section name "free:ID" asks for; None for other names."""
        wanted = free_id(name)
        if wanted is None:
            return None
        found = [s for s in self.analysis.sections if s.id == wanted] if self.analysis else []
        if not found:  # a document's sections: are checked when loaded; this is a template's list
            raise TemplateError(unknown_free_section(wanted, self))
        return found[0]

    def free_sections(self, names: list[str]) -> list[FreeSection]:
        """Return the free sections that `names` (section names) ask for, in order."""
        return [s for s in map(self.free_section, names) if s is not None]

    def _sections(self) -> list[Section]:
        free = self.analysis.sections if self.analysis else []
        return [
            v
            for v in (getattr(self, name) for name in type(self).model_fields)
            if isinstance(v, Section)
        ] + list(free)


def unknown_free_section(
    wanted: str, briefing: Briefing, where: str = "the data set's analysis.yaml"
) -> str:
    """Return the message for a free section id that the data set does not define."""
    ids = [s.id for s in briefing.analysis.sections] if briefing.analysis else []
    defined = f"it defines {', '.join(ids)}" if ids else "it defines none"
    return f"no free section {wanted!r} in {where}; {defined}"


SECTIONS: dict[str, type[Model]] = {
    "sources": SourcesSection,
    "relationship": RelationshipSection,
    "visits": VisitsSection,
    "ambassadors": AmbassadorsSection,
    "mechanisms": MechanismsSection,
    "milestones": MilestonesSection,
    "trade": TradeSection,
    "analysis": Analysis,
}
# The section files every data set must have; the others may be left out.
REQUIRED = ("sources", "relationship")
