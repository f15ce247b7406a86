"""The project layout and the report definitions (data/reports.yaml) as a validated, frozen model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from .data import read_yaml
from .errors import InputError
from .models import Model, Slug, Text
from .validate import pydantic_problems

LanguageTag = Annotated[str, Field(pattern=r"^[a-z]{2,3}(?:-[A-Z]{2})?$")]
FileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.pdf$")]


@dataclass(frozen=True)
class Project:
    """Where a project's inputs and outputs live; everything is relative to its root."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def reports_file(self) -> Path:
        return self.data_dir / "reports.yaml"


class DocumentDef(Model):
    """One document to build."""

    name: Slug
    title: Text
    short_title: Text | None = None
    document_id: Text
    version: Text
    template: Text = Field(description="A template file name, looked up in templates/.")
    data: Slug = Field(description="A data set: a folder of data/.")
    output: FileName | None = Field(None, description="File name in reports/; default NAME.pdf.")
    marking: Text = Field(description="Handling marking printed at the top and bottom of pages.")
    draft: bool = False
    language: LanguageTag = "en-GB"
    page_size: Literal["A4", "Letter"] = "A4"
    page_budget: int | None = Field(
        None, ge=1, description="Most pages the document may have; more is a warning."
    )
    subject: Text
    keywords: list[Text] = Field(default_factory=list)

    @property
    def output_name(self) -> str:
        """Return the PDF's file name inside reports/."""
        return self.output or f"{self.name}.pdf"

    @property
    def locale(self) -> str:
        """Return the Babel locale for the document's language (en-GB -> en_GB)."""
        return self.language.replace("-", "_")


class ReportsFile(Model):
    """data/reports.yaml: the issuing unit and the documents."""

    issuer: Text = Field(description="The issuing unit; also the PDF's author.")
    documents: list[DocumentDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ReportsFile:
        for attribute in ("name", "output_name"):
            values = [getattr(d, attribute) for d in self.documents]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"document {attribute}s must be unique: {', '.join(duplicates)}")
        return self


def load_reports(path: Path) -> ReportsFile:
    """Read and validate the report definitions, raising InputError with every problem."""
    doc = read_yaml(path)
    try:
        return ReportsFile.model_validate(doc.value)
    except ValidationError as e:
        raise InputError(pydantic_problems(doc, e)) from e
