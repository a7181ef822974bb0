"""Every `--json` output is read through :func:`loads`: it must validate against the committed schema
(docs/ogi-json.schema.json), so no command can drift from the one document shape."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "ogi-json.schema.json"


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def loads(text: str, command: str) -> dict[str, Any]:
    """The document ``ogi <command> --json`` printed, validated against the schema."""
    data = json.loads(text)
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert data["command"] == command
    return data
