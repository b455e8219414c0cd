"""Kind ``count_threshold``: at least N matching events in the period → points, once
(e.g. "three or more administrative penalties: −10").

Used by Anhui 2019.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import numpy as np
from pydantic import Field

from .base import RuleBase, RuleKind
from .conditions import Match
from .event_points import apply_points, compile, lint_event_rule, matched_ids
from .firm import FirmState
from .arrays import VectorState

__all__ = ["CountThresholdRule", "KIND"]


class CountThresholdRule(RuleBase):
    """Kind 3: ``at_least`` matching events → ``points`` once."""

    kind: Literal["count_threshold"]
    match: Match
    at_least: int = Field(ge=1)
    points: Decimal


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: the points where the count reaches the threshold."""
    apply_points(c, s, lambda cnt: np.where(cnt >= c.rule.at_least, c.data.cents, 0
                                            ).astype(np.int64))


def reference(c: Any, fs: FirmState) -> None:
    """Reference: the points once if the firm has at least ``at_least`` matching events."""
    rule = c.rule
    matched = matched_ids(c, fs)
    points = rule.points if len(matched) >= rule.at_least else Decimal(0)
    if matched:
        fs.say(f"{rule.id} {rule.label}: {len(matched)} matching event(s), threshold "
               f"{rule.at_least} → {points} points.")
    if points != 0:
        fs.score += points
        fs.contribute(rule, points, ";".join(matched))


KIND = RuleKind(
    name="count_threshold", model=CountThresholdRule, stage="points", section="rules",
    lint=lint_event_rule, compile=compile, apply=apply, reference=reference,
    summary="at least N matching events in the period → points, once",
    used_by="anhui-2019")
