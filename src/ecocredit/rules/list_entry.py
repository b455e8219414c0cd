"""Kind ``list``: red and black list entries (红名单 / 黑名单). After the grade and the
overrides, a list rule whose condition holds puts the firm on its list from the evaluation date
for ``duration_months`` (``serious_duration_months`` when ``serious_when`` holds too). Every
rule that holds enters the firm; per list the latest end counts; entries published earlier
(the history table) still in force are carried over; black dominates red.

Used by Chongqing 2017, Hebei 2024 and Shandong 2020 (their ``lists`` sections).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..days import NO_DATE, NO_DAY, add_months, add_months_days, day_of, iso_days, months_text
from ..periods import parse_period
from ..vocab import LISTS
from .arrays import VectorState, append_text, join_by_firm
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import (Condition, ConditionPlan, compile_condition, condition_holds,
                         reference_condition)
from .firm import FirmState

__all__ = ["ListCondition", "ListRule", "KIND", "lint_grades", "lint_lists"]


class ListCondition(Condition):
    """When a list rule puts a firm on a list: the existing condition (events, history) plus
    the period's own result, read after the overrides: ``grades`` (the grade is one of these)
    and ``vetoed`` (a veto's condition held). Every part given must hold."""

    grades: list[str] = Field(default_factory=list,
                              description="The period's grade (after overrides) is one of these.")
    vetoed: bool | None = Field(None, description="true: a veto held this period.")

    @model_validator(mode="after")
    def _something(self) -> "ListCondition":
        if (self.events is None and self.history is None and not self.grades
                and self.vetoed is None):
            raise ValueError("a list condition needs 'grades', 'vetoed', 'events' or 'history'")
        if self.fewer_than is not None and self.events is None:
            raise ValueError("'fewer_than' needs 'events'")
        return self


class ListRule(RuleBase):
    """A red or black list entry: when ``when`` holds after the grade and the overrides, the firm
    is on ``list`` from the evaluation date for ``duration_months`` (``serious_duration_months``
    when ``serious_when`` holds too). Every rule that holds enters the firm; per list the latest
    end counts (the longest period applies when one decision has several). Black dominates red:
    a black-listed firm enters no red list. ``priority`` orders the rules in the explanation."""

    kind: Literal["list"] = "list"
    list: Literal["red", "black"]
    when: ListCondition
    duration_months: int = Field(ge=1, description="How long the entry (its publication) lasts.")
    serious: bool = Field(False, description="Every entry by this rule is serious dishonesty "
                          "(严重失信): credit repair waits for repair.min_months_serious.")
    serious_when: ListCondition | None = None
    serious_duration_months: int | None = Field(None, ge=1)
    priority: int

    @model_validator(mode="after")
    def _serious(self) -> "ListRule":
        if (self.serious_when is None) != (self.serious_duration_months is None):
            raise ValueError("'serious_when' and 'serious_duration_months' go together")
        if self.serious and self.serious_when is not None:
            raise ValueError("'serious: true' makes every entry serious; drop 'serious_when'")
        return self


# lint ------------------------------------------------------------------------------------


def lint_grades(gs: list[str], path: PathT, ctx: LintContext) -> None:
    for j, g in enumerate(gs):
        if g not in ctx.ruleset.grade_index:
            ctx.add(path + (j,), "unknown_grade",
                    f"Grade '{g}' is not one of the grades {ctx.grade_ids}.")


def lint_lists(ls: list[str], path: PathT, ctx: LintContext) -> None:
    for j, lst in enumerate(ls):
        if lst not in LISTS:
            ctx.add(path + (j,), "bad_value", f"List '{lst}' is not one of {list(LISTS)}.")


def _lint_condition(c: ListCondition, path: PathT, black: bool, ctx: LintContext) -> None:
    lint_grades(c.grades, path + ("grades",), ctx)
    if c.events is not None:
        ctx.check_match(c.events, path + ("events",))
    if c.history is not None:
        lint_grades(c.history.grades, path + ("history", "grades"), ctx)
        lint_lists(c.history.lists, path + ("history", "lists"), ctx)
    if not black:
        return
    # a black list entry must be monotone: an adverse record can only put a firm on it
    gi, grade_ids = ctx.ruleset.grade_index, ctx.grade_ids
    ranks = sorted(gi[g] for g in c.grades if g in gi)
    if ranks and ranks != list(range(ranks[0], len(grade_ids))):
        ctx.add(path + ("grades",), "list_not_monotone",
                f"A black list condition must take every grade from its best one down to the "
                f"worst ({grade_ids[ranks[0]:]}); otherwise a worse grade could take a firm off "
                "the black list.")
    if c.fewer_than is not None:
        ctx.add(path + ("fewer_than",), "list_not_monotone",
                "A black list condition cannot use 'fewer_than': a violation could lift it.")
    if c.vetoed is False:
        ctx.add(path + ("vetoed",), "list_not_monotone",
                "A black list condition cannot require 'vetoed: false'.")


def lint(r: ListRule, base: PathT, ctx: LintContext) -> None:
    """Distinct priorities among list rules, conditions (a black one monotone), dates, and a
    serious entry no shorter than an ordinary one."""
    if r.priority in ctx.list_priorities:
        ctx.add(base + ("priority",), "priority_clash",
                f"Priority {r.priority} is also used by list rule "
                f"'{ctx.list_priorities[r.priority]}'.")
    ctx.list_priorities.setdefault(r.priority, r.id)
    _lint_condition(r.when, base + ("when",), r.list == "black", ctx)
    if r.effective and r.end and r.end < r.effective:
        ctx.add(base + ("end",), "bad_dates",
                f"Rule ends ({r.end}) before it starts ({r.effective}).")
    if r.serious_when is not None:
        _lint_condition(r.serious_when, base + ("serious_when",), r.list == "black", ctx)
        if r.serious_duration_months is not None and \
                r.serious_duration_months < r.duration_months:
            ctx.add(base + ("serious_duration_months",), "bad_value",
                    "A serious entry cannot last less than an ordinary one.")


def compile(r: ListRule, plan: Any) -> tuple[ConditionPlan, ConditionPlan | None]:
    """The entry condition and the serious one, compiled."""
    return (compile_condition(r.when, plan),
            None if r.serious_when is None else compile_condition(r.serious_when, plan))


# vectorized ------------------------------------------------------------------------------


class HistoryList:
    """A pseudo-rule for a list entry published earlier and still in force (history table)."""

    kind = "list"

    def __init__(self, plan: Any, which: str) -> None:
        self.id = f"lists.history.{which}"
        self.reference = (f"{plan.ruleset.title.zh}: lists (history table; without list_until "
                          f"an entry lasts {months_text(plan.history_months[which])})")
        self.label = f"{which} list entry published earlier, still in force"


def _active_history(s: VectorState) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per list: the latest end (int day, or NO_DAY) of a published entry still in force on
    the evaluation date, and its evidence text, per firm."""
    plan, n = s.plan, s.n
    h = s.prep.history
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    labels = h["period"].astype(str).to_numpy(object)
    ends = {lab: day_of(parse_period(lab).end) for lab in set(labels)}
    pend = pd.Series(labels, dtype=object).map(ends).to_numpy(np.int64)  # per distinct label
    lst = h["list"].to_numpy(object)
    given = h["list_until_day"].to_numpy(np.int64)
    firm = h["firm_idx"].to_numpy(np.int64)
    before = pend < plan.start_day
    for name in ("red", "black"):
        if name not in plan.declared_lists:  # a list the ruleset does not keep
            out[name] = (np.full(n, NO_DAY, dtype=np.int64), np.full(n, "", dtype=object))
            continue
        sel = before & (lst == name)
        until = np.where(given != NO_DATE, given,
                         add_months_days(pend, plan.history_months[name]) if len(pend) else pend)
        sel &= until >= plan.eval_day  # list_until is the last day on the list
        best = np.full(n, NO_DAY, dtype=np.int64)
        np.maximum.at(best, firm[sel], until[sel])
        text = ("history " + pd.Series(labels[sel], dtype=object) + ": " + name
                + " list until " + pd.Series(iso_days(until[sel]), dtype=object))
        joined = join_by_firm(firm[sel], text.to_numpy(object))
        out[name] = (best, joined.reindex(np.arange(n)).fillna("").to_numpy(object))
    return out


def _condition(cp: ConditionPlan, s: VectorState) -> tuple[np.ndarray, np.ndarray]:
    """A list condition: the period's grade and veto, then events and history; evidence text."""
    w, n = cp.when, s.n
    cond = s.graded.copy()
    ev = np.full(n, "", dtype=object)
    gids = np.asarray(s.plan.grade_ids, dtype=object)
    if w.grades:
        cond &= np.isin(s.grade, [s.plan.grade_index[g] for g in w.grades])
        ev = append_text(ev, "grade " + gids[s.grade] if n else np.empty(0, object))
    if w.vetoed is not None:
        cond &= s.vetoed == w.vetoed
        ev = append_text(ev, np.where(s.vetoed, "vetoed", "not vetoed").astype(object))
    c2, parts = condition_holds(cp, s)
    cond &= c2
    for part in parts:
        ev = append_text(ev, part.reindex(np.arange(n)).fillna("").to_numpy(object))
    return cond, ev


def begin(s: VectorState) -> None:
    """Vectorized, before the first list rule: entries of the history still in force."""
    n = s.n
    s.lists = {"hist": _active_history(s),
               "until": {k: np.full(n, NO_DAY, dtype=np.int64) for k in ("red", "black")},
               "ev": {k: np.full(n, "", dtype=object) for k in ("red", "black")}}


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: one list rule; black rules come first, a black-listed firm enters no red
    list; per list the latest end counts."""
    r, (when, serious_when) = c.rule, c.data
    entry_until, entry_ev, hist = s.lists["until"], s.lists["ev"], s.lists["hist"]
    start = np.full(s.n, s.plan.eval_day, dtype=np.int64)
    cond, ev = _condition(when, s)
    new = cond.copy()
    if r.list == "red":  # black rules come first; a black-listed firm enters no red list
        new &= (entry_until["black"] == NO_DAY) & (hist["black"][0] == NO_DAY)
    if serious_when is not None:
        scond, sev = _condition(serious_when, s)
        sep = np.where((ev != "") & (sev != "") & scond, ";", "")
        ev = ev + sep + np.where(scond, sev, "")
        until = np.where(scond, add_months_days(start, r.serious_duration_months),
                         add_months_days(start, r.duration_months))
    else:
        scond = np.full(s.n, r.serious, dtype=bool)
        until = add_months_days(start, r.duration_months)
    idx = np.flatnonzero(new)
    if not len(idx):
        return
    entry_until[r.list][idx] = np.maximum(entry_until[r.list][idx], until[idx])
    iso = iso_days(until[idx])
    text = r.id + ": " + r.list + " list until " + iso
    prev = entry_ev[r.list][idx]
    entry_ev[r.list][idx] = prev + np.where(prev != "", ";", "") + text
    effect = (r.list + " list" + np.where(scond[idx], " (serious)", "").astype(object)
              + " until " + iso)
    s.contrib.add(c.order, r, idx, np.zeros(len(idx), np.int64), ev[idx], effect)


def finish(s: VectorState) -> None:
    """Vectorized, after the last list rule: the list in force (black over red) and its end;
    a firm on a list only by the history gets a row that says so."""
    entry_until, entry_ev, hist = s.lists["until"], s.lists["ev"], s.lists["hist"]
    code = np.zeros(s.n, dtype=np.int64)
    until_out = np.full(s.n, NO_DAY, dtype=np.int64)
    for c, name in ((1, "red"), (2, "black")):  # black last: it dominates red
        u = np.maximum(entry_until[name], hist[name][0])
        on = s.graded & (u != NO_DAY)
        code[on] = c
        until_out[on] = u[on]
    for c, name in ((1, "red"), (2, "black")):
        # the list in force comes from the history only: a row says so, with its evidence
        idx = np.flatnonzero((code == c) & (entry_until[name] == NO_DAY))
        if len(idx):
            s.contrib.add(3_900_000 + c, HistoryList(s.plan, name), idx,
                          np.zeros(len(idx), np.int64), hist[name][1][idx],
                          name + " list until " + iso_days(until_out[idx]))
    s.lists["black_ev"] = np.where(entry_ev["black"] != "", entry_ev["black"], hist["black"][1])
    s.list_code, s.list_until = code, until_out


# reference -------------------------------------------------------------------------------


def _reference_condition(cp: ConditionPlan, fs: FirmState) -> tuple[bool, list[str]]:
    w = cp.when
    holds = True
    evidence: list[str] = []
    if w.grades:
        holds = fs.grade_id(fs.grade) in w.grades
        evidence.append(f"grade {fs.grade_id(fs.grade)}")
    if w.vetoed is not None:
        holds = holds and fs.res.vetoed == w.vetoed
        evidence.append("vetoed" if fs.res.vetoed else "not vetoed")
    ok, ev = reference_condition(cp, fs)
    return holds and ok, evidence + ev


def reference_begin(fs: FirmState) -> None:
    """Reference: entries published earlier (history), in force on the evaluation date."""
    plan = fs.plan
    active: dict[str, list[tuple[dt.date, str]]] = {"red": [], "black": []}
    for r in fs.inputs.history:
        if r["list"] not in plan.declared_lists:  # a list this ruleset does not keep
            continue
        pend = parse_period(r["period"]).end
        if pend >= plan.period.start:
            continue
        until = r["list_until"] or add_months(pend, plan.history_months[r["list"]])
        if plan.eval_date <= until:  # list_until is the last day on the list
            active[r["list"]].append(
                (until, f"history {r['period']}: {r['list']} list until {until.isoformat()}"))
    fs.lists = {"active": active, "entries": {}}


def reference(c: Any, fs: FirmState) -> None:
    """Reference: every rule that holds enters the firm ("the longest period applies when one
    decision has several"); black rules come first, and a black-listed firm enters no red list."""
    r, (when, serious_when) = c.rule, c.data
    entries, active = fs.lists["entries"], fs.lists["active"]
    if r.list == "red" and ("black" in entries or active["black"]):
        return
    holds, evidence = _reference_condition(when, fs)
    if not holds:
        return
    serious = r.serious
    if serious_when is not None:
        serious, sev = _reference_condition(serious_when, fs)
        if serious:
            evidence += sev
    months = r.serious_duration_months if r.serious_when is not None and serious \
        else r.duration_months
    until = add_months(fs.plan.eval_date, months)
    entries.setdefault(r.list, []).append(
        (until, f"{r.id}: {r.list} list until {until.isoformat()}"))
    kind = " (serious)" if serious else ""
    fs.res.contributions.append({"rule_id": r.id, "points_cents": 0,
                                 "evidence": ";".join(x for x in evidence if x),
                                 "effect": f"{r.list} list{kind} until {until.isoformat()}"})
    fs.say(f"{r.id} {r.label}: the firm enters the {r.list} list{kind} for {months_text(months)}, "
           f"until {until.isoformat()}.")


def reference_finish(fs: FirmState) -> None:
    """Reference: the list in force, black over red, its latest end; an entry of the history
    alone is said so."""
    res, entries, active = fs.res, fs.lists["entries"], fs.lists["active"]
    for name in ("black", "red"):
        ends = [u for u, _ in active[name]] + [u for u, _ in entries.get(name, [])]
        if ends:
            res.list_name, res.list_until = name, max(ends)
            break
    if res.list_name and res.list_name not in entries:
        texts = sorted(t for _, t in active[res.list_name])
        res.contributions.append({"rule_id": f"lists.history.{res.list_name}", "points_cents": 0,
                                  "evidence": ";".join(texts),
                                  "effect": f"{res.list_name} list until {res.list_until.isoformat()}"})
        fs.say(f"An entry on the {res.list_name} list published earlier is still in force: "
               + "; ".join(texts) + ".")


KIND = RuleKind(
    name="list", model=ListRule, stage="list", section="lists.rules", lint=lint,
    compile=compile, apply=apply, reference=reference,
    begin=begin, finish=finish, reference_begin=reference_begin,
    reference_finish=reference_finish,
    summary="red or black list entry (红名单 / 黑名单) when the condition (grade, veto, events, "
            "history) holds after the overrides, for N months; black dominates red",
    used_by="chongqing-2017, chongqing-2021, guizhou-2019, hebei-2024, jilin-2018, "
            "shandong-2020")
