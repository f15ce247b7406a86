"""The project layout and the report definitions (data/reports.yaml) as a validated, frozen model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .localise import LANGUAGE_TAG, Name, Text, primary
from .models import FREE, SLUG, Model, Plain, Slug
from .project import Project
from .trust import is_relative_name

LanguageTag = Annotated[str, Field(pattern=LANGUAGE_TAG)]
FileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.pdf$")]
CssName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


def _project_path(value: str) -> str:
    if not is_relative_name(value) or ":" in value:
        raise ValueError("expected a relative path inside the project, like my-templates/house.css")
    return value


def _template_name(value: str) -> str:
    if not is_relative_name(value) or ":" in value:
        raise ValueError(
            "expected a template name inside the template folders, like fact-sheet.html, "
            f"not {value!r}"
        )
    return value


def _stylesheet(value: str) -> str:
    if not value.endswith(".css"):
        raise ValueError(f"expected a stylesheet (a .css file), not {value!r}")
    return value


def _image(value: str) -> str:
    if Path(value).suffix.lower() not in IMAGE_TYPES:
        raise ValueError(f"expected an image ({', '.join(sorted(IMAGE_TYPES))}), not {value!r}")
    return value


def _css_value(value: str) -> str:
    # Colours, lengths, font names, numbers: enough for theming, too little to leave a <style>.
    if not re.fullmatch(r"[A-Za-z0-9#%.,()\s\"'+-]{1,200}", value) or "url(" in value.lower():
        raise ValueError(
            "expected a plain CSS value (colour, length, font name), not " + repr(value)
        )
    return value


def _section_name(value: str) -> str:
    if value == FREE.removesuffix(":"):
        raise ValueError(f"{value!r} renders free sections: list one as {FREE}ID")
    return value


IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg"}
ProjectPath = Annotated[str, AfterValidator(_project_path)]
ImagePath = Annotated[ProjectPath, AfterValidator(_image)]
StylesheetPath = Annotated[ProjectPath, AfterValidator(_stylesheet)]
# A section template's name, or "free:ID" for a free section of the data set (analysis.yaml).
SectionName = Annotated[
    str, Field(pattern=f"^(?:{FREE})?{SLUG[1:]}"), AfterValidator(_section_name)
]
TemplateName = Annotated[Plain, AfterValidator(_template_name)]
CssValue = Annotated[str, AfterValidator(_css_value)]


MarkingName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(?:[ -][A-Z0-9]+)*$")]
Status = Literal["draft", "final"]


class Marking(Model):
    """One level of the handling-marking scale."""

    name: MarkingName = Field(description="The marking, in capitals: PUBLIC, INTERNAL …")
    label: Text | None = Field(
        None, description="What the page prints, per language; default: the name."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: object) -> object:
        return {"name": value} if isinstance(value, str) else value


class DocumentDef(Model):
    """One document to build; it expands to one variant per language and release level."""

    name: Slug = Field(description="Short name, used by --only and in messages.")
    title: Text = Field(description="Full title: masthead, PDF title.")
    short_title: Text | None = Field(
        None, description="Running header, at most 60 characters; default: the title."
    )
    document_id: Plain = Field(
        description="Document identifier printed in the masthead and header."
    )
    version: Plain = Field(description="Version printed beside the identifier.")
    template: TemplateName = Field(
        description="A template file name, looked up on the template search path."
    )
    data: Slug = Field(description="A data set: a folder of data/.")
    output: FileName | None = Field(
        None,
        description="Base file name in reports/ (default NAME.pdf); each variant adds "
        "its language and more: NAME.es.pdf, NAME.en-GB.releasable-public.draft.pdf.",
    )
    languages: list[LanguageTag] = Field(
        default_factory=lambda: ["en-GB"],
        min_length=1,
        description="One edition per language (en-GB, es, ru): labels, dates, hyphenation, /Lang.",
    )
    status: Status | dict[LanguageTag, Status] = Field(
        "draft",
        description="draft (watermarked) until final; or per language, e.g. {en-GB: final, ru: draft}.",
    )
    marking: MarkingName | None = Field(
        None, description="The document's own handling marking; default: the lowest of the scale."
    )
    section_markings: dict[SectionName, MarkingName] = Field(
        default_factory=dict,
        description="Markings of sections (or key-points) above the document's own marking.",
    )
    releasable_at: list[MarkingName] = Field(
        default_factory=list,
        description="Extra editions releasable at these levels: sections marked above are omitted.",
    )
    pdf_variant: Literal["pdf/a-3u", "pdf/ua-1"] | None = Field(
        None, description="PDF/A-3u for archiving, or PDF/UA-1 (tagged, with alt text) for access."
    )
    page_size: Literal["A4", "Letter"] = Field("A4", description="Paper size.")
    page_budget: int | None = Field(
        None, ge=1, description="Most pages the document may have; more is a warning."
    )
    sections: list[SectionName] | None = Field(
        None,
        min_length=1,
        description="Section templates (sections/NAME.html), or free sections of the data set "
        "(free:ID), in order; default: the template's.",
    )
    style: dict[CssName, CssValue] = Field(
        default_factory=dict,
        description="CSS custom properties, e.g. accent: '#005a9c'; added to (and overriding) "
        "the defaults' style.",
    )
    extra_css: list[StylesheetPath] = Field(
        default_factory=list,
        description="Stylesheets (paths from the project root) after the theme's and the "
        "defaults' extra_css.",
    )
    logo: ImagePath | None = Field(
        None, description="An image in the project for the masthead; default: the defaults' logo."
    )
    logo_in_header: bool | None = Field(
        None, description="Also print the logo in the running header; default: the defaults'."
    )
    issuer: Name | None = Field(
        None, description="The issuing unit of this document; default: the file's issuer."
    )
    subject: Text = Field(description="PDF subject: one sentence on what the document covers.")
    keywords: list[Text] = Field(default_factory=list, description="PDF keywords.")
    releasable_subject: Text | None = Field(
        None,
        description="PDF subject of the releasable editions, naming nothing they omit; "
        "default: the title.",
    )
    releasable_keywords: list[Text] = Field(
        default_factory=list,
        description="PDF keywords of the releasable editions; default: none.",
    )

    @property
    def output_name(self) -> str:
        """Return the base file name inside reports/ that variants add suffixes to."""
        return self.output or f"{self.name}.pdf"

    def status_for(self, language: str) -> Status:
        """Return whether the `language` edition is draft or final (es-CL, then es)."""
        if isinstance(self.status, str):
            return self.status
        return self.status.get(language, self.status.get(primary(language), "draft"))

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        from babel import Locale, UnknownLocaleError

        if len(set(languages)) != len(languages):
            raise ValueError("a language is listed twice")
        for language in languages:
            try:
                Locale.parse(language.replace("-", "_"))
            except (UnknownLocaleError, ValueError) as e:
                raise ValueError(
                    f"unknown language {language!r} (expected e.g. en-GB, es, ru)"
                ) from e
        return languages


class Defaults(Model):
    """The house style every document inherits, and may override in its own definition."""

    style: dict[CssName, CssValue] = Field(
        default_factory=dict, description="CSS custom properties, e.g. accent: '#005a9c'."
    )
    extra_css: list[StylesheetPath] = Field(
        default_factory=list,
        description="Stylesheets (paths from the project root) after the theme's.",
    )
    logo: ImagePath | None = Field(
        None, description="An image in the project (SVG, PNG or JPEG) shown in the masthead."
    )
    logo_in_header: bool = Field(False, description="Also print the logo in the running header.")


class ReportsFile(Model):
    """data/reports.yaml: the issuing unit, the marking scale, house defaults and the documents."""

    issuer: Name = Field(
        description="The issuing unit; also the PDF's author. One name serves every edition; "
        "give {en: …, es: …} to translate it."
    )
    defaults: Defaults = Field(
        default_factory=lambda: Defaults.model_validate({}),
        description="House style that every document inherits: style, extra_css, logo.",
    )
    text_language: LanguageTag = Field(
        "en",
        description="The language of plain (single-language) text here and in the data sets.",
    )
    markings: list[Marking] = Field(
        default_factory=lambda: [Marking(name="PUBLIC", label=None)],
        min_length=1,
        description="The handling-marking scale, lowest first, e.g. [PUBLIC, INTERNAL, RESTRICTED].",
    )
    templates: list[ProjectPath] = Field(
        default_factory=list, description="Template folders searched before the default theme."
    )
    documents: list[DocumentDef] = Field(min_length=1)

    def inherited(self, d: DocumentDef) -> DocumentDef:
        """Return document `d` with the defaults it does not override filled in."""
        own = [css for css in d.extra_css if css not in self.defaults.extra_css]
        in_header = self.defaults.logo_in_header if d.logo_in_header is None else d.logo_in_header
        update = {
            "style": self.defaults.style | d.style,
            "extra_css": [*self.defaults.extra_css, *own],
            "logo": d.logo or self.defaults.logo,
            "logo_in_header": in_header,
            "issuer": d.issuer or self.issuer,
        }
        return d.model_copy(update=update)

    def level(self, marking: str) -> int:
        """Return the rank of `marking` on the scale (0 is the lowest)."""
        return [m.name for m in self.markings].index(marking)


def search_path(project: Project, reports: ReportsFile) -> list[Path]:
    """Return the template folders in lookup order: --templates, reports.yaml's, the default theme."""
    configured = [project.root / folder for folder in reports.templates]
    return [*project.user_templates, *configured, project.templates_dir]
