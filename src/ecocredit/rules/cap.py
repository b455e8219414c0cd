"""Kind ``cap``: when its condition holds, the grade is at best ``grade`` (e.g. "a firm with
an administrative penalty this year cannot be rated 诚信").

Used by Anhui 2019 and Guangdong 2015.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .arrays import VectorState
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import (Condition, apply_override, compile_override, lint_override,
                         lint_target_grade, reference_override)
from .firm import FirmState

__all__ = ["CapRule", "KIND"]


class CapRule(RuleBase):
    """Kind 7: a matching condition keeps the grade at or below ``grade``."""

    kind: Literal["cap"]
    when: Condition
    grade: str
    priority: int


def lint(r: CapRule, base: PathT, ctx: LintContext) -> None:
    lint_override(r, base, ctx)
    if lint_target_grade(r, base, ctx):
        ctx.reachable.add(r.grade)


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: where the condition holds, the grade is at least the cap's rank."""
    t = c.data.target
    apply_override(c, s, lambda cond, g: np.where(cond, np.maximum(g, t), g))


def reference(c: Any, fs: FirmState) -> None:
    """Reference: if the condition holds, grade = max(grade, cap)."""
    reference_override(c, fs, lambda g: max(g, c.data.target), "cap")


KIND = RuleKind(
    name="cap", model=CapRule, stage="override", section="rules", lint=lint,
    compile=compile_override, apply=apply, reference=reference,
    summary="the condition keeps the grade at or below the rule's grade",
    used_by="anhui-2019, guangdong-2015")
