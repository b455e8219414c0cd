"""The JSON Schema of the ruleset file format (published as ``docs/ruleset.schema.json``).

The ``rules`` list is the registry's discriminated union (:data:`ecocredit.rules.Rule`), so a
new rule kind appears in the schema by being registered.
"""

from __future__ import annotations

from typing import Any

from .models import FORMAT_VERSION, Ruleset

__all__ = ["ruleset_json_schema"]


def ruleset_json_schema() -> dict[str, Any]:
    """The JSON Schema of the ruleset file format (published as ``docs/ruleset.schema.json``)."""
    schema = Ruleset.model_json_schema()
    schema["$id"] = f"https://ecocredit.invalid/ruleset.schema.v{FORMAT_VERSION}.json"
    schema["title"] = "ecocredit ruleset"
    return schema
