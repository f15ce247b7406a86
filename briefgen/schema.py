"""The JSON Schemas of the data and report-definition files, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .config import ReportsFile
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
