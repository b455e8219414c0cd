"""Which events and which history a rule reads: :class:`Match` (events that count on the
evaluation date), :class:`HistoryCondition` (earlier published results) and :class:`Condition`
(at least N matching events, or fewer than N, and/or history), with their lint, their compiled
form, and both engines' evaluation. Shared by every kind that reads events or history, and by
the overrides (veto, downgrade, cap), whose common steps are at the end of this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..days import add_months, add_months_days
from ..periods import previous_periods
from ..points import fen_ceiling
from ..vocab import LISTS, MEDIA, SEVERITIES
from .arrays import Events, VectorState, append_text, ids_of, join_by_firm
from .base import LintContext, Model, PathT
from .firm import FirmState

__all__ = ["Match", "HistoryCondition", "Condition", "MatchPlan", "ConditionPlan",
           "lint_match", "compile_match", "compile_condition", "match_events", "history_mask",
           "condition_holds", "counts", "reference_condition"]


class Match(Model):
    """Which events a rule reads, and when each one counts.

    An event counts on the evaluation date ``E`` if its type (and severity, medium, amount)
    match, it is not revoked, and ``event_date + effective_after_days <= E`` and, when
    ``valid_months`` is set, ``E <= add_months(event_date + effective_after_days, valid_months)``:
    the one date-window convention (docs/concepts.md, Civil Code Art. 201–202): N months from day
    D end on the corresponding day of the last month (its last day where it has none), and that
    day belongs to the window.
    In ``annual`` evaluation the event must also be dated within the period.
    """

    types: list[str] = Field(min_length=1)
    severity: list[str] | None = None
    medium: list[str] | None = None
    amount_min: Decimal | None = Field(None, description="Amount at least this (yuan).")
    amount_max: Decimal | None = Field(None, description="Amount below this (yuan).")
    effective_after_days: int = Field(0, ge=0)
    valid_months: int | None = Field(None, ge=1)


class HistoryCondition(Model):
    """A condition on previously published results (the history table)."""

    grades: list[str] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list)
    periods: int = Field(1, ge=1, description="How many earlier periods to look at.")
    require: Literal["any", "all"] = "any"


class Condition(Model):
    """When an override applies: matching events (at least N, or fewer than N), and/or history."""

    events: Match | None = None
    count: Literal["events", "types"] = Field(
        "events", description="Count matching events, or the distinct event types among them.")
    at_least: int = Field(1, ge=1)
    fewer_than: int | None = Field(None, ge=1)
    history: HistoryCondition | None = None

    @model_validator(mode="after")
    def _something(self) -> "Condition":
        if self.events is None and self.history is None:
            raise ValueError("a condition needs 'events' or 'history'")
        if self.fewer_than is not None and self.events is None:
            raise ValueError("'fewer_than' needs 'events'")
        return self


# lint ------------------------------------------------------------------------------------


def lint_match(m: Match, base: PathT, add: Callable[[PathT, str, str], None],
               known_types: frozenset[str]) -> None:
    """Event types declared, severities and media of the vocabulary, amounts in order."""
    for j, t in enumerate(m.types):
        if t not in known_types:
            add(base + ("types", j), "unknown_event_type",
                f"Event type '{t}' is neither an event type of docs/data-format.md nor declared in event_types.")
    for j, s in enumerate(m.severity or []):
        if s not in SEVERITIES:
            add(base + ("severity", j), "bad_value",
                f"Severity '{s}' is not one of {list(SEVERITIES)}.")
    for j, s in enumerate(m.medium or []):
        if s not in MEDIA:
            add(base + ("medium", j), "bad_value", f"Medium '{s}' is not one of {list(MEDIA)}.")
    if (m.amount_min is not None and m.amount_max is not None
            and m.amount_min >= m.amount_max):
        add(base + ("amount_max",), "bad_value",
            f"amount_max {m.amount_max} must be above amount_min {m.amount_min}.")


# compiled forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchPlan:
    """A match as integers: event-type codes (sorted), severity and medium codes, amounts in
    whole fen (rounded up), and ``match``, the model it came from."""

    match: Match
    type_codes: tuple[int, ...]
    severity: tuple[int, ...] | None
    medium: tuple[int, ...] | None
    fen_min: int | None
    fen_max: int | None
    after_days: int
    valid_months: int | None


@dataclass(frozen=True)
class ConditionPlan:
    """A condition with its match compiled and the labels of the history periods it reads."""

    when: Any
    events: MatchPlan | None
    history_periods: tuple[str, ...]


def compile_match(m: Match, plan: Any) -> MatchPlan:
    sev, med = list(SEVERITIES), list(MEDIA)
    return MatchPlan(
        match=m, type_codes=tuple(sorted(plan.type_codes[t] for t in m.types)),
        severity=None if m.severity is None else tuple(sev.index(x) for x in m.severity),
        medium=None if m.medium is None else tuple(med.index(x) for x in m.medium),
        fen_min=None if m.amount_min is None else fen_ceiling(m.amount_min),
        fen_max=None if m.amount_max is None else fen_ceiling(m.amount_max),
        after_days=m.effective_after_days, valid_months=m.valid_months)


def compile_condition(w: Any, plan: Any) -> ConditionPlan:
    return ConditionPlan(
        when=w, events=None if w.events is None else compile_match(w.events, plan),
        history_periods=() if w.history is None else tuple(
            previous_periods(plan.period, w.history.periods)))


# vectorized ------------------------------------------------------------------------------


def match_events(e: Events, mp: MatchPlan, eval_day: int) -> np.ndarray:
    """Positions (in ``e``'s arrays) of the events that count for a match."""
    sel = np.concatenate([np.arange(e.type_start[c], e.type_start[c + 1])
                          for c in mp.type_codes]) if mp.type_codes else np.zeros(0, np.int64)
    keep = np.ones(len(sel), dtype=bool)
    if mp.severity is not None:
        keep &= np.isin(e.sev[sel], list(mp.severity))
    if mp.medium is not None:
        keep &= np.isin(e.med[sel], list(mp.medium))
    if mp.fen_min is not None or mp.fen_max is not None:
        fen = e.fen[sel]
        if mp.fen_min is not None:
            keep &= fen >= mp.fen_min
        if mp.fen_max is not None:
            keep &= (fen >= 0) & (fen < mp.fen_max)
    start = e.day[sel] + mp.after_days
    keep &= start <= eval_day
    if mp.valid_months is not None and keep.any():
        k = np.flatnonzero(keep)
        keep[k] = eval_day <= add_months_days(start[k], mp.valid_months)  # end day included
    return sel[keep]


def history_mask(prep: Any, cond: HistoryCondition, labels: list[str] | tuple[str, ...],
                 n: int, graded: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Firms whose published history in the periods ``labels`` matches ``cond`` (any or all
    of them), and the matching history rows as evidence text per firm."""
    labels = list(labels)
    h = prep.history
    sel = h["period"].isin(labels).to_numpy()
    hit = sel & (h["grade"].isin(cond.grades).to_numpy() | h["list"].isin(cond.lists).to_numpy())
    firm = h["firm_idx"].to_numpy(np.int64)[hit]
    cnt = np.bincount(firm, minlength=n)
    ok = cnt >= 1 if cond.require == "any" else cnt >= len(labels)
    text = ("history " + h["period"][hit].astype(str) + ": " + h["grade"][hit].astype(str)
            + np.where(h["list"][hit] != "", " (" + h["list"][hit].astype(str) + " list)", ""))
    return ok & graded, join_by_firm(firm, text.to_numpy(object))


def condition_holds(cp: ConditionPlan, s: VectorState) -> tuple[np.ndarray, list[pd.Series]]:
    """Where a condition's events and history parts hold, with their evidence per firm."""
    w = cp.when
    n, e = s.n, s.events
    cond = s.graded.copy()
    evidence_parts: list[pd.Series] = []
    if cp.events is not None:
        sel = match_events(e, cp.events, s.plan.eval_day)
        mf = e.firm[sel]
        if w.count == "types":  # distinct event types per firm
            pairs = np.unique(mf * 65536 + e.type_code[sel].astype(np.int64))
            cnt = np.bincount(pairs // 65536, minlength=n)
        else:
            cnt = np.bincount(mf, minlength=n)
        cond &= cnt < w.fewer_than if w.fewer_than is not None else cnt >= w.at_least
        evidence_parts.append(join_by_firm(mf, ids_of(e, sel)))
    if w.history is not None:
        hmask, htext = history_mask(s.prep, w.history, cp.history_periods, n, s.graded)
        cond &= hmask
        evidence_parts.append(htext)
    return cond, evidence_parts


def parts_at(parts: list[pd.Series], firms: np.ndarray) -> np.ndarray:
    """The evidence parts of a condition joined by ';' for ``firms``."""
    ev = np.full(len(firms), "", dtype=object)
    for part in parts:
        ev = append_text(ev, part.reindex(firms).fillna("").to_numpy(object))
    return ev


# reference -------------------------------------------------------------------------------


def counts(plan: Any, mp: MatchPlan, ev: dict[str, Any]) -> bool:
    """Does this event count for this match on the evaluation date?"""
    m, on = mp.match, plan.eval_date
    if ev["revoked"] or ev["type"] == "revocation" or ev["date"] > on:
        return False
    if plan.annual and ev["date"] < plan.period.start:
        return False
    if ev["type"] not in m.types:
        return False
    if m.severity is not None and ev["severity"] not in m.severity:
        return False
    if m.medium is not None and ev["medium"] not in m.medium:
        return False
    if m.amount_min is not None and (ev["amount"] is None or ev["amount"] < m.amount_min):
        return False
    if m.amount_max is not None and (ev["amount"] is None or ev["amount"] >= m.amount_max):
        return False
    takes_effect = ev["date"] + dt.timedelta(days=m.effective_after_days)
    if takes_effect > on:
        return False
    if m.valid_months is not None and on > add_months(takes_effect, m.valid_months):
        return False
    return True


def _history_text(r: dict[str, Any]) -> str:
    return f"history {r['period']}: {r['grade']}" + (f" ({r['list']} list)" if r["list"] else "")


def reference_condition(cp: ConditionPlan, fs: FirmState) -> tuple[bool, list[str]]:
    """Whether a condition's events and history parts hold for the firm, and their evidence."""
    w = cp.when
    holds = True
    evidence: list[str] = []
    if cp.events is not None:
        hits = [e for e in fs.inputs.events if counts(fs.plan, cp.events, e)]
        matched = sorted(e["event_id"] for e in hits)
        n = len({e["type"] for e in hits}) if w.count == "types" else len(hits)
        if w.fewer_than is not None:
            holds = n < w.fewer_than
        else:
            holds = n >= w.at_least
        if matched:
            evidence.append(";".join(matched))
    if w.history is not None:
        h = w.history
        labels = cp.history_periods
        hits = [r for r in fs.inputs.history if r["period"] in labels
                and (r["grade"] in h.grades or r["list"] in h.lists)]
        ok = len(hits) >= 1 if h.require == "any" else len(hits) >= len(labels)
        holds = holds and ok
        if hits:
            evidence.append(";".join(sorted(_history_text(r) for r in hits)))
    return holds, evidence


# the overrides' common steps (veto, downgrade, cap) --------------------------------------


def lint_override(r: Any, base: PathT, ctx: LintContext) -> None:
    """Distinct priorities, the condition's events and history, a declared target grade."""
    if r.priority in ctx.priorities:
        ctx.add(base + ("priority",), "priority_clash",
                f"Priority {r.priority} is also used by rule '{ctx.priorities[r.priority]}'; "
                "overrides need distinct priorities so their order is declared.")
    ctx.priorities.setdefault(r.priority, r.id)
    w = r.when
    rs = ctx.ruleset
    if w.events is not None:
        ctx.check_match(w.events, base + ("when", "events"))
        if w.fewer_than is not None:
            bad = [t for t in w.events.types if t not in rs.positive_event_types]
            if bad:
                ctx.add(base + ("when", "fewer_than"), "adverse_bonus",
                        f"'fewer_than' on adverse events {bad} would let a violation lift "
                        "a cap.")
    if w.history is not None:
        for j, g in enumerate(w.history.grades):
            if g not in rs.grade_index:
                ctx.add(base + ("when", "history", "grades", j), "unknown_grade",
                        f"Grade '{g}' is not declared.")
        for j, lst in enumerate(w.history.lists):
            if lst not in LISTS:
                ctx.add(base + ("when", "history", "lists", j), "bad_value",
                        f"List '{lst}' is not one of {list(LISTS)}.")


def lint_target_grade(r: Any, base: PathT, ctx: LintContext) -> bool:
    """The rule's ``grade`` (if any) is declared; False when it is not."""
    target = getattr(r, "grade", None)
    if target is not None and target not in ctx.ruleset.grade_index:
        ctx.add(base + ("grade",), "unknown_grade",
                f"Grade '{target}' is not one of the grades {ctx.grade_ids}.")
        return False
    return True


@dataclass(frozen=True)
class OverridePlan:
    """An override compiled: its condition, and its target grade rank (veto, cap) or the
    number of levels it lowers (downgrade)."""

    when: ConditionPlan
    target: int
    levels: int


def compile_override(r: Any, plan: Any) -> OverridePlan:
    g = getattr(r, "grade", None)
    return OverridePlan(when=compile_condition(r.when, plan),
                        target=plan.grade_index[g] if g else plan.worst,
                        levels=getattr(r, "levels", 0))


def apply_override(c: Any, s: VectorState,
                   new_grade: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """Vectorized: where the condition holds, the grade becomes ``new_grade(cond, grade)``;
    returns where the condition held."""
    cond, parts = condition_holds(c.data.when, s)
    s.grade_change(c.order, c.rule, new_grade(cond, s.grade), lambda ch: parts_at(parts, ch))
    return cond


def reference_override(c: Any, fs: FirmState, new_grade: Callable[[int], int],
                       verb: str) -> bool:
    """Reference: if the condition holds, the grade becomes ``new_grade(grade)``, said in the
    firm's reasoning; returns whether it held."""
    rule = c.rule
    holds, evidence = reference_condition(c.data.when, fs)
    if not holds:
        return False
    before = fs.grade
    fs.grade = new_grade(before)
    if fs.grade != before:
        effect = f"{fs.grade_id(before)}→{fs.grade_id(fs.grade)}"
        fs.res.rules_applied.append(rule.id)
        fs.res.contributions.append({"rule_id": rule.id, "points_cents": 0,
                                     "evidence": ";".join(evidence), "effect": effect})
        fs.say(f"{rule.id} {rule.label}: {verb} applies; grade {effect}.")
    else:
        fs.say(f"{rule.id} {rule.label}: {verb} applies, but the grade is already "
               f"'{fs.grade_id(fs.grade)}' or worse.")
    return True
