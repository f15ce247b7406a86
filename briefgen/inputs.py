"""Validate everything a run needs before anything is rendered: report definitions, data sets.

Bad definitions stop the run: nothing can be known without them. A bad data set fails only the
variants built from it, and a text lacking a language only the variants in that language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .config import ReportsFile
from .data import read_yaml
from .errors import InputError, Problem
from .filehashes import Hashes
from .models import Briefing, free_id, unknown_free_section
from .places import Loc
from .project import BuildOptions, Project
from .stopping import NEVER, Stop
from .variants import Variant, load_variants, select

# Whether a variant is current (nothing it used changed since its last build): its data warnings
# as then, or None. Given, validation skips a data set whose every selected variant is current.
Trusted = Callable[[ReportsFile, Variant], "list[Problem] | None"]


@dataclass
class Inputs:
    """Everything validated before any document is rendered."""

    reports: ReportsFile
    variants: list[Variant]  # all of them, in definition order
    documents: list[Variant]  # the selected ones
    datasets: dict[str, Briefing]  # the valid ones
    problems: list[Problem]  # warnings
    errors: list[Problem] = field(default_factory=list)  # every error, each once, located
    rejected: dict[str, str] = field(default_factory=dict)  # variant -> why bad input stops it
    # {path: SHA-256} of every file of data/, taken before any was read. The manifest records
    # these, not digests taken after validation: a file saved while the run reads the data was
    # perhaps read as it was before, and the next run must then see it as changed.
    seen: dict[str, str] | None = None


@dataclass
class _Findings:
    """What validating the data sets found: models, warnings, errors, and who they stop."""

    datasets: dict[str, Briefing] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)


def check(
    project: Project,
    options: BuildOptions,
    stop: Stop = NEVER,
    trusted: Trusted | None = None,
    hashes: Hashes | None = None,
) -> Inputs:
    """Load and validate the report definitions and every data set the selected documents use.

    Raise InputError only when the definitions themselves are bad (with every problem of every
    data set too); otherwise the errors of the data sets are in the result, with the variants
    they stop. A stop request is heard between data sets (Interrupted), so a large estate stops
    promptly. A data set that no document will be rendered from (`trusted`) is not validated
    again: its warnings are those of its documents' last build. `hashes` is the run's view of
    the files: data/ is digested through it before anything is read (see Inputs.seen).
    """
    data = project.data_dir.relative_to(project.root).as_posix()
    hashes = hashes or Hashes(project.root, {}, 0)
    seen = {name: hashes.digest(name) for name in hashes.listing(data)}  # first: see Inputs.seen
    try:
        reports, variants, notes = load_variants(project)
    except InputError as e:  # still check every data set, to report every problem at once
        folders = project.data_dir.iterdir() if project.data_dir.is_dir() else []
        names = sorted(p.name for p in folders if (p / "sources.yaml").is_file())
        found = _check_datasets(project, options, names, [], "en", stop)
        raise InputError(e.problems + found.errors) from e
    documents = select(variants, options.only)
    names = sorted({d.document.data for d in documents})
    kept = _kept(reports, documents, trusted)
    names = [name for name in names if name not in kept]
    found = _check_datasets(project, options, names, documents, reports.text_language, stop)
    found.warnings += list({str(p): p for problems in kept.values() for p in problems}.values())
    _check_free_sections(project, reports, documents, found)
    found.warnings += [
        notes[n] for n in dict.fromkeys(d.document.name for d in documents) if n in notes
    ]
    return Inputs(
        reports,
        variants,
        documents,
        found.datasets,
        found.warnings,
        found.errors,
        found.rejected,
        seen,
    )


def _kept(
    reports: ReportsFile, documents: list[Variant], trusted: Trusted | None
) -> dict[str, list[Problem]]:
    """Return the data sets whose every selected variant is current, with their warnings."""
    if trusted is None:
        return {}
    stored: dict[str, list[Problem]] = {}
    stale: set[str] = set()
    for variant in documents:
        name, warnings = variant.document.data, trusted(reports, variant)
        if warnings is None:
            stale.add(name)
        else:
            stored.setdefault(name, []).extend(warnings)
    return {name: warnings for name, warnings in stored.items() if name not in stale}


def _check_datasets(
    project: Project,
    options: BuildOptions,
    names: list[str],
    documents: list[Variant],
    text_language: str,
    stop: Stop,
) -> _Findings:
    from .validate import read_dataset

    found = _Findings()
    for name in names:
        stop.check()
        users = [d for d in documents if d.document.data == name]
        try:
            dataset = read_dataset(
                project.data_dir / name, options.date, _languages(users), text_language
            )
        except InputError as e:
            found.errors += e.problems
            reason = f"its data set {name} has {len(e.problems)} problem(s)"
            found.rejected |= {v.name: reason for v in users}
            continue
        found.datasets[name] = dataset.briefing
        found.warnings += dataset.warnings
        for language, gaps in dataset.gaps.items():
            found.errors += gaps
            reason = f"its data set {name} lacks {language!r} text in {len(gaps)} place(s)"
            found.rejected |= {v.name: reason for v in users if v.language == language}
    return found


def _check_free_sections(
    project: Project, reports: ReportsFile, documents: list[Variant], found: _Findings
) -> None:
    """Reject the documents that list a free section (free:ID) their data set does not have."""
    index = {d.name: i for i, d in enumerate(reports.documents)}
    missing: list[tuple[Loc, str, Variant]] = []
    for v in documents:
        if (briefing := found.datasets.get(v.document.data)) is None:
            continue
        ids = {s.id for s in briefing.analysis.sections} if briefing.analysis else set()
        for j, name in enumerate(v.document.sections or []):
            if (wanted := free_id(name)) is not None and wanted not in ids:
                where = f"data/{v.document.data}/analysis.yaml"
                message = unknown_free_section(wanted, briefing, where)
                missing.append((("documents", index[v.document.name], "sections", j), message, v))
    if not missing:
        return
    doc = read_yaml(project.reports_file)  # read again only to locate the problems
    for loc, message, v in missing:
        problem = doc.problem(loc, message)
        if problem not in found.errors:
            found.errors.append(problem)
        found.rejected[v.name] = f"it lists a free section its data set does not have ({message})"


def _languages(variants: list[Variant]) -> dict[str, str]:
    """Return each language `variants` need, and which of them need it."""
    users: dict[str, list[str]] = {}
    for v in variants:
        if v.name not in users.get(v.language, []):
            users.setdefault(v.language, []).append(v.name)
    return {language: ", ".join(names) for language, names in users.items()}
