"""Kind ``black_cap`` (written ``lists.black_cap``, ``kind: cap``): the top-grade cap of
black-listed firms. A firm on the black list on the evaluation date (entered this period, or an
earlier entry still in force) is at best ``grade`` (default: the second grade).

Used by every ruleset with lists: Chongqing 2017, Hebei 2024 and Shandong 2020.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from .arrays import VectorState
from .base import Cited, LintContext, PathT, RuleKind
from .firm import FirmState

__all__ = ["BlackCap", "KIND"]


class BlackCap(Cited):
    """The top-grade cap of black-listed firms: a firm on the black list on the evaluation date
    (entered this period, or an earlier entry still in force) is at best ``grade``."""

    grade: str | None = Field(None, description="Best grade allowed (default: the second grade).")
    kind: Literal["cap"] = "cap"


def lint(bc: BlackCap, base: PathT, ctx: LintContext) -> None:
    """A declared grade below the top one."""
    if bc.grade is None:
        return
    gi = ctx.ruleset.grade_index
    if bc.grade not in gi:
        ctx.add(base + ("grade",), "unknown_grade",
                f"Grade '{bc.grade}' is not one of the grades {ctx.grade_ids}.")
    elif gi[bc.grade] == 0:
        ctx.add(base + ("grade",), "bad_value", "The black cap must be below the top grade.")
    else:
        ctx.reachable.add(bc.grade)


def compile(bc: BlackCap, plan: Any) -> int:
    """Rank of the best grade a black-listed firm may hold."""
    return plan.grade_index[bc.grade] if bc.grade else min(1, len(plan.grade_ids) - 1)


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: a black-listed firm's grade is at least the cap's rank."""
    black_ev = s.lists["black_ev"]
    new = np.where(s.list_code == 2, np.maximum(s.grade, c.data), s.grade)
    s.grade_change(c.order, c.rule, new, lambda ch: black_ev[ch])


def reference(c: Any, fs: FirmState) -> None:
    """Reference: a black-listed firm cannot hold a grade better than the cap's."""
    res, entries, active = fs.res, fs.lists["entries"], fs.lists["active"]
    if res.list_name != "black":
        return
    cap, target = c.rule, c.data
    if fs.grade < target:
        why = (";".join(t for _, t in entries["black"]) if "black" in entries
               else ";".join(sorted(t for _, t in active["black"])))
        effect = f"{fs.grade_id(fs.grade)}→{fs.grade_id(target)}"
        res.rules_applied.append(cap.id)
        res.contributions.append({"rule_id": cap.id, "points_cents": 0, "evidence": why,
                                  "effect": effect})
        fs.say(f"{cap.id} {cap.label}: a black-listed firm cannot hold the top grade; "
               f"grade {effect}.")
        fs.grade = target


KIND = RuleKind(
    name="black_cap", model=BlackCap, stage="black_cap", section="lists.black_cap", lint=lint,
    compile=compile, apply=apply, reference=reference,
    summary="a firm on the black list on the evaluation date is at best the cap's grade "
            "(default the second)",
    used_by="chongqing-2017, chongqing-2021, guizhou-2019, hebei-2024, jilin-2018, "
            "shandong-2020")
