"""Kind ``veto``: one-vote veto (一票否决). When its condition holds (a crime, a serious
incident, falsified monitoring data...), the firm is set to the rule's grade (default: the
worst) or worse, whatever its score, and the result says ``vetoed``.

Used by Anhui 2019, Chongqing 2017, Guangdong 2015 and Jiangxi.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .arrays import VectorState
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import (Condition, apply_override, compile_override, lint_override,
                         lint_target_grade, reference_override)
from .firm import FirmState

__all__ = ["VetoRule", "KIND"]


class VetoRule(RuleBase):
    """Kind 5: one-vote veto (一票否决): a matching condition sets the firm to ``grade``
    (default: the worst) or worse."""

    kind: Literal["veto"]
    when: Condition
    grade: str | None = None
    priority: int


def lint(r: VetoRule, base: PathT, ctx: LintContext) -> None:
    lint_override(r, base, ctx)
    if lint_target_grade(r, base, ctx):
        ctx.reachable.add(r.grade or ctx.grade_ids[-1])


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: where the condition holds, the grade is at least the target; vetoed."""
    t = c.data.target
    cond = apply_override(c, s, lambda cond, g: np.where(cond, np.maximum(g, t), g))
    s.vetoed |= cond


def reference(c: Any, fs: FirmState) -> None:
    """Reference: if the condition holds, grade = max(grade, target), and the firm is vetoed."""
    if reference_override(c, fs, lambda g: max(g, c.data.target), "veto (一票否决)"):
        fs.res.vetoed = True


KIND = RuleKind(
    name="veto", model=VetoRule, stage="override", section="rules", lint=lint,
    compile=compile_override, apply=apply, reference=reference,
    summary="one-vote veto (一票否决): the condition sets the grade to the rule's grade "
            "(default the worst) or worse, and marks the firm vetoed",
    used_by="anhui-2019, chongqing-2017, chongqing-2021, guangdong-2015, guizhou-2019, "
            "jiangxi")
