"""The JSON Schemas of the data and report-definition files, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .config import ReportsFile
from .localise import Prose, Text
from .models import SECTIONS


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return every schema by name: one per section file, and `reports` for data/reports.yaml."""
    models: dict[str, type[BaseModel]] = {**SECTIONS, "reports": ReportsFile}
    return {name: _schema(name, model.model_json_schema()) for name, model in models.items()}


def _schema(name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **body,
    }


def schema_text(schema: dict[str, Any]) -> str:
    """Return a schema as the stable JSON text committed under schemas/."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_path(folder: Path, name: str) -> Path:
    """Return where schema `name` is committed."""
    return folder / f"{name}.schema.json"


def context_reference() -> str:
    """Return the Markdown reference of the template context, generated from the models."""
    from .config import DocumentDef
    from .models import Briefing

    lines = [
        "| variable | type | what it is |",
        "|---|---|---|",
        "| `doc` | DocumentDef | this document's entry in data/reports.yaml, its texts in "
        "the variant's language |",
        "| `variant` | Variant | this variant: `name`, `language`, `release` (a marking or "
        "None), `draft`, `final`, `marking` (the document's own), `label(marking)` (what the "
        "page prints for a marking), `handling(summaries, sections)` |",
        "| `handling` | Handling | set by base.html: `shown`, `omitted`, `banner` (label of "
        "the highest marking shown), `unused` (section_markings names the document does not show), "
        "`shows(part)`, `portion(part)` |",
        "| `data` | Briefing | the validated data set named by `doc.data`, its texts in the "
        "variant's language |",
        "| `issuer` | str | the issuing unit: the document's `issuer:`, else the file's |",
        "| `logo` | str or None | file: URL of the logo (`logo:` of the document or of "
        "`defaults:` in data/reports.yaml) |",
        "| `build_date` | date | the build date (`--date`) |",
        "| `locale` | str | the Babel locale of `variant.language`, e.g. en_GB |",
        "| `generator` | str | `briefgen` and its version |",
        "| `stylesheets` | list[str] | file: URLs of `doc.extra_css` (the defaults' first) |",
        "| `edition` | Edition | `number`, `date` and `changes` (lines of the changes box: "
        "`text`, `illustrative`, `unverified`) of this edition |",
        "",
    ]
    for model in _models([DocumentDef, Briefing]):
        lines += [f"### {model.__name__}", "", (model.__doc__ or "").strip(), ""]
        lines += ["| field | type | description |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            described = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {_type_name(field.annotation)} | {described} |")
        lines.append("")
    return "\n".join(lines)


def _models(roots: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """Return the models reachable from `roots`, each once, in the order first met."""
    seen: list[type[BaseModel]] = []
    queue = list(roots)
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            queue += [t for t in _leaf_types(field.annotation) if _is_model(t)]
    return seen


def _leaf_types(annotation: Any) -> list[Any]:
    args = get_args(annotation)
    return [t for arg in args for t in _leaf_types(arg)] if args else [annotation]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _type_name(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " \\| ".join(repr(a) for a in args)
    if origin is Annotated:
        return _type_name(args[0])
    if origin in (UnionType, Union):
        return " \\| ".join(_type_name(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Prose):
        return "str (Markdown)"  # printed with the markdown or markdown_inline filter
    if isinstance(annotation, type) and issubclass(annotation, Text):
        return "str"  # given per language in the YAML; one language's string in templates
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    return "None" if annotation is type(None) else getattr(annotation, "__name__", str(annotation))


BEGIN, END = "<!-- BEGIN GENERATED: context -->", "<!-- END GENERATED: context -->"


def with_context_reference(markdown: str) -> str:
    """Return `markdown` with the text between the generated-context markers replaced."""
    head, _, rest = markdown.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{context_reference()}{END}{tail}"
