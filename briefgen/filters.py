"""Pure functions used in templates; `FILTERS` is the one place they are registered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .models import PartialDate, section_template
from .prose import render_block, render_inline


def format_date(value: dt.date | PartialDate | str, locale: str, style: str = "long") -> str:
    """Return a date in the locale's long form, only as precise as it is known ("April 2014").

    style="short" abbreviates the month ("28 Nov 2026"), for tight spaces such as the masthead.
    """
    from babel.dates import format_skeleton  # Babel's locale data is only needed when rendering

    if isinstance(value, str):  # from extra data, which has no schema to parse it
        value = PartialDate.parse(value)
    month = "MMM" if style == "short" else "MMMM"
    if isinstance(value, dt.date):
        return _unbroken(str(format_skeleton(f"y{month}d", value, locale=locale)), locale)
    if value.precision == "year":
        return str(value.year)
    day = dt.date(value.year, value.month or 1, value.day or 1)
    skeleton = f"y{month}d" if value.precision == "day" else f"y{month}"
    return _unbroken(str(format_skeleton(skeleton, day, locale=locale)), locale)


def _unbroken(date: str, locale: str) -> str:
    """Russian dates keep day, month, year and "г." on one line: "28 ноября 2026 г."."""
    return date.replace(" ", "\u00a0") if locale.startswith("ru") else date


def format_list(items: Iterable[str], locale: str) -> str:
    """Return items joined as prose: "Belarus, Kazakhstan and Armenia"."""
    from babel.lists import format_list as babel_format_list

    return str(babel_format_list(list(items), locale=locale))


def format_term(start: PartialDate, locale: str, end: PartialDate | None = None) -> str:
    """Return a term of office as "2000–2004", "June 2015–" while it is open, in the locale."""
    begun = format_date(start, locale)
    return f"{begun}–{format_date(end, locale)}" if end else f"{begun}–"


def lower_first(text: str) -> str:
    """Return `text` with only its first letter lowered, to continue a sentence ("Expected…").

    A word in capitals stays as it is: "APEC Leaders' Summit" is not "aPEC …".
    """
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """Return `text` with its first letter raised, to start a list item ("energy" -> "Energy")."""
    return text[:1].upper() + text[1:]


KEEP_TOGETHER_MAX = 40  # characters: a name, not a phrase a line may need to break


def keep_together(text: str) -> str:
    """Return `text` with no-break spaces, so a short name ("New York") never splits at a line end.

    Longer text is left as it is: joined, it would be one run no line can hold, which costs
    WeasyPrint time that grows with the square of its length (docs/templates.md, "Long words").
    """
    return text if len(text) > KEEP_TOGETHER_MAX else text.replace(" ", "\u00a0")


def keep_hyphenated(text: str) -> Markup:
    """Return `text` as HTML in which no line breaks at a hyphen or dash inside a word.

    For titles: "free-trade" and "Chile–Russia" stay whole rather than ending a line "free-".
    """
    parts = re.split(r"(\w+(?:[-‐–]\w+)+)", str(text))
    return Markup("").join(
        Markup('<span class="nowrap">{}</span>').format(part) if i % 2 else Markup.escape(part)
        for i, part in enumerate(parts)
    )


def css_counters(label: str) -> Markup:
    """Return a CSS `content` value for a label with {page} and {pages} in it.

    "Página {page} de {pages}" -> "Página " counter(page) " de " counter(pages): a translated
    page label for the page-margin boxes, which CSS fills in and templates cannot.
    """
    plain = label.unescape() if isinstance(label, Markup) else label
    values = []
    for part in re.split(r"(\{pages?\})", plain):
        if part in ("{page}", "{pages}"):
            values.append(f"counter({part[1:-1]})")
        elif part:
            quoted = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            values.append(f'"{quoted}"')
    return Markup(" ".join(values) or '""')


def markdown(text: str) -> Markup:
    """Return a Markdown data text as HTML blocks: paragraphs, lists, emphasis, links (prose.py)."""
    # str() first, so that an undefined value raises its own error, naming what is missing.
    return render_block(str(text))


def markdown_inline(text: str) -> Markup:
    """Return a Markdown data text as inline HTML, for a sentence or a cell: no <p> (prose.py)."""
    return render_inline(str(text))


_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    # "uno" before a noun is "un" or "una": templates word the singular without the number.
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
}


def format_count(number: int, locale: str) -> str:
    """Return small whole numbers as words ("three", "tres"), others as digits.

    English and Spanish house style; Russian keeps digits, since its number words agree with
    the noun's gender and case, which a template's sentence does not tell.
    """
    words = _WORDS.get(locale.split("_")[0].split("-")[0])
    return words[number] if words and 0 <= number < 10 else str(number)


def timeline(visits: list[Any], locale: str, home: str, flags: list[str]) -> Any:
    """Return the layout of the visits timeline (timeline.py): marks, leaders, labels, years.

    `visits` are in date order; `flags` gives each one's label word ("ILLUSTRATIVE") or "".
    """
    from .timeline import layout

    return layout(visits, [format_date(v.date, locale) for v in visits], home, flags)


def _with_locale(function: Callable[..., str]) -> Callable[..., str]:
    @pass_context
    def filter_(context: Context, value: Any, *args: Any) -> str:
        return function(value, context["locale"], *args)

    filter_.__doc__ = function.__doc__
    return filter_


FILTERS: dict[str, Callable[..., Any]] = {
    "date": _with_locale(format_date),
    "and_list": _with_locale(format_list),
    "term": _with_locale(format_term),
    "lower_first": lower_first,
    "upper_first": upper_first,
    "keep_together": keep_together,
    "keep_hyphenated": keep_hyphenated,
    "count": _with_locale(format_count),
    "css_counters": css_counters,
    "markdown": markdown,
    "markdown_inline": markdown_inline,
    "section_template": section_template,
    "timeline": _with_locale(timeline),
}
