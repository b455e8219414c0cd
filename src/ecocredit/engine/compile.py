"""Compile: ruleset + period + evaluation date → a :class:`Plan`, computed once per scoring.

The plan holds everything the engines and ``explain`` read, as integers where it can: points in
hundredths, dates as day numbers since 1970, event types and grades as codes, and the rules of
every stage with their compiled forms (each kind's ``compile``), in the order they apply and
marked in force or not on the evaluation date. Neither engine reads the YAML models' decimals
for arithmetic (the score's bounds, the bands) nor for the grades' labels; the rule models stay
attached (``CompiledRule.rule``) for ids, citations and the reference engine's readable reasoning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..days import day_of
from ..periods import Period
from ..points import to_cents
from ..rules import KIND_BY_NAME
from ..rules.base import RuleKind
from .levels import level_table

__all__ = ["Plan", "CompiledRule", "compile_plan"]

#: contribution order of each stage (rows of a firm are sorted by it): point rules by their
#: position in the file, then the score's bounds, overrides, list entries, the black cap
ORDER_BOUND, ORDER_OVERRIDE, ORDER_LIST, ORDER_BLACK_CAP = 1_000_000, 2_000_000, 3_000_000, \
    4_000_000


@dataclass(frozen=True)
class CompiledRule:
    """One rule of the plan: the kind that implements it, its model, its compiled data, its
    place in the contributions' order, and whether it is in force on the evaluation date."""

    kind: RuleKind
    rule: Any
    data: Any
    order: int
    in_force: bool


@dataclass
class Plan:
    """A ruleset compiled for one period and evaluation date (see :func:`compile_plan`)."""

    ruleset: Any
    period: Period
    eval_date: dt.date
    eval_day: int
    start_day: int
    annual: bool
    event_types: list[str]
    type_codes: dict[str, int]
    grade_ids: list[str]
    #: each grade's label and colour, in the order of ``grade_ids`` (for the scores table, the
    #: reasoning and ``explain``)
    grade_labels: list[str]
    grade_colours: list[str]
    grade_index: dict[str, int]
    worst: int
    base_cents: int
    #: why the base is what it is (``scoring.base_note``), shown by the reasoning
    base_note: str
    max_cents: int | None
    min_cents: int | None
    grade_by: str
    band_mins: np.ndarray
    band_ranks: np.ndarray
    declared_lists: tuple[str, ...]
    history_months: dict[str, int]
    points: list[CompiledRule] = field(default_factory=list)
    overrides: list[CompiledRule] = field(default_factory=list)
    lists: list[CompiledRule] = field(default_factory=list)
    black_cap: CompiledRule | None = None
    #: the sub-levels (档次) of the grades (:mod:`.levels`), None if the ruleset has none
    levels: Any = None

    def stages(self) -> list[tuple[str, list[CompiledRule]]]:
        """The rule stages after the bands, in the order they apply."""
        return [("override", self.overrides), ("list", self.lists),
                ("black_cap", [self.black_cap] if self.black_cap else [])]


def _compiled(rule: Any, plan: Plan, order: int, kind_name: str | None = None) -> CompiledRule:
    kind = KIND_BY_NAME[kind_name or rule.kind]
    in_force = not hasattr(rule, "effective") or plan.ruleset.rule_in_force(rule, plan.eval_date)
    return CompiledRule(kind=kind, rule=rule, data=kind.compile(rule, plan), order=order,
                        in_force=in_force)


def compile_plan(ruleset: Any, period: Period, eval_date: dt.date) -> Plan:
    """Compile a ruleset for scoring ``period`` on ``eval_date``.

    Parameters
    ----------
    ruleset : Ruleset
    period : Period
    eval_date : date
        The evaluation date (see :meth:`Ruleset.evaluation_date`).

    Returns
    -------
    Plan
    """
    sc = ruleset.scoring
    types = sorted(ruleset.event_type_ids)
    lists = ruleset.lists
    plan = Plan(
        ruleset=ruleset, period=period, eval_date=eval_date, eval_day=day_of(eval_date),
        start_day=day_of(period.start), annual=ruleset.evaluation.mode == "annual",
        event_types=types, type_codes={t: i for i, t in enumerate(types)},
        grade_ids=list(ruleset.grade_ids), grade_labels=[g.label for g in ruleset.grades],
        grade_colours=[g.colour for g in ruleset.grades], grade_index=dict(ruleset.grade_index),
        worst=len(ruleset.grades) - 1, base_cents=to_cents(sc.base), base_note=sc.base_note,
        max_cents=None if sc.max is None else to_cents(sc.max),
        min_cents=None if sc.min is None else to_cents(sc.min), grade_by=sc.grade_by,
        band_mins=np.array([to_cents(b.min) for b in sc.bands[:-1]], dtype=np.int64),
        band_ranks=np.array([ruleset.grade_index[b.grade] for b in sc.bands], dtype=np.int64),
        declared_lists=ruleset.declared_lists(),
        history_months={} if lists is None else {
            "red": lists.history_months.red, "black": lists.history_months.black},
        levels=level_table(ruleset))
    plan.points = [_compiled(r, plan, i) for i, r in enumerate(ruleset.rules)
                   if KIND_BY_NAME[r.kind].stage == "points"]
    plan.overrides = [_compiled(r, plan, ORDER_OVERRIDE + i)
                      for i, r in enumerate(ruleset.overrides())]
    plan.lists = [_compiled(r, plan, ORDER_LIST + i) for i, r in enumerate(ruleset.list_rules())]
    if lists is not None:
        plan.black_cap = _compiled(lists.black_cap, plan, ORDER_BLACK_CAP, "black_cap")
    return plan
