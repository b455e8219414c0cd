"""Rulesets as data: the file format, its strict loader, and the linter.

A ruleset is a YAML file: one regulation (or one local reading of it), versioned, with
validity dates and a citation on every rule. It is read with a safe loader that keeps the
line of every key and refuses duplicate keys (:mod:`.reader`), validated by the pydantic
models (:mod:`.models`, which refuse unknown keys; the rule kinds' models are in
:mod:`ecocredit.rules`), and then linted for contradictions (:mod:`.lint`): overlapping bands,
unreachable grades, weights that do not add up, references to unknown event types, indicators
or grades. Every problem is collected and reported at once, each with file, line and key path.
:mod:`.loader` loads by bundled name or path; :mod:`.schema` gives the JSON Schema.

No code runs from a ruleset: a rule is one of a small closed set of *kinds*
(:data:`ecocredit.rules.KINDS`), each implemented once per engine in its own module.
"""

from __future__ import annotations

from ..rules import Rule
from .loader import bundled_rulesets, lint_ruleset, load_ruleset
from .models import Ruleset
from .schema import ruleset_json_schema

__all__ = [
    "Ruleset",
    "Rule",
    "load_ruleset",
    "lint_ruleset",
    "bundled_rulesets",
    "ruleset_json_schema",
]
