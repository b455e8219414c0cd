"""The registry of rule kinds: the one list the engines, the linter, the JSON Schema (the
discriminated union of ``rules``) and the table of kinds in docs/rulesets.md are driven by.

Adding a kind is adding one module to :mod:`ecocredit.rules` (model, lint, compile, both
engines) and its ``KIND`` to :data:`KINDS`, with its worked-example tests.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from . import (black_cap, bonus, cap, count_threshold, downgrade, event_points, list_entry,
               tiers, veto)
from .base import RuleKind

__all__ = ["KINDS", "KIND_BY_NAME", "RULE_KINDS", "POINT_KINDS", "OVERRIDE_KINDS", "Rule",
           "kind_table"]

#: every rule kind, in the order the engines' stages and the docs list them
KINDS: tuple[RuleKind, ...] = (
    tiers.KIND, event_points.KIND, bonus.KIND, count_threshold.KIND,
    veto.KIND, downgrade.KIND, cap.KIND,
    list_entry.KIND, black_cap.KIND,
)
KIND_BY_NAME: dict[str, RuleKind] = {k.name: k for k in KINDS}
#: the kinds written in a ruleset's ``rules`` list (tagged by ``kind``)
RULE_KINDS: tuple[RuleKind, ...] = tuple(k for k in KINDS if k.section == "rules")
POINT_KINDS = tuple(k.name for k in KINDS if k.stage == "points")
OVERRIDE_KINDS = tuple(k.name for k in KINDS if k.stage == "override")

#: one rule of a ruleset's ``rules`` list: the discriminated union of the rule kinds' models
Rule = Annotated[Union[tuple(k.model for k in RULE_KINDS)], Field(discriminator="kind")]


def kind_table() -> str:
    """The Markdown table of kinds printed in docs/rulesets.md (a test keeps it current)."""
    rows = ["| kind | written in | stage | what it does | bundled rulesets using it |",
            "|---|---|---|---|---|"]
    for k in KINDS:
        rows.append(f"| `{k.name}` | `{k.section}` | {k.stage} | {k.summary} | {k.used_by} |")
    return "\n".join(rows)
