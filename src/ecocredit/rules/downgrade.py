"""Kind ``downgrade``: when its condition holds, the grade drops by ``levels`` (never below
the worst), e.g. "a repeat violation lowers the grade one level".

Used by Guangdong 2015 and Jiangxi.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from .arrays import VectorState
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import (Condition, apply_override, compile_override, lint_override,
                         lint_target_grade, reference_override)
from .firm import FirmState

__all__ = ["DowngradeRule", "KIND"]


class DowngradeRule(RuleBase):
    """Kind 6: a matching condition lowers the grade by ``levels``."""

    kind: Literal["downgrade"]
    when: Condition
    levels: int = Field(1, ge=1)
    priority: int


def lint(r: DowngradeRule, base: PathT, ctx: LintContext) -> None:
    lint_override(r, base, ctx)
    if lint_target_grade(r, base, ctx):
        ctx.downgrade = True  # every grade below a reachable one may be reached


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: where the condition holds, grade + levels (at most the worst)."""
    worst, levels = s.plan.worst, c.data.levels
    apply_override(c, s, lambda cond, g: np.where(cond, np.minimum(g + levels, worst), g))


def reference(c: Any, fs: FirmState) -> None:
    """Reference: if the condition holds, grade = min(grade + levels, worst)."""
    reference_override(c, fs, lambda g: min(g + c.data.levels, fs.plan.worst), "downgrade")


KIND = RuleKind(
    name="downgrade", model=DowngradeRule, stage="override", section="rules", lint=lint,
    compile=compile_override, apply=apply, reference=reference,
    summary="the condition lowers the grade by N levels (at most to the worst)",
    used_by="guangdong-2015, jiangxi")
