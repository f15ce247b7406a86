"""The variant matrix: each document definition expands to one variant per language and release level.

A variant has a stable name (briefing-note.es, eeu-brief.en-GB.releasable-public) used by --only,
the manifest and messages, and a predictable file name that also says when it is a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .config import DocumentDef, ReportsFile
from .data import Document
from .definitions import read_reports
from .errors import InputError, Problem, UsageError
from .localise import localise, missing, missing_message, primary
from .markings import slug
from .project import Project, matches
from .suggest import closest, closest_first


@dataclass(frozen=True)
class Variant:
    """One PDF to build: a document in one language, complete or releasable at a level."""

    name: str
    document: DocumentDef  # localised: its texts are plain strings in `language`
    language: str
    release: str | None  # a marking: sections marked above it are omitted
    final: bool
    output_name: str
    scale: tuple[str, ...]  # the marking scale, lowest first
    labels: dict[str, str] = field(default_factory=dict)  # marking -> what the page prints

    @property
    def draft(self) -> bool:
        return not self.final

    @property
    def locale(self) -> str:
        """Return the Babel locale of the variant's language (en-GB -> en_GB)."""
        return self.language.replace("-", "_")

    @property
    def marking(self) -> str:
        """Return the document's own marking (the lowest of the scale unless it says otherwise)."""
        return self.document.marking or self.scale[0]

    def handling(self, summaries: list[str], sections: list[str]) -> Handling:
        """Return what this variant shows of a document's summaries and sections, and its banner.

        A summary (the key points) draws on every section: unless the definitions mark it, it
        carries the highest marking among them, so a releasable edition can never leak through it.
        """
        own = self.document.section_markings
        markings = {name: own.get(name, self.marking) for name in sections}
        top = max([self.marking, *markings.values()], key=self.scale.index)
        markings |= {name: own.get(name, top) for name in summaries}
        limit = self.scale.index(self.release) if self.release else len(self.scale)
        shown = [n for n in [*summaries, *sections] if self.scale.index(markings[n]) <= limit]
        omitted = [n for n in [*summaries, *sections] if n not in shown]
        banner = max([self.marking, *(markings[n] for n in shown)], key=self.scale.index)
        labels = {name: self.label(marking) for name, marking in markings.items()}
        unused = [name for name in own if name not in markings]
        return Handling(
            shown, omitted, self.label(banner), labels, self.label(self.marking), unused
        )

    def label(self, marking: str) -> str:
        """Return what the page prints for `marking` in this variant's language."""
        return self.labels.get(marking, marking)


@dataclass(frozen=True)
class Handling:
    """The handling of one rendering: what is shown, what is left out, and the markings to print."""

    shown: list[str]  # summaries and sections, in order
    omitted: list[str]
    banner: str  # the label of the highest marking shown
    labels: dict[str, str]  # part -> the label of its marking
    base: str  # the label of the document's own marking
    unused: list[str]  # section_markings names that this document does not show

    def shows(self, part: str) -> bool:
        return part in self.shown

    def sections(self, names: list[str]) -> list[str]:
        """Return the sections of `names` that are shown, in order."""
        return [n for n in names if n in self.shown]

    def portion(self, part: str) -> str | None:
        """Return the label to print beside a part marked above the document's own, else None."""
        label = self.labels.get(part, self.base)
        return None if label == self.base else label


def load_variants(project: Project) -> tuple[ReportsFile, list[Variant], dict[str, Problem]]:
    """Read the report definitions and expand them; return them with notes by document name.

    Raise InputError with every problem.
    """
    reports, doc = read_reports(project)
    problems = _check_translations(reports, doc)
    variants = [] if problems else expand(reports)
    problems += _check_names(variants, doc)
    if problems:
        raise InputError(problems)
    return reports, variants, _issuer_notes(reports, doc)


def expand(reports: ReportsFile) -> list[Variant]:
    """Return every variant, in definition order: documents, then languages, then releases."""
    return [
        _variant(reports, d, language, release)
        for d in reports.documents
        for language in d.languages
        for release in [None, *d.releasable_at]
    ]


def _variant(reports: ReportsFile, d: DocumentDef, language: str, release: str | None) -> Variant:
    d = reports.inherited(d)
    final = d.status_for(language) == "final"
    suffix = f".{language}" + (f".releasable-{slug(release)}" if release else "")
    stem = d.output_name.removesuffix(".pdf")
    labels = {
        m.name: str(localise(m.label, language, reports.text_language) if m.label else m.name)
        for m in reports.markings
    }
    return Variant(
        name=d.name + suffix,
        document=localise(_edition(d, release), language, reports.text_language),
        language=language,
        release=release,
        final=final,
        output_name=f"{stem}{suffix}{'' if final else '.draft'}.pdf",
        scale=tuple(m.name for m in reports.markings),
        labels=labels,
    )


