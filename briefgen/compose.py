"""One variant's HTML: its Jinja environment, its template context, and its edition.

`check` renders through here without writing anything; the build renders, then makes the PDF.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import __version__
from .changes import Snapshot, sample_changes
from .config import search_path
from .editions import Edition, next_edition
from .errors import BriefgenError
from .inputs import Inputs
from .localise import localise
from .manifest import Entry
from .models import Briefing
from .project import BuildOptions, Project
from .shown import shown
from .variants import Variant
from .wording import Wording


def check_templates(
    project: Project, inputs: Inputs, build_date: dt.date
) -> tuple[list[str], list[str]]:
    """Render every selected document to HTML (no PDF); return its errors and its warnings.

    Rendering, not just compiling, also finds undefined variables and broken default sections.
    """
    from .templating import plain_gettext, render_html, template_warnings

    messages, warnings = [], []
    for doc in inputs.documents:
        try:
            env = environment(project, inputs, doc.language)
            # A second edition, so that the changes box and its line formats are checked too.
            words = Wording(plain_gettext(env), doc.locale)
            edition = Edition(2, build_date, list(sample_changes(words)))
            values = context(project, doc, inputs, build_date, edition, localised(inputs, doc))
            render_html(env, doc.document.template, values)
            warnings += [f"{doc.name}: {w}" for w in template_warnings(env)]
        except BriefgenError as e:
            messages.append(f"{doc.name}: {e}")
    return messages, warnings


def environment(project: Project, inputs: Inputs, language: str) -> Any:
    # A fresh environment per document: a cached one would miss an override file added to a
    # folder since (Jinja re-checks only the files it already loaded). Compiling costs little.
    from .templating import make_environment

    return make_environment(search_path(project, inputs.reports), language)


def html_and_edition(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    doc: Variant,
    before: Entry | None,
    env: Any,
) -> tuple[str, Edition, Snapshot]:
    """Render a variant's HTML; return it, its edition, and the data it shows (the snapshot).

    The edition is worked out from what the variant shows, so it takes a first rendering
    without a changes box; a second one is needed only when the edition is a new one.
    """
    from .templating import clear_warnings, plain_gettext, render_html

    data = localised(inputs, doc)
    provisional = (
        Edition(before["edition"], dt.date.fromisoformat(before["edition_date"]))
        if before
        else Edition(1, options.date)
    )
    values = context(project, doc, inputs, options.date, provisional, data)
    html = render_html(env, doc.document.template, values)
    snapshot = Snapshot(data.model_dump(mode="json"), shown(data, html))
    words = Wording(plain_gettext(env), doc.locale)
    edition = next_edition(project.state_dir, doc.name, snapshot, before, options.date, words)
    if edition != provisional:
        clear_warnings(env)  # only the rendering that is kept may warn
        values = context(project, doc, inputs, options.date, edition, data)
        html = render_html(env, doc.document.template, values)
    return html, edition, snapshot


def localised(inputs: Inputs, variant: Variant) -> Briefing:
    """Return the variant's data set with every text in the variant's language."""
    data = inputs.datasets[variant.document.data]
    return localise(data, variant.language, inputs.reports.text_language)


def context(
    project: Project,
    variant: Variant,
    inputs: Inputs,
    build_date: dt.date,
    edition: Edition,
    data: Briefing,
) -> dict[str, Any]:
    """Return the template context: the variant and its document, its data, the build's inputs.

    Every text is already in the variant's language: templates never choose among languages.
    """
    doc = variant.document
    return {
        "doc": doc,
        "variant": variant,
        "edition": edition,
        "stylesheets": [(project.root / css).resolve().as_uri() for css in doc.extra_css],
        "data": data,
        "issuer": doc.issuer,  # the document's own, or the file's (reports.inherited)
        "logo": (project.root / doc.logo).resolve().as_uri() if doc.logo else None,
        "build_date": build_date,
        "locale": variant.locale,
        "generator": f"briefgen {__version__}",
    }
