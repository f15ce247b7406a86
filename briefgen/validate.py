"""Validate a data set once, at the boundary: every problem of every file, each with its location."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .data import Document, read_yaml
from .errors import InputError, Problem
from .localise import Prose, missing, missing_message
from .models import (
    REQUIRED,
    SECTIONS,
    AmbassadorsSection,
    Analysis,
    Briefing,
    Model,
    Section,
    SourcesSection,
)
from .places import Loc
from .prose import printed_text, refusals
from .schema_errors import pydantic_problems

# A line breaks only at a space (a no-break space joins), so a run of other characters is one
# unit. A line of body text holds about LINE_CHARS; MAX_RUN bounds the time to lay one out.
LINE_CHARS = 80
MAX_RUN = 300
_UNBROKEN = re.compile(r"[^ \t\n\r\f]+")


@dataclass(frozen=True)
class Dataset:
    """A valid data set: its model, its warnings, and the texts lacking a language asked of it."""

    briefing: Briefing
    warnings: list[Problem]
    # language -> every text lacking it, located: the variants in that language cannot be built
    gaps: dict[str, list[Problem]]


def load_dataset(folder: Path, build_date: dt.date) -> tuple[Briefing, list[Problem]]:
    """Read and validate every section file of `folder`; return the model and its warnings."""
    dataset = read_dataset(folder, build_date)
    return dataset.briefing, dataset.warnings


def read_dataset(
    folder: Path,
    build_date: dt.date,
    languages: dict[str, str] | None = None,
    text_language: str = "en",
) -> Dataset:
    """Read and validate every section file of `folder`; raise InputError if it is not valid.

    `languages` maps each language documents need from the data set to those documents; a text
    lacking one of them is a gap of that language only, so the data set's other languages can
    still be built. None checks no language. Gaps of an invalid data set are raised with the rest.
    """
    if not folder.is_dir():
        raise InputError([Problem(folder, 1, 1, "data set folder not found")])
    docs, problems = _read_sections(folder)
    sections: dict[str, Model] = {}
    for name, doc in docs.items():
        try:
            sections[name] = SECTIONS[name].model_validate(doc.value)
        except ValidationError as e:
            problems.extend(pydantic_problems(doc, e, SECTIONS[name]))
    problems += _check_sources(sections, docs) + _check_free_ids(sections, docs)
    gaps = _check_translations(sections, docs, languages or {}, text_language)
    extras = _read_extra(folder / "extra", problems)
    prose = {name: dict(_prose(section, ())) for name, section in sections.items()}
    runs = [p for name, doc in docs.items() for p in _check_runs(doc, prose.get(name, {}))]
    runs += [p for doc in extras.values() for p in _check_runs(doc)]
    errors = [p for p in runs if not p.warning]
    if problems or errors:
        raise InputError([*problems, *(p for found in gaps.values() for p in found), *errors])
    extra = {name: doc.value for name, doc in extras.items()}
    briefing = Briefing.model_validate({**sections, "extra": extra})
    warnings = _check_quality(briefing, docs, build_date) + _check_markdown(prose, docs)
    warnings += [p for p in runs if p.warning]
    return Dataset(
        briefing, warnings, {language: found for language, found in gaps.items() if found}
    )


def _read_sections(folder: Path) -> tuple[dict[str, Document], list[Problem]]:
    docs: dict[str, Document] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in SECTIONS:
            expected = ", ".join(f"{name}.yaml" for name in SECTIONS)
            problems.append(Problem(path, 1, 1, f"unknown section file; expected {expected}"))
            continue
        try:
            docs[path.stem] = read_yaml(path)
        except InputError as e:
            problems.extend(e.problems)
    for name in REQUIRED:
        if not (folder / f"{name}.yaml").exists():
            message = "section file is missing; sources.yaml and relationship.yaml are required"
            problems.append(Problem(folder / f"{name}.yaml", 1, 1, message))
    return docs, problems


def _read_extra(folder: Path, problems: list[Problem]) -> dict[str, Document]:
    """Read extra/*.yaml, the data of user-defined sections, safely but without a schema."""
    extra: dict[str, Document] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = path.stem.replace("-", "_")
        if name in extra:
            problems.append(
                Problem(path, 1, 1, f"another file in extra/ is also data.extra.{name}")
            )
            continue
        try:
            extra[name] = read_yaml(path)
        except InputError as e:
            problems.extend(e.problems)
    return extra


def _check_runs(doc: Document, markdown: Collection[Loc] = ()) -> list[Problem]:
    """Report texts with a run of characters that no line can break at.

    Longer than a printed line, the run is broken at an arbitrary character (in a table) or runs
    into the margin: a warning, except in a URL. Longer than MAX_RUN, an error: WeasyPrint's time
    to fit such a run into a table cell grows with the square of its length (docs/templates.md).
    A Markdown text (at a place in `markdown`) is measured as printed: a link's address is not.
    """
    problems = []
    for loc, text in _texts(doc.value, ()):
        printed = printed_text(text) if loc in markdown else text
        run = max(_UNBROKEN.findall(printed), key=len, default="")
        start = f"“{run[:24]}…”"
        if len(run) > MAX_RUN:
            message = (
                f"{len(run)} characters without a space ({start}); the limit is {MAX_RUN}: "
                "add spaces, or shorten it"
            )
            problems.append(doc.problem(loc, message))
        elif len(run) > LINE_CHARS and not _is_url(loc):
            message = (
                f"{len(run)} characters without a space ({start}) are more than a printed "
                f"line holds (about {LINE_CHARS}): they are broken anywhere, or run into the margin"
            )
            problems.append(doc.problem(loc, message, warning=True))
    return problems


def _texts(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Yield every string in parsed YAML with its location."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))
    elif isinstance(value, str):
        yield loc, value


def _is_url(loc: Loc) -> bool:
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    return key in ("url", "urls") or key.endswith(("_url", "_urls"))


def _prose(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Yield every Markdown text of a validated model (each language's) with its place in the file."""
    if isinstance(value, Prose):
        forms = value.forms
        texts = {loc: forms} if isinstance(forms, str) else {(*loc, k): v for k, v in forms.items()}
        yield from texts.items()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _prose(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _prose(item, (*loc, index))


def _check_markdown(
    prose: Mapping[str, Mapping[Loc, str]], docs: Mapping[str, Document]
) -> list[Problem]:
    """Warn about Markdown that is printed as text: links elsewhere, images, raw HTML, headings."""
    return [
        docs[name].problem(loc, f"Markdown: {what}", warning=True)
        for name, texts in prose.items()
        for loc, text in texts.items()
        for what in refusals(text)
    ]


def _located(sections: Mapping[str, Model]) -> Iterator[tuple[str, Loc, Section]]:
    """Yield each dated section with its file and its place there: a file's, or a free section's."""
    for name, model in sections.items():
        if isinstance(model, Section):
            yield name, (), model
        elif isinstance(model, Analysis):
            yield from ((name, ("sections", i), s) for i, s in enumerate(model.sections))


def _check_sources(sections: dict[str, Model], docs: dict[str, Document]) -> list[Problem]:
    """Check that every valid section cites a source that sources.yaml (if valid) defines."""
    if not isinstance(sources := sections.get("sources"), SourcesSection):
        return []
    known = {s.id for s in sources.sources}
    problems = []
    for name, loc, section in _located(sections):
        if section.source not in known:
            source, defined = section.source, ", ".join(sorted(known))
            message = f"unknown source {source!r}; sources.yaml defines {defined}"
            problems.append(docs[name].problem((*loc, "source"), message))
    return problems


def _check_free_ids(sections: dict[str, Model], docs: dict[str, Document]) -> list[Problem]:
    """Check that no two free sections share an id: a document names them by it."""
    analysis = sections.get("analysis")
    ids = [s.id for s in analysis.sections] if isinstance(analysis, Analysis) else []
    return [
        docs["analysis"].problem(
            ("sections", i, "id"),
            f"id {id_!r} is already used by {docs['analysis'].where(('sections', ids.index(id_)))}",
        )
        for i, id_ in enumerate(ids)
        if id_ in ids[:i]
    ]


def _check_translations(
    sections: dict[str, Model], docs: dict[str, Document], languages: dict[str, str], base: str
) -> dict[str, list[Problem]]:
    """Return, for each language a document asks of the data set, every text lacking it."""
    return {
        language: [
            docs[name].problem(loc, missing_message(language, users))
            for name, section in sections.items()
            for loc in missing(section, language, base)
        ]
        for language, users in languages.items()
    }


def _check_quality(briefing: Briefing, docs: dict[str, Document], today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    if briefing.ambassadors is not None:
        problems += _check_terms(briefing.ambassadors, docs["ambassadors"])
    for name, loc, section in _located({name: getattr(briefing, name) for name in docs}):
        as_of, review_by, doc = section.as_of, section.review_by, docs[name]
        if as_of > today:
            message = f"as_of {as_of} is after the build date {today}"
            problems.append(doc.problem((*loc, "as_of"), message, warning=True))
        if review_by and review_by < today:
            message = (
                f"past its review date ({review_by}): check the section against its source, "
                "then update as_of and review_by"
            )
            problems.append(doc.problem((*loc, "review_by"), message, warning=True))
    return problems


def _check_terms(section: AmbassadorsSection, doc: Document) -> list[Problem]:
    """Warn about overlapping terms and more than one serving ambassador: legal but suspicious."""
    problems = []
    people = section.ambassadors
    for i, (before, after) in enumerate(itertools.pairwise(people), start=1):
        if before.end and after.start.sort_key < before.end.sort_key:
            problems.append(
                doc.problem(
                    ("ambassadors", i, "start"),
                    f"term {after.start}–{after.end or ''} overlaps the term of {before.name.display} "
                    f"({before.start}–{before.end})",
                    warning=True,
                    ack="term-overlap" in after.acknowledged,
                )
            )
    serving = [p.name.display for p in people if p.end is None]
    if len(serving) > 1:
        message = f"{len(serving)} ambassadors have no end date: {', '.join(serving)}"
        problems.append(doc.problem(("ambassadors",), message, warning=True))
    return problems
