"""Text in several languages: the Text, Name and Prose field types, and localising a validated model.

A Text field holds either a plain string, written in the project's `text_language`, or a mapping
of language tag to text ({en: Moscow, es: Moscú, ru: Москва}). A Name field is the same, except
that a plain string (a person's name) serves every language. A language that a document asks
for and a field lacks is an error with the field's location: never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

from .places import Loc

LANGUAGE_TAG = r"^[a-z]{2,3}(?:-[A-Z]{2})?$"
M = TypeVar("M")


def primary(tag: str) -> str:
    """Return the primary language subtag: "es-CL" -> "es"."""
    return tag.split("-")[0]


class Text:
    """A translatable text: a plain string in the text language, or one text per language."""

    __slots__ = ("forms",)
    neutral = False  # whether a plain string serves every language

    def __init__(self, forms: str | Mapping[str, str]) -> None:
        self.forms: str | dict[str, str] = forms if isinstance(forms, str) else dict(forms)

    def get(self, language: str, text_language: str) -> str | None:
        """Return the text for `language` (es-CL, then es), or None when it is not given."""
        if isinstance(self.forms, str):
            same = self.neutral or primary(language) == primary(text_language)
            return self.forms if same else None
        return self.forms.get(language, self.forms.get(primary(language)))

    @property
    def display(self) -> str:
        """Return one of the forms, for messages (never for a document)."""
        return self.forms if isinstance(self.forms, str) else next(iter(self.forms.values()))

    def __str__(self) -> str:
        # A template must only ever see localised text (a str); printing this would be a fallback.
        raise TypeError("text not localised: call localise() before rendering")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.forms!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and type(other) is type(self) and other.forms == self.forms

    def __hash__(self) -> int:
        forms = self.forms
        return hash(forms if isinstance(forms, str) else tuple(sorted(forms.items())))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        text = core_schema.str_schema(min_length=1, strip_whitespace=True)
        mapping = core_schema.dict_schema(
            core_schema.str_schema(pattern=LANGUAGE_TAG), text, min_length=1
        )
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.union_schema(
                [text, mapping],
                custom_error_type="text",
                custom_error_message=cls._expected(),
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(_dump),
        )

    @classmethod
    def _expected(cls) -> str:
        return "expected text, or one text per language such as {en: …, es: …}"

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "description": "One text per language tag (en, es, ru, es-CL …).",
                    "propertyNames": {"pattern": LANGUAGE_TAG},
                    "additionalProperties": {"type": "string", "minLength": 1},
                    "minProperties": 1,
                },
            ]
        }


def _dump(value: Text | str) -> str | dict[str, str]:
    # A localised model holds the plain str where the Text was.
    return value.forms if isinstance(value, Text) else value


class Name(Text):
    """A name: a plain string is the same in every language; a mapping gives per-language forms."""

    __slots__ = ()
    neutral = True


class Prose(Text):
    """A longer text that may carry Markdown (paragraphs, emphasis, lists, links): see prose.py.

    Translated like any Text; templates print it with the `markdown` or `markdown_inline` filter.
    """

    __slots__ = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        json_schema = super().__get_pydantic_json_schema__(schema, handler)
        for branch in json_schema["anyOf"]:
            texts = branch if branch["type"] == "string" else branch["additionalProperties"]
            texts["contentMediaType"] = "text/markdown"
        return json_schema


def missing(value: Any, language: str, text_language: str, loc: Loc = ()) -> Iterator[Loc]:
    """Yield the location of every Text inside `value` that has no text for `language`."""
    if isinstance(value, Text):
        if value.get(language, text_language) is None:
            yield loc
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from missing(getattr(value, name), language, text_language, (*loc, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from missing(item, language, text_language, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from missing(item, language, text_language, (*loc, key))


def localise(model: M, language: str, text_language: str) -> M:
    """Return a copy of `model` (or a list, or one Text) with every Text as its `language` str.

    Call `missing` first: a Text without that language raises KeyError here.
    """
    return _localised(model, language, text_language)  # type: ignore[no-any-return]


def _localised(value: Any, language: str, text_language: str) -> Any:
    if isinstance(value, Text):
        text = value.get(language, text_language)
        if text is None:
            raise KeyError(f"no {language!r} text in {value!r}")
        return text
    if isinstance(value, BaseModel):
        updates = {
            name: _localised(getattr(value, name), language, text_language)
            for name in type(value).model_fields
        }
        # No re-validation: the values were validated as Text and are now their str form.
        return value.model_copy(update=updates)
    if isinstance(value, list):
        return [_localised(item, language, text_language) for item in value]
    if isinstance(value, dict):
        return {key: _localised(item, language, text_language) for key, item in value.items()}
    return value


def missing_message(language: str, users: str) -> str:
    """Return the error for a text that lacks `language`."""
    return (
        f"no {language!r} text, needed by {users}; give one text per language, "
        f"e.g. {{en: …, {primary(language)}: …}}"
    )
