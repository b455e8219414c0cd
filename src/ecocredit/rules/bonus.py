"""Kind ``bonus``: positive points per matching positive event (an award, a voluntary
disclosure), with an optional cap. Lint refuses a bonus on an adverse event type.

Used by Chongqing 2017 and Jiangsu 2020 (加分项).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from .base import RuleBase, RuleKind
from .event_points import apply, compile, lint_event_rule, reference
from .conditions import Match

__all__ = ["BonusRule", "KIND"]


class BonusRule(RuleBase):
    """Kind 4: positive points per matching (positive) event, with an optional cap."""

    kind: Literal["bonus"]
    match: Match
    points: Decimal = Field(gt=0)
    cap: Decimal | None = Field(None, gt=0)


# a bonus is computed as event points are (count × points, capped); only its model and its
# lint (positive event types only) differ
KIND = RuleKind(
    name="bonus", model=BonusRule, stage="points", section="rules", lint=lint_event_rule,
    compile=compile, apply=apply, reference=reference,
    summary="positive points per matching positive event, optionally capped",
    used_by="chongqing-2017, chongqing-2021, guizhou-2019, jiangsu-2020")
