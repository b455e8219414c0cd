"""The JSON Schema of the ruleset file format (published as ``docs/ruleset.schema.json``).

The ``rules`` list is the registry's discriminated union (:data:`ecocredit.rules.Rule`), so a
new rule kind appears in the schema by being registered. The schema is the same on every
supported pydantic version (``tests/test_docs.py`` compares it with the published file).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from .models import FORMAT_VERSION, Ruleset

__all__ = ["ruleset_json_schema"]


class _StableJsonSchema(GenerateJsonSchema):
    """Pydantic's schema generator with one decimal pattern on every pydantic version (2.12
    added a pattern to decimals that earlier versions leave out, and later ones may change)."""

    DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"

    def decimal_schema(self, schema: Any) -> dict[str, Any]:
        out = super().decimal_schema(schema)
        for branch in out.get("anyOf", [out]):
            if branch.get("type") == "string":
                branch["pattern"] = self.DECIMAL_PATTERN
        return out


def ruleset_json_schema() -> dict[str, Any]:
    """The JSON Schema of the ruleset file format (published as ``docs/ruleset.schema.json``)."""
    schema = Ruleset.model_json_schema(schema_generator=_StableJsonSchema)
    schema["$id"] = f"https://ecocredit.invalid/ruleset.schema.v{FORMAT_VERSION}.json"
    schema["title"] = "ecocredit ruleset"
    return schema
