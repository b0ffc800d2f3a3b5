"""The published JSON Schema of the output record, and validation against it."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    """The record's JSON Schema (``guillemet/schemas/article.schema.json``)."""
    return json.loads((resources.files("guillemet") / "schemas" / "article.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = article_schema()
    return jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(record: dict[str, Any]) -> list[str]:
    """The ways ``record`` breaks the schema, plus offset checks no schema can express; empty when valid."""
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}" for e in _validator().iter_errors(record)
    ]
    text = record.get("text") or ""
    for position, quote in enumerate(record.get("quotes") or []):
        if not (0 <= quote.get("start", -1) <= quote.get("end", -1) <= len(text)):
            errors.append(f"quotes/{position}: offsets outside the text")
    for position, entity in enumerate(record.get("entities") or []):
        for start, end in entity.get("mentions") or []:
            if not (0 <= start <= end <= len(text)):
                errors.append(f"entities/{position}: mention offsets outside the text")
    return errors
