"""Message catalogues: the templates' labels in each language, from gettext .po files.

Templates are written in English and mark their labels with {% trans %} or _(). A folder of the
template search path may hold locale/LANG/LC_MESSAGES/messages.po; a folder earlier on the path
overrides single messages of a later one. A label with no translation in a language that a
document asks for fails that document at the template line that uses it: never English by default.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, TemplateError, display_path
from .localise import primary
from .trust import confined, not_utf8

CATALOGUE = "messages.po"
SOURCE_LANGUAGE = "en"  # the language templates are written in


class MissingTranslation(TemplateError):
    """A template label that the language's catalogue does not translate."""


def catalogue_paths(search_path: Sequence[Path], language: str) -> list[Path]:
    """Return the catalogues for `language` on the search path, highest priority first.

    In each folder, the regional catalogue (es_CL) comes before the language's own (es). A
    catalogue whose real path leaves its folder is refused (TemplateError).
    """
    paths = []
    for folder, tag, path in _candidates(search_path, language):
        if path.is_file():
            confined(path, folder, f"the {tag} catalogue")
            paths.append(path)
    return paths


def catalogue_candidates(search_path: Sequence[Path], language: str) -> list[Path]:
    """Return every place a catalogue for `language` may be, whether there is one or not."""
    return [path for _, _, path in _candidates(search_path, language)]


def _candidates(search_path: Sequence[Path], language: str) -> Iterator[tuple[Path, str, Path]]:
    tags = dict.fromkeys([language.replace("-", "_"), primary(language)])
    for folder in search_path:
        for tag in tags:
            yield folder, tag, folder / "locale" / tag / "LC_MESSAGES" / CATALOGUE


def gettext_callables(search_path: Sequence[Path], language: str) -> dict[str, Callable[..., str]]:
    """Return gettext and ngettext for `language`, raising MissingTranslation for a missing label."""
    paths = catalogue_paths(search_path, language)
    catalogues = [_read(path) for path in paths]  # each file is parsed once
    translations = _merge(catalogues)
    if primary(language) == SOURCE_LANGUAGE:  # the templates' own words, unless a catalogue
        return _english(translations)  # (en_US, say) changes some of them
    rule = _plural_rule(catalogues, paths, language)
    where = display_path(paths[0]) if paths else _expected_path(search_path, language)

    def gettext(message: str) -> str:
        if message not in translations:
            raise MissingTranslation(f"no {language!r} translation of {message!r} in {where}")
        text = translations[message]
        assert isinstance(text, str)
        return text

    def ngettext(singular: str, plural: str, n: int) -> str:
        forms = translations.get((singular, plural))
        if not isinstance(forms, tuple):
            raise MissingTranslation(f"no {language!r} translation of {singular!r} in {where}")
        return forms[min(rule(n), len(forms) - 1)]

    return {"gettext": gettext, "ngettext": ngettext}


def _english(overrides: dict[Any, str | tuple[str, ...]]) -> dict[str, Callable[..., str]]:
    def gettext(message: str) -> str:
        text = overrides.get(message, message)
        return text if isinstance(text, str) else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        forms = overrides.get((singular, plural))
        if isinstance(forms, tuple) and len(forms) >= 2:
            return forms[0 if n == 1 else 1]
        return singular if n == 1 else plural

    return {"gettext": gettext, "ngettext": ngettext}


def _expected_path(search_path: Sequence[Path], language: str) -> str:
    folder = search_path[-1] / "locale" / primary(language) / "LC_MESSAGES" / CATALOGUE
    return display_path(folder) + " (missing)"


def _merge(catalogues: list[Any]) -> dict[Any, str | tuple[str, ...]]:
    """Return msgid -> text (or (singular, plural) -> forms); earlier catalogues win, fuzzy
    messages are left out."""
    merged: dict[Any, str | tuple[str, ...]] = {}
    for catalogue in reversed(catalogues):
        merged.update(dict(_messages(catalogue)))
    return merged


def _messages(catalogue: Any) -> Iterator[tuple[Any, str | tuple[str, ...]]]:
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(message.string)
            if all(forms):
                yield message.id[:2], forms
        elif message.string:
            yield message.id, message.string


def _read(path: Path) -> Any:
    from babel.messages.pofile import PoFileError, read_po

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TemplateError(f"{display_path(path)}: cannot read the catalogue: {e}") from e
    try:
        return read_po(io.BytesIO(raw), abort_invalid=True)
    except UnicodeDecodeError as e:
        _locate_utf8(path, raw)
        raise TemplateError(f"{display_path(path)}: cannot read the catalogue: {e}") from e
    except (PoFileError, ValueError) as e:
        raise TemplateError(f"{display_path(path)}: cannot read the catalogue: {e}") from e


def _locate_utf8(path: Path, raw: bytes) -> None:
    """Raise InputError at the first byte of `raw` that is not UTF-8, if there is one (a catalogue
    may declare another charset: then Babel's own message is all there is)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError([not_utf8(path, raw, e)]) from e


def _plural_rule(catalogues: list[Any], paths: list[Path], language: str) -> Callable[[int], int]:
    """Return the plural rule (n -> index of the plural form) of the first catalogue that states
    one in its Plural-Forms header, else Babel's for the language.

    An override catalogue that holds one label and no header must not change how Russian counts.
    """
    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    # Babel keeps a header's own rule in _plural_expr (None when the header has none).
    found = next((c._plural_expr for c in catalogues if c._plural_expr), None)
    try:
        expression = found or get_plural(language.replace("-", "_")).plural_expr
        rule: Callable[[int], int] = gettext.c2py(expression)
    except (ValueError, UnknownLocaleError) as e:
        where = display_path(paths[0]) if paths else language
        raise TemplateError(f"{where}: cannot use the Plural-Forms rule: {e}") from e
    return rule
