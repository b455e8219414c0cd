"""Kind ``cap``: when its condition holds, the grade is at best ``grade`` (e.g. "a firm with
an administrative penalty this year cannot be rated 诚信").

A cap stated "within N years" (Hefei 2016: a firm rated 不良, or 警示 two years running,
cannot be rated 诚信 within two years) sets ``within_periods: N``: its history condition is
the trigger, and the cap holds in each of the N periods that follow a period where the
trigger held. The trigger with ``periods: k`` reads k consecutive periods; for period P the
cap reads the windows of k periods ending 1, 2, ..., N periods before P, and holds if any of
them matches (so k + N - 1 periods of history are read).

Used by Anhui 2019 and Guangdong 2015.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..periods import previous_periods
from .arrays import VectorState, join_by_firm
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import (Condition, OverridePlan, apply_override, compile_override,
                         lint_override, lint_target_grade, parts_at, reference_override)
from .firm import FirmState

__all__ = ["CapRule", "KIND"]


class CapRule(RuleBase):
    """Kind 7: a matching condition keeps the grade at or below ``grade``."""

    kind: Literal["cap"]
    when: Condition
    grade: str
    priority: int
    within_periods: int | None = Field(
        None, ge=1, description="The cap holds in each of the N periods (years, for annual "
        "periods) after a period where its history condition held ('cannot be 诚信 within two "
        "years'), not only in the next one. Needs a history condition and no events.")

    @model_validator(mode="after")
    def _within(self) -> "CapRule":
        if self.within_periods is not None and (self.when.history is None
                                                or self.when.events is not None):
            raise ValueError("'within_periods' needs a history condition (the trigger) and no "
                             "'events'")
        return self


@dataclass(frozen=True)
class CapPlan(OverridePlan):
    """A cap compiled; ``windows``: the history windows read (most recent first), each the
    labels of the trigger's k periods; empty without ``within_periods``."""

    windows: tuple[tuple[str, ...], ...] = ()


def lint(r: CapRule, base: PathT, ctx: LintContext) -> None:
    lint_override(r, base, ctx)
    if lint_target_grade(r, base, ctx):
        ctx.reachable.add(r.grade)


def compile(r: CapRule, plan: Any) -> CapPlan:
    o = compile_override(r, plan)
    windows: tuple[tuple[str, ...], ...] = ()
    if r.within_periods is not None:
        k = r.when.history.periods
        labels = previous_periods(plan.period, k + r.within_periods - 1)
        windows = tuple(tuple(labels[j:j + k]) for j in range(r.within_periods))
    return CapPlan(when=o.when, target=o.target, levels=o.levels, windows=windows)


def _within_holds(c: Any, s: VectorState) -> tuple[np.ndarray, list[pd.Series]]:
    """Vectorized: firms for which some window's history matches, and the matching rows of
    the windows that held, sorted and joined per firm."""
    w = c.rule.when.history
    h = s.prep.history
    firm = h["firm_idx"].to_numpy(np.int64)
    hit = (h["grade"].isin(w.grades).to_numpy() | h["list"].isin(w.lists).to_numpy())
    period = h["period"].astype(str).to_numpy(object)
    cond = np.zeros(s.n, dtype=bool)
    used = np.zeros(len(h), dtype=bool)
    for labels in c.data.windows:
        rows = hit & np.isin(period, list(labels))
        cnt = np.bincount(firm[rows], minlength=s.n)
        ok = (cnt >= 1 if w.require == "any" else cnt >= len(labels)) & s.graded
        cond |= ok
        used |= rows & ok[firm]
    text = ("history " + h["period"][used].astype(str) + ": " + h["grade"][used].astype(str)
            + np.where(h["list"][used] != "", " (" + h["list"][used].astype(str) + " list)", ""))
    # a row read by two windows that both held is one piece of evidence
    pairs = pd.DataFrame({"f": firm[used], "t": text.to_numpy(object)}).drop_duplicates()
    return cond, [join_by_firm(pairs["f"].to_numpy(np.int64), pairs["t"].to_numpy(object))]


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: where the condition holds, the grade is at least the cap's rank."""
    t = c.data.target
    if not c.data.windows:
        apply_override(c, s, lambda cond, g: np.where(cond, np.maximum(g, t), g))
        return
    cond, parts = _within_holds(c, s)
    s.grade_change(c.order, c.rule, np.where(cond, np.maximum(s.grade, t), s.grade),
                   lambda ch: parts_at(parts, ch))


def _reference_within(c: Any, fs: FirmState) -> tuple[bool, list[str]]:
    """Reference: does the trigger hold in any window, and which history rows say so."""
    w = c.rule.when.history
    holds, texts = False, set()
    for labels in c.data.windows:
        hits = [r for r in fs.inputs.history if r["period"] in labels
                and (r["grade"] in w.grades or r["list"] in w.lists)]
        if len(hits) >= (1 if w.require == "any" else len(labels)):
            holds = True
            texts |= {f"history {r['period']}: {r['grade']}"
                      + (f" ({r['list']} list)" if r["list"] else "") for r in hits}
    return holds, [";".join(sorted(texts))] if texts else []


def reference(c: Any, fs: FirmState) -> None:
    """Reference: if the condition holds, grade = max(grade, cap)."""
    if not c.data.windows:
        reference_override(c, fs, lambda g: max(g, c.data.target), "cap")
        return
    holds, evidence = _reference_within(c, fs)
    if not holds:
        return
    rule, before = c.rule, fs.grade
    fs.grade = max(before, c.data.target)
    n = rule.within_periods
    if fs.grade != before:
        effect = f"{fs.grade_id(before)}→{fs.grade_id(fs.grade)}"
        fs.res.rules_applied.append(rule.id)
        fs.res.contributions.append({"rule_id": rule.id, "points_cents": 0,
                                     "evidence": ";".join(evidence), "effect": effect})
        fs.say(f"{rule.id} {rule.label}: cap applies (within {n} periods of the history that "
               f"triggers it); grade {effect}.")
    else:
        fs.say(f"{rule.id} {rule.label}: cap applies (within {n} periods), but the grade is "
               f"already '{fs.grade_id(fs.grade)}' or worse.")


KIND = RuleKind(
    name="cap", model=CapRule, stage="override", section="rules", lint=lint,
    compile=compile, apply=apply, reference=reference,
    summary="the condition keeps the grade at or below the rule's grade",
    used_by="anhui-2019, guangdong-2015")
