"""Rule kinds: one module per kind, each holding side by side its pydantic model, its lint
checks, its compiled form, its vectorized apply and its reference apply.

=====================  =====================================================================
module                 kind
=====================  =====================================================================
:mod:`.tiers`          ``tiers``: measured indicator → tier → points × weight
:mod:`.event_points`   ``event_points``: points per matching event, capped
:mod:`.bonus`          ``bonus``: positive points per positive event, capped
:mod:`.count_threshold` ``count_threshold``: at least N events → points once
:mod:`.veto`           ``veto``: one-vote veto (一票否决)
:mod:`.downgrade`      ``downgrade``: lower the grade N levels
:mod:`.cap`            ``cap``: grade at best X
:mod:`.list_entry`     ``list``: red / black list entry
:mod:`.black_cap`      ``lists.black_cap``: a black-listed firm is below the top grade
=====================  =====================================================================

Shared pieces: :mod:`.base` (pydantic base, labels, citations, :class:`RuleKind`),
:mod:`.conditions` (event matches, history, conditions, the overrides' common steps),
:mod:`.arrays` (the vectorized pass's columns and state), :mod:`.firm` (the reference engine's
per-firm state). :mod:`.registry` lists the kinds. Nothing here imports :mod:`ecocredit.ruleset`.
"""

from __future__ import annotations

from .registry import KIND_BY_NAME, KINDS, OVERRIDE_KINDS, POINT_KINDS, RULE_KINDS, Rule

__all__ = ["KINDS", "KIND_BY_NAME", "RULE_KINDS", "POINT_KINDS", "OVERRIDE_KINDS", "Rule"]