def _edition(d: DocumentDef, release: str | None) -> DocumentDef:
    """Return the definition as a releasable edition sees it: its own identifier, and metadata
    that names nothing the edition leaves out (the full edition's subject and keywords may)."""
    if release is None:
        return d
    update = {
        "document_id": f"{d.document_id}-{release}",
        "subject": d.releasable_subject or d.title,
        "keywords": d.releasable_keywords,
    }
    return d.model_copy(update=update)


def languages_of(reports: ReportsFile) -> dict[str, list[str]]:
    """Return, for each language, the documents that ask for it."""
    wanted: dict[str, list[str]] = {}
    for d in reports.documents:
        for language in d.languages:
            wanted.setdefault(language, []).append(d.name)
    return wanted


def _check_translations(reports: ReportsFile, doc: Document) -> list[Problem]:
    """Report every text of the definitions that lacks a language a document asks for."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    text_language = reports.text_language
    for language, names in languages_of(reports).items():
        users = f"the {language!r} edition of {', '.join(names)}"
        shared = [reports.issuer, *reports.markings]
        locs = [("issuer",), *(("markings", i) for i in range(len(reports.markings)))]
        for value, loc in zip(shared, locs, strict=True):
            found += [
                (m, missing_message(language, users))
                for m in missing(value, language, text_language, loc)
            ]
    for i, d in enumerate(reports.documents):
        for language in d.languages:
            users = f"the {language!r} edition of {d.name}"
            gaps = list(missing(d, language, text_language, ("documents", i)))
            found += [(loc, missing_message(language, users)) for loc in gaps]
            if not gaps and d.short_title:
                short = str(localise(d, language, text_language).short_title)
                if len(short) > 60:
                    message = (
                        f"the {language!r} short title has {len(short)} characters; at most 60"
                    )
                    found.append((("documents", i, "short_title"), message))
    problems = [doc.problem(loc, message) for loc, message in found]
    return sorted(problems, key=lambda p: (p.line, p.col))


def _issuer_notes(reports: ReportsFile, doc: Document) -> dict[str, Problem]:
    """Note each document whose editions print a one-language issuer in another language."""
    notes = {}
    for i, d in enumerate(reports.documents):
        loc: tuple[str | int, ...] = ("documents", i, "issuer") if d.issuer else ("issuer",)
        issuer = d.issuer or reports.issuer
        others = [
            language
            for language in d.languages
            if isinstance(issuer.forms, str) and primary(language) != primary(reports.text_language)
        ]
        if others:
            editions = " and ".join(repr(o) for o in others)
            message = (
                f"{d.name}: its {editions} edition{'s' if len(others) > 1 else ''} print this "
                f"{reports.text_language!r} name as it is; give {{{reports.text_language}: …, "
                f"{primary(others[0])}: …}} to translate it"
            )
            note = doc.problem(loc, message)
            notes[d.name] = replace(note, warning=True, acknowledged=True, note=True)
    return notes


def _check_names(variants: list[Variant], doc: Document) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for v in variants:
        if v.output_name in seen:
            message = f"{v.name} would write {v.output_name}, as {seen[v.output_name]} does"
            problems.append(doc.problem(("documents",), message))
        seen.setdefault(v.output_name, v.name)
    return problems


def select(variants: list[Variant], only: tuple[str, ...]) -> list[Variant]:
    """Return the variants `only` picks (all when empty); raise UsageError for a pattern matching none."""
    unknown = [p for p in only if not any(matches(v.name, p) for v in variants)]
    if unknown:
        raise UsageError("\n".join(unmatched(p, variants) for p in unknown))
    return [v for v in variants if not only or any(matches(v.name, p) for p in only)]


def unmatched(pattern: str, variants: list[Variant]) -> str:
    """Return what to say of an --only that picks nothing: the names closest to it first."""
    documents = list(dict.fromkeys(v.document.name for v in variants))
    names = [*documents, *(v.name for v in variants)]
    if any(c in pattern for c in "*?["):
        return f"--only: no variant matches `{pattern}` (the names: {', '.join(names)})"
    document, _, language = pattern.partition(".")
    if language and document in documents:  # a document's name, then an edition it lacks
        own = [v.name for v in variants if v.document.name == document]
        begun = [name for name in closest_first(pattern, own) if name.startswith(pattern)]
        best = closest(language, [name.removeprefix(f"{document}.") for name in own])
        meant = begun[0] if begun else f"{document}.{best}" if best else None
        hint = f"; did you mean `{meant}`?" if meant else ""
        listed = ", ".join(closest_first(pattern, own))
        return f"--only: {document} has no variant `{pattern}`{hint} (its variants: {listed})"
    best = closest(pattern, names)
    hint = f"; did you mean `{best}`?" if best else ""
    listed = ", ".join(closest_first(pattern, names))
    return f"--only: no document or variant named `{pattern}`{hint} (all, closest first: {listed})"
